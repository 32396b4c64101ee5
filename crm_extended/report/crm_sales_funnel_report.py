from odoo import fields, models, tools
from odoo.tools import SQL


class CrmSalesFunnelReport(models.Model):
    """Per cycle and stage: leads that reached it, are there now, went further."""

    _name = "crm.sales.funnel.report"
    _description = "Sales Funnel Analysis"
    _auto = False
    _order = "sales_cycle_id, sequence, id"
    _rec_name = "stage_id"

    sales_cycle_id = fields.Many2one("crm.sales.cycle", string="Sales Cycle", readonly=True)
    stage_id = fields.Many2one("crm.stage", string="Stage", readonly=True)
    sequence = fields.Integer(readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    reached_count = fields.Integer(string="Reached", readonly=True)
    current_count = fields.Integer(string="Currently There", readonly=True)
    converted_count = fields.Integer(string="Went Further", readonly=True)
    conversion_rate = fields.Float(string="Conversion (%)", readonly=True, aggregator="avg")
    avg_days = fields.Float(string="Average Days", readonly=True, aggregator="avg")
    expected_revenue = fields.Float(string="Probable Value", readonly=True)

    def _query(self, lead_domain_sql=None):
        """The funnel; ``lead_domain_sql`` (SQL over alias ``lead``) restricts the
        leads counted, e.g. to those created in a period (XLSX export)."""
        if lead_domain_sql is None:
            history_join = current_filter = SQL("")
        else:
            history_join = SQL(
                "JOIN crm_lead lead ON lead.id = history.lead_id AND %s", lead_domain_sql
            )
            current_filter = SQL("AND %s", lead_domain_sql)
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
                SELECT history.lead_id, lines.cycle_id, lines.rank,
                       COUNT(*) AS stay_count,
                       SUM(EXTRACT(EPOCH FROM (COALESCE(history.date_out, NOW() AT TIME ZONE 'UTC')
                                               - history.date_in))) / 86400.0 AS days,
                       MAX(lines.rank) OVER (PARTITION BY history.lead_id, lines.cycle_id) AS max_rank
                  FROM crm_lead_stage_history history
                  JOIN lines ON lines.cycle_id = history.sales_cycle_id
                            AND lines.stage_id = history.stage_id
                  %(history_join)s
              GROUP BY history.lead_id, lines.cycle_id, lines.rank
            ),
            reached AS (
                SELECT cycle_id, rank,
                       COUNT(*) AS reached_count,
                       COUNT(*) FILTER (WHERE max_rank > rank) AS converted_count,
                       SUM(days) / NULLIF(SUM(stay_count), 0) AS avg_days
                  FROM stays
              GROUP BY cycle_id, rank
            ),
            current AS (
                SELECT lead.sales_cycle_id AS cycle_id, lead.stage_id,
                       COUNT(*) AS current_count,
                       SUM(COALESCE(lead.expected_revenue, 0)
                           * COALESCE(lead.probability, 0) / 100.0) AS expected_revenue
                  FROM crm_lead lead
                 WHERE lead.active AND lead.sales_cycle_id IS NOT NULL %(current_filter)s
              GROUP BY lead.sales_cycle_id, lead.stage_id
            )
            SELECT lines.id AS id,
                   lines.cycle_id AS sales_cycle_id,
                   lines.stage_id AS stage_id,
                   lines.rank AS sequence,
                   cycle.company_id AS company_id,
                   COALESCE(reached.reached_count, 0) AS reached_count,
                   COALESCE(current.current_count, 0) AS current_count,
                   COALESCE(reached.converted_count, 0) AS converted_count,
                   CASE WHEN COALESCE(reached.reached_count, 0) = 0 THEN 0.0
                        ELSE 100.0 * reached.converted_count / reached.reached_count
                   END AS conversion_rate,
                   COALESCE(reached.avg_days, 0.0) AS avg_days,
                   COALESCE(current.expected_revenue, 0.0) AS expected_revenue
              FROM lines
              JOIN crm_sales_cycle cycle ON cycle.id = lines.cycle_id
         LEFT JOIN reached ON reached.cycle_id = lines.cycle_id AND reached.rank = lines.rank
         LEFT JOIN current ON current.cycle_id = lines.cycle_id
                          AND current.stage_id = lines.stage_id
            """,
            history_join=history_join,
            current_filter=current_filter,
        )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), self._query())
        )
