from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    warranty_contract_count = fields.Integer(
        string="Warranties", compute="_compute_warranty_contract_count"
    )

    def _compute_warranty_contract_count(self):
        self.warranty_contract_count = 0
        Contract = self.env["crm.warranty.contract"]
        if not self.ids or not Contract.has_access("read"):
            return
        groups = Contract._read_group(
            [("invoice_ids", "in", self.ids)], ["invoice_ids"], ["__count"]
        )
        counts = {move.id: count for move, count in groups}
        for move in self:
            move.warranty_contract_count = counts.get(move.id, 0)

    def action_view_warranty_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_warranty_contract_action"
        )
        action["domain"] = [("invoice_ids", "in", self.ids)]
        action["context"] = {"create": False}
        return action
