from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.duplicate_keys import first_duplicate


class CrmLeadCompetitor(models.Model):
    _name = "crm.lead.competitor"
    _description = "Competitor on a Deal"
    _order = "lead_id, id"
    _check_company_auto = True
    _rec_name = "competitor_id"

    lead_id = fields.Many2one(
        "crm.lead",
        string="Deal",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    competitor_id = fields.Many2one(
        "crm.competitor",
        string="Competitor",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    threat_level = fields.Selection(
        [("low", "Low"), ("medium", "Medium"), ("high", "High")],
        default="medium",
        required=True,
    )
    competitor_price = fields.Monetary(
        "Their Price",
        currency_field="currency_id",
        help="The price the competitor offers for this deal.",
    )
    notes = fields.Text()
    # not stored: a stored copy of the deal's company would make every write
    # recomputing crm.lead.company_id (team/salesperson assignment) look up the
    # deal's lines, one extra query per batch even for deals without competitors
    company_id = fields.Many2one(related="lead_id.company_id")
    currency_id = fields.Many2one(related="lead_id.company_currency")
    strategy = fields.Selection(related="competitor_id.strategy")
    is_winner = fields.Boolean(
        "Won the Deal",
        compute="_compute_is_winner",
        help="The deal was lost to this competitor.",
    )

    _lead_competitor_uniq = models.Constraint(
        "UNIQUE(lead_id, competitor_id)",
        "A competitor can only be listed once on a deal.",
    )
    _competitor_price_positive = models.Constraint(
        "CHECK(competitor_price >= 0)",
        "The competitor's price cannot be negative.",
    )

    @api.depends("lead_id.lost_to_competitor_id", "competitor_id")
    def _compute_is_winner(self):
        for line in self:
            line.is_winner = bool(line.competitor_id) and (
                line.lead_id.lost_to_competitor_id == line.competitor_id
            )

    @api.constrains("competitor_price")
    def _check_competitor_price(self):
        for line in self:
            if line.competitor_price < 0:
                raise ValidationError(
                    self.env._(
                        "The price of %(competitor)s on %(deal)s cannot be negative.",
                        competitor=line.competitor_id.display_name,
                        deal=line.lead_id.display_name,
                    )
                )

    @api.constrains("lead_id", "competitor_id")
    def _check_competitor_once_per_deal(self):
        """Friendly message on edits. The UNIQUE constraint stays the
        guarantee. Read without flushing: flushing first would hit it."""
        duplicate = first_duplicate(
            self,
            lambda line: (line.lead_id.id, line.competitor_id.id),
            SQL("lead_id, competitor_id"),
            "lead_id",
        )
        if duplicate:
            duplicate._raise_duplicate_competitor()

    def _raise_duplicate_competitor(self):
        raise ValidationError(
            self.env._(
                "%(competitor)s is already listed on %(deal)s.",
                competitor=self.competitor_id.display_name,
                deal=self.lead_id.display_name,
            )
        )
