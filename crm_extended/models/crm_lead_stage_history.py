from odoo import api, fields, models
from odoo.tools import SQL


class CrmLeadStageHistory(models.Model):
    _name = "crm.lead.stage.history"
    _description = "Lead Stage History"
    _order = "lead_id, date_in, id"
    _check_company_auto = True

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, index=True, ondelete="cascade"
    )
    sales_cycle_id = fields.Many2one(
        "crm.sales.cycle", string="Sales Cycle", index=True, ondelete="cascade"
    )
    stage_id = fields.Many2one("crm.stage", string="Stage", required=True, ondelete="cascade")
    date_in = fields.Datetime(string="Entered", required=True, default=fields.Datetime.now)
    date_out = fields.Datetime(string="Left")
    duration_days = fields.Float(
        string="Duration (days)", compute="_compute_duration_days", store=True,
        aggregator="avg", digits=(16, 2),
    )
    user_id = fields.Many2one("res.users", string="Salesperson")
    company_id = fields.Many2one("res.company", string="Company", index=True)

    _lead_open_idx = models.Index("(lead_id) WHERE date_out IS NULL")

    @api.depends("date_in", "date_out")
    def _compute_duration_days(self):
        for row in self:
            if row.date_in and row.date_out:
                row.duration_days = (row.date_out - row.date_in).total_seconds() / 86400.0
            else:
                row.duration_days = 0.0

    @api.model
    def _close_open_rows(self, lead_ids, date_out):
        """Close the open stays of the given leads in one query."""
        if not lead_ids:
            return
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead_stage_history
                   SET date_out = %(now)s,
                       duration_days = EXTRACT(EPOCH FROM (%(now)s - date_in)) / 86400.0
                 WHERE lead_id = ANY(%(ids)s) AND date_out IS NULL
                """,
                now=date_out,
                ids=list(lead_ids),
            )
        )
        self.invalidate_model(["date_out", "duration_days"])
