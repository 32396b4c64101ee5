from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..tools.duplicate_keys import first_duplicate


class CrmLeadCompetitor(models.Model):
    _name = "crm.lead.competitor"
    _inherit = ["crm.extended.input.guard"]
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

    @api.model_create_multi
    def create(self, vals_list):
        self._check_new_lines(vals_list)
        return super().create(vals_list)

    @api.model
    def _check_new_lines(self, vals_list):
        """Refusals before the row reaches PostgreSQL (its UNIQUE and CHECK
        constraints would answer with a raw error naming nothing, or, over RPC,
        tell anyone that the competitor is on that deal): first whether the user
        may change the deals at all, then a sentence about the duplicate."""
        context = self.env.context
        pairs = [
            (
                vals.get("lead_id", context.get("default_lead_id")),
                vals.get("competitor_id", context.get("default_competitor_id")),
            )
            for vals in vals_list
        ]
        Lead = self.env["crm.lead"]
        leads = Lead.browse({lead for lead, _ in pairs if isinstance(lead, int)}).exists()
        if not leads:
            return
        if not self.env.su:
            leads.check_access("write")
        for vals in vals_list:
            price = vals.get("competitor_price")
            if isinstance(price, int | float) and price < 0:
                raise ValidationError(self.env._("The competitor's price cannot be negative."))
        seen = set()
        existing = {
            (line.lead_id.id, line.competitor_id.id)
            for line in self.sudo()
            .with_context(active_test=False)
            .search([("lead_id", "in", leads.ids)])
        }
        for lead_id, competitor_id in pairs:
            if not (isinstance(lead_id, int) and isinstance(competitor_id, int)):
                continue  # refused by the input guard
            key = (lead_id, competitor_id)
            if key in seen or key in existing:
                raise ValidationError(
                    self.env._(
                        "%(competitor)s is already listed on %(deal)s.",
                        competitor=self.env["crm.competitor"].browse(competitor_id).display_name,
                        deal=Lead.browse(lead_id).display_name,
                    )
                )
            seen.add(key)

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
        # the refusal names the deal and its competitor: only to whoever may
        # change the deal (a guessed deal id of another salesperson gets Odoo's
        # own access error, which tells nothing). The deal, not this line: its
        # rules would flush the line, which the unique constraint refuses.
        self.lead_id.check_access("write")
        raise ValidationError(
            self.env._(
                "%(competitor)s is already listed on %(deal)s.",
                competitor=self.competitor_id.display_name,
                deal=self.lead_id.display_name,
            )
        )
