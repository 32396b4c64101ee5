from odoo import api, models
from odoo.exceptions import AccessError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    # A change of lines that raises the total voids the order's credit
    # approval (see sale.order._compute_credit_approval_state): say so in the
    # order's chatter, whatever the path (form, import, RPC on the lines).
    # On a confirmed order, a change that raises what a blocked customer owes
    # is refused (sale.order._credit_check_confirmed_changes here, and the
    # credit invariant for every path), except for re-invoiced costs: the
    # lines Odoo's vendor-bill and expense flow creates, already spent.
    # `is_expense` marks those lines: only that flow sets it.

    @api.model_create_multi
    def create(self, vals_list):
        Partner = self.env["res.partner"]
        cost_flow = Partner._credit_inv_in_cost_flow()
        if not cost_flow and (
            self.env.context.get("default_is_expense")
            or any(vals.get("is_expense") for vals in vals_list)
        ):
            raise self._credit_expense_error()
        order_ids = {vals.get("order_id") for vals in vals_list if vals.get("order_id")}
        orders = self.env["sale.order"].browse(order_ids)
        approved = orders._credit_approved_orders()
        checked = orders.browse() if cost_flow else orders
        confirmed = checked._credit_confirmed_snapshot()
        lines = super().create(vals_list)
        if cost_flow:
            Partner._credit_inv_mark_exempt_lines(lines.ids)
        approved._credit_note_voided()
        checked._credit_check_confirmed_changes(confirmed)
        return lines

    def write(self, vals):
        cost_flow = self.env["res.partner"]._credit_inv_in_cost_flow()
        if "is_expense" in vals and not cost_flow:
            if any(bool(line.is_expense) != bool(vals["is_expense"]) for line in self):
                raise self._credit_expense_error()
        orders = self.order_id
        approved = orders._credit_approved_orders()
        checked = orders.browse() if cost_flow else orders
        if "order_id" in vals:
            checked |= orders.browse(vals["order_id"])
        confirmed = checked._credit_confirmed_snapshot()
        result = super().write(vals)
        approved._credit_note_voided()
        checked._credit_check_confirmed_changes(confirmed)
        return result

    def _credit_expense_error(self):
        return AccessError(
            self.env._(
                "Re-invoiced costs are added to orders by posting vendor bills or expenses "
                "on them: a line cannot be marked as a re-invoiced cost by hand."
            )
        )
