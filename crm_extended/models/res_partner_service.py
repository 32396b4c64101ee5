from datetime import timedelta

from odoo import fields, models
from odoo.fields import Domain

OPEN_STATES = ("new", "in_progress", "waiting")


class ResPartner(models.Model):
    _inherit = "res.partner"

    service_case_ids = fields.One2many("crm.service.case", "partner_id", string="After-sales Cases")
    service_case_open_count = fields.Integer(
        string="Open Cases", compute="_compute_service_case_stats", groups="base.group_user"
    )
    complaint_count_90d = fields.Integer(
        string="Complaints (90 days)",
        compute="_compute_service_case_stats",
        groups="base.group_user",
    )
    satisfaction_avg = fields.Float(
        string="Satisfaction",
        compute="_compute_service_case_stats",
        groups="base.group_user",
        help="Average rating of the customer's closed cases (1 to 5; 0 when never rated).",
    )

    def _compute_service_case_stats(self):
        """Cases of the customer and its contacts: one grouped query per figure
        set, whatever the number of partners."""
        self.service_case_open_count = 0
        self.complaint_count_90d = 0
        self.satisfaction_avg = 0.0
        if not self.ids:
            return
        # the customer's figures, the same for every internal user (the field
        # groups keep them from portal users): all cases of the allowed companies
        Case = self.env["crm.service.case"].sudo()
        commercials = self.commercial_partner_id
        since = fields.Datetime.now() - timedelta(days=90)
        customers = Domain("commercial_partner_id", "in", commercials.ids) & Domain(
            "company_id", "in", self.env.companies.ids
        )
        open_counts = dict(
            Case._read_group(
                customers & Domain("state", "in", OPEN_STATES),
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        complaints = dict(
            Case._read_group(
                customers
                & Domain("case_type", "=", "complaint")
                & Domain("date_open", ">=", since),
                ["commercial_partner_id"],
                ["__count"],
            )
        )
        rated = Case._read_group(
            customers & Domain("rating_last_value", ">", 0),
            ["commercial_partner_id"],
            ["rating_last_value:avg"],
        )
        satisfaction = dict(rated)
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.service_case_open_count = open_counts.get(commercial, 0)
            partner.complaint_count_90d = complaints.get(commercial, 0)
            partner.satisfaction_avg = satisfaction.get(commercial, 0.0)

    def action_view_service_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_service_case_action"
        )
        action["domain"] = [("commercial_partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_open": 1}
        return action
