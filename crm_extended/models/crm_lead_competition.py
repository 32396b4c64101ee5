from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    competitor_line_ids = fields.One2many(
        "crm.lead.competitor", "lead_id", string="Competitors", copy=True
    )
    lost_to_competitor_id = fields.Many2one(
        "crm.competitor",
        string="Lost to",
        index="btree_not_null",
        ondelete="restrict",
        tracking=72,
        copy=False,
        check_company=True,
        help="The competitor who won this deal.",
    )

    def action_unarchive(self):
        # a restored deal is no longer lost to anyone (like core's lost reason)
        reactivated = self.filtered(lambda lead: not lead.active)
        res = super().action_unarchive()
        reactivated.filtered("lost_to_competitor_id").write({"lost_to_competitor_id": False})
        return res

    def _add_lost_to_competitor_line(self):
        """The competitor a deal was lost to is one of its competitors."""
        missing = self.filtered(
            lambda lead: (
                lead.lost_to_competitor_id
                and lead.lost_to_competitor_id not in lead.competitor_line_ids.competitor_id
            )
        )
        if missing:
            self.env["crm.lead.competitor"].create(
                [
                    {"lead_id": lead.id, "competitor_id": lead.lost_to_competitor_id.id}
                    for lead in missing
                ]
            )

    def _merge_dependences(self, opportunities):
        result = super()._merge_dependences(opportunities)
        self._merge_dependences_competitors(opportunities)
        return result

    def _merge_dependences_competitors(self, opportunities):
        """Merged deals keep every competitor met, once (the head's line, else
        the line of the most confident deal)."""
        known = self.competitor_line_ids.competitor_id
        to_move = self.env["crm.lead.competitor"]
        for line in opportunities.competitor_line_ids:
            if line.competitor_id not in known:
                known |= line.competitor_id
                to_move |= line
        to_move.write({"lead_id": self.id})
