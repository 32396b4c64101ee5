"""XLSX export of 100,000 warranty contracts: time, queries and peak memory.

Reuses the 100,000 contracts seeded by bench_warranty (run before this one);
seeds them itself when run alone.
"""

import time
import tracemalloc

ORDER = 60
N_ROWS = 100_000


def run(b):
    Contract = b.env["crm.warranty.contract"]
    have = Contract.search_count([("company_id", "=", b.env.company.id)])
    if have < N_ROWS:
        partner = b.env["res.partner"].create({"name": "Bench xlsx customer"})
        product = b.env["product.product"].create({"name": "Bench xlsx product", "type": "consu"})
        b.env.flush_all()
        b.sql(
            """
            INSERT INTO crm_warranty_contract (
                name, partner_id, product_id, quantity, date_start, date_end, warranty_type,
                state, company_id, currency_id, create_uid, write_uid, create_date, write_date)
            SELECT 'WAR/XLSX/' || i, %s, %s, 1, CURRENT_DATE, CURRENT_DATE + i %% 700,
                   'standard', 'active', %s, %s, 1, 1, now(), now()
              FROM generate_series(1, %s) AS i
            """,
            partner.id,
            product.id,
            b.env.company.id,
            b.env.company.currency_id.id,
            N_ROWS - have,
        )
        b.commit()
    rows = Contract.search_count([("company_id", "=", b.env.company.id)])

    def export():
        wizard = b.env["crm.extended.xlsx.export"].create({"report_type": "warranty_expiry"})
        wizard.action_export()
        return wizard

    b.env.invalidate_all()
    tracemalloc.start()
    start = time.perf_counter()
    export()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    b.cr.rollback()
    b.report(
        f"xlsx export of {rows} warranty rows (one run, traced)",
        elapsed,
        note=f"peak Python memory {peak / 2**20:.1f} MiB (limit 60 MiB)",
    )
    b.repeat = 1
    try:
        b.measure(
            f"xlsx export of {rows} warranty rows (untraced)",
            export,
            "SELECT c.name, p.name, c.serial_number, c.quantity, c.date_start, c.date_end, "
            "c.state, c.amount FROM crm_warranty_contract c JOIN res_partner p "
            "ON p.id = c.partner_id WHERE c.company_id = %s ORDER BY c.date_end, c.id",
            b.env.company.id,
        )
    finally:
        b.repeat = 5
