"""After-sales cases over 100,000 warranty contracts and 100,000 cases.

Seeds with ``generate_series`` 100,000 warranty contracts (1,000 customers,
20 products, one serial number each) and 100,000 cases of those customers
(90% closed, 10% open, some of them past their at-risk time or deadline), then:

1. opens a case as a salesperson (the warranty contract lookup included) and
   checks it costs the same number of queries as on an empty database (the
   count measured before seeding);
2. times the response-time job ``_cron_check_deadlines()`` (called directly, no
   commit; rolled back after each timed run) against the raw SQL UPDATEs;
3. runs the job for real, then times a second run, which must write 0 rows
   (counted by PostgreSQL's ``pg_stat_xact_user_tables``).
"""

ORDER = 45

N_CONTRACTS = 100_000
N_CASES = 100_000
N_PARTNERS = 1_000
N_PRODUCTS = 20

REFERENCE_FIRST_RUN = """
DO $$
BEGIN
    UPDATE crm_service_case SET sla_state = 'breached'
     WHERE state IN ('new', 'in_progress', 'waiting') AND date_deadline IS NOT NULL
       AND sla_state != 'breached' AND date_deadline < now() at time zone 'UTC';
    UPDATE crm_service_case SET sla_state = 'at_risk'
     WHERE state IN ('new', 'in_progress', 'waiting') AND date_deadline IS NOT NULL
       AND sla_state = 'on_time' AND date_at_risk <= now() at time zone 'UTC';
    UPDATE crm_service_case SET sla_reminded = true
     WHERE state IN ('new', 'in_progress', 'waiting') AND sla_state != 'on_time'
       AND NOT COALESCE(sla_reminded, false);
    RAISE EXCEPTION 'bench: undo';
EXCEPTION WHEN raise_exception THEN
    NULL;
END $$
"""

REFERENCE_SECOND_RUN = """
UPDATE crm_service_case SET sla_state = 'breached'
 WHERE state IN ('new', 'in_progress', 'waiting') AND date_deadline IS NOT NULL
   AND sla_state != 'breached' AND date_deadline < now() at time zone 'UTC'
"""


def _rows_written(b):
    b.cr.execute(
        """SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)
             FROM pg_stat_xact_user_tables WHERE relname = 'crm_service_case'"""
    )
    return int(b.cr.fetchone()[0])


def _seed(b, partners, products):
    env = b.env
    company = env.company
    admin = env.ref("base.user_admin")
    b.sql(
        """
        INSERT INTO crm_warranty_contract (
            name, partner_id, product_id, serial_number, quantity, date_start, date_end,
            warranty_type, state, company_id, currency_id, user_id,
            create_uid, write_uid, create_date, write_date)
        SELECT 'WAR/CASEBENCH/' || lpad(i::text, 6, '0'),
               (%s::int[])[1 + i %% %s], (%s::int[])[1 + i %% %s],
               'SN-BENCH-' || i, 1, CURRENT_DATE - 200, CURRENT_DATE + 165 - i %% 400,
               'standard', CASE WHEN i %% 400 > 165 THEN 'expired' ELSE 'active' END,
               %s, %s, %s, 1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM generate_series(1, %s) AS i
        """,
        partners.ids,
        len(partners),
        products.ids,
        len(products),
        company.id,
        company.currency_id.id,
        admin.id,
        N_CONTRACTS,
    )
    # open cases: 1 in 10; opened between 0 and 99 hours ago with a 24 h response time
    b.sql(
        """
        INSERT INTO crm_service_case (
            name, subject, case_type, partner_id, commercial_partner_id, company_id,
            user_id, product_id, serial_number, coverage, priority, date_open,
            date_deadline, date_at_risk, sla_state, sla_reminded, state, is_open,
            resolve_hours, date_resolved, resolution,
            create_uid, write_uid, create_date, write_date)
        SELECT 'CASE/BENCH/' || lpad(i::text, 6, '0'), 'Bench case ' || i, 'service_request',
               p.id, p.id, %s, %s, (%s::int[])[1 + i %% %s], 'SN-BENCH-' || i, 'covered', '1',
               o.opened, o.opened + interval '24 hours', o.opened + interval '18 hours',
               'on_time', false,
               CASE WHEN i %% 10 = 0 THEN 'new' ELSE 'closed' END, i %% 10 = 0,
               CASE WHEN i %% 10 = 0 THEN 0 ELSE 2 END,
               CASE WHEN i %% 10 = 0 THEN NULL ELSE o.opened + interval '2 hours' END,
               CASE WHEN i %% 10 = 0 THEN NULL ELSE 'repaired' END,
               1, 1, now() at time zone 'UTC', now() at time zone 'UTC'
          FROM generate_series(1, %s) AS i
          JOIN LATERAL (SELECT (%s::int[])[1 + i %% %s] AS id) p ON true
          JOIN LATERAL (
              SELECT (now() at time zone 'UTC') - make_interval(hours => i %% 100) AS opened
          ) o ON true
        """,
        company.id,
        admin.id,
        products.ids,
        len(products),
        N_CASES,
        partners.ids,
        len(partners),
    )
    b.sql("ANALYZE crm_warranty_contract")
    b.sql("ANALYZE crm_service_case")
    b.commit()


