from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.duplicate_keys import first_duplicate
from ..tools.text_limits import NAME_MAX_LENGTH, URL_MAX_LENGTH, check_text_lengths

TEXT_LIMITS = {"name": NAME_MAX_LENGTH, "website": URL_MAX_LENGTH}


class CrmCompetitor(models.Model):
    _name = "crm.competitor"
    _description = "Competitor"
    _inherit = ["mail.thread", "crm.extended.input.guard"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    website = fields.Char()
    partner_id = fields.Many2one(
        "res.partner",
        string="Contact",
        check_company=True,
        ondelete="set null",
        help="The competitor's company in the address book, if any.",
    )
    strategy = fields.Selection(
        [
            ("leader", "Leader"),
            ("challenger", "Challenger"),
            ("follower", "Follower"),
            ("niche", "Niche"),
        ],
        string="Market Strategy",
        tracking=True,
    )
    strengths = fields.Text()
    weaknesses = fields.Text()
    notes = fields.Html()
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to share this competitor between all companies.",
    )
    color = fields.Integer()
    line_ids = fields.One2many("crm.lead.competitor", "competitor_id", string="Deal Lines")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")

    # Statistics: computed for the whole recordset in one query, lost
    # (archived) deals included. Never stored, never typed. Same definitions
    # as the win/loss analysis (crm.competitor.winloss.report.outcome).
    opportunity_count = fields.Integer(
        "Deals Met",
        compute="_compute_statistics",
        help="Deals where this competitor was listed, or that were lost to it.",
    )
    won_count = fields.Integer(
        "Won Against",
        compute="_compute_statistics",
        help="Deals won where this competitor was met.",
    )
    lost_count = fields.Integer(
        "Lost To",
        compute="_compute_statistics",
        help="Deals lost to this competitor (deals lost to another competitor or "
        "for another reason do not count).",
    )
    open_count = fields.Integer("Open Deals", compute="_compute_statistics")
    has_closed_deals = fields.Boolean(
        "Has Closed Deals",
        compute="_compute_statistics",
        help="At least one deal won against or lost to this competitor: "
        "only then is there a win rate.",
    )
    win_rate = fields.Float(
        "Win Rate (%)",
        compute="_compute_statistics",
        digits=(16, 1),
        help="Won / (won + lost to this competitor) x 100; not shown before a deal "
        "met is won or lost to it.",
    )
    lost_revenue = fields.Monetary(
        "Revenue Lost",
        compute="_compute_statistics",
        currency_field="currency_id",
        help="Expected revenue of the deals lost to this competitor.",
    )

    _name_company_uniq = models.UniqueIndex(
        "(name, COALESCE(company_id, 0))",
        "A competitor with this name already exists in this company.",
    )

    # ------------------------------------------------------------
    # COMPUTES
    # ------------------------------------------------------------

    @api.depends("company_id")
    def _compute_currency_id(self):
        for competitor in self:
            competitor.currency_id = (
                competitor.company_id.currency_id or self.env.company.currency_id
            )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_statistics(self):
        stats = self._get_statistics()
        for competitor in self:
            met, won, lost, lost_revenue, open_ = stats.get(competitor.id, (0, 0, 0, 0.0, 0))
            competitor.opportunity_count = met
            competitor.won_count = won
            competitor.lost_count = lost
            competitor.has_closed_deals = bool(won + lost)
            competitor.win_rate = won * 100.0 / (won + lost) if won + lost else 0.0
            competitor.lost_revenue = lost_revenue
            competitor.open_count = open_

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("name", "company_id")
    def _check_name_unique_per_company(self):
        """Friendly message on renames. The unique index stays the guarantee
        (creations hit it first, and shared competitors have no company).
        Read without flushing: flushing first would hit the index."""
        duplicate = first_duplicate(
            self,
            lambda competitor: (competitor.name, competitor.company_id.id or 0),
            SQL("name, COALESCE(company_id, 0)"),
            "name",
        )
        if duplicate:
            duplicate._raise_duplicate_name()

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._clean_name(vals) for vals in vals_list]
        check_text_lengths(self, vals_list, TEXT_LIMITS)
        return super().create(vals_list)

    def write(self, vals):
        vals = self._clean_name(vals)
        check_text_lengths(self, [vals], TEXT_LIMITS)
        return super().write(vals)

    @api.model
    def _clean_name(self, vals):
        """A competitor's name is a non-blank text, kept without surrounding spaces
        (an RPC caller may send a list, a dict or spaces)."""
        if "name" not in vals:
            return vals
        name = vals["name"]
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                self.env._("A competitor needs a name: a text that is not blank.")
            )
        return dict(vals, name=name.strip())

    @api.model
    def name_search(self, name="", domain=None, operator="ilike", limit=100):
        """Offer first the competitors listed in the context key
        ``crm_extended_competitors_first`` (ids; the lost wizard passes those
        met on the deal), then the others."""
        first_ids = [
            cid for cid in self.env.context.get("crm_extended_competitors_first") or [] if cid
        ]
        if not first_ids or not all(isinstance(cid, int) for cid in first_ids):
            return super().name_search(name, domain, operator, limit)
        domain = Domain(domain or Domain.TRUE)
        first = super().name_search(name, domain & Domain("id", "in", first_ids), operator, limit)
        if limit and len(first) >= limit:
            return first
        rest = super().name_search(
            name,
            domain & Domain("id", "not in", first_ids),
            operator,
            limit - len(first) if limit else limit,
        )
        return first + rest

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_view_deals(self):
        return self._action_view_deals()

    def action_view_won_deals(self):
        return self._action_view_deals("won")

    def action_view_lost_deals(self):
        return self._action_view_deals("lost")

    def action_view_open_deals(self):
        return self._action_view_deals("open")

    def _action_view_deals(self, outcome=None):
        self.ensure_one()
        names = {
            "won": self.env._("Deals won against %s", self.name),
            "lost": self.env._("Deals lost to %s", self.name),
            "open": self.env._("Open deals against %s", self.name),
        }
        return {
            "type": "ir.actions.act_window",
            "name": names.get(outcome, self.env._("Deals against %s", self.name)),
            "res_model": "crm.lead",
            "view_mode": "list,kanban,form",
            "views": [(False, "list"), (False, "kanban"), (False, "form")],
            "search_view_id": [self.env.ref("crm.view_crm_case_opportunities_filter").id],
            "domain": list(self._get_deals_domain(outcome)),
            "context": {"active_test": False, "create": False},
        }

    # ------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------

    def _get_deals_domain(self, outcome=None):
        self.ensure_one()
        met = Domain("competitor_line_ids.competitor_id", "=", self.id) | Domain(
            "lost_to_competitor_id", "=", self.id
        )
        if outcome == "won":
            return met & Domain("won_status", "=", "won")
        if outcome == "lost":
            return Domain("lost_to_competitor_id", "=", self.id) & Domain("won_status", "=", "lost")
        if outcome == "open":
            return met & Domain("won_status", "=", "pending") & Domain("active", "=", True)
        return met

    def _get_statistics(self):
        """Return {competitor_id: (met, won, lost, lost_revenue, open)} for ``self``.

        Read from the win/loss analysis (``crm.competitor.winloss.report``),
        so that the cards, the analysis and its XLSX export share one
        definition of each outcome (see the report's ``outcome`` field), and
        only count the deals the user may read (its record rules follow the
        deals'). One query for the whole recordset.
        """
        ids = [cid for cid in self.ids if cid]
        if not ids:
            return {}
        self.env["crm.lead"].flush_model(
            ["lost_to_competitor_id", "won_status", "expected_revenue", "active"]
        )
        self.env["crm.lead.competitor"].flush_model(["lead_id", "competitor_id"])
        groups = self.env["crm.competitor.winloss.report"]._read_group(
            [("competitor_id", "in", ids)],
            ["competitor_id", "outcome"],
            ["__count", "expected_revenue:sum"],
        )
        stats = {}
        for competitor, outcome, count, revenue in groups:
            met, won, lost, lost_revenue, open_ = stats.get(competitor.id, (0, 0, 0, 0.0, 0))
            stats[competitor.id] = (
                met + count,
                won + (count if outcome == "won" else 0),
                lost + (count if outcome == "lost" else 0),
                lost_revenue + (revenue if outcome == "lost" else 0.0),
                open_ + (count if outcome == "open" else 0),
            )
        return stats

    def _raise_duplicate_name(self):
        raise ValidationError(
            self.env._(
                "A competitor named “%(name)s” already exists in %(company)s.",
                name=self.name,
                company=self.company_id.display_name
                or self.env._("the competitors shared by all companies"),
            )
        )
