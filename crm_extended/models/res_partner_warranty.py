from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    warranty_contract_ids = fields.One2many(
        "crm.warranty.contract", "partner_id", string="Warranty Contracts"
    )
    warranty_count = fields.Integer(string="Warranties", compute="_compute_warranty_count")

    def _compute_warranty_count(self):
        """Contracts of the partner and its contacts, in one grouped query."""
        self.warranty_count = 0
        Contract = self.env["crm.warranty.contract"]
        if not self.ids or not Contract.has_access("read"):
            return
        all_partners = self.with_context(active_test=False).search_fetch(
            [("id", "child_of", self.ids)], ["parent_id"]
        )
        groups = Contract._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        self_ids = set(self._ids)
        for partner, count in groups:
            while partner:
                if partner.id in self_ids:
                    partner.warranty_count += count
                partner = partner.parent_id

    def action_view_warranty_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_warranty_contract_action"
        )
        action["domain"] = [("partner_id", "child_of", self.ids)]
        action["context"] = {"default_partner_id": self.id}
        return action
