from odoo import models
from odoo.exceptions import UserError


class ProductProduct(models.Model):
    _inherit = "product.product"

    def action_insight_add_to_order(self):
        """Row button of the quotation's "Frequently bought together" list.

        The quotation comes from the context (``insight_order_id``), set by the
        list on the quotation form; the order's own method does the checks.
        """
        self.ensure_one()
        order_id = self.env.context.get("insight_order_id")
        order = self.env["sale.order"].browse(order_id).exists() if order_id else None
        if not order:
            raise UserError(self.env._("Save the quotation before adding a suggested product."))
        return order.action_add_affinity_product(self.id)
