from odoo import models

from .crm_credit_invariant import CUSTOMER_MOVE_TYPES, MOVE_KEYS


class AccountMove(models.Model):
    _inherit = "account.move"

    # Posting a direct customer invoice raises what its customer owes: the
    # credit invariant's choke point (crm_credit_invariant.py) sees every change
    # of a customer invoice's state, customer or company, whatever the path.

    def _write_multi(self, vals_list):
        # (the cache holds the new values: a customer invoice that is posted now,
        # or whose state or type changes, may weigh on a customer; drafts' edits not)
        changes = {
            move.id: vals
            for move, vals in zip(self, vals_list, strict=True)
            if MOVE_KEYS & vals.keys()
            and ({"state", "move_type"} & vals.keys() or move.state == "posted")
        }
        if changes:
            self.env["res.partner"]._credit_inv_touch_moves(list(changes), changes)
        return super()._write_multi(vals_list)

    def _post(self, soft=True):
        customer_moves = self.filtered(lambda m: m.move_type in CUSTOMER_MOVE_TYPES)
        if customer_moves:
            # a credit controller posting a direct invoice decides on the rise
            self.env["res.partner"]._credit_inv_allow_controller_act(
                customer_moves.commercial_partner_id.ids
            )
        return super()._post(soft=soft)

    def _create(self, data_list):
        posted = [data["stored"] for data in data_list if data["stored"].get("state") == "posted"]
        if posted:
            self.env["res.partner"]._credit_inv_touch_new_documents(posted)
        return super()._create(data_list)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _sale_create_reinvoice_sale_line(self):
        # the order lines Odoo creates here are re-invoiced costs (vendor bills,
        # expenses): already spent, exempt from the credit invariant
        with self.env["res.partner"]._credit_inv_cost_flow():
            return super()._sale_create_reinvoice_sale_line()
