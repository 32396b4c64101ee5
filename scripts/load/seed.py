#!/usr/bin/env python3
"""Seed a load-test database (started by scripts/load/run.py, not by hand).

    seed.py seed  --db DB ... --out config.json   # bulk data, users and API keys
    seed.py check --db DB ... --since TIMESTAMP   # credit figures for the invariants

The seed makes a few sample records with the ORM (so that every column is
filled as Odoo fills it) and clones them with ``INSERT ... SELECT`` over
``generate_series``: customers, opportunities in two teams (on the addon's
database: in the B2B and B2C cycles, each with its open stage stay),
confirmed orders, posted invoices, warranty contracts and competitors on the
deals; credit limits on a third of the customers (just above their seeded
exposure) and holds on a few. The same core data is seeded on a database
without the addon, for the overhead comparison.
"""

import argparse
import datetime
import json
import re
import sys
from datetime import timedelta

FULL = {
    "customers": 10_000,
    "leads": 100_000,
    "orders": 50_000,
    "invoice_lines": 200_000,
    "warranties": 20_000,
}
INVOICE_PRODUCT_LINES = 3  # plus the receivable line: 4 lines per invoice
N_SALES, N_ACCOUNTANTS, N_CONTROLLERS = 40, 6, 2


def volumes(scale):
    minimum = {"customers": 60, "leads": 300, "orders": 120, "invoice_lines": 240}
    return {k: max(minimum.get(k, 60), int(v * scale)) for k, v in FULL.items()}


def _columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' AND table_name = %s AND column_name <> 'id'",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def clone(cr, table, sample_id, n, overrides, params=None):
    """Insert n copies of row sample_id of table (i = 1..n), some columns computed; return ids."""
    from psycopg2 import sql  # noqa: PLC0415

    cols = _columns(cr, table)
    exprs = [
        sql.SQL(overrides[c]) if c in overrides else sql.SQL("s.{}").format(sql.Identifier(c))
        for c in cols
    ]
    query = sql.SQL(
        "INSERT INTO {table} ({cols}) SELECT {exprs} FROM {table} s,"
        " generate_series(1, %(n)s) AS i WHERE s.id = %(sample)s ORDER BY i RETURNING id"
    ).format(
        table=sql.Identifier(table),
        cols=sql.SQL(", ").join(map(sql.Identifier, cols)),
        exprs=sql.SQL(", ").join(exprs),
    )
    cr.execute(query, {"n": n, "sample": sample_id, **(params or {})})
    return [row[0] for row in cr.fetchall()]


def pick(name, count_param):
    """SQL picking element 1 + i mod count of the int[] parameter name."""
    return f"(%({name})s::int[])[1 + mod(i, %({count_param})s)]"


