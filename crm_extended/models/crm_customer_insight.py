import functools
import logging
import time

import numpy as np
from dateutil.relativedelta import relativedelta
from scipy.stats import rankdata

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import SQL

from ..tools import btyd

_logger = logging.getLogger(__name__)
# tries of one step of the job (a company's insights, a batch of its partners)
# when concurrent updates abort it
CONCURRENCY_ATTEMPTS = 3

# Figures derived from invoices: readable by sales and accounting users only.
INSIGHT_MONEY_GROUPS = (
    "sales_team.group_sale_salesman,account.group_account_invoice,account.group_account_readonly"
)

RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential Loyalist"),
    ("new", "New Customer"),
    ("promising", "Promising"),
    ("need_attention", "Need Attention"),
    ("about_to_sleep", "About to Sleep"),
    ("at_risk", "At Risk"),
    ("cannot_lose", "Cannot Lose"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
    ("not_enough_history", "Not Enough History"),
]

# The segment of each (R, FM) score pair: rows R = 1..5, columns FM = 1..5.
# FM is the mean of the F and M scores, rounded half up.
RFM_SEGMENT_GRID = (
    ("lost", "hibernating", "at_risk", "at_risk", "cannot_lose"),  # R = 1
    ("hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose"),  # R = 2
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),  # R = 3
    ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),  # R = 4
    ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),  # R = 5
)

DAYS_PER_WEEK = 7.0


def rfm_score(values, higher_is_better=True):
    """Quintile score 1..5 of each value within ``values``.

    score = 1 + floor(5 * (rank - 1) / n), rank counted from the worst value,
    ties sharing the lowest rank: equal values always get the same score and
    the many one-time buyers all get F = 1.
    """
    values = np.asarray(values, dtype=float)
    if not len(values):
        return np.zeros(0, dtype=int)
    ranks = rankdata(values if higher_is_better else -values, method="min")
    return (1 + np.floor(5 * (ranks - 1) / len(values))).astype(int)


def rfm_segment(r_score, fm_score):
    """Named segment of an R score and an FM score (both 1..5)."""
    return RFM_SEGMENT_GRID[r_score - 1][fm_score - 1]


