from collections import defaultdict

from odoo import api, fields, models
from odoo.fields import Domain

from ..tools.field_access import check_search
from .crm_customer_insight import INSIGHT_MONEY_GROUPS, RFM_SEGMENTS


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Insights are sales and finance knowledge, like the credit figures: every
    # field below is readable by sales and invoicing users only.
    # The current company's insight of the commercial entity. Segment, churn risk
    # and CLV are also kept per company on the partner (written by the nightly
    # job, on the customer and its contacts) so that lists can search and group
    # by them.
    insight_id = fields.Many2one(
        "crm.customer.insight",
        string="Customer Insight",
        compute="_compute_insight_id",
        search="_search_insight_id",
        groups=INSIGHT_MONEY_GROUPS,
    )
    insight_prediction_state = fields.Selection(
        [("predicted", "Predicted"), ("no_prediction", "No Prediction")],
        string="Prediction",
        compute="_compute_insight_prediction_state",
        search="_search_insight_prediction_state",
        groups=INSIGHT_MONEY_GROUPS,
    )
    rfm_segment = fields.Selection(
        RFM_SEGMENTS,
        string="Customer Segment",
        company_dependent=True,
        readonly=True,
        copy=False,
        groups=INSIGHT_MONEY_GROUPS,
    )
    churn_probability = fields.Float(
        "Churn Risk (%)",
        company_dependent=True,
        readonly=True,
        copy=False,
        digits=(5, 1),
        groups=INSIGHT_MONEY_GROUPS,
        help="Probability that the customer buys nothing within the churn horizon.",
    )
    clv_12m = fields.Float(
        "12-Month CLV",
        company_dependent=True,
        readonly=True,
        copy=False,
        digits="Account",
        groups=INSIGHT_MONEY_GROUPS,
        help="Expected purchases in the next 12 months times the expected order value, "
        "in the company currency.",
    )
    insight_suggested_product_ids = fields.Many2many(
        "product.product",
        string="Customers Like This Also Bought",
        compute="_compute_insight_suggested_product_ids",
        groups=INSIGHT_MONEY_GROUPS,
        # archived products are never suggested: not filtered again on read
        context={"active_test": False},
    )

    @api.depends_context("company")
    @api.depends("commercial_partner_id")
    def _compute_insight_id(self):
        Insight = self.env["crm.customer.insight"]
        insights = {}
        if Insight.has_access("read"):
            # one row per customer and company: one query, no fetch of the rows
            for partner, insight_id in Insight._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ],
                ["partner_id"],
                ["id:max"],
            ):
                insights[partner.id] = Insight.browse(insight_id)
        for partner in self:
            partner.insight_id = insights.get(partner.commercial_partner_id.id, Insight)

    @api.depends_context("company")
    @api.depends("insight_id.prediction_state")
    def _compute_insight_prediction_state(self):
        for partner in self:
            partner.insight_prediction_state = partner.insight_id.prediction_state

    def _search_insight_prediction_state(self, operator, value):
        check_search(self, "insight_prediction_state", operator, value)
        return Domain("insight_id", "any", [("prediction_state", operator, value)])

    def _search_insight_id(self, operator, value):
        if operator not in ("in", "not in", "any", "not any"):
            return NotImplemented
        check_search(self, "insight_id", operator, value)
        Insight = self.env["crm.customer.insight"]
        company = Domain("company_id", "=", self.env.company.id)
        if operator in ("any", "not any"):
            insights = Insight._search(company & Domain(value))
            domain = Domain("commercial_partner_id", "in", insights.subselect("partner_id"))
            return domain if operator == "any" else ~domain
        ids = [v for v in value if v and isinstance(v, int)]
        domain = Domain(
            "commercial_partner_id",
            "in",
            Insight._search(company & Domain("id", "in", ids)).subselect("partner_id"),
        )
        if len(ids) < len(value):  # False: customers without an insight
            domain |= ~Domain(
                "commercial_partner_id", "in", Insight._search(company).subselect("partner_id")
            )
        return domain if operator == "in" else ~domain

    @api.depends_context("company", "uid")
    def _compute_insight_suggested_product_ids(self):
        """What customers who bought the same products also bought, and this one did not."""
        Affinity = self.env["crm.product.affinity"]
        Line = self.env["sale.order.line"]
        empty = self.env["product.product"]
        if not (Affinity.has_access("read") and Line.has_access("read")):
            self.insight_suggested_product_ids = empty
            return
        contacts = self._c360_contacts()
        bought_by = defaultdict(set)
        for partner, product_ids in Line._read_group(
            [
                ("order_partner_id", "in", list(contacts)),
                ("state", "=", "sale"),
                ("company_id", "=", self.env.company.id),
                ("product_id", "!=", False),
            ],
            ["order_partner_id"],
            ["product_id:array_agg"],
        ):
            bought_by[contacts[partner.id]].update(product_ids)
        suggested = Affinity._affinity_suggestions_many(
            self.env.company, {cid: list(ids) for cid, ids in bought_by.items()}
        )
        # into the cache: the suggestions come from a query under the user's
        # rules, which assigning them would check again one by one
        for partner in self:
            partner._update_cache(
                {
                    "insight_suggested_product_ids": suggested.get(
                        partner.commercial_partner_id.id, []
                    )
                },
                validate=False,
            )

    def action_open_insight(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_extended.crm_customer_insight_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        if self.insight_id:
            action.update(res_id=self.insight_id.id, view_mode="form", views=[(False, "form")])
        return action
