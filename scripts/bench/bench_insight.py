"""Customer insights: the nightly job at scale, and how honest its models are.

Seeds, with SQL (the ORM would take hours), 100,000 customers whose purchases
follow a known BG/NBD process (Gamma-Gamma order values) over 2.5 years: their
posted customer invoices hold 1,000,000 invoice lines; and 250,000 confirmed
sale orders holding 1,000,000 order lines. Then prints:

1. parameter recovery: BG/NBD and Gamma-Gamma fitted on simulated customers
   against the true parameters (target: within 10%);
2. backtest: the job run at a cut-off 180 days ago (horizon 180 days) predicts
   each customer's purchase days in the next 180 days; mean absolute error of
   the model against the naive "same rate as before" baseline (purchase days /
   days since the first purchase x 180), and the calibration of the churn risk
   (predicted vs observed share with no purchase, by decile);
3. timing, query count and peak memory of the job on the whole history
   (target < 60 s, < 500 MiB), its idempotent second run, and the product
   affinities over the 1,000,000 order lines (target < 30 s).

It runs last and leaves its data: deleting millions of rows would cost more
than the benchmark, and the scratch database is dropped afterwards.
"""

import logging
import time
from datetime import date, timedelta

import numpy as np

ORDER = 95

N_CUSTOMERS = 100_000
N_INVOICE_LINES = 1_000_000
N_ORDERS = 250_000
ORDER_LINES_PER_ORDER = 4
N_PRODUCTS = 500
HISTORY_DAYS = 730  # before the cut-off
HOLDOUT_DAYS = 180
SEED = 20261130

# true processes (time in weeks, money in the company currency)
BGNBD_TRUTH = dict(r=0.8, alpha=8.0, a=1.5, b=6.0)
GG_TRUTH = dict(p=6.0, q=4.0, gamma=15.0)
VALUE_SCALE = 10.0


def _btyd():
    from odoo.addons.crm_extended.tools import btyd  # noqa: PLC0415

    return btyd


def _simulate_purchases(rng, first_day, horizon_days):
    """All purchase days of each customer (BG/NBD), from its first purchase day.

    :return: (customer index, day) arrays, days counted from the history start.
    """
    btyd = _btyd()
    truth = btyd.BGNBDParams(**BGNBD_TRUTH)
    n = len(first_day)
    lam = rng.gamma(truth.r, 1.0 / truth.alpha, n)  # per week
    p = rng.beta(truth.a, truth.b, n)
    end = (horizon_days - first_day) / 7.0
    customers = [np.arange(n)]
    days = [first_day.astype(float)]
    now = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0 / lam[idx])
        bought = now[idx] < end[idx]
        buyers = idx[bought]
        customers.append(buyers)
        days.append(first_day[buyers] + np.floor(now[buyers] * 7.0))
        alive[idx[~bought]] = False
        alive[buyers[rng.random(len(buyers)) < p[buyers]]] = False
    return np.concatenate(customers), np.concatenate(days).astype(int)


def _order_values(rng, customer_index, n):
    g = GG_TRUTH
    nu = rng.gamma(g["q"], 1.0 / g["gamma"], n)
    values = rng.gamma(g["p"], 1.0 / nu[customer_index]) * VALUE_SCALE
    return np.round(values, 2)


