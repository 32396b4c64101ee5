"""Foundation: installing the addon, reading partners."""

import os

ORDER = 0
PARTNERS = 20000


def run(b):
    seconds = float(os.environ.get("CRMX_BENCH_INSTALL_SECONDS", "0"))
    b.report(
        "install crm_extended on a database with its dependencies",
        seconds,
        note="(one run, measured by make bench)",
    )
    b.sql(
        """
        INSERT INTO res_partner (name, email, active, is_company, type, autopost_bills,
                                 create_date, write_date, complete_name)
        SELECT 'Bench customer ' || i, 'bench' || i || '@example.com', true, true,
               'contact', 'ask', now(), now(), 'Bench customer ' || i
          FROM generate_series(1, %s) AS i
        """,
        PARTNERS,
    )
    b.commit()
    partners = b.env["res.partner"].search([("name", "like", "Bench customer %")])
    b.measure(
        f"read name/email of {len(partners)} partners (ORM search_read)",
        lambda: b.env["res.partner"].search_read(
            [("name", "like", "Bench customer %")], ["name", "email"]
        ),
        "SELECT id, name, email FROM res_partner WHERE name LIKE 'Bench customer %%' "
        "AND active ORDER BY complete_name, id DESC",
    )
