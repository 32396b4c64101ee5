from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # A change of lines that raises the total voids the order's credit
    # approval (see sale.order._compute_credit_approval_state): say so in the
    # order's chatter, whatever the path (form, import, RPC on the lines).

    @api.model_create_multi
    def create(self, vals_list):
        order_ids = {vals.get("order_id") for vals in vals_list if vals.get("order_id")}
        approved = self.env["sale.order"].browse(order_ids)._credit_approved_orders()
        lines = super().create(vals_list)
        approved._credit_note_voided()
        return lines

    def write(self, vals):
        approved = self.order_id._credit_approved_orders()
        result = super().write(vals)
        approved._credit_note_voided()
        return result
