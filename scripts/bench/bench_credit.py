"""Credit control: credit figures of many customers, and the confirmation check."""

from odoo import Command

ORDER = 20
CUSTOMERS = 300  # issue 15: the credit fields of 300 customers within 5x raw SQL
HEAVY_HISTORY = 200  # invoices and orders of the one "heavy" customer


def _history(env, product, partners, per_partner):
    """Posted invoices and confirmed orders, created in batches through the ORM."""
    line = {"product_id": product.id, "tax_ids": [Command.clear()]}
    # a different price per customer: real customers do not share their figures
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
                    "invoice_line_ids": [
                        Command.create(dict(line, quantity=1 + i % 3, price_unit=10.0 + partner.id))
                    ],
                }
                for partner, i in chunk
            ]
        )
        invoices.action_post()
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create(dict(line, price_unit=20.0 + partner.id))],
                }
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


def _same_aggregate_sql(where):
    """The credit figures' aggregate as one plain SQL query, written apart from the addon.

    Per commercial partner: open receivables, overdue amount, oldest due date
    and overdue invoices; confirmed orders net of their posted invoices, and
    open orders; draft invoices not stemming from confirmed orders. One
    company, one currency (the bench's), so no conversion. Parameters: the
    partner ids three times.
    """
    overdue = (
        "m.move_type IN ('out_invoice', 'out_receipt') AND aml.amount_residual > 0"
        " AND COALESCE(aml.date_maturity, aml.date) < CURRENT_DATE"
    )
    return f"""
        SELECT partner_id, SUM(receivable), SUM(overdue), MIN(due), COUNT(DISTINCT overdue_move),
               SUM(orders), COUNT(open_order), SUM(draft)
          FROM (SELECT p.commercial_partner_id AS partner_id, aml.amount_residual AS receivable,
                       CASE WHEN {overdue} THEN aml.amount_residual END AS overdue,
                       CASE WHEN {overdue} THEN COALESCE(aml.date_maturity, aml.date) END AS due,
                       CASE WHEN {overdue} THEN aml.move_id END AS overdue_move,
                       0 AS orders, NULL::int AS open_order, 0 AS draft
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move m ON m.id = aml.move_id
                  JOIN res_partner p ON p.id = aml.partner_id
                 WHERE aml.parent_state = 'posted' AND acc.account_type = 'asset_receivable'
                   AND NOT aml.reconciled AND {where}
             UNION ALL
                SELECT partner_id, 0, NULL, NULL, NULL, open_amount,
                       CASE WHEN open_amount > 0 THEN order_id END, 0
                  FROM (SELECT p.commercial_partner_id AS partner_id, so.id AS order_id,
                               GREATEST(so.amount_total - COALESCE(inv.invoiced, 0), 0)
                                   AS open_amount
                          FROM sale_order so
                          JOIN res_partner p ON p.id = so.partner_invoice_id
                     LEFT JOIN (SELECT sol.order_id,
                                       SUM(CASE WHEN im.move_type = 'out_refund'
                                                THEN -il.price_total ELSE il.price_total END)
                                           AS invoiced
                                  FROM sale_order_line sol
                                  JOIN sale_order_line_invoice_rel rel
                                       ON rel.order_line_id = sol.id
                                  JOIN account_move_line il ON il.id = rel.invoice_line_id
                                  JOIN account_move im ON im.id = il.move_id
                                 WHERE im.state = 'posted'
                              GROUP BY sol.order_id) inv ON inv.order_id = so.id
                         WHERE so.state = 'sale' AND {where}) orders
             UNION ALL
                SELECT p.commercial_partner_id, 0, NULL, NULL, NULL, 0, NULL,
                       CASE WHEN m.move_type = 'out_refund' THEN -aml.price_total
                            ELSE aml.price_total END
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id
                  JOIN res_partner p ON p.id = m.partner_id
                 WHERE m.state = 'draft' AND m.move_type IN ('out_invoice', 'out_refund')
                   AND aml.display_type = 'product' AND {where}
                   AND NOT EXISTS (SELECT 1 FROM sale_order_line_invoice_rel rel
                                     JOIN sale_order_line sol ON sol.id = rel.order_line_id
                                    WHERE rel.invoice_line_id = aml.id AND sol.state = 'sale')
               ) exposure
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

    def loaded_user():
        # a request has its user loaded (session check) before any read
        b.env.user.tz  # noqa: B018

    b.measure(
        f"credit fields of {CUSTOMERS} customers vs the same aggregate in plain SQL",
        read_credit_fields,
        _same_aggregate_sql(ids),
        customers.ids,
        customers.ids,
        customers.ids,
        warm=loaded_user,
    )

    b.measure(
        f"credit fields of {CUSTOMERS} customers vs receivables + orders only",
        read_credit_fields,
        _reference_sql(ids),
        customers.ids,
        customers.ids,
        warm=loaded_user,
    )

    b.measure(
        f"credit fields of {CUSTOMERS} customers vs the addon's own query run raw",
        read_credit_fields,
        env["res.partner"]._credit_query_sql(env.company, customers.ids),
        warm=loaded_user,
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