def _seed(b, today):
    env = b.env
    company = env.company
    rng = np.random.default_rng(SEED)
    start = today - timedelta(days=HOLDOUT_DAYS + HISTORY_DAYS)
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    income = journal.default_account_id
    started = time.perf_counter()
    partner_ids = [
        row[0]
        for row in b.sql(
            """
            INSERT INTO res_partner (name, complete_name, active, is_company, type,
                                     autopost_bills, create_date, write_date)
            SELECT 'Insight bench customer ' || i, 'Insight bench customer ' || i, TRUE, TRUE,
                   'contact', 'ask', now() at time zone 'UTC', now() at time zone 'UTC'
              FROM generate_series(1, %s) AS i
            RETURNING id
            """,
            N_CUSTOMERS,
        )
    ]
    partner_ids.sort()
    b.sql(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)",
        partner_ids,
    )
    partners = np.array(partner_ids)

    # purchases: customers arrive over the history, buy until the end of the holdout
    first_day = rng.integers(0, HISTORY_DAYS, N_CUSTOMERS)
    cust, day = _simulate_purchases(rng, first_day, HISTORY_DAYS + HOLDOUT_DAYS)
    keep = day < HISTORY_DAYS + HOLDOUT_DAYS
    cust, day = cust[keep], day[keep]
    amounts = _order_values(rng, cust, N_CUSTOMERS)
    n_moves = len(cust)
    lines = np.full(n_moves, N_INVOICE_LINES // n_moves)
    lines[: N_INVOICE_LINES - lines.sum()] += 1
    dates = [(start + timedelta(days=int(d))).isoformat() for d in day]
    move_ids = [
        row[0]
        for row in b.sql(
            """
            INSERT INTO account_move (name, move_type, state, auto_post, date, invoice_date,
                                      journal_id, company_id, currency_id, partner_id,
                                      commercial_partner_id, amount_untaxed,
                                      amount_untaxed_signed, amount_total, amount_total_signed,
                                      create_date, write_date)
            SELECT 'BINS/' || v.n, 'out_invoice', 'posted', 'no', v.day, v.day,
                   %s, %s, %s, v.partner, v.partner, v.amount, v.amount, v.amount, v.amount,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%s::int[], %s::date[], %s::numeric[]) WITH ORDINALITY
                   AS v(partner, day, amount, n)
            RETURNING id
            """,
            journal.id,
            company.id,
            company.currency_id.id,
            partners[cust].tolist(),
            dates,
            amounts.tolist(),
        )
    ]
    b.sql(
        """
        INSERT INTO account_move_line (move_id, journal_id, company_id, currency_id, partner_id,
                                       account_id, display_type, parent_state, date, name,
                                       quantity, price_unit, price_subtotal, balance, credit,
                                       debit, amount_currency)
        SELECT move.id, move.journal_id, move.company_id, move.currency_id, move.partner_id,
               %s, 'product', 'posted', move.date, 'bench line', 1, v.part, v.part,
               -v.part, v.part, 0, -v.part
          FROM unnest(%s::int[], %s::int[]) AS m(id, lines)
          JOIN account_move move ON move.id = m.id
         CROSS JOIN LATERAL (SELECT round(move.amount_untaxed / m.lines, 2) AS part) v
         CROSS JOIN LATERAL generate_series(1, m.lines)
        """,
        income.id,
        move_ids,
        lines.tolist(),
    )

    # confirmed orders: two products of one "family" of five, two at random
    products = env["product.product"].create(
        [{"name": f"Insight bench product {i}", "list_price": 10.0} for i in range(N_PRODUCTS)]
    )
    product_ids = np.array(products.ids)
    family = rng.integers(0, N_PRODUCTS // 5, N_ORDERS)
    picks = np.stack(
        [
            family * 5 + rng.integers(0, 5, N_ORDERS),
            family * 5 + rng.integers(0, 5, N_ORDERS),
            rng.integers(0, N_PRODUCTS, N_ORDERS),
            rng.integers(0, N_PRODUCTS, N_ORDERS),
        ],
        axis=1,
    )
    order_partner = partners[rng.integers(0, N_CUSTOMERS, N_ORDERS)]
    order_day = rng.integers(0, HISTORY_DAYS + HOLDOUT_DAYS, N_ORDERS)
    order_dates = [(start + timedelta(days=int(d))).isoformat() for d in order_day]
    order_ids = [
        row[0]
        for row in b.sql(
            """
            INSERT INTO sale_order (name, partner_id, partner_invoice_id, partner_shipping_id,
                                    company_id, currency_id, date_order, state,
                                    create_date, write_date)
            SELECT 'BSO/' || v.n, v.partner, v.partner, v.partner, %s, %s, v.day, 'sale',
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%s::int[], %s::timestamp[]) WITH ORDINALITY AS v(partner, day, n)
            RETURNING id
            """,
            company.id,
            company.currency_id.id,
            order_partner.tolist(),
            order_dates,
        )
    ]
    b.sql(
        """
        INSERT INTO sale_order_line (order_id, product_id, company_id, currency_id, name,
                                     price_unit, product_uom_qty, customer_lead)
        SELECT v.order_id, v.product_id, %s, %s, 'bench line', 10, 1, 0
          FROM unnest(%s::int[], %s::int[]) AS v(order_id, product_id)
        """,
        company.id,
        company.currency_id.id,
        np.repeat(order_ids, ORDER_LINES_PER_ORDER).tolist(),
        product_ids[picks].ravel().tolist(),
    )
    b.sql("ANALYZE res_partner, account_move, account_move_line, sale_order, sale_order_line")
    b.commit()
    print(
        f"bench_insight: seeded {N_CUSTOMERS} customers, {n_moves} invoices with "
        f"{int(lines.sum())} lines, {N_ORDERS} orders with {N_ORDERS * ORDER_LINES_PER_ORDER} "
        f"lines in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _peak_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(("VmHWM", "VmRSS")):
                    key, value = line.split(":")
                    if key == "VmHWM":
                        return int(value.split()[0]) / 1024
    except OSError:
        pass
    import resource  # noqa: PLC0415

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split(":")[1].split()[0]) / 1024
    return 0.0


def _timed(b, func):
    from odoo import sql_db  # noqa: PLC0415

    b.env.invalidate_all()
    before = sql_db.sql_counter
    baseline = _rss_mib()
    reset = _reset_peak()
    started = time.perf_counter()
    result = func()
    b.env.flush_all()
    elapsed = time.perf_counter() - started
    peak = _peak_mib()
    note = f"peak RSS {peak:.0f} MiB (+{peak - baseline:.0f} MiB over {baseline:.0f})"
    if not reset:
        note += " (process-wide peak)"
    return result, elapsed, sql_db.sql_counter - before, note


def _parameter_recovery():
    btyd = _btyd()
    truth = btyd.BGNBDParams(**BGNBD_TRUTH)
    for n in (5_000, 100_000):
        rng = np.random.default_rng(SEED + n)
        x, t_x, T = btyd.simulate_bgnbd(truth, n, rng.uniform(26, 130, n), rng)
        sample = rng.choice(n, min(n, 20_000), replace=False)
        started = time.perf_counter()
        fit = btyd.fit_bgnbd(x[sample], t_x[sample], T[sample])
        elapsed = time.perf_counter() - started
        errors = {k: getattr(fit, k) / v - 1 for k, v in BGNBD_TRUTH.items()}
        worst = max(abs(e) for e in errors.values())
        print(
            f"BG/NBD recovery, {n} customers (fit on {len(sample)}): "
            + ", ".join(
                f"{k}={getattr(fit, k):.3f} (true {v}, {errors[k]:+.1%})"
                for k, v in BGNBD_TRUTH.items()
            )
            + f"  worst {worst:.1%} {'OK' if worst <= 0.1 else 'ABOVE 10%'}  fit {elapsed:.1f} s",
            flush=True,
        )
    rng = np.random.default_rng(SEED)
    n = 20_000
    g = GG_TRUTH
    x = rng.integers(1, 10, n)
    nu = rng.gamma(g["q"], 1.0 / g["gamma"], n)
    m = rng.gamma(g["p"] * x, 1.0 / (x * nu))
    fit = btyd.fit_gamma_gamma(x, m)
    errors = {k: getattr(fit, k) / v - 1 for k, v in g.items()}
    worst = max(abs(e) for e in errors.values())
    print(
        f"Gamma-Gamma recovery, {n} customers: "
        + ", ".join(f"{k}={getattr(fit, k):.3f} (true {v}, {errors[k]:+.1%})" for k, v in g.items())
        + f"  worst {worst:.1%} {'OK' if worst <= 0.1 else 'ABOVE 10%'}",
        flush=True,
    )


def _backtest(b, today):
    """Fit at the cut-off, predict the holdout, compare with what happened."""
    env = b.env
    company = env.company
    cutoff = today - timedelta(days=HOLDOUT_DAYS)
    company.write(
        {
            "insight_churn_horizon_days": HOLDOUT_DAYS,
            "insight_min_purchases": 1,  # predict every customer, one-time buyers included
            "insight_lookback_months": 24,
        }
    )
    env["crm.customer.insight"]._compute_company_insights(company, cutoff)
    b.cr.execute(
        """
        SELECT insight.frequency, insight.first_purchase_date, insight.expected_purchases_90d,
               insight.churn_probability, COALESCE(actual.days, 0)
          FROM crm_customer_insight insight
     LEFT JOIN (SELECT commercial_partner_id, COUNT(DISTINCT invoice_date) AS days
                  FROM account_move
                 WHERE company_id = %s AND state = 'posted' AND move_type = 'out_invoice'
                   AND invoice_date > %s AND invoice_date <= %s
              GROUP BY commercial_partner_id) actual
            ON actual.commercial_partner_id = insight.partner_id
         WHERE insight.company_id = %s AND insight.expected_purchases_90d IS NOT NULL
        """,
        (company.id, cutoff, cutoff + timedelta(days=HOLDOUT_DAYS), company.id),
    )
    rows = b.cr.fetchall()
    if not rows:
        print("backtest: no prediction", flush=True)
        return
    freq = np.array([r[0] for r in rows], dtype=float)
    age = np.array([(cutoff - r[1]).days for r in rows], dtype=float)
    predicted = np.array([float(r[2]) for r in rows])
    churn = np.array([float(r[3]) for r in rows]) / 100.0
    actual = np.array([r[4] for r in rows], dtype=float)
    # "same rate as before": purchase days per day since the first purchase (at
    # least 30 days), and per day of the whole look-back
    naive = freq / np.maximum(age, 30.0) * HOLDOUT_DAYS
    naive_window = freq / HISTORY_DAYS * HOLDOUT_DAYS
    mae_model = float(np.mean(np.abs(predicted - actual)))
    mae_naive = float(np.mean(np.abs(naive - actual)))
    mae_window = float(np.mean(np.abs(naive_window - actual)))
    print(
        f"backtest: {len(rows)} customers, cut-off {cutoff}, next {HOLDOUT_DAYS} days: "
        f"actual mean {actual.mean():.3f} purchase days, model mean {predicted.mean():.3f}, "
        f"naive means {naive.mean():.3f} and {naive_window.mean():.3f}",
        flush=True,
    )
    print(
        f"backtest MAE: model {mae_model:.4f}  naive (same rate as before) {mae_naive:.4f}  "
        f"-> model {'beats' if mae_model < mae_naive else 'does NOT beat'} the baseline "
        f"({(1 - mae_model / mae_naive):+.1%})",
        flush=True,
    )
    print(
        f"backtest MAE: model {mae_model:.4f}  naive (look-back rate) {mae_window:.4f}  "
        f"-> model {'beats' if mae_model < mae_window else 'does NOT beat'} the baseline "
        f"({(1 - mae_model / mae_window):+.1%})",
        flush=True,
    )
    order = np.argsort(churn, kind="stable")
    print("churn calibration by decile (predicted vs observed share with no purchase):", flush=True)
    for decile, idx in enumerate(np.array_split(order, 10), start=1):
        print(
            f"  decile {decile:2d}: predicted {churn[idx].mean():6.1%}  "
            f"observed {np.mean(actual[idx] == 0):6.1%}  ({len(idx)} customers)",
            flush=True,
        )
    company.write({"insight_churn_horizon_days": 90, "insight_min_purchases": 2})
    b.commit()


class _PhaseLog(logging.Handler):
    """Keeps the job's own account of its phases (query, model, write)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.lines = []

    def emit(self, record):
        message = record.getMessage()
        if " customers in " in message:
            self.lines.append(message.split(": ", 1)[-1])

    def flush_to_stdout(self):
        for line in self.lines:
            print(f"   job phases: {line}", flush=True)
        self.lines.clear()


def run(b):
    phases = _PhaseLog()
    job_logger = logging.getLogger("odoo.addons.crm_extended.models.crm_customer_insight")
    job_logger.addHandler(phases)
    job_logger.setLevel(logging.INFO)
    job_logger.propagate = False
    try:
        _run(b, phases)
    finally:
        job_logger.removeHandler(phases)
        job_logger.propagate = True
        job_logger.setLevel(logging.NOTSET)


def _run(b, phases):
    env = b.env
    company = env.company
    today = date.today()
    _parameter_recovery()
    _seed(b, today)
    _backtest(b, today)
    phases.lines.clear()
    Insight = env["crm.customer.insight"]
    Affinity = env["crm.product.affinity"]
    b.sql("DELETE FROM crm_customer_insight")
    b.commit()

    def job(day):
        """What the nightly job does for a company: the insights, then the partners."""
        count = Insight._compute_company_insights(company, day)
        Insight._insight_sync_partners(company)
        return count

    count, elapsed, queries, note = _timed(b, lambda: job(today))
    b.report(
        f"insight job first run: {count} customers, {N_INVOICE_LINES} lines",
        elapsed,
        queries,
        f"{note}; target < 60 s, < 500 MiB",
    )
    phases.flush_to_stdout()
    b.commit()
    count, elapsed, queries, note = _timed(b, lambda: job(today))
    b.report(f"insight job second run (no change): {count} customers", elapsed, queries, note)
    phases.flush_to_stdout()
    b.commit()
    count, elapsed, queries, note = _timed(b, lambda: job(today + timedelta(days=1)))
    b.report(
        f"insight job next night (every row changes): {count} customers", elapsed, queries, note
    )
    phases.flush_to_stdout()
    b.commit()
    pairs, elapsed, queries, note = _timed(
        b, lambda: Affinity._compute_company_affinities(company, today)
    )
    b.report(
        f"affinity: {pairs} pairs from {N_ORDERS * ORDER_LINES_PER_ORDER} order lines",
        elapsed,
        queries,
        f"{note}; target < 30 s",
    )
    b.commit()
