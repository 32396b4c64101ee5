"""Credit control: credit figures of many customers, and the confirmation check."""

from odoo import Command

ORDER = 20
CUSTOMERS = 300  # issue 15: the credit fields of 300 customers within 5x raw SQL
HEAVY_HISTORY = 200  # invoices and orders of the one "heavy" customer


def _history(env, product, partners, per_partner):
    """Posted invoices and confirmed orders, created in batches through the ORM."""
    line = {"product_id": product.id, "price_unit": 10.0, "tax_ids": [Command.clear()]}
    pairs = [(partner, i) for partner in partners for i in range(per_partner)]
    for start in range(0, len(pairs), 250):
        chunk = pairs[start : start + 250]
        invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2024-01-01",
                    "invoice_date_due": "2024-01-31",
                    "invoice_line_ids": [Command.create(dict(line, quantity=1 + i % 3))],
                }
                for partner, i in chunk
            ]
        )
        invoices.action_post()
        orders = env["sale.order"].create(
            [
                {"partner_id": partner.id, "order_line": [Command.create(line)]}
                for partner, _i in chunk
            ]
        )
        orders.action_confirm()


def _reference_sql(where):
    return f"""
        SELECT partner_id, SUM(amount)
          FROM (SELECT p.commercial_partner_id AS partner_id, aml.amount_residual AS amount
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.parent_state = 'posted' AND acc.account_type = 'asset_receivable'
                   AND NOT aml.reconciled AND {where}
             UNION ALL
                SELECT p.commercial_partner_id, so.amount_total
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_invoice_id
                 WHERE so.state = 'sale' AND {where}) exposure
      GROUP BY partner_id
    """


def run(b):
    env = b.env
    product = env["product.product"].create(
        {"name": "Credit bench product", "list_price": 10.0, "taxes_id": [Command.clear()]}
    )
    customers = env["res.partner"].create(
        [
            {"name": f"Credit bench customer {i}", "is_company": True, "credit_limit": 1e6}
            for i in range(CUSTOMERS)
        ]
    )
    heavy = env["res.partner"].create({"name": "Credit bench heavy", "is_company": True})
    _history(env, product, customers, 1)
    _history(env, product, heavy, HEAVY_HISTORY)
    heavy.credit_limit = 1e6
    light = customers[0]
    quotations = env["sale.order"].create(
        [
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": product.id})]}
            for partner in (light, heavy)
        ]
    )
    b.commit()
    # statistics as autovacuum keeps them on a live database
    b.sql("ANALYZE account_move_line, account_move, sale_order, sale_order_line, res_partner")
    ids = "p.commercial_partner_id = ANY(%s)"

    def read_credit_fields():
        customers.invalidate_recordset()
        customers.read(list(b.env["res.partner"]._credit_figure_fields()))

    b.measure(
        f"credit fields of {CUSTOMERS} customers (ORM, set-based)",
        read_credit_fields,
        _reference_sql(ids),
        customers.ids,
        customers.ids,
    )

    b.measure(
        f"credit fields of {CUSTOMERS} customers vs the same aggregate run raw",
        read_credit_fields,
        env["res.partner"]._credit_query_sql(env.company, customers.ids),
    )

    def read_core_credit():
        customers.invalidate_recordset()
        customers.read(["credit"])

    b.measure(
        f"core res.partner.credit of {CUSTOMERS} customers (comparison)",
        read_core_credit,
        _reference_sql(ids),
        customers.ids,
        customers.ids,
    )

    for partner, order, size in ((light, quotations[0], 1), (heavy, quotations[1], HEAVY_HISTORY)):
        b.measure(
            f"action_confirm credit check, {size} invoices+orders",
            order._credit_check_confirmation,
            _reference_sql(f"p.commercial_partner_id = {int(partner.id)}"),
        )
