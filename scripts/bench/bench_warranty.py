"""Warranty cron over 100,000 contracts.

Seeds 100,000 warranty contracts with ``generate_series`` (40% ended, 100 ending
within the reminder window, the rest later), then:

1. times ``_cron_process_warranties()`` (called directly: it does not commit;
   each timed run is rolled back so that every run does the full work) against
   the equivalent raw SQL UPDATEs;
2. runs the real ``ir.cron`` job once and prints its batches (each committed by
   ``ir.cron._commit_progress``) and the slowest one, against the cron's time
   budget;
3. times a second run, which must write 0 rows (counted by PostgreSQL's
   ``pg_stat_xact_user_tables``), against the same raw UPDATE, now a no-op.
"""

import time
from unittest.mock import patch

ORDER = 40

N_CONTRACTS = 100_000
N_PARTNERS = 50

# The raw SQL doing what the first run does. PL/pgSQL undoes the block's
# changes when its exception handler catches the final RAISE, so every timed
# run does the same work, like the rolled-back ORM runs it is compared with.
REFERENCE_FIRST_RUN = """
DO $$
BEGIN
    UPDATE crm_warranty_contract SET state = 'expired'
     WHERE state = 'active' AND date_end < CURRENT_DATE;
    UPDATE crm_warranty_contract SET reminder_date = CURRENT_DATE
     WHERE state = 'active' AND reminder_date IS NULL
       AND date_end BETWEEN CURRENT_DATE AND CURRENT_DATE + 30;
    RAISE EXCEPTION 'bench: undo';
EXCEPTION WHEN raise_exception THEN
    NULL;
END $$
"""

REFERENCE_SECOND_RUN = """
UPDATE crm_warranty_contract SET state = 'expired'
 WHERE state = 'active' AND date_end < CURRENT_DATE
"""


def _seed(b):
    env = b.env
    company = env.company
    partners = env["res.partner"].create(
        [
            {"name": f"Bench warranty customer {i}", "email": f"bench.warranty.{i}@example.com"}
            for i in range(N_PARTNERS)
        ]
    )
    product = env["product.product"].create(
        {"name": "Bench warranted product", "type": "consu", "warranty_months": 24}
    )
    env.flush_all()
    b.sql(
        """
        INSERT INTO crm_warranty_contract (
            name, partner_id, product_id, quantity, date_start, date_end,
            warranty_type, state, company_id, currency_id, user_id,
            create_uid, write_uid, create_date, write_date)
        SELECT 'WAR/BENCH/' || lpad(i::text, 6, '0'),
               (%s::int[])[1 + i %% %s],
               %s, 1, d.date_end - 730, d.date_end,
               'standard', 'active', %s, %s, %s,
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM generate_series(1, %s) AS i,
               LATERAL (SELECT CASE
                   WHEN i %% 1000 = 7 THEN CURRENT_DATE + 1 + (i / 1000) %% 29  -- 100 to remind
                   WHEN i %% 10 < 4 THEN CURRENT_DATE - 1 - i %% 365             -- 40%% ended
                   ELSE CURRENT_DATE + 31 + i %% 700                             -- later
               END AS date_end) AS d
        """,
        partners.ids,
        N_PARTNERS,
        product.id,
        company.id,
        company.currency_id.id,
        env.ref("base.user_admin").id,
        N_CONTRACTS,
    )
    b.sql("ANALYZE crm_warranty_contract")
    b.commit()
    env.invalidate_all()


def _state_counts(b):
    b.cr.execute(
        "SELECT count(*) FILTER (WHERE state = 'expired'),"
        "       count(*) FILTER (WHERE reminder_date IS NOT NULL)"
        "  FROM crm_warranty_contract"
    )
    return b.cr.fetchone()


def _rows_written(b):
    b.cr.execute(
        """SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)
             FROM pg_stat_xact_user_tables WHERE relname = 'crm_warranty_contract'"""
    )
    return int(b.cr.fetchone()[0])


def run(b):
    env = b.env
    Contract = env["crm.warranty.contract"]
    env.company.warranty_reminder_days = 30
    _seed(b)
    b.cr.execute(
        "SELECT count(*) FILTER (WHERE date_end < CURRENT_DATE),"
        "       count(*) FILTER (WHERE date_end BETWEEN CURRENT_DATE AND CURRENT_DATE + 30)"
        "  FROM crm_warranty_contract WHERE state = 'active'"
    )
    to_expire, to_remind = b.cr.fetchone()
    print(
        f"bench_warranty: seeded {N_CONTRACTS} contracts: {to_expire} to expire, "
        f"{to_remind} to remind"
    )

    # 1. first run, called directly (no commit), rolled back after each timing
    results = []

    def first_run():
        savepoint = b.cr.savepoint()
        try:
            results.append(Contract._cron_process_warranties())
        finally:
            savepoint.close(rollback=True)

    b.measure(
        f"warranty cron first run ({to_expire} expired, {to_remind} reminded of {N_CONTRACTS})",
        first_run,
        REFERENCE_FIRST_RUN,
    )
    assert results[-1]["expired"] == to_expire, results[-1]
    assert results[-1]["reminded"] == to_remind, results[-1]

    # 2. the real cron job: batches committed by ir.cron._commit_progress
    cron = env.ref("crm_extended.ir_cron_process_warranties")
    IrCron = type(env["ir.cron"])
    commit_progress = IrCron._commit_progress
    batches = []
    clock = [time.monotonic()]

    def timed_commit_progress(self, processed=0, *, remaining=None, deactivate=False):
        now = time.monotonic()
        if processed:
            batches.append((processed, now - clock[0]))
        clock[0] = now
        return commit_progress(self, processed, remaining=remaining, deactivate=deactivate)

    b.commit()
    expired_before, reminded_before = _state_counts(b)
    started = time.monotonic()
    with patch.object(IrCron, "_commit_progress", timed_commit_progress):
        cron.method_direct_trigger()
    elapsed = time.monotonic() - started
    b.commit()  # new snapshot: see what the job committed
    env.invalidate_all()
    expired_after, reminded_after = _state_counts(b)
    expired, reminded = expired_after - expired_before, reminded_after - reminded_before
    slowest = max(batches, key=lambda batch: batch[1]) if batches else (0, 0.0)
    budget = 10.0  # seconds: ir.cron's MIN_TIME_PER_JOB, the job's time slice
    print(
        f"bench_warranty: ir.cron job: {len(batches)} committed batches in {elapsed:.2f}s, "
        f"slowest {slowest[1] * 1000:.0f} ms for {slowest[0]} contracts "
        f"(time slice {budget:.0f}s); expired {expired}, reminded {reminded}"
    )
    assert expired == to_expire and reminded == to_remind, (expired, reminded)
    assert slowest[1] < budget / 2, slowest

    # 3. second run: writes nothing
    written = []

    def second_run():
        before = _rows_written(b)
        result = Contract._cron_process_warranties()
        env.flush_all()
        written.append((_rows_written(b) - before, result))

    b.measure("warranty cron second run (must write 0 rows)", second_run, REFERENCE_SECOND_RUN)
    rows, result = written[-1]
    print(f"bench_warranty: second run wrote {rows} rows ({result})")
    assert rows == 0 and result == {"expired": 0, "reminded": 0, "failed": 0}, written[-1]
