from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmLeadLost(models.TransientModel):
    _inherit = "crm.lead.lost"

    competitor_id = fields.Many2one(
        "crm.competitor",
        string="Lost to Competitor",
        domain="['|', ('company_id', '=', False), ('company_id', 'in', competitor_company_ids)]",
        compute="_compute_competitor_id",
        store=True,
        readonly=False,
        help="The competitor who won the deal. Those met on the deal are offered first.",
    )
    competitor_required = fields.Boolean(compute="_compute_competitor_required")
    competitor_company_ids = fields.Many2many("res.company", compute="_compute_competitor_required")
    met_competitor_ids = fields.Many2many(
        "crm.competitor",
        string="Met on the Deal",
        compute="_compute_met_competitor_ids",
        help="Competitors listed on the deals being marked lost.",
    )

    @api.depends("lead_ids")
    def _compute_met_competitor_ids(self):
        for wizard in self:
            wizard.met_competitor_ids = wizard.lead_ids.competitor_line_ids.competitor_id

    @api.depends("met_competitor_ids", "competitor_required")
    def _compute_competitor_id(self):
        """When the company requires the winner and a single competitor was met,
        it is the obvious answer: preselect it."""
        for wizard in self:
            if (
                not wizard.competitor_id
                and wizard.competitor_required
                and len(wizard.met_competitor_ids) == 1
            ):
                wizard.competitor_id = wizard.met_competitor_ids

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