def seed(env, addon, scale):
    from odoo import Command, fields  # noqa: PLC0415

    cr = env.cr
    vol = volumes(scale)
    company = env.company
    today = fields.Date.context_today(env.user)

    # ---------------------------------------------------------------- teams and users
    teams = env["crm.team"].create([{"name": "Load B2B"}, {"name": "Load B2C"}])
    cycles = {}
    if addon:
        cycles = {
            teams[0].id: env.ref("crm_extended.crm_sales_cycle_b2b"),
            teams[1].id: env.ref("crm_extended.crm_sales_cycle_b2c"),
        }
        for team in teams:
            team.sales_cycle_id = cycles[team.id]
        company.credit_hold_block_on_limit = True

    def users(prefix, n, groups):
        group_ids = [env.ref(g).id for g in groups]
        return env["res.users"].create(
            [
                {
                    "name": f"Load {prefix} {i}",
                    "login": f"load_{prefix}_{i}",
                    "email": f"load.{prefix}.{i}@example.com",
                    "company_id": company.id,
                    "company_ids": [Command.set(company.ids)],
                    "group_ids": [Command.set(group_ids)],
                }
                for i in range(n)
            ]
        )

    sales = users("sales", N_SALES, ["sales_team.group_sale_salesman_all_leads"])
    accountants = users(
        "accountant",
        N_ACCOUNTANTS,
        ["account.group_account_invoice", "sales_team.group_sale_salesman"],
    )
    controller_groups = [
        "account.group_account_manager",
        "sales_team.group_sale_salesman_all_leads",
    ]
    if addon:
        controller_groups.append("crm_extended.group_credit_controller")
    controllers = users("controller", N_CONTROLLERS, controller_groups)
    for index, team in enumerate(teams):
        team.member_ids = [Command.set(sales[index::2].ids)]

    def keys(records):
        return [
            env["res.users.apikeys"].with_user(user).sudo()._generate(None, "load test", None)
            for user in records
        ]

    # ---------------------------------------------------------------- products
    Product = env["product.product"]
    item = Product.create(
        {"name": "Load item", "type": "consu", "list_price": 100.0, "taxes_id": False}
    )
    warranted_vals = {
        "name": "Load warranted item",
        "type": "consu",
        "list_price": 250.0,
        "taxes_id": False,
    }
    if addon:
        warranted_vals["warranty_months"] = 12
    warranted = Product.create(warranted_vals)

    # ---------------------------------------------------------------- customers
    sample = env["res.partner"].create(
        {
            "name": "Load customer 0",
            "is_company": True,
            "customer_rank": 1,
            "email": "load.customer.0@example.com",
        }
    )
    customers = [sample.id] + clone(
        cr,
        "res_partner",
        sample.id,
        vol["customers"] - 1,
        {
            "name": "'Load customer ' || i",
            "complete_name": "'Load customer ' || i",
            "email": "'load.customer.' || i || '@example.com'",
            "commercial_partner_id": "NULL",
        },
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [customers])
    params = {
        "customers": customers,
        "n_customers": len(customers),
        "sales": sales.ids,
        "n_sales": len(sales),
        "teams": teams.ids,
    }

    # ---------------------------------------------------------------- opportunities
    stages = {}
    for team in teams:
        if addon:
            lines = cycles[team.id].stage_line_ids.sorted("sequence")
            stages[team.id] = [line.stage_id.id for line in lines if not line.stage_id.is_won]
        else:
            stages[team.id] = env["crm.stage"].search([("is_won", "=", False)], limit=4).ids
    lead = env["crm.lead"].create(
        {
            "name": "Load deal 0",
            "type": "opportunity",
            "partner_id": customers[0],
            "team_id": teams[0].id,
            "user_id": sales[0].id,
            "expected_revenue": 5000.0,
        }
    )
    env.flush_all()
    b2b_first, b2b_second = stages[teams[0].id][0], stages[teams[0].id][1]
    b2c_first, b2c_second = stages[teams[1].id][0], stages[teams[1].id][1]
    lead_overrides = {
        "name": "'Load deal ' || i",
        "partner_id": pick("customers", "n_customers"),
        "user_id": pick("sales", "n_sales"),
        "team_id": "(%(teams)s::int[])[1 + mod(i, 2)]",
        # half in the first stage of the team's cycle, half in the second
        "stage_id": "CASE WHEN mod(i, 2) = 0 THEN (CASE WHEN mod(i, 4) < 2 THEN %(b2b_first)s"
        " ELSE %(b2b_second)s END) ELSE (CASE WHEN mod(i, 4) < 2 THEN %(b2c_first)s"
        " ELSE %(b2c_second)s END) END",
        "expected_revenue": "1000 + mod(i, 50) * 200",
        "create_date": "now() - make_interval(days => mod(i, 300))",
        "date_last_stage_update": "now() - make_interval(days => mod(i, 60))",
    }
    params.update(
        b2b_first=b2b_first, b2b_second=b2b_second, b2c_first=b2c_first, b2c_second=b2c_second
    )
    if addon:
        lead_overrides["sales_cycle_id"] = (
            "CASE WHEN mod(i, 2) = 0 THEN %(b2b_cycle)s ELSE %(b2c_cycle)s END"
        )
        params.update(b2b_cycle=cycles[teams[0].id].id, b2c_cycle=cycles[teams[1].id].id)
    leads = clone(cr, "crm_lead", lead.id, vol["leads"] - 1, lead_overrides, params)
    if addon:
        cr.execute(
            """
            INSERT INTO crm_lead_stage_history (lead_id, sales_cycle_id, stage_id, user_id,
                   company_id, date_in, create_uid, write_uid, create_date, write_date)
            SELECT id, sales_cycle_id, stage_id, user_id, company_id, date_last_stage_update,
                   1, 1, now(), now()
              FROM crm_lead WHERE id = ANY(%s)
            """,
            [leads],
        )
        competitors = env["crm.competitor"].create(
            [{"name": f"Load rival {i}", "strategy": "challenger"} for i in range(12)]
        )
        line = env["crm.lead.competitor"].create(
            {"lead_id": lead.id, "competitor_id": competitors[0].id, "threat_level": "medium"}
        )
        env.flush_all()
        clone(
            cr,
            "crm_lead_competitor",
            line.id,
            len(leads) // 5,
            {
                "lead_id": "(%(leads)s::int[])[i * 5]",
                "competitor_id": pick("competitors", "n_competitors"),
            },
            {"leads": leads, "competitors": competitors.ids, "n_competitors": len(competitors)},
        )

    # ---------------------------------------------------------------- confirmed orders
    order = env["sale.order"].create(
        {
            "partner_id": customers[0],
            "user_id": sales[0].id,
            "team_id": teams[0].id,
            "order_line": [Command.create({"product_id": item.id, "product_uom_qty": 1})],
        }
    )
    order.action_confirm()
    env.flush_all()
    orders = clone(
        cr,
        "sale_order",
        order.id,
        vol["orders"] - 1,
        {
            "name": "'SLOAD' || lpad(i::text, 6, '0')",
            "partner_id": pick("customers", "n_customers"),
            "partner_invoice_id": pick("customers", "n_customers"),
            "partner_shipping_id": pick("customers", "n_customers"),
            "user_id": pick("sales", "n_sales"),
            "date_order": "now() - make_interval(days => mod(i, 365))",
        },
        params,
    )
    cr.execute(
        "SELECT id FROM sale_order_line WHERE order_id = %s AND display_type IS NULL", [order.id]
    )
    clone(
        cr,
        "sale_order_line",
        cr.fetchone()[0],
        len(orders),
        {
            "order_id": "(%(orders)s::int[])[i]",
            "order_partner_id": pick("customers", "n_customers"),
        },
        {**params, "orders": orders},
    )

    # ---------------------------------------------------------------- posted invoices
    invoice = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": customers[0],
            "invoice_date": today,
            "invoice_line_ids": [
                Command.create({"product_id": item.id, "price_unit": 100.0, "tax_ids": False})
                for _ in range(INVOICE_PRODUCT_LINES)
            ],
        }
    )
    invoice.action_post()
    env.flush_all()
    n_invoices = max(1, vol["invoice_lines"] // (INVOICE_PRODUCT_LINES + 1))
    prefix, digits = re.match(r"^(.*?)(\d+)$", invoice.name).groups()
    width = max(len(digits), len(str(int(digits) + n_invoices)))
    moves = clone(
        cr,
        "account_move",
        invoice.id,
        n_invoices - 1,
        {
            "name": "%(prefix)s || lpad((%(number)s + i)::text, %(width)s, '0')",
            "sequence_number": "%(number)s + i",
            "partner_id": pick("customers", "n_customers"),
            "commercial_partner_id": pick("customers", "n_customers"),
            "invoice_date": "%(today)s::date - mod(i, 25)",
            "date": "%(today)s::date - mod(i, 25)",
            "invoice_date_due": "%(today)s::date - mod(i, 25) + 30",
        },
        {**params, "prefix": prefix, "number": int(digits), "width": width, "today": today},
    )
    for line in invoice.line_ids:
        clone(
            cr,
            "account_move_line",
            line.id,
            len(moves),
            {"move_id": "(%(moves)s::int[])[i]"},
            {"moves": moves},
        )
    cr.execute(
        """
        UPDATE account_move_line l
           SET partner_id = m.commercial_partner_id, move_name = m.name, date = m.date,
               invoice_date = m.invoice_date,
               date_maturity = CASE WHEN l.date_maturity IS NULL THEN NULL
                                    ELSE m.invoice_date_due END
          FROM account_move m
         WHERE m.id = l.move_id AND m.id = ANY(%s)
        """,
        [moves],
    )

    # ---------------------------------------------------------------- warranties
    if addon:
        contract = env["crm.warranty.contract"].create(
            {
                "partner_id": customers[0],
                "product_id": warranted.id,
                "date_start": today - timedelta(days=300),
                "date_end": today + timedelta(days=65),
                "user_id": sales[0].id,
            }
        )
        env.flush_all()
        clone(
            cr,
            "crm_warranty_contract",
            contract.id,
            vol["warranties"] - 1,
            {
                "name": "'WLOAD/' || lpad(i::text, 6, '0')",
                "partner_id": pick("customers", "n_customers"),
                "serial_number": "'SN-LOAD-' || i",
                "date_start": "%(today)s::date - 300",
                # a few already ended, a few ending within the reminder window
                "date_end": "%(today)s::date - 5 + mod(i, 700)",
            },
            {**params, "today": today},
        )
        # the warranty job is made due when the full mix starts (run.py): both
        # servers' cron workers then race for it while the users work
        env.ref("crm_extended.ir_cron_process_warranties").nextcall = fields.Datetime.to_string(
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(2))
        )

    # ---------------------------------------------------------------- credit limits and holds
    cid = str(company.id)
    cr.execute(
        """
        WITH exposure AS (
            SELECT p.id,
                   COALESCE((SELECT SUM(so.amount_total) FROM sale_order so
                              WHERE so.partner_invoice_id = p.id AND so.state = 'sale'), 0)
                 + COALESCE((SELECT SUM(m.amount_residual) FROM account_move m
                              WHERE m.commercial_partner_id = p.id AND m.state = 'posted'
                                AND m.move_type = 'out_invoice'), 0) AS amount
              FROM res_partner p WHERE p.id = ANY(%(ids)s) AND mod(p.id, 3) = 0
        )
        UPDATE res_partner p
           SET credit_limit = COALESCE(p.credit_limit, '{}'::jsonb)
                 || jsonb_build_object(%(cid)s, e.amount + 150 * (1 + mod(p.id, 4)))
          FROM exposure e WHERE e.id = p.id
        """,
        {"ids": customers, "cid": cid},
    )
    if addon:
        cr.execute(
            """
            UPDATE res_partner
               SET credit_hold = COALESCE(credit_hold, '{}'::jsonb)
                     || jsonb_build_object(%(cid)s, true),
                   credit_hold_reason = COALESCE(credit_hold_reason, '{}'::jsonb)
                     || jsonb_build_object(%(cid)s, 'Load test: disputed invoices')
             WHERE id = ANY(%(ids)s) AND mod(id, 97) = 1
            """,
            {"ids": customers, "cid": cid},
        )
    env.flush_all()
    env.invalidate_all()
    env.registry.clear_cache()

    # ---------------------------------------------------------------- what the simulated users need
    config = {
        "addon": addon,
        "volumes": vol,
        "customers": customers,
        # invoices are not credit-controlled: the accountants invoice customers
        # without a limit, so that only orders move the limited ones' exposure
        "customers_free": [c for c in customers if c % 3 and c % 97 != 1],
        "teams": teams.ids,
        "stages": {str(k): v for k, v in stages.items()},
        "products": {"item": item.id, "warranted": warranted.id},
        "keys": {
            "sales": keys(sales),
            "accountants": keys(accountants),
            "controllers": keys(controllers),
        },
    }
    if addon:
        gate_lines = cycles[teams[0].id].stage_line_ids.filtered("questionnaire_id")
        config["gates"] = [
            {
                "stage_id": line.stage_id.id,
                "questionnaire_id": line.questionnaire_id.id,
                "answers": [
                    {
                        "question_id": question.id,
                        "option_id": question.option_ids.filtered(lambda o: not o.disqualifying)
                        .sorted("score")[-1:]
                        .id,
                    }
                    for question in line.questionnaire_id.question_ids
                ],
            }
            for line in gate_lines
        ]
        config["competitors"] = competitors.ids
        config["lost_reason_id"] = env["crm.lost.reason"].search([], limit=1).id
        # the customer insights of "last night", as a live database has them; the
        # nightly job itself is next due at night, not during the working day
        env.flush_all()
        env["crm.customer.insight"]._cron_compute_insights()
        env.ref("crm_extended.ir_cron_compute_insights").nextcall = fields.Datetime.to_string(
            datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(2))
        )
    return config


