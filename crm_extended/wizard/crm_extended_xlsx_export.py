import base64
from datetime import datetime, time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain

from ..tools.xlsx_writer import (
    DATE,
    FLOAT,
    INTEGER,
    MONEY,
    PERCENT,
    Column,
    XlsxReportWriter,
)

REPORT_TYPES = [
    ("credit_exposure", "Credit exposure"),
    ("sales_funnel", "Sales funnel"),
    ("warranty_expiry", "Warranty expiry"),
    ("competitor_winloss", "Competitor win/loss"),
    ("customer_insight", "Customer insights"),
    ("retention_outcome", "Retention outcome"),
]


class CrmExtendedXlsxExport(models.TransientModel):
    _name = "crm.extended.xlsx.export"
    _inherit = ["crm.extended.input.guard"]
    _description = "CRM Extended XLSX export"

    CHUNK = 1000  # records read per round trip while streaming rows

    report_type = fields.Selection(REPORT_TYPES, required=True, default="credit_exposure")
    date_from = fields.Date()
    date_to = fields.Date()
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    file_data = fields.Binary("File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from and wizard.date_to and wizard.date_to < wizard.date_from:
                raise ValidationError(
                    self.env._(
                        "The end date (%(to)s) is before the start date (%(from)s).",
                        to=wizard.date_to,
                        **{"from": wizard.date_from},
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_report_type(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_report_type(vals)
        return super().write(vals)

    def action_export(self):
        """Build the workbook into ``file_data`` and return its download action (RPC)."""
        self.ensure_one()
        writer, chunks, file_name = self._xlsx_writer()
        data = writer.write(chunks)
        self.write({"file_data": base64.b64encode(data), "file_name": file_name})
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file_data/{self.file_name}?download=true",
            "target": "self",
        }

    @api.readonly
    def action_download(self):
        """The form's Export button: the browser downloads the workbook as it is written.

        The refusals of the export (company, rights) are raised here, in the
        dialog; the route ``/crm_extended/xlsx/<id>`` then streams the file.
        """
        self.ensure_one()
        self._xlsx_writer()
        return {
            "type": "ir.actions.act_url",
            "url": f"/crm_extended/xlsx/{self.id}",
            "target": "self",
        }

    def _xlsx_writer(self):
        """Check the export may run; return (writer, row chunks, file name).

        Reads only: the rows are read chunk by chunk while the writer consumes
        them, so the caller decides where the workbook goes (memory or a file).
        """
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("You cannot export the data of %s.", self.company_id.name))
        builder = getattr(self, f"_xlsx_{self.report_type}")
        title, columns, chunks = builder()
        label = dict(self._fields["report_type"]._description_selection(self.env))[self.report_type]
        filters = [
            (self.env._("Report"), label),
            (self.env._("Company"), self.company_id.name),
            (self.env._("Date from"), self.date_from or self.env._("(none)")),
            (self.env._("Date to"), self.date_to or self.env._("(none)")),
            (self.env._("Exported by"), self.env.user.name),
            (self.env._("Exported on"), fields.Date.context_today(self)),
        ]
        writer = XlsxReportWriter(
            title,
            columns,
            self.company_id.currency_id,
            filters,
            total_label=self.env._("Total"),
            number_error=lambda header: UserError(
                self.env._(
                    "The column %(column)s holds a figure too large to write in a workbook: "
                    "correct the amounts of the records it sums, or narrow the export.",
                    column=header,
                )
            ),
        )
        stamp = fields.Date.context_today(self).strftime("%Y%m%d")
        return writer, chunks, f"{self.report_type}_{stamp}.xlsx"

    # ------------------------------------------------------------ helpers
    def _chunks(self, records, read):
        """Yield rows chunk by chunk, forgetting each chunk's cache afterwards."""
        for start in range(0, len(records), self.CHUNK):
            batch = records[start : start + self.CHUNK]
            yield read(batch)
            batch.invalidate_recordset()

    def _date_domain(self, field):
        domain = []
        if self.date_from:
            domain.append((field, ">=", self.date_from))
        if self.date_to:
            domain.append((field, "<=", self.date_to))
        return domain

    @api.model
    def _check_report_type(self, vals):
        known = dict(REPORT_TYPES)
        report_type = vals.get("report_type")
        if "report_type" in vals and not (isinstance(report_type, str) and report_type in known):
            raise UserError(
                self.env._(
                    "Unknown report type %(type)r: choose one of %(types)s.",
                    type=vals["report_type"],
                    types=", ".join(known),
                )
            )

    # ------------------------------------------------------------ reports
    def _xlsx_competitor_winloss(self):
        """One row per competitor: deals met, won, lost, open, win rate, revenue.

        Counts follow the analysis' ``outcome`` (the definition the competitor
        cards use too); no win rate before a deal is won or lost to them.
        """
        Report = self.env["crm.competitor.winloss.report"]
        domain = [("company_id", "in", [False, self.company_id.id])]
        domain += self._date_domain("date")
        groups = Report._read_group(
            domain,
            ["competitor_id", "outcome"],
            ["__count", "lost_count:sum", "won_revenue:sum", "lost_revenue:sum"],
        )
        strategies = dict(
            self.env["crm.competitor"]._fields["strategy"]._description_selection(self.env)
        )
        stats = {}
        for competitor, outcome, count, lost, won_revenue, lost_revenue in groups:
            row = stats.setdefault(
                competitor,
                {
                    "name": competitor.display_name,
                    "strategy": strategies.get(competitor.strategy, ""),
                    "met": 0,
                    "won": 0,
                    "lost": 0,
                    "open": 0,
                    "won_revenue": 0.0,
                    "lost_revenue": 0.0,
                },
            )
            row["met"] += count
            row["won"] += count if outcome == "won" else 0
            row["open"] += count if outcome == "open" else 0
            row["lost"] += lost
            row["won_revenue"] += won_revenue
            row["lost_revenue"] += lost_revenue
        rows = sorted(stats.values(), key=lambda r: r["name"] or "")
        for row in rows:
            decided = row["won"] + row["lost"]
            row["win_rate"] = row["won"] / decided * 100 if decided else None
        columns = [
            Column("name", self.env._("Competitor")),
            Column("strategy", self.env._("Strategy")),
            Column("met", self.env._("Deals met"), INTEGER, total=True),
            Column("won", self.env._("Won against"), INTEGER, total=True),
            Column("lost", self.env._("Lost to"), INTEGER, total=True),
            Column("open", self.env._("Open"), INTEGER, total=True),
            Column("win_rate", self.env._("Win rate (%)"), PERCENT),
            Column("won_revenue", self.env._("Won revenue"), MONEY, total=True),
            Column("lost_revenue", self.env._("Lost revenue"), MONEY, total=True),
        ]
        return self.env._("Competitor win-loss"), columns, [rows]

    def _xlsx_sales_funnel(self):
        """One row per cycle stage: reached, current, conversion, days, probable value.

        The rows of the on-screen analysis grouped by cycle and stage, read with
        the user's access rules (company, "own documents"), for the export's
        company (and leads without one). With a date range, only leads created
        in that range are counted.
        """
        Report = self.env["crm.sales.funnel.report"]
        domain = Domain("company_id", "in", [self.company_id.id, False]) & Domain(
            "sales_cycle_id.active", "=", True
        )
        if self.date_from or self.date_to:
            created = Domain.TRUE
            if self.date_from:
                created &= Domain(
                    "lead_create_date", ">=", datetime.combine(self.date_from, time.min)
                )
            if self.date_to:
                # the end of that day (not the next day's start: 9999-12-31 has none)
                created &= Domain(
                    "lead_create_date", "<=", datetime.combine(self.date_to, time.max)
                )
            # the stage's placeholder row keeps stages nobody reached listed
            domain &= Domain("lead_id", "=", False) | created
        groups = Report._read_group(
            domain,
            ["sales_cycle_id", "sequence", "stage_id"],
            [
                "reached_count:sum",
                "current_count:sum",
                "conversion_rate:avg",
                "avg_days:avg",
                "expected_revenue:sum",
            ],
            order="sales_cycle_id, sequence",
        )
        rows = [
            {
                "cycle": cycle.display_name,
                "stage": stage.display_name,
                "reached": reached,
                "current": current,
                "conversion": conversion,
                "avg_days": avg_days,
                "expected_revenue": revenue,
            }
            for cycle, _seq, stage, reached, current, conversion, avg_days, revenue in groups
        ]
        columns = [
            Column("cycle", self.env._("Sales cycle")),
            Column("stage", self.env._("Stage")),
            Column("reached", self.env._("Reached"), INTEGER),
            Column("current", self.env._("Currently there"), INTEGER, total=True),
            Column("conversion", self.env._("Conversion (%)"), PERCENT),
            Column("avg_days", self.env._("Average days"), FLOAT),
            Column("expected_revenue", self.env._("Probable value"), MONEY, total=True),
        ]
        return self.env._("Sales funnel"), columns, [rows]

    def _xlsx_warranty_expiry(self):
        """One row per warranty contract ending in the date range, soonest first."""
        Contract = self.env["crm.warranty.contract"]
        domain = [("company_id", "=", self.company_id.id)] + self._date_domain("date_end")
        contracts = Contract.search(domain, order="date_end, id")
        states = dict(Contract._fields["state"]._description_selection(self.env))
        types = dict(Contract._fields["warranty_type"]._description_selection(self.env))

        def read(batch):
            return [
                {
                    "name": c.name,
                    "partner": c.partner_id.display_name,
                    "product": c.product_id.display_name,
                    "serial": c.serial_number or "",
                    "quantity": c.quantity,
                    "order": c.sale_order_id.name or "",
                    "date_start": c.date_start,
                    "date_end": c.date_end,
                    "days": c.days_to_expiry,
                    "type": types.get(c.warranty_type, ""),
                    "state": states.get(c.state, ""),
                    "amount": c.amount,
                }
                for c in batch
            ]

        columns = [
            Column("name", self.env._("Contract")),
            Column("partner", self.env._("Customer")),
            Column("product", self.env._("Product")),
            Column("serial", self.env._("Serial number")),
            Column("quantity", self.env._("Quantity"), FLOAT, total=True),
            Column("order", self.env._("Sale order")),
            Column("date_start", self.env._("Start"), DATE),
            Column("date_end", self.env._("End"), DATE),
            Column("days", self.env._("Days to expiry"), INTEGER),
            Column("type", self.env._("Type")),
            Column("state", self.env._("Status")),
            Column("amount", self.env._("Amount"), MONEY, total=True),
        ]
        return self.env._("Warranty expiry"), columns, self._chunks(contracts, read)

    def _xlsx_credit_exposure(self):
        """One row per customer of the company: limit, exposure and its parts, status.

        Customers are those of the Credit Exposure list (see
        ``res.partner._credit_report_partner_ids``).
        """
        if not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._("Only invoicing users may export credit exposure."))
        company = self.company_id
        Partner = self.env["res.partner"].with_company(company)
        # the same customers as the Credit Exposure list (one definition), as a
        # sub-query of the search
        Partner._credit_flush()
        reported = Partner._credit_report_partner_sql(company, self.date_from, self.date_to)
        partners = Partner.search([("id", "in", reported)], order="complete_name, id")
        statuses = dict(Partner._fields["credit_status"]._description_selection(self.env))
        no_limit = self.env._("No limit")

        def read(batch):
            return [
                {
                    "name": p.display_name,
                    "vat": p.vat or "",
                    "limit": p.credit_limit,
                    "receivable": p.credit_exposure_receivable,
                    "orders": p.credit_exposure_orders,
                    "draft": p.credit_exposure_draft,
                    "exposure": p.credit_exposure,
                    "available": p.credit_available if p.credit_has_limit else no_limit,
                    "overdue": p.credit_overdue_amount,
                    "overdue_days": p.credit_overdue_days,
                    "status": statuses.get(p.credit_status, ""),
                    "hold_reason": p.credit_hold_reason or "",
                }
                for p in batch
            ]

        columns = [
            Column("name", self.env._("Customer")),
            Column("vat", self.env._("Tax ID")),
            Column("limit", self.env._("Credit limit"), MONEY),
            Column("receivable", self.env._("Open receivables"), MONEY, total=True),
            Column("orders", self.env._("Orders not invoiced"), MONEY, total=True),
            Column("draft", self.env._("Draft invoices"), MONEY, total=True),
            Column("exposure", self.env._("Exposure"), MONEY, total=True),
            Column("available", self.env._("Available"), MONEY),
            Column("overdue", self.env._("Overdue amount"), MONEY, total=True),
            Column("overdue_days", self.env._("Days overdue"), INTEGER),
            Column("status", self.env._("Status")),
            Column("hold_reason", self.env._("Hold reason")),
        ]
        return self.env._("Credit exposure"), columns, self._chunks(partners, read)

    def _xlsx_customer_insight(self):
        """One row per customer insight of the company, best customers first.

        With a date range, only customers whose last purchase falls in it.
        """
        Insight = self.env["crm.customer.insight"]
        domain = [("company_id", "=", self.company_id.id)]
        domain += self._date_domain("last_purchase_date")
        insights = Insight.search(domain, order="clv_12m desc, monetary desc, id")
        segments = dict(Insight._fields["rfm_segment"]._description_selection(self.env))

        def read(batch):
            return [
                {
                    "partner": i.partner_id.display_name,
                    "user": i.user_id.name or "",
                    "segment": segments.get(i.rfm_segment, ""),
                    "r": i.r_score,
                    "f": i.f_score,
                    "m": i.m_score,
                    "recency": i.recency_days,
                    "frequency": i.frequency,
                    "first": i.first_purchase_date,
                    "last": i.last_purchase_date,
                    "monetary": i.monetary,
                    "aov": i.average_order_value,
                    "churn": i.churn_probability if i.prediction_state == "predicted" else None,
                    "expected": (
                        i.expected_purchases_90d if i.prediction_state == "predicted" else None
                    ),
                    "order_value": i.expected_order_value or None,
                    "clv": i.clv_12m or None,
                    "next": i.next_purchase_date,
                }
                for i in batch
            ]

        columns = [
            Column("partner", self.env._("Customer")),
            Column("user", self.env._("Salesperson")),
            Column("segment", self.env._("Segment")),
            Column("r", self.env._("R score"), INTEGER),
            Column("f", self.env._("F score"), INTEGER),
            Column("m", self.env._("M score"), INTEGER),
            Column("recency", self.env._("Days since last purchase"), INTEGER),
            Column("frequency", self.env._("Purchase days"), INTEGER),
            Column("first", self.env._("First purchase"), DATE),
            Column("last", self.env._("Last purchase"), DATE),
            Column("monetary", self.env._("Net revenue"), MONEY, total=True),
            Column("aov", self.env._("Average order value"), MONEY),
            Column("churn", self.env._("Churn risk (%)"), PERCENT),
            Column("expected", self.env._("Expected purchases"), FLOAT, total=True),
            Column("order_value", self.env._("Expected order value"), MONEY),
            Column("clv", self.env._("12-month CLV"), MONEY, total=True),
            Column("next", self.env._("Expected next purchase"), DATE),
        ]
        return self.env._("Customer insights"), columns, self._chunks(insights, read)

    def _xlsx_retention_outcome(self):
        """One row per retention plan of the company (archived ones too): the outcome.

        The rates and the uplift are left empty while either group has fewer
        customers than the plan's minimum ("not enough customers yet").
        """
        plans = (
            self.env["crm.retention.plan"]
            .with_context(active_test=False)
            .search([("company_id", "=", self.company_id.id)], order="sequence, id")
        )

        def read(batch):
            rows = []
            for plan in batch:
                enough = plan.outcome_enough
                rows.append(
                    {
                        "plan": plan.name,
                        "active": self.env._("Yes") if plan.active else self.env._("No"),
                        "touches": plan.touch_count,
                        "contacted": plan.contacted_count,
                        "contacted_rate": plan.contacted_repurchase_rate if enough else None,
                        "holdout": plan.holdout_count,
                        "holdout_rate": plan.holdout_repurchase_rate if enough else None,
                        "uplift": plan.uplift if enough else None,
                        "note": "" if enough else self.env._("Not enough customers yet"),
                    }
                )
            return rows

        columns = [
            Column("plan", self.env._("Plan")),
            Column("active", self.env._("Active")),
            Column("touches", self.env._("Touches"), INTEGER, total=True),
            Column("contacted", self.env._("Contacted customers"), INTEGER, total=True),
            Column("contacted_rate", self.env._("Repurchase rate, contacted (%)"), PERCENT),
            Column("holdout", self.env._("Holdout customers"), INTEGER, total=True),
            Column("holdout_rate", self.env._("Repurchase rate, holdout (%)"), PERCENT),
            Column("uplift", self.env._("Uplift (points)"), FLOAT),
            Column("note", self.env._("Note")),
        ]
        return self.env._("Retention outcome"), columns, self._chunks(plans, read)
