import operator as py_operator

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, format_amount

from ..tools.field_access import check_search, is_finite_number

# partner columns whose change may move a contact to another commercial entity
PARTNER_KEYS = frozenset({"commercial_partner_id", "parent_id", "is_company"})

CREDIT_STATUS = [
    ("ok", "OK"),
    ("warning", "Warning"),
    ("exceeded", "Exceeded"),
    ("hold", "On Hold"),
]
# Fields only credit controllers may change (on any partner, or in sudo()).
CREDIT_CONTROLLED_FIELDS = ("credit_limit", "credit_hold", "credit_hold_reason")
# A hold reason is repeated in every refusal and chatter note: a sentence, not a file.
CREDIT_HOLD_REASON_MAX_LENGTH = 500
# Who reads credit figures, status and reasons: sales and finance (field `groups`).
CREDIT_READ_GROUPS = (
    "sales_team.group_sale_salesman,account.group_account_invoice,account.group_account_readonly"
)
SEARCH_OPERATORS = {
    "<": py_operator.lt,
    "<=": py_operator.le,
    ">": py_operator.gt,
    ">=": py_operator.ge,
}

# the columns of a row of the credit query, after the partner id
CREDIT_ROW_KEYS = (
    "credit_limit",
    "credit_hold",
    "credit_hold_reason",
    "receivable",
    "orders",
    "draft",
    "overdue_amount",
    "oldest_due",
    "overdue_move_ids",
    "order_ids",
)
# the columns the credit queries read in raw SQL: their pending ORM writes are
# flushed before a query (not every model's, as flush_all() would)
CREDIT_SQL_FIELDS = {
    "res.partner": ["commercial_partner_id", "credit_limit", "credit_hold", "credit_hold_reason"],
    "res.company": ["parent_path", "currency_id"],
    "res.currency.rate": ["rate", "currency_id", "company_id", "name"],
    "account.account": ["account_type"],
    "account.move": [
        "move_type",
        "state",
        "partner_id",
        "commercial_partner_id",
        "company_id",
        "invoice_currency_rate",
        "invoice_date",
    ],
    "account.move.line": [
        "partner_id",
        "account_id",
        "move_id",
        "amount_residual",
        "date_maturity",
        "date",
        "parent_state",
        "company_id",
        "reconciled",
        "price_total",
        "display_type",
    ],
    "sale.order": [
        "partner_invoice_id",
        "state",
        "company_id",
        "currency_id",
        "amount_total",
        "date_order",
    ],
    "sale.order.line": ["order_id", "state", "invoice_lines"],
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    credit_hold = fields.Boolean(
        string="Credit Hold",
        company_dependent=True,
        copy=False,
        groups=CREDIT_READ_GROUPS,
        help="Manual credit hold in the current company: orders of this customer cannot be "
        "confirmed without the approval of a credit controller.",
    )
    credit_hold_reason = fields.Char(
        string="Hold Reason", company_dependent=True, copy=False, groups=CREDIT_READ_GROUPS
    )
    credit_currency_id = fields.Many2one(
        "res.currency", string="Credit Currency", compute="_compute_credit_currency_id"
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_exposure_orders = fields.Monetary(
        string="Orders Not Invoiced",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_exposure_draft = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_exposure = fields.Monetary(
        string="Credit Exposure",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
        help="Open receivables + confirmed orders not yet invoiced + draft invoices, in the "
        "company currency, for the commercial entity in the current company.",
    )
    credit_available = fields.Monetary(
        string="Available Credit",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
        help="Credit limit minus exposure; 0 when the customer is blocked (on hold), and "
        "0 without a credit limit (shown as “No limit”).",
    )
    credit_has_limit = fields.Boolean(
        string="Has Credit Limit",
        compute="_compute_credit_figures",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_available_text = fields.Char(
        string="Available",
        compute="_compute_credit_available_text",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
        help="Available credit, or “No limit” for a customer without a credit limit.",
    )
    credit_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_credit_figures",
        currency_field="credit_currency_id",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_overdue_days = fields.Integer(
        string="Days Overdue",
        compute="_compute_credit_figures",
        search="_search_credit_overdue_days",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
        help="Days past due of the oldest overdue posted customer invoice.",
    )
    credit_on_hold = fields.Boolean(
        string="On Credit Hold",
        compute="_compute_credit_figures",
        search="_search_credit_on_hold",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_over_limit = fields.Boolean(
        string="Over Credit Limit",
        compute="_compute_credit_figures",
        search="_search_credit_over_limit",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_status = fields.Selection(
        CREDIT_STATUS,
        string="Credit Status",
        compute="_compute_credit_figures",
        search="_search_credit_status",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_open_order_count = fields.Integer(
        string="Open Orders",
        compute="_compute_credit_figures",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_overdue_invoice_count = fields.Integer(
        string="Overdue Invoices",
        compute="_compute_credit_figures",
        compute_sudo=True,
        groups=CREDIT_READ_GROUPS,
    )
    credit_reported = fields.Boolean(
        string="In Credit Exposure Report",
        compute="_compute_credit_reported",
        search="_search_credit_reported",
        groups=CREDIT_READ_GROUPS,
        help="Commercial entities with a credit limit or hold in the current company, or "
        "with a customer invoice or confirmed order of the company or its branches.",
    )
    credit_is_controller = fields.Boolean(
        string="Is Credit Controller", compute="_compute_credit_is_controller"
    )

    @api.depends_context("company")
    def _compute_credit_currency_id(self):
        self.credit_currency_id = self.env.company.currency_id

    @api.depends_context("uid")
    def _compute_credit_is_controller(self):
        self.credit_is_controller = self.env.user.has_group("crm_extended.group_credit_controller")

    @api.depends_context("company")
    @api.depends(
        "commercial_partner_id",
        "commercial_partner_id.credit_limit",
        "commercial_partner_id.credit_hold",
        "commercial_partner_id.credit_hold_reason",
        "credit_limit",
        "credit_hold",
        "credit_hold_reason",
    )
    def _compute_credit_figures(self):
        company = self.env.company
        stored = self.filtered("id")
        # figures keyed by the partners themselves: the query maps contacts to
        # their commercial entity, so no commercial_partner_id read here
        figures = stored._credit_get_figures(company)
        # a partner being created in a form: its commercial entity's figures
        new = self - stored
        new_figures = new.commercial_partner_id.filtered("id")._credit_get_figures(company)
        empty = self._credit_empty_figures()
        names = self._credit_figure_fields()
        for partner in self:
            record_id = partner._ids[0]
            if record_id:
                values = figures.get(record_id, empty)
            else:
                values = new_figures.get(partner.commercial_partner_id.id, empty)
            # the values are final (amounts rounded in the company currency):
            # straight into the cache, as assigning them would after checking
            # each of the 12 fields of each partner, which tripled the time
            # of reading the figures of a few hundred customers
            partner._update_cache({name: values[name] for name in names}, validate=False)

    @api.depends_context("company")
    @api.depends("credit_available", "credit_has_limit")
    def _compute_credit_available_text(self):
        currency = self.env.company.currency_id
        no_limit = self.env._("No limit")
        for partner in self:
            partner.credit_available_text = (
                format_amount(self.env, partner.credit_available, currency)
                if partner.credit_has_limit
                else no_limit
            )

    @api.depends_context("company")
    def _compute_credit_reported(self):
        reported = set(self._credit_report_partner_ids(self.env.company))
        for partner in self:
            partner.credit_reported = partner.id in reported

    def _search_credit_reported(self, operator, value):
        if operator != "in":
            return NotImplemented
        check_search(self, "credit_reported", operator, value)
        # a sub-query, not a list of ids: the list view filters every customer
        self._credit_flush()
        reported = self._credit_report_partner_sql(self.env.company)
        if True in value:
            return Domain("id", "in", reported)
        return Domain("id", "not in", reported)

    @api.model
    def _credit_report_partner_ids(self, company, date_from=None, date_to=None):
        """The customers of the credit exposure analysis (list and XLSX export).

        Commercial entities with a credit limit or hold in ``company``, or with
        a customer invoice or a confirmed order of the company or its branches
        (dated in the range, when one is given). One query.
        """
        self._credit_flush()
        rows = self.env.execute_query(self._credit_report_partner_sql(company, date_from, date_to))
        return [row[0] for row in rows if row[0]]

    @api.model
    def _credit_report_partner_sql(self, company, date_from=None, date_to=None):
        """The query of ``_credit_report_partner_ids`` (its caller flushes)."""
        dates = [SQL("TRUE")]
        order_dates = [SQL("TRUE")]
        if date_from:
            dates.append(SQL("move.invoice_date >= %s", date_from))
            order_dates.append(SQL("so.date_order >= %s", date_from))
        if date_to:
            dates.append(SQL("move.invoice_date <= %s", date_to))
            order_dates.append(SQL("so.date_order < %s::date + 1", date_to))
        return SQL(
            """
            SELECT move.commercial_partner_id
              FROM account_move move
             WHERE move.company_id IN (SELECT id FROM res_company
                                        WHERE parent_path LIKE %(tree)s)
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND move.state IN ('draft', 'posted') AND %(dates)s
               AND move.commercial_partner_id IS NOT NULL
             UNION
            SELECT partner.commercial_partner_id
              FROM sale_order so
              JOIN res_partner partner ON partner.id = so.partner_invoice_id
             WHERE so.company_id IN (SELECT id FROM res_company
                                      WHERE parent_path LIKE %(tree)s)
               AND so.state = 'sale' AND %(order_dates)s
               AND partner.commercial_partner_id IS NOT NULL
             UNION
            SELECT partner.id
              FROM res_partner partner
             WHERE partner.id = partner.commercial_partner_id
               AND (COALESCE((partner.credit_limit ->> %(key)s)::numeric, 0) > 0
                    OR COALESCE((partner.credit_hold ->> %(key)s)::boolean, FALSE))
            """,
            tree=f"{company.root_id.parent_path}%",
            key=str(company.id),
            dates=SQL(" AND ").join(dates),
            order_dates=SQL(" AND ").join(order_dates),
        )

    @api.model
    def _credit_figure_fields(self):
        return (
            "credit_exposure_receivable",
            "credit_exposure_orders",
            "credit_exposure_draft",
            "credit_exposure",
            "credit_available",
            "credit_has_limit",
            "credit_overdue_amount",
            "credit_overdue_days",
            "credit_on_hold",
            "credit_over_limit",
            "credit_status",
            "credit_open_order_count",
            "credit_overdue_invoice_count",
        )

    @api.model
    def _credit_empty_figures(self):
        return {
            "credit_exposure_receivable": 0.0,
            "credit_exposure_orders": 0.0,
            "credit_exposure_draft": 0.0,
            "credit_exposure": 0.0,
            "credit_available": 0.0,
            "credit_has_limit": False,
            "credit_overdue_amount": 0.0,
            "credit_overdue_days": 0,
            "credit_on_hold": False,
            "credit_over_limit": False,
            "credit_status": "ok",
            "credit_open_order_count": 0,
            "credit_overdue_invoice_count": 0,
            "credit_limit": 0.0,
            "credit_hold": False,
            "credit_hold_reason": False,
            "credit_hold_overdue": False,
            "credit_order_ids": [],
            "credit_overdue_move_ids": [],
        }

    def _credit_get_figures(self, company):
        """Credit figures of the partners ``self`` in ``company``.

        A contact gets the figures of its commercial entity. Set-based: one
        aggregate query for all partners, limits and holds included, whatever
        the number of partners or of their invoices and orders.

        :return: ``{partner_id: {field: value}}`` for every partner of ``self``
        """
        if not self:
            return {}
        return self._credit_figures_from_rows(company, self._credit_query(company, self.ids))

    @api.model
    def _credit_figures_from_rows(self, company, rows):
        """Figures by partner id from the aggregate ``rows`` of ``_credit_query``.

        The amounts of the rows are already rounded to the company currency;
        amounts are compared at half its rounding, as ``compare_amounts``.
        """
        today = fields.Date.context_today(self)
        currency = company.sudo().currency_id
        digits = currency.decimal_places
        half = currency.rounding / 2
        overdue_days_limit = company.credit_hold_overdue_days
        warning_share = company.credit_hold_warning_percent / 100.0
        result = {}
        for partner_id, row in rows.items():
            receivable, orders, draft = row["receivable"], row["orders"], row["draft"]
            exposure = round(receivable + orders + draft, digits)
            oldest_due = row["oldest_due"]
            overdue_days = (today - oldest_due).days if oldest_due else 0
            limit = max(row["credit_limit"] or 0.0, 0.0)
            hold = bool(row["credit_hold"])
            hold_overdue = bool(overdue_days_limit) and overdue_days > overdue_days_limit
            on_hold = hold or hold_overdue
            over_limit = bool(limit) and exposure - limit >= half
            if on_hold:
                status = "hold"
            elif over_limit:
                status = "exceeded"
            elif (limit and exposure - limit * warning_share > -half) or overdue_days > 0:
                # overdue is at least a warning, whether or not it holds
                status = "warning"
            else:
                status = "ok"
            order_ids = row["order_ids"] or []
            overdue_move_ids = row["overdue_move_ids"] or []
            result[partner_id] = {
                "credit_exposure_receivable": receivable,
                "credit_exposure_orders": orders,
                "credit_exposure_draft": draft,
                "credit_exposure": exposure,
                # nothing is available to a blocked customer
                "credit_available": (
                    round(limit - exposure, digits) if limit and not on_hold else 0.0
                ),
                "credit_has_limit": bool(limit),
                "credit_overdue_amount": row["overdue_amount"],
                "credit_overdue_days": overdue_days,
                "credit_on_hold": on_hold,
                "credit_over_limit": over_limit,
                "credit_status": status,
                "credit_open_order_count": len(order_ids),
                "credit_overdue_invoice_count": len(overdue_move_ids),
                "credit_limit": limit,
                "credit_hold": hold,
                "credit_hold_reason": row["credit_hold_reason"] or False,
                "credit_hold_overdue": hold_overdue,
                "credit_order_ids": order_ids,
                "credit_overdue_move_ids": overdue_move_ids,
            }
        return result

    @api.model
    def _credit_figures_sql(self, company):
        """The searchable figures of ``_credit_figures_from_rows``, by the same
        rules, as a sub-query over the rows of ``_credit_query_sql``: columns
        ``partner_id``, ``credit_on_hold``, ``credit_over_limit``,
        ``credit_status`` and ``credit_overdue_days`` of every commercial
        entity with activity or a hold in ``company`` (its caller flushes)."""
        currency = company.sudo().currency_id
        columns = SQL(", ").join(SQL.identifier(name) for name in ("partner_id", *CREDIT_ROW_KEYS))
        return SQL(
            """
            SELECT partner_id, on_hold AS credit_on_hold, over_limit AS credit_over_limit,
                   CASE WHEN on_hold THEN 'hold'
                        WHEN over_limit THEN 'exceeded'
                        WHEN (credit_limit > 0
                              AND exposure - credit_limit * %(warning_share)s > -%(half)s)
                             OR overdue_days > 0
                        THEN 'warning'
                        ELSE 'ok' END AS credit_status,
                   overdue_days AS credit_overdue_days
              FROM (SELECT partner_id, credit_limit, exposure, overdue_days,
                           credit_hold
                           OR (%(overdue_days_limit)s > 0
                               AND overdue_days > %(overdue_days_limit)s) AS on_hold,
                           credit_limit > 0 AND exposure - credit_limit >= %(half)s AS over_limit
                      FROM (SELECT partner_id,
                                   GREATEST(COALESCE(credit_limit, 0), 0) AS credit_limit,
                                   COALESCE(credit_hold, FALSE) AS credit_hold,
                                   ROUND((receivable + orders + draft)::numeric, %(digits)s)
                                       AS exposure,
                                   COALESCE(%(today)s::date - oldest_due, 0) AS overdue_days
                              FROM (%(rows)s) AS credit_row(%(columns)s)) AS row_values
                   ) AS figures
            """,
            rows=self._credit_query_sql(company),
            columns=columns,
            today=fields.Date.context_today(self),
            digits=currency.decimal_places,
            half=currency.rounding / 2,
            warning_share=company.credit_hold_warning_percent / 100.0,
            overdue_days_limit=company.credit_hold_overdue_days or 0,
        )

    @api.model
    def _credit_flush(self):
        """Flush what the credit queries read (raw SQL), and nothing else."""
        for model, names in CREDIT_SQL_FIELDS.items():
            self.env[model].flush_model(names)

    @api.model
    def _credit_query(self, company, partner_ids=None):
        """Aggregate the exposure of commercial partners in one query.

        - open receivables: residual of the company's posted receivable lines;
          overdue when the line belongs to a customer invoice past its due date;
        - orders: confirmed orders' total (tax included) minus what posted
          invoices and credit notes linked to their lines invoiced (posted down
          payments included, so they are deducted once), at today's rate;
        - draft customer invoices, except their lines stemming from confirmed
          orders (already counted with the order);
        - the commercial entity's credit limit, hold and reason in ``company``.

        :param partner_ids: partner ids (a contact gets the row of its
            commercial entity), or None for every commercial partner with
            activity or a hold in ``company``
        :return: ``{partner_id: row dict}``
        """
        self._credit_flush()
        rows = self.env.execute_query(self._credit_query_sql(company, partner_ids))
        return {row[0]: dict(zip(CREDIT_ROW_KEYS, row[1:], strict=True)) for row in rows}

    @api.model
    def _credit_query_sql(self, company, partner_ids=None):
        """The one aggregate query behind the credit figures (see _credit_query).

        It starts from the partners (contacts of the given commercial entities)
        and reaches their journal items, orders and draft invoices through
        the partner indexes, so its cost follows the customers asked for, not
        the size of the ledger. Amounts come rounded to the company currency.
        Each part is a materialized CTE, planned on its own: planning the
        whole as one join tree cost more than running it.
        """
        today = fields.Date.context_today(self)
        currency = company.sudo().currency_id
        partner = self.sudo().with_company(company)
        if partner_ids is None:
            # every commercial partner with activity, or on hold without any
            asked = SQL(
                """
                SELECT partner_id AS id, partner_id AS commercial_partner_id FROM total
                 UNION
                SELECT commercial.id, commercial.id
                  FROM res_partner commercial
                 WHERE commercial.id = commercial.commercial_partner_id
                   AND %s
                """,
                partner._field_to_sql("commercial", "credit_hold"),
            )
            contacts = SQL("TRUE")
        else:
            # a sub-select, not a literal list: the planner then does not
            # estimate each id on its own (that planning cost hundreds of ids)
            asked = SQL(
                "SELECT id, commercial_partner_id FROM res_partner"
                " WHERE id IN (SELECT unnest(%s::int[]))",
                list(partner_ids),
            )
            contacts = SQL("commercial_partner_id IN (SELECT commercial_partner_id FROM asked)")

        def rounded(amount):
            return SQL(
                "ROUND((%s)::numeric / %s) * %s", amount, currency.rounding, currency.rounding
            )

        return SQL(
            """
            WITH %(asked_cte)s
            partner AS MATERIALIZED (
                SELECT id, commercial_partner_id FROM res_partner WHERE %(contacts)s
            ),
            recv AS MATERIALIZED (
                SELECT p.commercial_partner_id AS partner_id,
                       SUM(aml.amount_residual) AS receivable,
                       SUM(aml.amount_residual) FILTER (WHERE %(is_overdue)s) AS overdue_amount,
                       MIN(COALESCE(aml.date_maturity, aml.date)) FILTER (WHERE %(is_overdue)s)
                           AS oldest_due,
                       ARRAY_AGG(DISTINCT aml.move_id) FILTER (WHERE %(is_overdue)s)
                           AS overdue_move_ids
                  FROM partner p
                  JOIN account_move_line aml ON aml.partner_id = p.id
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN account_move move ON move.id = aml.move_id
                 WHERE aml.parent_state = 'posted'
                   AND aml.company_id = ANY(%(company_ids)s)
                   AND acc.account_type = 'asset_receivable'
                   AND aml.reconciled IS NOT TRUE
              GROUP BY p.commercial_partner_id
            ),
            ord AS MATERIALIZED (
                SELECT so.id, p.commercial_partner_id AS partner_id, so.currency_id, so.amount_total
                  FROM partner p
                  JOIN sale_order so ON so.partner_invoice_id = p.id
                 WHERE so.state = 'sale'
                   AND so.company_id = ANY(%(company_ids)s)
            ),
            ord_invoiced AS MATERIALIZED (
                SELECT sol.order_id,
                       SUM(CASE WHEN move.move_type = 'out_refund' THEN -aml.price_total
                                ELSE aml.price_total END) AS invoiced
                  FROM ord
                  JOIN sale_order_line sol ON sol.order_id = ord.id
                  JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                  JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                  JOIN account_move move ON move.id = aml.move_id
                 WHERE move.state = 'posted'
                   AND move.move_type IN ('out_invoice', 'out_refund')
              GROUP BY sol.order_id
            ),
            rate AS MATERIALIZED (
                SELECT cur.id AS currency_id,
                       COALESCE(
                           (SELECT r.rate FROM res_currency_rate r
                             WHERE r.currency_id = cur.id
                               AND (r.company_id IS NULL OR r.company_id = %(root)s)
                               AND r.name <= %(today)s
                          ORDER BY r.company_id, r.name DESC LIMIT 1),
                           (SELECT r.rate FROM res_currency_rate r
                             WHERE r.currency_id = cur.id
                               AND (r.company_id IS NULL OR r.company_id = %(root)s)
                          ORDER BY r.company_id, r.name ASC LIMIT 1),
                           1.0) AS rate
                  FROM res_currency cur
                 WHERE cur.id IN (SELECT currency_id FROM ord) OR cur.id = %(currency)s
            ),
            ord_open AS MATERIALIZED (
                SELECT ord.partner_id, ord.id,
                       GREATEST(ord.amount_total - COALESCE(ord_invoiced.invoiced, 0), 0)
                           * company_rate.rate / NULLIF(order_rate.rate, 0) AS amount
                  FROM ord
             LEFT JOIN ord_invoiced ON ord_invoiced.order_id = ord.id
                  JOIN rate order_rate ON order_rate.currency_id = ord.currency_id
                  JOIN rate company_rate ON company_rate.currency_id = %(currency)s
            ),
            draft AS MATERIALIZED (
                SELECT p.commercial_partner_id AS partner_id,
                       SUM(aml.price_total
                           * CASE WHEN move.move_type = 'out_refund' THEN -1 ELSE 1 END
                           / COALESCE(NULLIF(move.invoice_currency_rate, 0), 1)) AS draft
                  FROM partner p
                  JOIN account_move move ON move.partner_id = p.id
                  JOIN account_move_line aml ON aml.move_id = move.id AND aml.display_type = 'product'
                 WHERE move.state = 'draft'
                   AND move.move_type IN ('out_invoice', 'out_refund')
                   AND move.company_id = ANY(%(company_ids)s)
                   AND NOT EXISTS (
                       SELECT 1
                         FROM sale_order_line_invoice_rel rel
                         JOIN sale_order_line sol ON sol.id = rel.order_line_id
                        WHERE rel.invoice_line_id = aml.id
                          AND sol.state = 'sale'
                   )
              GROUP BY p.commercial_partner_id
            ),
            total AS MATERIALIZED (
                SELECT partner_id,
                       SUM(receivable) AS receivable, SUM(orders) AS orders,
                       SUM(draft) AS draft, SUM(overdue_amount) AS overdue_amount,
                       MIN(oldest_due) AS oldest_due, MAX(overdue_move_ids) AS overdue_move_ids,
                       MAX(order_ids) AS order_ids
                  FROM (
                        SELECT partner_id, receivable, 0 AS orders, 0 AS draft, overdue_amount,
                               oldest_due, overdue_move_ids, NULL::int[] AS order_ids
                          FROM recv
                     UNION ALL
                        SELECT partner_id, 0, SUM(amount), 0, 0, NULL, NULL,
                               ARRAY_AGG(id ORDER BY id) FILTER (WHERE amount > 0)
                          FROM ord_open
                      GROUP BY partner_id
                     UNION ALL
                        SELECT partner_id, 0, 0, draft, 0, NULL, NULL, NULL
                          FROM draft
                       ) exposure
              GROUP BY partner_id
            )%(asked_after)s
            SELECT asked.id, %(limit)s, %(hold)s, %(reason)s,
                   %(receivable)s, %(orders)s, %(draft)s, %(overdue)s,
                   total.oldest_due, total.overdue_move_ids, total.order_ids
              FROM asked
              JOIN res_partner commercial ON commercial.id = asked.commercial_partner_id
         LEFT JOIN total ON total.partner_id = asked.commercial_partner_id
            """,
            # the partners asked for come first (the contacts follow from
            # them); every commercial partner comes from the totals
            asked_cte=SQL("asked AS MATERIALIZED (%s),", asked)
            if partner_ids is not None
            else SQL(),
            asked_after=SQL(", asked AS MATERIALIZED (%s)", asked)
            if partner_ids is None
            else SQL(),
            contacts=contacts,
            today=today,
            # the company with its parent and branches, as Odoo's own `credit`
            company_ids=SQL(
                "ARRAY(SELECT id FROM res_company WHERE parent_path LIKE %s)",
                f"{company.root_id.parent_path}%",
            ),
            is_overdue=SQL(
                "move.move_type IN ('out_invoice', 'out_receipt') AND aml.amount_residual > 0"
                " AND COALESCE(aml.date_maturity, aml.date) < %s",
                today,
            ),
            root=company.root_id.id,
            currency=currency.id,
            limit=partner._field_to_sql("commercial", "credit_limit"),
            hold=partner._field_to_sql("commercial", "credit_hold"),
            reason=partner._field_to_sql("commercial", "credit_hold_reason"),
            receivable=rounded(SQL("COALESCE(total.receivable, 0)")),
            orders=rounded(SQL("COALESCE(total.orders, 0)")),
            draft=rounded(SQL("COALESCE(total.draft, 0)")),
            overdue=rounded(SQL("COALESCE(total.overdue_amount, 0)")),
        )

    # searches: evaluated set-based over every customer with activity in the company

    def _credit_search(self, predicate, condition):
        """Domain on partners whose commercial entity's figures satisfy both the
        Python ``predicate`` and its SQL twin ``condition`` (on the columns of
        ``_credit_figures_sql``): a sub-query of the final query, not the ids
        of every matching customer fetched beforehand."""
        self._credit_flush()
        figures = self._credit_figures_sql(self.env.company)
        if predicate(self._credit_empty_figures()):
            # customers without any activity match too: exclude the others
            return Domain(
                "commercial_partner_id",
                "not in",
                SQL(
                    "SELECT partner_id FROM (%s) figures WHERE (%s) IS NOT TRUE", figures, condition
                ),
            )
        return Domain(
            "commercial_partner_id",
            "in",
            SQL("SELECT partner_id FROM (%s) figures WHERE %s", figures, condition),
        )

    def _credit_search_in(self, fname, values, cast):
        # values of the column's type (an RPC caller may send anything): a
        # value of another type matches nothing, as it never equals a figure
        wanted = set()
        for value in values:
            try:
                wanted.add(cast(value))
            except (TypeError, ValueError):
                continue
        return self._credit_search(
            lambda figures: figures[fname] in wanted,
            SQL("%s IN %s", SQL.identifier("figures", fname), tuple(wanted) or (None,)),
        )

    def _search_credit_on_hold(self, operator, value):
        if operator != "in":
            return NotImplemented
        check_search(self, "credit_on_hold", operator, value)
        return self._credit_search_in("credit_on_hold", value, bool)

    def _search_credit_over_limit(self, operator, value):
        if operator != "in":
            return NotImplemented
        check_search(self, "credit_over_limit", operator, value)
        return self._credit_search_in("credit_over_limit", value, bool)

    def _search_credit_status(self, operator, value):
        if operator != "in":
            return NotImplemented
        check_search(self, "credit_status", operator, value)
        return self._credit_search_in("credit_status", value, str)

    def _search_credit_overdue_days(self, operator, value):
        check_search(self, "credit_overdue_days", operator, value)
        if operator == "in":
            return self._credit_search_in(
                "credit_overdue_days", [v for v in value if is_finite_number(v)], int
            )
        compare = SEARCH_OPERATORS.get(operator)
        if compare is None:
            return NotImplemented
        if not is_finite_number(value):
            # None, True, a text or NaN from an RPC caller: a sentence, not
            # PostgreSQL's "operator does not exist: integer > boolean"
            raise UserError(
                self.env._(
                    "Days Overdue can only be compared with a number of days, not %(value)r.",
                    value=value,
                )
            )
        return self._credit_search(
            lambda figures: compare(figures["credit_overdue_days"], value),
            SQL("figures.credit_overdue_days %s %s", SQL(operator), value),
        )

    # constraints and controlled writes

    @api.constrains("credit_limit")
    def _check_credit_limit_positive(self):
        for partner in self.sudo():
            if partner.credit_limit < 0:
                raise ValidationError(
                    self.env._(
                        "The credit limit of %(partner)s cannot be negative.",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("credit_hold", "credit_hold_reason")
    def _check_credit_hold_reason(self):
        for partner in self:
            reason = partner.credit_hold_reason or ""
            if len(reason) > CREDIT_HOLD_REASON_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "The hold reason of %(partner)s is too long (%(length)s characters): "
                        "at most %(limit)s characters are allowed.",
                        partner=partner.display_name,
                        length=len(reason),
                        limit=CREDIT_HOLD_REASON_MAX_LENGTH,
                    )
                )
            if partner.credit_hold and not reason.strip():
                raise ValidationError(
                    self.env._(
                        "Putting %(partner)s on credit hold needs a reason.",
                        partner=partner.display_name,
                    )
                )

    @api.model
    def _credit_check_controller(self):
        """Only credit controllers change credit limits and holds.

        Odoo's own code and other addons write these fields in ``sudo()`` (the
        commercial sync to contacts, core's tests): that is let through. No
        RPC call or web form is ever ``sudo()``.
        """
        if self.env.su:
            return
        if not self.env.user.has_group("crm_extended.group_credit_controller"):
            raise AccessError(
                self.env._("Only credit controllers can change credit limits and credit holds.")
            )

    def _credit_check_computed_only(self, vals_list):
        """``commercial_partner_id`` follows ``parent_id`` and ``is_company``:
        only its computation sets it (a stored computed field is written by
        ``write`` too, which would move a contact's orders and invoices to any
        entity)."""
        if any("commercial_partner_id" in vals for vals in vals_list):
            raise UserError(
                self.env._(
                    "The commercial entity of a contact follows its parent company: change "
                    "the contact's company instead."
                )
            )

    def _write_multi(self, vals_list):
        # the credit invariant's choke point: a contact that changes commercial
        # entity brings its orders and invoices along (crm_credit_invariant.py)
        changes = {
            partner.id: vals
            for partner, vals in zip(self, vals_list, strict=True)
            if PARTNER_KEYS & vals.keys()
        }
        if changes:
            self.env["res.partner"]._credit_inv_touch_partners(list(changes), changes)
        return super()._write_multi(vals_list)

    @api.model_create_multi
    def create(self, vals_list):
        self._credit_check_computed_only(vals_list)
        defaults = {
            name for name in CREDIT_CONTROLLED_FIELDS if self.env.context.get(f"default_{name}")
        }
        if defaults or any(
            vals.get(name) for vals in vals_list for name in CREDIT_CONTROLLED_FIELDS
        ):
            self._credit_check_controller()
        partners = super().create(vals_list)
        for partner, vals in zip(partners, vals_list, strict=True):
            if defaults or any(vals.get(name) for name in CREDIT_CONTROLLED_FIELDS):
                partner._credit_post_changes(dict.fromkeys(CREDIT_CONTROLLED_FIELDS))
                self.env["res.partner"]._credit_inv_credit_set(partner.commercial_partner_id.ids)
        return partners

    def write(self, vals):
        self._credit_check_computed_only([vals])
        credit_names = [name for name in CREDIT_CONTROLLED_FIELDS if name in vals]
        old_values = {}
        if credit_names:
            changed = False
            for partner in self.sudo():
                current = {name: partner[name] for name in credit_names}
                if any((current[name] or False) != (vals[name] or False) for name in credit_names):
                    changed = True
                    # contacts get the entity's values by the commercial sync:
                    # the change is logged once, on the commercial entity
                    if partner.id and partner == partner.commercial_partner_id:
                        old_values[partner.id] = current
            if changed:
                self._credit_check_controller()
                self.env["res.partner"]._credit_inv_credit_set(
                    self.sudo().commercial_partner_id.ids
                )
        moving = self._credit_moving_controlled_partners(vals)
        entities = {}
        if {"parent_id", "is_company"} & vals.keys() and self.env.user.has_group(
            "crm_extended.group_credit_controller"
        ):
            entities = {p.id: p.commercial_partner_id for p in self.sudo() if p.id}
        result = super().write(vals)
        moved = self.browse(moving).filtered(
            lambda p: (p.commercial_partner_id.id, p.company_id.id) != moving[p.id]
        )
        # a credit controller bringing a contact under another entity is logged too
        moved |= self.browse(entities).filtered(lambda p: p.commercial_partner_id != entities[p.id])
        if moved:
            moved._credit_check_move()
        for partner in self.browse(old_values):
            partner._credit_post_changes(old_values[partner.id])
        return result

    def _credit_moving_controlled_partners(self, vals):
        """Partners whose commercial entity ``vals`` may change while that entity
        is under credit control (a hold or a limit in any company).

        :return: ``{partner id: (commercial entity id, company id) before the write}``
        """
        if self.env.su or not ({"parent_id", "is_company", "company_id"} & vals.keys()):
            return {}
        before = {p.id: (p.commercial_partner_id.id, p.company_id.id) for p in self.sudo() if p.id}
        commercial_ids = list({entity for entity, _company in before.values()})
        if not commercial_ids:
            return {}
        self.flush_model(["credit_hold", "credit_limit"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT id FROM res_partner
                 WHERE id = ANY(%(ids)s)
                   AND (EXISTS (SELECT 1 FROM jsonb_each_text(credit_hold) h
                                 WHERE h.value = 'true')
                        OR EXISTS (SELECT 1 FROM jsonb_each_text(credit_limit) l
                                    WHERE l.value::numeric > 0))
                """,
                ids=commercial_ids,
            )
        )
        controlled = {row[0] for row in rows}
        return {pid: old for pid, old in before.items() if old[0] in controlled}

    def _credit_check_move(self):
        """Moving a partner out of (or into another) commercial entity under credit
        control would move its orders and receivables away from that entity's
        hold and limit: that is a credit controller's act."""
        if self.env.user.has_group("crm_extended.group_credit_controller"):
            self.env["res.partner"]._credit_inv_allow_controller_act(self.commercial_partner_id.ids)
            for partner in self:
                partner.sudo().message_post(
                    body=self.env._(
                        "Credit control: %(user)s moved %(partner)s to the commercial "
                        "entity %(entity)s.",
                        user=self.env.user.name,
                        partner=partner.display_name,
                        entity=partner.commercial_partner_id.display_name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            return
        raise AccessError(
            self.env._(
                "%(partner)s belongs to a customer under credit control (a credit hold or "
                "a credit limit): only credit controllers can change its parent company or "
                "whether it is a company.",
                partner=self[:1].display_name,
            )
        )

    def _credit_post_changes(self, old_values):
        """Log a change of limit, hold or reason in the partner's chatter."""
        self.ensure_one()
        partner = self.sudo()
        company = self.env.company

        def show(name, value):
            if name == "credit_limit":
                return format_amount(self.env, value or 0.0, company.currency_id)
            if name == "credit_hold":
                return self.env._("Yes") if value else self.env._("No")
            return value or "-"

        changes = []
        for name, old in old_values.items():
            new = partner[name]
            if (old or False) != (new or False):
                changes.append(
                    self.env._(
                        "%(field)s: %(old)s → %(new)s",
                        field=self._fields[name].get_description(self.env)["string"],
                        old=show(name, old),
                        new=show(name, new),
                    )
                )
        if changes:
            self.message_post(
                body=self.env._(
                    "Credit control (%(company)s): %(changes)s",
                    company=company.name,
                    changes="; ".join(changes),
                ),
                subtype_xmlid="mail.mt_note",
            )

    # smart buttons

    def _credit_check_read_access(self):
        """The credit smart buttons follow the credit fields' `groups`."""
        if not self.env.su and not self.env.user.has_groups(CREDIT_READ_GROUPS):
            raise AccessError(self.env._("Only sales and accounting users can see credit figures."))

    def action_view_credit_open_orders(self):
        self.ensure_one()
        self._credit_check_read_access()
        figures = self.commercial_partner_id._credit_get_figures(self.env.company)
        order_ids = figures[self.commercial_partner_id.id]["credit_order_ids"]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open Orders"),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", order_ids)],
            "context": {"create": False},
        }

    def action_view_credit_overdue_invoices(self):
        self.ensure_one()
        self._credit_check_read_access()
        figures = self.commercial_partner_id._credit_get_figures(self.env.company)
        move_ids = figures[self.commercial_partner_id.id]["credit_overdue_move_ids"]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Overdue Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_out_invoice_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", move_ids)],
            "context": {"create": False, "default_move_type": "out_invoice"},
        }

    def _credit_hold_description(self, figures):
        """Human reason of a hold from the figures of ``_credit_get_figures``."""
        reasons = []
        if figures["credit_hold"]:
            reasons.append(
                self.env._(
                    "on credit hold: %(reason)s", reason=figures["credit_hold_reason"] or "-"
                )
            )
        if figures["credit_hold_overdue"]:
            reasons.append(
                self.env._(
                    "an invoice is overdue by %(days)s days",
                    days=figures["credit_overdue_days"],
                )
            )
        return "; ".join(reasons)