def run(b):
    env = b.env
    company = env.company
    company.write({"service_response_hours_1": 24.0})
    partners = env["res.partner"].create(
        [{"name": f"Bench case customer {i}"} for i in range(N_PARTNERS)]
    )
    products = env["product.product"].create(
        [{"name": f"Bench case product {i}", "warranty_months": 12} for i in range(N_PRODUCTS)]
    )
    agent = env["res.users"].create(
        {
            "name": "Bench case agent",
            "login": "bench_case_agent",
            "group_ids": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)],
        }
    )
    Case = env["crm.service.case"].with_user(agent)
    customer, product = partners[7], products[7]

    def open_case():
        Case.create(
            {
                "subject": "Bench: it broke",
                "partner_id": customer.id,
                "product_id": product.id,
                "serial_number": "SN-BENCH-7",
            }
        )

    env["crm.warranty.contract"].create(
        {
            "name": "WAR/CASEBENCH/FIRST",
            "partner_id": customer.id,
            "product_id": product.id,
            "serial_number": "SN-BENCH-7",
            "date_start": "2026-01-01",
            "date_end": "2036-01-01",
            "state": "active",
        }
    )
    _, empty_queries = b.measure("open a case (1 contract, no cases)", open_case)
    _seed(b, partners, products)
    _, queries = b.measure(
        f"open a case ({N_CONTRACTS} contracts, {N_CASES} cases)",
        open_case,
        """SELECT id FROM crm_warranty_contract
            WHERE company_id = %s AND partner_id = %s AND state != 'cancelled'
              AND (serial_number = %s OR product_id = %s)
            ORDER BY date_end DESC LIMIT 20""",
        company.id,
        customer.id,
        "SN-BENCH-7",
        product.id,
    )
    assert queries == empty_queries, (empty_queries, queries)

    Cron = env["crm.service.case"]
    b.cr.execute(
        "SELECT count(*) FILTER (WHERE sla_state != 'breached'"
        "                          AND date_deadline < now() at time zone 'UTC'),"
        "       count(*) FILTER (WHERE sla_state = 'on_time'"
        "                          AND date_at_risk <= now() at time zone 'UTC'"
        "                          AND date_deadline >= now() at time zone 'UTC')"
        "  FROM crm_service_case"
        " WHERE state IN ('new', 'in_progress', 'waiting') AND date_deadline IS NOT NULL"
    )
    to_breach, to_risk = b.cr.fetchone()
    results = []

    def first_run():
        savepoint = b.cr.savepoint()
        try:
            results.append(Cron._cron_check_deadlines())
        finally:
            savepoint.close(rollback=True)

    b.measure(
        f"case deadline job first run ({to_breach} breached, {to_risk} at risk "
        f"of {N_CASES // 10} open)",
        first_run,
        REFERENCE_FIRST_RUN,
    )
    result = results[-1]
    assert result["breached"] == to_breach and result["at_risk"] == to_risk, result

    Cron._cron_check_deadlines()
    b.commit()
    written = []

    def second_run():
        before = _rows_written(b)
        res = Cron._cron_check_deadlines()
        env.flush_all()
        written.append((_rows_written(b) - before, res))

    b.measure("case deadline job second run (must write 0 rows)", second_run, REFERENCE_SECOND_RUN)
    rows, res = written[-1]
    print(f"bench_service_case: second run wrote {rows} rows ({res})")
    assert rows == 0 and res == {"at_risk": 0, "breached": 0, "reminded": 0}, written[-1]
