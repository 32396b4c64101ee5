from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # -- credit control --

    # -- sales cycles and qualification --

    # -- warranties --

    # -- competitors --
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

    def action_unarchive(self):
        # a restored deal is no longer lost to anyone (like core's lost reason)
        reactivated = self.filtered(lambda lead: not lead.active)
        res = super().action_unarchive()
        reactivated.filtered("lost_to_competitor_id").write({"lost_to_competitor_id": False})
        return res

    # -- customer 360 --
