from odoo import api, fields, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    affinity_product_ids = fields.Many2many(
        "product.product",
        string="Frequently Bought Together",
        compute="_compute_affinity_product_ids",
        help="Products often bought with the products of this order, not on it yet.",
        # archived products are never suggested: not filtered again on read
        context={"active_test": False},
    )

    @api.depends("order_line.product_id", "company_id")
    def _compute_affinity_product_ids(self):
        Affinity = self.env["crm.product.affinity"]
        if not Affinity.has_access("read"):
            self.affinity_product_ids = False
            return
        # one query per company for all the quotations
        quotations = self.filtered(lambda order: order.state in ("draft", "sent"))
        suggested = {}
        for company in quotations.company_id:
            of_company = quotations.filtered(
                lambda order, company=company: order.company_id == company
            )
            suggested.update(
                Affinity._affinity_suggestions_many(
                    company, {order: order.order_line.product_id.ids for order in of_company}
                )
            )
        # into the cache: the suggestions come from a query under the user's
        # rules, which assigning them would check again for each order
        for order in self:
            order._update_cache({"affinity_product_ids": suggested.get(order, [])}, validate=False)

    def action_add_affinity_product(self, product_id):
        """Add one line of a suggested product to this quotation."""
        self.ensure_one()
        product = self.env["product.product"].browse(int(product_id)).exists()
        if not product or product not in self.affinity_product_ids:
            raise UserError(
                self.env._(
                    "This product is not among the suggestions of %(order)s.", order=self.name
                )
            )
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "Products can only be added to quotations, not to %(order)s.", order=self.name
                )
            )
        self.write({"order_line": [fields.Command.create({"product_id": product.id})]})
        return True