def check(env, since):
    """Per customer with a limit: exposure, limit, and orders confirmed since ``since``."""
    cr = env.cr
    cr.execute(
        """
        SELECT p.id, bool_or(so.credit_approval_state = 'approved')
          FROM sale_order so JOIN res_partner p ON p.id = so.partner_invoice_id
         WHERE so.state = 'sale' AND so.date_order >= %s
         GROUP BY p.id
        """,
        [since],
    )
    confirmed = dict(cr.fetchall())
    partners = env["res.partner"].browse(list(confirmed)).with_company(env.company)
    rows = []
    for partner in partners:
        if partner.credit_limit > 0:
            rows.append(
                {
                    "partner": partner.id,
                    "name": partner.name,
                    "limit": partner.credit_limit,
                    "exposure": partner.credit_exposure,
                    "approved": bool(confirmed[partner.id]),
                    "currency": partner.credit_currency_id.rounding,
                }
            )
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["seed", "check"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-port", default="5432")
    parser.add_argument("--db-user", default="")
    parser.add_argument("--addon", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--since", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    options = [
        "-d",
        args.db,
        f"--db_host={args.db_host}",
        f"--db_port={args.db_port}",
        f"--addons-path={args.addons_path}",
        f"--data-dir={args.data_dir}",
        "--log-level=warn",
        "--http-interface=127.0.0.1",
    ]
    if args.db_user:
        options.append(f"--db_user={args.db_user}")
    config.parse_config(options)
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.command == "seed":
            result = seed(env, bool(args.addon), args.scale)
            cr.commit()
        else:
            result = check(env, args.since)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
