from odoo import fields, models
from odoo.tools import SQL, drop_view_if_exists

OUTCOME_HELP = (
    "Per competitor and deal: Won = the deal was won while this competitor was "
    "met on it; Lost = the deal was lost to this competitor; Lost Otherwise = "
    "lost to another competitor, for another reason, or archived without being "
    "won; Open = still in progress. The competitor cards and the XLSX export "
    "count the same way: win rate = Won / (Won + Lost)."
)


class CrmCompetitorWinlossReport(models.Model):
    """One row per competitor met on a deal (through a competitor line, or
    by having won it), lost (archived) deals included.

    ``outcome`` is the one definition of won/lost per competitor: the
    competitor statistics (``crm.competitor._get_statistics``) and the XLSX
    export read this report.
    """

    _name = "crm.competitor.winloss.report"
    _description = "Competitor Win/Loss Analysis"
    _auto = False
    _rec_name = "lead_id"
    _order = "date desc, id desc"

    competitor_id = fields.Many2one("crm.competitor", readonly=True)
    strategy = fields.Selection(
        related="competitor_id.strategy", string="Market Strategy", readonly=True
    )
    lead_id = fields.Many2one("crm.lead", "Deal", readonly=True)
    lead_type = fields.Selection(
        [("lead", "Lead"), ("opportunity", "Opportunity")], "Type", readonly=True
    )
    outcome = fields.Selection(
        [
            ("won", "Won"),
            ("lost", "Lost"),
            ("lost_other", "Lost Otherwise"),
            ("open", "Open"),
        ],
        readonly=True,
        help=OUTCOME_HELP,
    )
    is_lost_to_competitor = fields.Boolean("Lost to this Competitor", readonly=True)
    threat_level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")], readonly=True
    )
    stage_id = fields.Many2one("crm.stage", "Stage Reached", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Datetime("Creation Date", readonly=True)
    date_closed = fields.Datetime("Closed Date", readonly=True)
    expected_revenue = fields.Float(readonly=True)
    won_revenue = fields.Float(readonly=True)
    lost_revenue = fields.Float("Revenue Lost to Competitor", readonly=True)
    competitor_price = fields.Float("Their Price", readonly=True)
    won_count = fields.Integer("Won", readonly=True)
    lost_count = fields.Integer("Lost to Competitor", readonly=True)

    def _query(self):
        # ids: lines keep an even id, deals won by a competitor not listed on
        # them an odd one, so rows stay stable between reads.
        return SQL(
            """
            WITH met AS (
                SELECT line.id * 2 AS id,
                       line.competitor_id,
                       line.lead_id,
                       line.threat_level,
                       line.competitor_price
                  FROM crm_lead_competitor line
                 UNION ALL
                SELECT lead.id * 2 + 1,
                       lead.lost_to_competitor_id,
                       lead.id,
                       NULL,
                       NULL
                  FROM crm_lead lead
                 WHERE lead.lost_to_competitor_id IS NOT NULL
                   AND NOT EXISTS (
                       SELECT 1
                         FROM crm_lead_competitor line
                        WHERE line.lead_id = lead.id
                          AND line.competitor_id = lead.lost_to_competitor_id)
            )
            SELECT met.id,
                   met.competitor_id,
                   met.lead_id,
                   met.threat_level,
                   COALESCE(met.competitor_price, 0) AS competitor_price,
                   lead.type AS lead_type,
                   CASE WHEN lead.won_status = 'won' THEN 'won'
                        WHEN lead.won_status = 'lost'
                         AND lead.lost_to_competitor_id = met.competitor_id THEN 'lost'
                        WHEN lead.won_status = 'pending' AND lead.active THEN 'open'
                        ELSE 'lost_other' END AS outcome,
                   (lead.won_status = 'lost'
                    AND lead.lost_to_competitor_id = met.competitor_id)
                       AS is_lost_to_competitor,
                   lead.stage_id,
                   lead.user_id,
                   lead.team_id,
                   lead.partner_id,
                   lead.company_id,
                   lead.create_date AS date,
                   lead.date_closed,
                   COALESCE(lead.expected_revenue, 0) AS expected_revenue,
                   CASE WHEN lead.won_status = 'won'
                        THEN COALESCE(lead.expected_revenue, 0) ELSE 0 END
                       AS won_revenue,
                   CASE WHEN lead.won_status = 'lost'
                         AND lead.lost_to_competitor_id = met.competitor_id
                        THEN COALESCE(lead.expected_revenue, 0) ELSE 0 END
                       AS lost_revenue,
                   CASE WHEN lead.won_status = 'won' THEN 1 ELSE 0 END
                       AS won_count,
                   CASE WHEN lead.won_status = 'lost'
                         AND lead.lost_to_competitor_id = met.competitor_id
                        THEN 1 ELSE 0 END AS lost_count
              FROM met
              JOIN crm_lead lead ON lead.id = met.lead_id
            """
        )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._query(),
            )
        )
