from odoo import fields, models, tools
from odoo.tools import SQL

# ids of the rows: cycle line id in the high bits, lead id (0: the line's
# placeholder row) in the low ones, so a row keeps its id between reads
LEAD_ID_BITS = 32


class CrmSalesFunnelReport(models.Model):
    """Per cycle stage and lead: the lead reached the stage, is there now,
    went further.

    One row per (cycle stage, lead) carrying the lead's company and
    salesperson, so the lead's record rules (company, "own documents") apply
    to the funnel as they do to the leads; plus one empty row per cycle stage
    (the cycle's company, no salesperson) so that every stage of a visible
    cycle shows even when none of the visible leads reached it. Figures are
    read grouped (pivot, graph, ``_read_group``): counts add up, rates and
    average days are computed over the group (see ``_read_group_select``).
    Probable value is in the lead's company currency: group by company.
    """

    _name = "crm.sales.funnel.report"
    _description = "Sales Funnel Analysis"
    _auto = False
    _order = "sales_cycle_id, sequence, id"
    _rec_name = "stage_id"

    sales_cycle_id = fields.Many2one("crm.sales.cycle", readonly=True)
    stage_id = fields.Many2one("crm.stage", readonly=True)
    sequence = fields.Integer(readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    lead_create_date = fields.Datetime(string="Lead Created on", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    reached_count = fields.Integer(string="Reached", readonly=True)
    current_count = fields.Integer(string="Currently There", readonly=True)
    converted_count = fields.Integer(string="Went Further", readonly=True)
    conversion_rate = fields.Float(string="Conversion (%)", readonly=True, aggregator="avg")
    stay_count = fields.Integer(string="Stays", readonly=True)
    total_days = fields.Float(string="Days in Stage", readonly=True)
    avg_days = fields.Float(string="Average Days", readonly=True, aggregator="avg")
    expected_revenue = fields.Monetary(
        string="Probable Value", readonly=True, currency_field="currency_id"
    )

    def _query(self):
        return SQL(
            """
            WITH lines AS (
                SELECT line.id, line.cycle_id, line.stage_id, line.sequence,
                       ROW_NUMBER() OVER (PARTITION BY line.cycle_id
                                          ORDER BY line.sequence, line.id) AS rank
                  FROM crm_sales_cycle_stage line
            ),
            stays AS (
                -- one row per lead and stage reached, with the furthest stage
                -- (cycle line order, not dates) the lead reached in the cycle
                SELECT history.lead_id, lines.id AS line_id, lines.rank,
                       COUNT(*) AS stay_count,
                       SUM(EXTRACT(EPOCH FROM (COALESCE(history.date_out, NOW() AT TIME ZONE 'UTC')
                                               - history.date_in))) / 86400.0 AS days,
                       MAX(lines.rank) OVER (PARTITION BY history.lead_id, lines.cycle_id) AS max_rank
                  FROM crm_lead_stage_history history
                  JOIN lines ON lines.cycle_id = history.sales_cycle_id
                            AND lines.stage_id = history.stage_id
              GROUP BY history.lead_id, lines.id, lines.cycle_id, lines.rank
            ),
            current AS (
                -- active leads in a stage of their cycle now
                SELECT lead.id AS lead_id, lines.id AS line_id
                  FROM crm_lead lead
                  JOIN lines ON lines.cycle_id = lead.sales_cycle_id
                            AND lines.stage_id = lead.stage_id
                 WHERE lead.active
            ),
            facts AS (
                SELECT COALESCE(stays.lead_id, current.lead_id) AS lead_id,
                       COALESCE(stays.line_id, current.line_id) AS line_id,
                       CASE WHEN stays.lead_id IS NULL THEN 0 ELSE 1 END AS reached_count,
                       CASE WHEN current.lead_id IS NULL THEN 0 ELSE 1 END AS current_count,
                       CASE WHEN stays.max_rank > stays.rank THEN 1 ELSE 0 END AS converted_count,
                       COALESCE(stays.stay_count, 0) AS stay_count,
                       COALESCE(stays.days, 0.0) AS total_days
                  FROM stays
       FULL OUTER JOIN current ON current.lead_id = stays.lead_id
                              AND current.line_id = stays.line_id
            )
            SELECT (lines.id::bigint << %(bits)s) + facts.lead_id AS id,
                   lines.cycle_id AS sales_cycle_id,
                   lines.stage_id AS stage_id,
                   lines.rank AS sequence,
                   lead.id AS lead_id,
                   lead.create_date AS lead_create_date,
                   lead.user_id AS user_id,
                   lead.team_id AS team_id,
                   lead.company_id AS company_id,
                   company.currency_id AS currency_id,
                   facts.reached_count,
                   facts.current_count,
                   facts.converted_count,
                   100.0 * facts.converted_count AS conversion_rate,
                   facts.stay_count,
                   facts.total_days,
                   COALESCE(facts.total_days / NULLIF(facts.stay_count, 0), 0.0) AS avg_days,
                   CASE WHEN facts.current_count = 1
                        THEN COALESCE(lead.expected_revenue, 0)
                             * COALESCE(lead.probability, 0) / 100.0
                        ELSE 0.0
                   END AS expected_revenue
              FROM facts
              JOIN lines ON lines.id = facts.line_id
              JOIN crm_lead lead ON lead.id = facts.lead_id
         LEFT JOIN res_company company ON company.id = lead.company_id
             UNION ALL
            SELECT lines.id::bigint << %(bits)s,
                   lines.cycle_id, lines.stage_id, lines.rank,
                   NULL, NULL, NULL, NULL,
                   cycle.company_id, company.currency_id,
                   0, 0, 0, 0.0, 0, 0.0, 0.0, 0.0
              FROM lines
              JOIN crm_sales_cycle cycle ON cycle.id = lines.cycle_id
         LEFT JOIN res_company company ON company.id = cycle.company_id
            """,
            bits=LEAD_ID_BITS,
        )

    def _read_group_select(self, aggregate_spec, query):
        """Rates and averages of a group are computed over the group's leads and
        stays, not averaged over rows."""
        if aggregate_spec == "conversion_rate:avg":
            return SQL(
                "COALESCE(100.0 * SUM(%s) / NULLIF(SUM(%s), 0), 0.0)",
                self._field_to_sql(self._table, "converted_count", query),
                self._field_to_sql(self._table, "reached_count", query),
            )
        if aggregate_spec == "avg_days:avg":
            return SQL(
                "COALESCE(SUM(%s) / NULLIF(SUM(%s), 0), 0.0)",
                self._field_to_sql(self._table, "total_days", query),
                self._field_to_sql(self._table, "stay_count", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