class CrmCustomerInsight(models.Model):
    """What each customer is worth to a company, and how likely they are to buy again.

    One row per commercial customer and company with a purchase in the company's
    look-back (``insight_lookback_months``), written by ``_cron_compute_insights``.

    Purchases are the posted customer invoices and credit notes of the company,
    taken per document (``account_move.amount_untaxed_signed``: untaxed, in the
    company currency, credit notes negative):

    * frequency: distinct invoice dates; recency: days since the last one;
      monetary: net untaxed revenue; average order value = monetary / frequency.
    * R, F and M scores (1..5): quintiles within the company, see ``rfm_score``.
    * segment, from R and FM = round-half-up((F + M) / 2)::

        R \\ FM  1               2                   3                   4          5
        5       new             potential loyalist  potential loyalist  champions  champions
        4       promising       potential loyalist  potential loyalist  loyal      loyal
        3       about to sleep  about to sleep      need attention      loyal      loyal
        2       hibernating     hibernating         at risk             at risk    cannot lose
        1       lost            hibernating         at risk             at risk    cannot lose

      Customers with fewer purchase days than ``insight_min_purchases`` are
      "not enough history" and get no prediction.
    * BG/NBD (fitted per company, time in weeks) gives ``expected_purchases_90d``
      (purchases expected within ``insight_churn_horizon_days``),
      ``churn_probability`` = P(no purchase within the horizon) =
      1 - P(alive) * P(at least one purchase within the horizon | alive), in %,
      and ``next_purchase_date`` (when one more purchase is expected; empty when
      it is not expected within a year).
    * Gamma-Gamma gives ``expected_order_value``; ``clv_12m`` = purchases expected
      in the next 365 days x expected order value (undiscounted, untaxed).
    """

    _name = "crm.customer.insight"
    _description = "Customer Insight"
    _order = "company_id, r_score desc, f_score desc, m_score desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    # fewer customers than this: no model fit, no predictions
    _insight_min_fit_customers = 20
    # the model is fitted on at most this many customers (a seeded sample)
    _insight_fit_sample = 20000
    # customers whose partners (the customer and its contacts) are synced per statement
    # and, inside the cron, per transaction: a concurrent update costs one batch
    _insight_sync_batch = 2000

    # indexed by the (partner_id, company_id) unique constraint
    partner_id = fields.Many2one(
        "res.partner", "Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    date_computed = fields.Date("Computed On", readonly=True)
    first_purchase_date = fields.Date(readonly=True)
    last_purchase_date = fields.Date(readonly=True)
    recency_days = fields.Integer("Recency (Days)", readonly=True, aggregator="avg")
    frequency = fields.Integer(
        readonly=True, aggregator="avg", help="Distinct invoice dates within the look-back."
    )
    monetary = fields.Monetary(
        "Net Revenue",
        readonly=True,
        groups=INSIGHT_MONEY_GROUPS,
        help="Untaxed invoices minus credit notes within the look-back.",
    )
    average_order_value = fields.Monetary(
        readonly=True, aggregator="avg", groups=INSIGHT_MONEY_GROUPS
    )
    r_score = fields.Integer("R Score", readonly=True, aggregator="avg")
    f_score = fields.Integer("F Score", readonly=True, aggregator="avg")
    m_score = fields.Integer("M Score", readonly=True, aggregator="avg")
    rfm_segment = fields.Selection(RFM_SEGMENTS, "Segment", readonly=True)
    prediction_state = fields.Selection(
        [("predicted", "Predicted"), ("no_prediction", "No Prediction")],
        "Prediction",
        readonly=True,
        help="No prediction: too little history, or too few customers to fit a model. "
        "Churn risk, expected purchases and CLV are then unknown, not zero.",
    )
    churn_probability = fields.Float(
        "Churn Risk (%)",
        readonly=True,
        aggregator="avg",
        digits=(5, 1),
        help="Probability that the customer buys nothing within the churn horizon.",
    )
    expected_purchases_90d = fields.Float(
        "Expected Purchases",
        readonly=True,
        digits=(12, 2),
        help="Purchases expected within the churn horizon.",
    )
    expected_order_value = fields.Monetary(
        readonly=True, aggregator="avg", groups=INSIGHT_MONEY_GROUPS
    )
    clv_12m = fields.Monetary(
        "12-Month CLV",
        readonly=True,
        groups=INSIGHT_MONEY_GROUPS,
        help="Expected purchases in the next 12 months times the expected order value.",
    )
    next_purchase_date = fields.Date("Expected Next Purchase", readonly=True)

    _partner_company_uniq = models.Constraint(
        "UNIQUE(partner_id, company_id)",
        "A customer has one insight per company.",
    )

    # ------------------------------------------------------------ job
    @api.model
    def action_compute_now(self):
        """A manager's "compute now": the nightly job is queued to run at once
        in the cron worker (``_trigger``), not in this request, which would time
        out on a big database."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(
                self.env._("Only sales managers can start the computation of customer insights.")
            )
        self.env.ref("crm_extended.ir_cron_compute_insights").sudo()._trigger()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "Customer insights are being computed in the background: reload this "
                    "page in a few minutes."
                ),
            },
        }

    @api.model
    def _cron_compute_insights(self, companies=None, today=None):
        """Nightly job: customer insights and product affinities of every company.

        Set-based: per company one aggregate query, one model fit, one bulk
        upsert, then the customers' partners in batches of ``_insight_sync_batch``
        customers (the query count depends on the number of batches only).

        Inside the ``ir.cron`` job the company's insights and each batch of its
        partners are committed on their own: a concurrent update of some
        partners (a serialization failure, a deadlock) costs one batch, which is
        tried again on a new snapshot, and a killed job loses one batch. Called
        directly (tests, shell) it never commits and raises such errors. Running
        it twice on the same day changes nothing the second time.
        """
        in_cron = bool(self.env.context.get("ir_cron_progress_id"))
        cron = self.env["ir.cron"]
        companies = companies or self.env["res.company"].sudo().search([])
        today = today or fields.Date.context_today(self)
        if in_cron:
            cron._commit_progress(remaining=len(companies))
        Insight = self.sudo()
        Affinity = self.env["crm.product.affinity"].sudo()
        for company in companies:

            def compute(company=company):
                customers = Insight._compute_company_insights(company, today)
                Affinity._compute_company_affinities(company, today)
                ranges = Insight._insight_sync_ranges(company, customers)
                if len(ranges) == 1:
                    # a small company: its partners in the same transaction
                    Insight._insight_sync_partners(company, *ranges[0])
                    return []
                return ranges

            ranges, _broken = Insight._insight_try(compute, company, "insights", in_cron)
            for low, high in ranges or []:
                if in_cron:
                    # the insights, or the previous batch, stay if this batch fails
                    cron._commit_progress()
                step = functools.partial(Insight._insight_sync_partners, company, low, high)
                _written, broken = Insight._insight_try(
                    step, company, f"customers {low}-{high}", in_cron
                )
                if broken:
                    break
            if in_cron:
                cron._commit_progress(1)
        # the retention plans act on the fresh insights
        Plan = self.env["crm.retention.plan"]
        if not in_cron:
            Plan._cron_create_touches(companies=companies, today=today)
            return True
        try:
            with self.env.cr.savepoint():
                Plan._cron_create_touches(companies=companies, today=today)
        except Exception:
            # the insights are committed: the plans' own daily job tries again
            _logger.exception("Retention touches after the customer insights failed")
        return True

    def _insight_try(self, step, company, what, in_cron):
        """Run ``step()`` in a savepoint; return ``(its result, False)``.

        Return ``(None, False)`` when the step is left for the next run,
        ``(None, True)`` when it failed otherwise.

        Inside the cron, a concurrency failure (serialization failure, deadlock,
        lock timeout: users updated some of the same rows since our snapshot) is
        expected: the transaction is rolled back (what the job committed before
        stays) and the step runs again on a new snapshot, up to
        ``CONCURRENCY_ATTEMPTS`` times, then is left for the next run with a
        warning. Any other error is logged and ends the company's run, not the
        job. Called directly (tests, shell), every error is raised.
        """
        for attempt in range(1, CONCURRENCY_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint():
                    return step(), False
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                if not in_cron:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                if attempt == CONCURRENCY_ATTEMPTS:
                    _logger.warning(
                        "Customer insights of %s (%s) left for the next run: concurrent "
                        "updates in %s attempts",
                        company.name,
                        what,
                        attempt,
                    )
            except Exception:
                if not in_cron:
                    raise
                # one company's failure must not cost the others their night
                _logger.exception("Customer insights of %s (%s) failed", company.name, what)
                self.env.invalidate_all()
                return None, True
        return None, False

    def _insight_purchases_query(self, company, date_from, today):
        """One row per commercial customer with an invoice in [date_from, today].

        Columns: customer, recency and age (days), frequency (distinct invoice
        dates), net revenue, and the net value of the first invoice date (the
        Gamma-Gamma model is fitted on the repeat purchases only).
        """
        return SQL(
            """
            WITH day AS (
                SELECT move.commercial_partner_id, move.invoice_date,
                       SUM(move.amount_untaxed_signed) AS amount,
                       bool_or(move.move_type = 'out_invoice') AS invoiced
                  FROM account_move move
                 WHERE move.company_id = %(company)s
                   AND move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND move.invoice_date BETWEEN %(date_from)s AND %(today)s
                   AND move.commercial_partner_id IS NOT NULL
              GROUP BY move.commercial_partner_id, move.invoice_date
            )
            SELECT commercial_partner_id,
                   %(today)s::date - MAX(invoice_date) FILTER (WHERE invoiced),
                   %(today)s::date - MIN(invoice_date) FILTER (WHERE invoiced),
                   COUNT(*) FILTER (WHERE invoiced),
                   COALESCE(SUM(amount), 0),
                   COALESCE((array_agg(amount ORDER BY invoice_date) FILTER (WHERE invoiced))[1], 0)
              FROM day
          GROUP BY commercial_partner_id
            HAVING bool_or(invoiced)
            """,
            company=company.id,
            date_from=date_from,
            today=today,
        )

    def _compute_company_insights(self, company, today):
        """Recompute the insights of one company; return the number of customers.

        The customers' partners are synced afterwards by ``_insight_sync_partners``.
        """
        self.env["account.move"].flush_model(
            ["commercial_partner_id", "move_type", "state", "invoice_date", "amount_untaxed_signed"]
        )
        started = time.perf_counter()
        date_from = today - relativedelta(months=company.insight_lookback_months)
        self.env.cr.execute(self._insight_purchases_query(company, date_from, today))
        rows = self.env.cr.fetchall()
        fetched = time.perf_counter()
        if rows:
            data = np.array(rows, dtype=float)
            figures = self._insight_figures(
                company,
                recency=data[:, 1],
                age=data[:, 2],
                frequency=data[:, 3],
                monetary=data[:, 4],
                first_value=data[:, 5],
            )
            figures["partner_id"] = data[:, 0].astype(int)
        else:
            figures = {"partner_id": np.zeros(0, dtype=int)}
        computed = time.perf_counter()
        self._insight_upsert(company, today, figures)
        _logger.info(
            "Customer insights of %s: %d customers in %.1f s (query %.1f s, model %.1f s, "
            "write %.1f s)",
            company.name,
            len(rows),
            time.perf_counter() - started,
            fetched - started,
            computed - fetched,
            time.perf_counter() - computed,
        )
        return len(rows)

    @api.model
    def _insight_figures(self, company, recency, age, frequency, monetary, first_value=None):
        """Scores, segments and model predictions from per-customer arrays (days, money).

        ``first_value``: net value of each customer's first purchase day (None:
        the average order value). Pure computation (no query): the bench and the
        tests call it directly.
        """
        n = len(frequency)
        r = rfm_score(recency, higher_is_better=False)
        f = rfm_score(frequency)
        m = rfm_score(monetary)
        fm = (f + m + 1) // 2
        segments = np.array(RFM_SEGMENT_GRID, dtype=object)[r - 1, fm - 1]
        enough = frequency >= company.insight_min_purchases
        segments = np.where(enough, segments, "not_enough_history")
        figures = {
            "recency_days": recency.astype(int),
            "age_days": age.astype(int),
            "frequency": frequency.astype(int),
            "monetary": monetary,
            "average_order_value": monetary / np.maximum(frequency, 1),
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "rfm_segment": segments,
        }
        nan = np.full(n, np.nan)
        predictions = {
            "churn_probability": nan,
            "expected_purchases_90d": nan,
            "expected_order_value": nan,
            "clv_12m": nan,
            "next_purchase_days": nan,
        }
        if n >= self._insight_min_fit_customers:
            predictions = self._insight_predict(
                company, age, recency, frequency, monetary, first_value
            )
        for key, values in predictions.items():
            figures[key] = np.where(enough, values, np.nan)
        return figures

    @api.model
    def _insight_predict(self, company, age, recency, frequency, monetary, first_value=None):
        """BG/NBD and Gamma-Gamma predictions, both fitted as published.

        BG/NBD on repeat purchases (x = frequency - 1) in weeks; Gamma-Gamma on
        the number and mean value of the repeat purchases of the customers who
        came back (x >= 1), the first purchase left out. A penalty is added to
        a fit only when the unpenalized one diverges (see ``btyd``).
        """
        # BG/NBD counts repeat purchases, from the first purchase, in weeks
        x = np.maximum(frequency - 1, 0)
        T = age / DAYS_PER_WEEK
        t_x = (age - recency) / DAYS_PER_WEEK
        sample = np.arange(len(x))
        if len(x) > self._insight_fit_sample:
            rng = np.random.default_rng(company.id)
            sample = rng.choice(len(x), self._insight_fit_sample, replace=False)
        params = btyd.fit_bgnbd(x[sample], t_x[sample], T[sample], penalizer=1e-4)
        n = len(x)
        nan = np.full(n, np.nan)
        if params is None:
            _logger.info(
                "Customer insights of %s: the purchase model could not be fitted", company.name
            )
            return dict.fromkeys(
                (
                    "churn_probability",
                    "expected_purchases_90d",
                    "expected_order_value",
                    "clv_12m",
                    "next_purchase_days",
                ),
                nan,
            )
        horizon = company.insight_churn_horizon_days / DAYS_PER_WEEK
        alive = btyd.probability_alive(params, x, t_x, T)
        buys_if_alive = 1.0 - np.exp(
            (params.r + x) * (np.log(params.alpha + T) - np.log(params.alpha + T + horizon))
        )
        year = btyd.expected_purchases(params, 365 / DAYS_PER_WEEK, x, t_x, T)
        mean_value = monetary / np.maximum(frequency, 1)
        if first_value is None:
            first_value = mean_value
        repeat_value = np.where(x > 0, (monetary - first_value) / np.maximum(x, 1), 0.0)
        gg = btyd.fit_gamma_gamma(x[sample], repeat_value[sample], penalizer=1e-4)
        order_value = (
            btyd.expected_order_value(gg, x, repeat_value) if gg else np.maximum(mean_value, 0)
        )
        next_weeks = btyd.time_to_next_purchase(params, x, t_x, T, 365 / DAYS_PER_WEEK)
        _logger.info("Customer insights of %s: BG/NBD %s, Gamma-Gamma %s", company.name, params, gg)
        return {
            "churn_probability": 100.0 * (1.0 - alive * buys_if_alive),
            "expected_purchases_90d": btyd.expected_purchases(params, horizon, x, t_x, T),
            "expected_order_value": order_value,
            "clv_12m": year * order_value,
            "next_purchase_days": np.ceil(next_weeks * DAYS_PER_WEEK),
        }

    @staticmethod
    def _insight_array(values, digits=None):
        """numpy array -> PostgreSQL array literal ('{1,2,NULL}'), NaN and inf -> NULL.

        One text parameter per column is parsed by PostgreSQL far faster than
        an ARRAY[...] constructor with one constant per customer.
        """
        if digits is None:
            return "{" + ",".join(map(str, values.tolist())) + "}"
        values = np.round(np.where(np.isfinite(values), values, np.nan), digits)
        # repr() of NaN is "nan", which no number contains
        return "{" + ",".join(map(repr, values.tolist())).replace("nan", "NULL") + "}"

    def _insight_upsert(self, company, today, figures):
        """Write the company's rows in one statement, then drop customers who left."""
        cr = self.env.cr
        partner_ids = self._insight_array(figures["partner_id"])
        if len(figures["partner_id"]):
            next_days = self._insight_array(figures["next_purchase_days"], 0)
            cr.execute(
                SQL(
                    """
                INSERT INTO crm_customer_insight (
                    partner_id, company_id, currency_id, date_computed,
                    first_purchase_date, last_purchase_date, recency_days, frequency,
                    monetary, average_order_value, r_score, f_score, m_score, rfm_segment,
                    churn_probability, expected_purchases_90d, expected_order_value, clv_12m,
                    next_purchase_date, prediction_state,
                    create_uid, create_date, write_uid, write_date)
                SELECT v.partner_id, %(company)s, %(currency)s, %(today)s,
                       %(today)s::date - v.age_days, %(today)s::date - v.recency_days,
                       v.recency_days, v.frequency, v.monetary, v.aov, v.r, v.f, v.m, v.segment,
                       v.churn, v.expected, v.order_value, v.clv,
                       %(today)s::date + v.next_days::int,
                       CASE WHEN v.churn IS NULL THEN 'no_prediction' ELSE 'predicted' END,
                       %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
                  FROM unnest(%(partner)s::int[], %(age)s::int[], %(recency)s::int[],
                              %(frequency)s::int[], %(monetary)s::numeric[], %(aov)s::numeric[],
                              %(r)s::int[], %(f)s::int[], %(m)s::int[], %(segment)s::varchar[],
                              %(churn)s::numeric[], %(expected)s::numeric[],
                              %(order_value)s::numeric[], %(clv)s::numeric[],
                              %(next_days)s::numeric[])
                       AS v(partner_id, age_days, recency_days, frequency, monetary, aov, r, f, m,
                            segment, churn, expected, order_value, clv, next_days)
                ON CONFLICT (partner_id, company_id) DO UPDATE SET
                    currency_id = EXCLUDED.currency_id,
                    date_computed = EXCLUDED.date_computed,
                    first_purchase_date = EXCLUDED.first_purchase_date,
                    last_purchase_date = EXCLUDED.last_purchase_date,
                    recency_days = EXCLUDED.recency_days,
                    frequency = EXCLUDED.frequency,
                    monetary = EXCLUDED.monetary,
                    average_order_value = EXCLUDED.average_order_value,
                    r_score = EXCLUDED.r_score,
                    f_score = EXCLUDED.f_score,
                    m_score = EXCLUDED.m_score,
                    rfm_segment = EXCLUDED.rfm_segment,
                    churn_probability = EXCLUDED.churn_probability,
                    expected_purchases_90d = EXCLUDED.expected_purchases_90d,
                    expected_order_value = EXCLUDED.expected_order_value,
                    clv_12m = EXCLUDED.clv_12m,
                    next_purchase_date = EXCLUDED.next_purchase_date,
                    prediction_state = EXCLUDED.prediction_state,
                    write_uid = EXCLUDED.write_uid,
                    write_date = EXCLUDED.write_date
                 WHERE (crm_customer_insight.date_computed, crm_customer_insight.currency_id,
                        crm_customer_insight.first_purchase_date,
                        crm_customer_insight.last_purchase_date, crm_customer_insight.frequency,
                        crm_customer_insight.monetary, crm_customer_insight.r_score,
                        crm_customer_insight.f_score, crm_customer_insight.m_score,
                        crm_customer_insight.rfm_segment, crm_customer_insight.churn_probability,
                        crm_customer_insight.expected_purchases_90d,
                        crm_customer_insight.expected_order_value, crm_customer_insight.clv_12m,
                        crm_customer_insight.next_purchase_date,
                        crm_customer_insight.prediction_state)
                       IS DISTINCT FROM
                       (EXCLUDED.date_computed, EXCLUDED.currency_id,
                        EXCLUDED.first_purchase_date, EXCLUDED.last_purchase_date,
                        EXCLUDED.frequency, EXCLUDED.monetary, EXCLUDED.r_score,
                        EXCLUDED.f_score, EXCLUDED.m_score, EXCLUDED.rfm_segment,
                        EXCLUDED.churn_probability, EXCLUDED.expected_purchases_90d,
                        EXCLUDED.expected_order_value, EXCLUDED.clv_12m,
                        EXCLUDED.next_purchase_date, EXCLUDED.prediction_state)
                    """,
                    company=company.id,
                    currency=company.currency_id.id,
                    today=today,
                    uid=self.env.uid,
                    partner=partner_ids,
                    age=self._insight_array(figures["age_days"]),
                    recency=self._insight_array(figures["recency_days"]),
                    frequency=self._insight_array(figures["frequency"]),
                    monetary=self._insight_array(figures["monetary"], 2),
                    aov=self._insight_array(figures["average_order_value"], 2),
                    r=self._insight_array(figures["r_score"]),
                    f=self._insight_array(figures["f_score"]),
                    m=self._insight_array(figures["m_score"]),
                    segment=self._insight_array(figures["rfm_segment"]),
                    churn=self._insight_array(figures["churn_probability"], 2),
                    expected=self._insight_array(figures["expected_purchases_90d"], 3),
                    order_value=self._insight_array(figures["expected_order_value"], 2),
                    clv=self._insight_array(figures["clv_12m"], 2),
                    next_days=next_days,
                )
            )
        cr.execute(
            SQL(
                """
                DELETE FROM crm_customer_insight insight
                 WHERE insight.company_id = %s
                   AND NOT EXISTS (SELECT 1 FROM unnest(%s::int[]) AS kept(partner_id)
                                    WHERE kept.partner_id = insight.partner_id)
                """,
                company.id,
                partner_ids,
            )
        )
        self.invalidate_model()

    def _insight_sync_ranges(self, company, customers):
        """Batches of the company's partners: ``(low, high)`` ranges of commercial partner ids.

        Each range but the last holds ``_insight_sync_batch`` of the company's
        ``customers`` insights (and their contacts); the first and last ranges
        are open (``None``), so that together they cover every partner, those
        created or dropped since included.
        """
        if customers < self._insight_sync_batch:
            return [(None, None)]
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id
                  FROM (SELECT partner_id, row_number() OVER (ORDER BY partner_id) AS position
                          FROM crm_customer_insight
                         WHERE company_id = %(company)s) customer
                 WHERE position %% %(batch)s = 0
              ORDER BY partner_id
                """,
                company=company.id,
                batch=self._insight_sync_batch,
            )
        )
        bounds = [None, *(partner_id for (partner_id,) in self.env.cr.fetchall()), None]
        return list(zip(bounds, bounds[1:], strict=False))

    @staticmethod
    def _insight_range_sql(column, low, high):
        """``column`` within the range ``(low, high]`` (``None``: open)."""
        conditions = [SQL("TRUE")]
        if low is not None:
            conditions.append(SQL("%s > %s", column, low))
        if high is not None:
            conditions.append(SQL("%s <= %s", column, high))
        return SQL(" AND ").join(conditions)

    def _insight_sync_partners(self, company, low=None, high=None):
        """Copy segment, churn risk and CLV onto the customers and their contacts.

        ``res.partner`` keeps them as company-dependent columns so that they can be
        searched and grouped by. They are rounded (whole percent, whole currency
        units; the insight keeps the precise figures) and only rows whose value
        changes are written, so that a nightly run rewrites few partners.

        Only the partners whose commercial partner id is within ``(low, high]``
        (see ``_insight_sync_ranges``; ``None``: open) are written. Users write
        partners too: the statements may fail with a concurrency error, which
        the cron retries (see ``_insight_try``); it is not logged as a bad query.
        Return the number of partners written.
        """
        key = str(company.id)
        columns = ("rfm_segment", "churn_probability", "clv_12m")
        self.env["res.partner"].flush_model(["commercial_partner_id", *columns])
        sets = SQL(", ").join(
            SQL(
                "%(col)s = (COALESCE(partner.%(col)s, '{}'::jsonb) - %(key)s)"
                " || jsonb_strip_nulls(jsonb_build_object(%(key)s, src.%(col)s))",
                col=SQL.identifier(col),
                key=key,
            )
            for col in columns
        )
        changed = SQL(" OR ").join(
            SQL(
                "partner.%(col)s -> %(key)s IS DISTINCT FROM to_jsonb(src.%(col)s)",
                col=SQL.identifier(col),
                key=key,
            )
            for col in columns
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner partner
                   SET %(sets)s
                  FROM (SELECT contact.id, insight.rfm_segment,
                               round(insight.churn_probability)::float8 AS churn_probability,
                               round(insight.clv_12m)::float8 AS clv_12m
                          FROM crm_customer_insight insight
                          JOIN res_partner contact
                            ON contact.commercial_partner_id = insight.partner_id
                         WHERE insight.company_id = %(company)s AND %(in_range)s) src
                 WHERE partner.id = src.id AND (%(changed)s)
                """,
                sets=sets,
                changed=changed,
                company=company.id,
                in_range=self._insight_range_sql(SQL("insight.partner_id"), low, high),
            ),
            log_exceptions=False,
        )
        written = self.env.cr.rowcount
        # customers who no longer have an insight in this company
        has_key = SQL(" OR ").join(
            SQL("partner.%s ? %s", SQL.identifier(col), key) for col in columns
        )
        drop = SQL(", ").join(
            SQL("%(col)s = partner.%(col)s - %(key)s", col=SQL.identifier(col), key=key)
            for col in columns
        )
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner partner
                   SET %(drop)s
                 WHERE (%(has_key)s) AND %(in_range)s
                   AND NOT EXISTS (SELECT 1 FROM crm_customer_insight insight
                                    WHERE insight.partner_id = partner.commercial_partner_id
                                      AND insight.company_id = %(company)s)
                """,
                drop=drop,
                has_key=has_key,
                company=company.id,
                in_range=self._insight_range_sql(SQL("partner.commercial_partner_id"), low, high),
            ),
            log_exceptions=False,
        )
        self.env["res.partner"].invalidate_model(list(columns))
        return written + self.env.cr.rowcount
