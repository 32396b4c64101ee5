import ast
import base64
import io
from datetime import timedelta
from unittest.mock import patch

import numpy as np
import openpyxl
import psycopg2
from dateutil.relativedelta import relativedelta
from lxml import etree
from psycopg2 import IntegrityError

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import BaseCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.crm_extended.models.crm_customer_insight import (
    CrmCustomerInsight,
    rfm_score,
    rfm_segment,
)
from odoo.addons.crm_extended.tools import btyd

from .query_count import count_queries
from .test_insight_common import TODAY, InsightCommon


@tagged("post_install", "-at_install")
class TestInsightRfm(InsightCommon):
    """Figures, scores and segments on the hand-computed history.

    ====  =========  ==================  =========  =========  ========
    who   recency    frequency (days)    revenue    R F M      segment
    ====  =========  ==================  =========  =========  ========
    A     5          5                   5000       5 5 5      champions
    B     30         2                   4000       4 2 4      potential loyalist (FM 3)
    C     60         4                   200        3 4 2      need attention (FM 3)
    D     200        3                   3000       2 3 3      at risk
    E     400        1                   100        1 1 1      not enough history
    ====  =========  ==================  =========  =========  ========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._seed_rfm_history()

    def _run(self, today=TODAY):
        self.Insight._cron_compute_insights(companies=self.company, today=today)
        return self.Insight.search([("company_id", "=", self.company.id)])

    def test_rfm_figures_and_segments(self):
        insights = self._run()
        self.assertEqual(insights.partner_id, self.customers)
        got = {
            i.partner_id: (
                i.recency_days,
                i.frequency,
                i.monetary,
                i.average_order_value,
                (i.r_score, i.f_score, i.m_score),
                i.rfm_segment,
            )
            for i in insights
        }
        self.assertEqual(
            got,
            {
                self.cust_a: (5, 5, 5000.0, 1000.0, (5, 5, 5), "champions"),
                self.cust_b: (30, 2, 4000.0, 2000.0, (4, 2, 4), "potential_loyalist"),
                self.cust_c: (60, 4, 200.0, 50.0, (3, 4, 2), "need_attention"),
                self.cust_d: (200, 3, 3000.0, 1000.0, (2, 3, 3), "at_risk"),
                self.cust_e: (400, 1, 100.0, 100.0, (1, 1, 1), "not_enough_history"),
            },
        )
        insight_c = insights.filtered(lambda i: i.partner_id == self.cust_c)
        self.assertEqual(insight_c.first_purchase_date, TODAY - timedelta(days=180))
        self.assertEqual(insight_c.last_purchase_date, TODAY - timedelta(days=60))
        self.assertEqual(insight_c.date_computed, TODAY)
        self.assertEqual(insight_c.currency_id, self.company.currency_id)
        # five customers are too few to fit a model: no guessed predictions
        self.assertFalse(any(insights.mapped("churn_probability")))
        self.assertFalse(any(insights.mapped("next_purchase_date")))

    def test_min_purchases_setting(self):
        self.company.insight_min_purchases = 3
        insights = self._run()
        segment = {i.partner_id: i.rfm_segment for i in insights}
        self.assertEqual(segment[self.cust_b], "not_enough_history")
        self.assertEqual(segment[self.cust_d], "at_risk")

    def test_settings(self):
        self.env["res.config.settings"].create(
            {
                "insight_lookback_months": 6,
                "insight_churn_horizon_days": 30,
                "insight_min_purchases": 3,
            }
        ).execute()
        self.assertEqual(
            (
                self.company.insight_lookback_months,
                self.company.insight_churn_horizon_days,
                self.company.insight_min_purchases,
            ),
            (6, 30, 3),
        )
        insights = self._run()
        # six months back is 182 days: D (last bought 200 days ago) is gone, C keeps
        # its oldest purchase day (180 days ago)
        self.assertNotIn(self.cust_d, insights.partner_id)
        self.assertEqual(insights.filtered(lambda i: i.partner_id == self.cust_c).frequency, 4)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                self.company.insight_lookback_months = 0
                self.company.flush_recordset()

    def test_segment_map(self):
        self.assertEqual(rfm_segment(1, 1), "lost")
        self.assertEqual(rfm_segment(2, 1), "hibernating")
        self.assertEqual(rfm_segment(1, 5), "cannot_lose")
        self.assertEqual(rfm_segment(3, 2), "about_to_sleep")
        self.assertEqual(rfm_segment(4, 1), "promising")
        self.assertEqual(rfm_segment(5, 1), "new")
        self.assertEqual(rfm_segment(4, 4), "loyal")
        segments = {rfm_segment(r, fm) for r in range(1, 6) for fm in range(1, 6)}
        self.assertEqual(len(segments), 11)
        # ties share a score; the many one-time buyers all get F = 1
        self.assertEqual(rfm_score([1, 1, 1, 2, 5]).tolist(), [1, 1, 1, 4, 5])
        self.assertEqual(rfm_score([10, 400], higher_is_better=False).tolist(), [3, 1])

    def test_predictions_with_enough_customers(self):
        with patch.object(CrmCustomerInsight, "_insight_min_fit_customers", 3):
            insights = self._run()
        by_partner = {i.partner_id: i for i in insights}
        for partner in (self.cust_a, self.cust_b, self.cust_c, self.cust_d):
            insight = by_partner[partner]
            self.assertTrue(0 < insight.churn_probability < 100, insight.churn_probability)
            self.assertGreater(insight.expected_purchases_90d, 0)
            self.assertGreater(insight.clv_12m, 0)
        # the regular buyer seen 5 days ago is less likely to churn than D, silent for 200
        self.assertLess(
            by_partner[self.cust_a].churn_probability, by_partner[self.cust_d].churn_probability
        )
        self.assertGreater(by_partner[self.cust_a].next_purchase_date, TODAY)
        self.assertFalse(by_partner[self.cust_e].churn_probability)
        self.assertFalse(by_partner[self.cust_e].clv_12m)

    def test_partner_fields_and_filters(self):
        Partner = self.env["res.partner"]
        everyone = self.customers | self.contact_a
        scope = [("id", "in", everyone.ids)]
        self.assertEqual(Partner.search(scope + [("insight_id", "=", False)]), everyone)
        self._run()
        self.assertFalse(Partner.search(scope + [("insight_id", "=", False)]))
        self.assertEqual(Partner.search(scope + [("insight_id", "!=", False)]), everyone)
        self.assertEqual(
            Partner.search(scope + [("insight_id", "in", self.cust_a.insight_id.ids)]),
            self.cust_a | self.contact_a,
        )
        self.assertEqual(self.cust_a.rfm_segment, "champions")
        # contacts carry their commercial entity's figures
        self.assertEqual(self.contact_a.rfm_segment, "champions")
        self.assertEqual(self.contact_a.insight_id.partner_id, self.cust_a)
        self.assertEqual(Partner.search([("rfm_segment", "=", "at_risk")]), self.cust_d)
        self.assertEqual(
            Partner.search([("insight_id.rfm_segment", "=", "need_attention")]), self.cust_c
        )
        groups = dict(
            Partner._read_group([("id", "in", self.customers.ids)], ["rfm_segment"], ["__count"])
        )
        # the pipeline filter "Customers at Risk" (domain taken from the search view)
        leads = self.env["crm.lead"].create(
            [
                {"name": f"Insight deal {p.name}", "type": "opportunity", "partner_id": p.id}
                for p in (self.cust_a, self.cust_d, self.contact_a)
            ]
        )
        view = self.env.ref("crm_extended.crm_lead_view_search_insight")
        node = etree.fromstring(view.arch).find(".//filter[@name='insight_customer_at_risk']")
        domain = ast.literal_eval(node.get("domain"))
        self.assertEqual(
            self.env["crm.lead"].search(domain + [("id", "in", leads.ids)]).partner_id, self.cust_d
        )
        self.assertEqual(groups["champions"], 1)
        self.assertEqual(groups["not_enough_history"], 1)

    def test_cron_idempotent(self):
        first = self._run()
        values = first.read(["partner_id", "rfm_segment", "monetary", "r_score", "f_score"])
        second = self._run()
        self.assertEqual(first, second, "the second run keeps the same rows")
        self.assertEqual(
            second.read(["partner_id", "rfm_segment", "monetary", "r_score", "f_score"]), values
        )
        self.env.cr.execute(
            "SELECT partner_id, company_id, COUNT(*) FROM crm_customer_insight"
            " GROUP BY 1, 2 HAVING COUNT(*) > 1"
        )
        self.assertFalse(self.env.cr.fetchall())

    def test_customer_leaving_lookback(self):
        self._run()
        # 24 months back from `later` is 50 days before TODAY
        later = TODAY + relativedelta(months=24, days=-50)
        insights = self._run(today=later)
        # only A (5..45 days before TODAY) and B (30) still bought within the look-back
        self.assertEqual(insights.partner_id, self.cust_a | self.cust_b)
        self.assertEqual(self.cust_b.rfm_segment, "not_enough_history")
        self.assertFalse(self.cust_d.rfm_segment)
        self.assertFalse(self.cust_d.insight_id)

    def test_xlsx_export(self):
        self._run()
        wizard = self.env["crm.extended.xlsx.export"].create({"report_type": "customer_insight"})
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("Customer", "Salesperson", "Segment", "R score"))
        by_name = {row[0]: row for row in rows[1:] if row[0]}
        row_a = by_name[self.cust_a.display_name]
        self.assertEqual(row_a[2:6], ("Champions", 5, 5, 5))
        self.assertEqual(row_a[10], 5000.0)
        self.assertEqual(by_name[self.cust_e.display_name][2], "Not Enough History")
        self.assertEqual(book.worksheets[0].freeze_panes, "A2")

    def test_query_count_independent_of_customers(self):
        self._run()
        # 10 + 1: the search of the active retention plans (none here)
        with self.assertQueryCount(11):
            self._run()
        extra = self.env["res.partner"].create(
            [{"name": f"Insight extra {i}", "is_company": True} for i in range(20)]
        )
        self._invoices([(partner, 10 + i, 100.0) for i, partner in enumerate(extra)])
        self._run()
        with self.assertQueryCount(11):
            self._run()


@tagged("post_install", "-at_install")
class TestInsightAccess(InsightCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._seed_rfm_history()
        cls.company_2 = cls.setup_other_company()["company"]
        cls._invoices([(cls.cust_a, 10, 700.0)], company=cls.company_2)
        cls.env["crm.customer.insight"]._cron_compute_insights(
            companies=cls.company | cls.company_2, today=TODAY
        )
        cls.insight_a = cls.Insight.search(
            [("partner_id", "=", cls.cust_a.id), ("company_id", "=", cls.company.id)]
        )
        company = cls.company
        cls.salesman = new_test_user(
            cls.env,
            "insight_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.employee = new_test_user(
            cls.env,
            "insight_employee",
            groups="base.group_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.accountant = new_test_user(
            cls.env,
            "insight_billing",
            groups="account.group_account_invoice",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.portal = new_test_user(
            cls.env,
            "insight_portal",
            groups="base.group_portal",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.portal.partner_id.parent_id = cls.cust_a
        cls.salesman_2 = new_test_user(
            cls.env,
            "insight_salesman_2",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )

    def test_cron_commits_per_company_inside_the_cron_only(self):
        IrCron = type(self.env["ir.cron"])
        companies = self.company | self.company_2
        with patch.object(IrCron, "_commit_progress", autospec=True) as commit:
            self.Insight._cron_compute_insights(companies=companies, today=TODAY)
            self.assertFalse(commit.called, "called directly, the job never commits")
            self.Insight.with_context(ir_cron_progress_id=1)._cron_compute_insights(
                companies=companies, today=TODAY
            )
        calls = [(call.args[1:], call.kwargs) for call in commit.call_args_list]
        self.assertEqual(calls, [((), {"remaining": 2}), ((1,), {}), ((1,), {})])

    def test_cron_goes_on_after_a_failing_company(self):
        Insight = type(self.Insight)
        original = Insight._compute_company_insights
        self._invoices([(self.cust_b, 3, 50.0)], company=self.company_2)

        def compute(insight, company, today):
            if company == self.company:
                raise ValueError("boom")
            return original(insight, company, today)

        with (
            patch.object(Insight, "_compute_company_insights", compute),
            patch.object(type(self.env["ir.cron"]), "_commit_progress"),
            mute_logger("odoo.addons.crm_extended.models.crm_customer_insight"),
        ):
            self.Insight.with_context(ir_cron_progress_id=1)._cron_compute_insights(
                companies=self.company | self.company_2, today=TODAY
            )
        rows = self.Insight.search([("company_id", "=", self.company_2.id)])
        self.assertIn(self.cust_b, rows.partner_id, "the second company was computed")
        with (
            patch.object(Insight, "_compute_company_insights", compute),
            self.assertRaises(ValueError),
        ):
            # called directly (tests, shell), errors are not swallowed
            self.Insight._cron_compute_insights(companies=self.company, today=TODAY)

    def test_cron_retries_a_company_aborted_by_concurrent_updates(self):
        """A serialization failure (users updating the same partners) is not
        swallowed as an error: the company is computed again on a new snapshot."""
        Insight = type(self.Insight)
        original = Insight._compute_company_insights
        calls = []

        def compute(insight, company, today):
            calls.append(company)
            if len(calls) == 1:
                raise psycopg2.errors.SerializationFailure("concurrent update")
            return original(insight, company, today)

        with (
            patch.object(Insight, "_compute_company_insights", compute),
            patch.object(type(self.env["ir.cron"]), "_commit_progress"),
            patch.object(self.env.cr, "rollback") as rollback,
            self.assertNoLogs("odoo.addons.crm_extended.models.crm_customer_insight", "ERROR"),
        ):
            self.Insight.with_context(ir_cron_progress_id=1)._cron_compute_insights(
                companies=self.company_2, today=TODAY
            )
        self.assertEqual(calls, [self.company_2, self.company_2])
        rollback.assert_called_once()
        with (
            patch.object(Insight, "_compute_company_insights", compute),
            self.assertRaises(psycopg2.errors.SerializationFailure),
        ):
            calls.clear()
            self.Insight._cron_compute_insights(companies=self.company_2, today=TODAY)

    def test_each_company_has_its_own_row(self):
        rows = self.Insight.search([("partner_id", "=", self.cust_a.id)])
        self.assertEqual(rows.company_id, self.company | self.company_2)
        row_2 = rows.filtered(lambda r: r.company_id == self.company_2)
        self.assertEqual((row_2.frequency, row_2.monetary), (1, 700.0))
        self.assertEqual(self.cust_a.with_company(self.company_2).rfm_segment, "not_enough_history")
        self.assertEqual(self.cust_a.with_company(self.company).rfm_segment, "champions")

    def test_salesperson_reads_insights_and_figures(self):
        insight = self.insight_a.with_user(self.salesman)
        self.assertEqual(insight.monetary, 5000.0)
        self.assertEqual(insight.rfm_segment, "champions")
        partner = self.cust_a.with_user(self.salesman)
        self.assertEqual(partner.insight_id, self.insight_a)
        partner.clv_12m  # noqa: B018 readable
        self.assertEqual(
            self.Insight.with_user(self.salesman).search_count([]), len(self.customers)
        )

    def test_accountant_reads_figures(self):
        self.assertEqual(self.insight_a.with_user(self.accountant).monetary, 5000.0)

    def test_internal_user_without_rights(self):
        with self.assertRaises(AccessError):
            self.insight_a.with_user(self.employee).read(["rfm_segment"])
        partner = self.cust_a.with_user(self.employee)
        # insights are sales and finance knowledge, like credit figures (issue 23)
        for fname in ("rfm_segment", "churn_probability", "clv_12m", "insight_id"):
            with self.assertRaises(AccessError):
                partner.read([fname])

    def test_portal_user(self):
        with self.assertRaises(AccessError):
            self.insight_a.with_user(self.portal).read(["rfm_segment"])
        with self.assertRaises(AccessError):
            self.portal.partner_id.with_user(self.portal).read(["rfm_segment"])

    def test_other_company_salesperson(self):
        Insight = self.Insight.with_user(self.salesman_2)
        self.assertEqual(Insight.search([]).company_id, self.company_2)
        with self.assertRaises(AccessError):
            self.insight_a.with_user(self.salesman_2).read(["rfm_segment"])


@tagged("post_install", "-at_install")
class TestInsightModelFit(BaseCase):
    """BG/NBD and Gamma-Gamma on data drawn from known processes (no database)."""

    def test_bgnbd_recovers_parameters(self):
        truth = btyd.BGNBDParams(r=0.8, alpha=8.0, a=1.5, b=6.0)
        rng = np.random.default_rng(3)
        x, t_x, T = btyd.simulate_bgnbd(truth, 5000, rng.uniform(52, 104, 5000), rng)
        fit = btyd.fit_bgnbd(x, t_x, T)
        for name in ("r", "alpha", "a", "b"):
            self.assertAlmostEqual(
                getattr(fit, name) / getattr(truth, name), 1.0, delta=0.1, msg=name
            )

    def test_gamma_gamma_recovers_parameters(self):
        p, q, gamma = 6.0, 4.0, 15.0
        rng = np.random.default_rng(7)
        n = 5000
        x = rng.integers(1, 10, n)
        nu = rng.gamma(q, 1.0 / gamma, n)
        # mean of x order values, each ~ Gamma(p, nu): a Gamma(p x, x nu)
        m = rng.gamma(p * x, 1.0 / (x * nu))
        fit = btyd.fit_gamma_gamma(x, m)
        for name, value in (("p", p), ("q", q), ("gamma", gamma)):
            self.assertAlmostEqual(getattr(fit, name) / value, 1.0, delta=0.1, msg=name)

    def test_predictions_behave(self):
        params = btyd.BGNBDParams(r=0.8, alpha=8.0, a=1.5, b=6.0)
        x = np.array([0.0, 4.0, 4.0])
        t_x = np.array([0.0, 50.0, 10.0])
        T = np.array([52.0, 52.0, 52.0])
        alive = btyd.probability_alive(params, x, t_x, T)
        self.assertEqual(alive[0], 1.0, "no repeat purchase: never seen dying")
        self.assertGreater(alive[1], alive[2], "silent for long: less likely alive")
        expected = btyd.expected_purchases(params, 13.0, x, t_x, T)
        self.assertGreater(expected[1], expected[2])
        # E[Y(t)] grows with t; the time to one more purchase solves E[Y(t)] = 1
        weeks = btyd.time_to_next_purchase(params, x, t_x, T, 52.0)
        self.assertTrue(np.isnan(weeks[2]))
        self.assertAlmostEqual(
            btyd.expected_purchases(params, weeks[1], x[1:2], t_x[1:2], T[1:2])[0], 1.0, delta=0.01
        )


@tagged("post_install", "-at_install")
class TestProductAffinity(InsightCommon):
    """Six confirmed orders: {P1,P2} twice, {P1,P3}, {P2,P3}, {P1,P2,P3}, {P4}.

    P1 is on 4 orders, P2 on 4, P3 on 3. P1 with P2: 3 orders, support 3/6,
    confidence 3/4, lift 0.75 / (4/6) = 1.125. P1 with P3: 2 orders, support 2/6,
    confidence 2/4, lift 0.5 / (3/6) = 1. P3 with P1: confidence 2/3, lift 1.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.p1, cls.p2, cls.p3, cls.p4 = (
            cls._create_product(name=f"Affinity P{i}", lst_price=10.0 * i, taxes_id=[])
            for i in range(1, 5)
        )
        baskets = [
            (cls.p1, cls.p2),
            (cls.p1, cls.p2),
            (cls.p1, cls.p3),
            (cls.p2, cls.p3),
            (cls.p1, cls.p2, cls.p3),
            (cls.p4,),
        ]
        orders = cls._orders(baskets, cls.cust_b)
        # A bought P1 and P3 (on the third order)
        orders[2].partner_id = cls.cust_a
        orders.action_confirm()
        # quotations and cancelled orders are not purchases
        cls._orders([(cls.p3, cls.p4), (cls.p3, cls.p4)], cls.cust_c)
        cancelled = cls._orders([(cls.p3, cls.p4), (cls.p3, cls.p4)], cls.cust_c)
        cancelled.action_confirm()
        cancelled._action_cancel()
        cls.Insight._cron_compute_insights(companies=cls.company, today=TODAY + timedelta(days=200))

    @classmethod
    def _orders(cls, baskets, partner):
        return cls.env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": p.id}) for p in basket],
                }
                for basket in baskets
            ]
        )

    def test_support_confidence_lift(self):
        pairs = {
            (a.product_id, a.related_product_id): (a.pair_count, a.support, a.confidence, a.lift)
            for a in self.Affinity.search([("company_id", "=", self.company.id)])
        }
        self.assertEqual(len(pairs), 6, "P4 never pairs twice; quotations do not count")
        self.assertEqual(pairs[self.p1, self.p2], (3, 0.5, 0.75, 1.125))
        self.assertEqual(pairs[self.p2, self.p1], (3, 0.5, 0.75, 1.125))
        count, support, confidence, lift = pairs[self.p1, self.p3]
        self.assertEqual((count, confidence, lift), (2, 0.5, 1.0))
        self.assertAlmostEqual(support, 1 / 3, places=6)
        count, support, confidence, lift = pairs[self.p3, self.p1]
        self.assertAlmostEqual(confidence, 2 / 3, places=6)
        self.assertAlmostEqual(lift, 1.0, places=4)

    def test_top_pairs_per_product(self):
        with patch.object(type(self.Affinity), "_affinity_top", 1):
            self.Insight._cron_compute_insights(
                companies=self.company, today=TODAY + timedelta(days=200)
            )
        pairs = self.Affinity.search([("product_id", "=", self.p1.id)])
        self.assertEqual(pairs.related_product_id, self.p2, "the best lift only")

    def test_quotation_suggestions_and_add(self):
        quotation = self._orders([(self.p1,)], self.cust_d)
        self.assertEqual(quotation.affinity_product_ids.ids, [self.p2.id, self.p3.id])
        quotation.action_add_affinity_product(self.p2.id)
        self.assertEqual(quotation.order_line.product_id, self.p1 | self.p2)
        self.assertEqual(quotation.affinity_product_ids, self.p3)
        with self.assertRaises(UserError):
            quotation.action_add_affinity_product(self.p4.id)
        # the row button of the form's list
        self.p3.with_context(insight_order_id=quotation.id).action_insight_add_to_order()
        self.assertIn(self.p3, quotation.order_line.product_id)
        self.assertFalse(quotation.affinity_product_ids)

    def test_suggestions_of_many_quotations_and_customers_in_constant_queries(self):
        few = self._orders([(self.p1,)], self.cust_d)
        many = self._orders([(self.p1,), (self.p2,), (self.p3,), (self.p1, self.p2)], self.cust_d)

        def read(records, fname):
            self.env.invalidate_all()
            if records._name == "sale.order":
                records.fetch(["state", "company_id", "partner_id", "order_line"])
            else:
                records.fetch(["commercial_partner_id"])
            return count_queries(self.env, lambda: records.mapped(fname))

        read(few, "affinity_product_ids")
        self.assertEqual(
            read(few, "affinity_product_ids"), read(many, "affinity_product_ids"), "per order"
        )
        together = [order.affinity_product_ids.ids for order in many]
        self.assertEqual(together[0], [self.p2.id, self.p3.id])
        self.assertEqual(together[3], [self.p3.id])
        self.env.invalidate_all()
        self.assertEqual([order.affinity_product_ids.ids for order in many], together)
        alone = []
        for order in many:
            self.env.invalidate_all()
            alone.append(order.affinity_product_ids.ids)
        self.assertEqual(alone, together, "each quotation gets what it gets alone")
        customers = self.cust_a | self.cust_b | self.contact_a
        read(self.cust_a, "insight_suggested_product_ids")
        self.assertLessEqual(
            read(customers, "insight_suggested_product_ids"),
            read(self.cust_a, "insight_suggested_product_ids"),
            "per customer",
        )
        self.assertEqual(customers.mapped("insight_suggested_product_ids"), self.p2)

    def test_customer_360_suggestions(self):
        # A bought P1 and P3: customers like them also bought P2
        self.assertEqual(self.cust_a.insight_suggested_product_ids, self.p2)
        self.assertEqual(self.contact_a.insight_suggested_product_ids, self.p2)
        # B bought everything that pairs
        self.assertFalse(self.cust_b.insight_suggested_product_ids)


