from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmLeadLost(models.TransientModel):
    _inherit = "crm.lead.lost"

    competitor_id = fields.Many2one(
        "crm.competitor",
        string="Lost to Competitor",
        domain="['|', ('company_id', '=', False), ('company_id', 'in', competitor_company_ids)]",
        help="The competitor who won the deal.",
    )
    competitor_required = fields.Boolean(compute="_compute_competitor_required")
    competitor_company_ids = fields.Many2many("res.company", compute="_compute_competitor_required")

    @api.depends("lead_ids")
    def _compute_competitor_required(self):
        for wizard in self:
            companies = wizard.lead_ids.company_id
            if not wizard.lead_ids or not all(wizard.lead_ids.mapped("company_id")):
                companies |= self.env.company
            wizard.competitor_company_ids = companies
            wizard.competitor_required = any(companies.mapped("competitor_required_on_lost"))

    def action_lost_reason_apply(self):
        self.ensure_one()
        if self.competitor_required and not self.competitor_id:
            raise UserError(
                self.env._(
                    "Please tell which competitor won the deal: your company "
                    "requires it when a deal is lost."
                )
            )
        res = super().action_lost_reason_apply()
        leads = self.lead_ids.with_context(active_test=False)
        leads.write({"lost_to_competitor_id": self.competitor_id.id})
        leads._add_lost_to_competitor_line()
        return res
