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
        string="Duration (days)",
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Length of the stay, set when the lead leaves the stage.",
    )
    user_id = fields.Many2one("res.users", string="Salesperson")
    gate_override = fields.Boolean(
        string="Gate Overridden",
        readonly=True,
        help="A sales manager moved the lead here past a stage gate (the reason is in the "
        "lead's chatter).",
    )
    company_id = fields.Many2one("res.company", string="Company", index=True)

    _lead_open_idx = models.Index("(lead_id) WHERE date_out IS NULL")

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

    @api.model
    def _open_rows(self, leads, date_in):
        """Open a stay for each lead (of a cycle) in its current stage: one query."""
        if not leads:
            return
        leads.flush_recordset(["sales_cycle_id", "stage_id", "user_id", "company_id"])
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_lead_stage_history
                       (lead_id, sales_cycle_id, stage_id, date_in, duration_days,
                        user_id, company_id, create_uid, create_date, write_uid, write_date)
                SELECT lead.id, lead.sales_cycle_id, lead.stage_id, %(now)s, 0.0,
                       lead.user_id, lead.company_id, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM crm_lead lead
                 WHERE lead.id = ANY(%(ids)s)
                   AND lead.sales_cycle_id IS NOT NULL
                   AND lead.stage_id IS NOT NULL
                """,
                now=date_in,
                uid=self.env.uid,
                ids=leads.ids,
            )
        )
        leads.invalidate_recordset(["stage_history_ids"])
