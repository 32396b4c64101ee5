from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # A change of lines that raises the total voids the order's credit
    # approval (see sale.order._compute_credit_approval_state): say so in the
    # order's chatter, whatever the path (form, import, RPC on the lines).
    # On a confirmed order, a change that raises what a blocked customer owes
    # is refused (sale.order._credit_check_confirmed_changes), except for
    # re-invoiced costs (`is_expense`: vendor bills and expenses posted on the
    # order's analytic account): those are already spent, refusing them would
    # only stop the vendor bill or the expense from being posted.

    @api.model_create_multi
    def create(self, vals_list):
        order_ids = {vals.get("order_id") for vals in vals_list if vals.get("order_id")}
        orders = self.env["sale.order"].browse(order_ids)
        approved = orders._credit_approved_orders()
        requested = orders._credit_requested_orders()
        checked = orders.browse(
            {v["order_id"] for v in vals_list if v.get("order_id") and not v.get("is_expense")}
        )
        confirmed = checked._credit_confirmed_snapshot()
        lines = super().create(vals_list)
        approved._credit_note_voided()
        requested._credit_note_request_voided()
        checked._credit_check_confirmed_changes(confirmed)
        return lines

    def write(self, vals):
        orders = self.order_id
        approved = orders._credit_approved_orders()
        requested = orders._credit_requested_orders()
        checked = self.filtered(lambda line: not line.is_expense).order_id
        confirmed = checked._credit_confirmed_snapshot()
        result = super().write(vals)
        approved._credit_note_voided()
        requested._credit_note_request_voided()
        checked._credit_check_confirmed_changes(confirmed)
        return result