@tagged("post_install", "-at_install")
class TestInsightComputeNow(TransactionCase):
    """Insights without waiting for the night (issue 22, finding 4)."""

    def test_manager_queues_the_job(self):
        cron = self.env.ref("crm_extended.ir_cron_compute_insights")
        manager = new_test_user(
            self.env, login="crmx_insight_now_manager", groups="sales_team.group_sale_manager"
        )
        seller = new_test_user(
            self.env, login="crmx_insight_now_seller", groups="sales_team.group_sale_salesman"
        )
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", cron.id)])
        with self.assertRaises(AccessError):
            self.env["crm.customer.insight"].with_user(seller).action_compute_now()
        self.assertEqual(Trigger.search([("cron_id", "=", cron.id)]), before)
        action = self.env["crm.customer.insight"].with_user(manager).action_compute_now()
        self.assertEqual(action["tag"], "display_notification")
        queued = Trigger.search([("cron_id", "=", cron.id)]) - before
        self.assertEqual(len(queued), 1, "queued for the cron worker, not run in the request")
        self.assertLessEqual(queued.call_at, fields.Datetime.now())

    def test_demo_shows_insights_at_once(self):
        """A database with the demo data has insights before the first night."""
        module = self.env["ir.module.module"]._get("crm_extended")
        has_invoices = self.env["account.move"].search_count(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")], limit=1
        )
        if module.demo and has_invoices:
            self.assertTrue(self.env["crm.customer.insight"].search_count([]))
            self.assertTrue(self.env["crm.product.affinity"].search_count([]))
        else:
            self.assertFalse(module.demo and has_invoices)
