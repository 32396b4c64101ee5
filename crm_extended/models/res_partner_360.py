from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain


class ResPartner(models.Model):
    _inherit = "res.partner"

    # One page both departments see. Every figure is the commercial entity's,
    # computed for the whole recordset in a constant number of grouped queries.
    # its own compute: Monetary fields read their currency in sudo, which must
    # not run the whole 360 aggregate a second time
    c360_currency_id = fields.Many2one(
        "res.currency", compute="_compute_c360_currency_id", string="360 Currency"
    )
    # the compute puts in active records only: no filtering on `active` again
    # when the value is read (it would fetch every lead and competitor)
    c360_lead_ids = fields.Many2many(
        "crm.lead",
        compute="_compute_c360_sales",
        string="Open Leads and Opportunities",
        context={"active_test": False},
    )
    c360_lead_count = fields.Integer("Open Leads", compute="_compute_c360_sales")
    c360_opportunity_count = fields.Integer("Open Opportunities", compute="_compute_c360_sales")
    c360_opportunity_value = fields.Monetary(
        "Probable Value",
        compute="_compute_c360_sales",
        currency_field="c360_currency_id",
        help="Expected revenue weighted by probability of the open opportunities.",
    )
    c360_qualified_lead_count = fields.Integer(
        "Qualified Open Leads", compute="_compute_c360_sales"
    )
    c360_competitor_ids = fields.Many2many(
        "crm.competitor",
        compute="_compute_c360_sales",
        string="Competitors Met",
        context={"active_test": False},
    )
    c360_quotation_count = fields.Integer("Quotations", compute="_compute_c360_sales")
    c360_order_count = fields.Integer("Confirmed Orders", compute="_compute_c360_sales")
    c360_order_amount = fields.Monetary(
        "Ordered", compute="_compute_c360_sales", currency_field="c360_currency_id"
    )
    c360_warranty_active_count = fields.Integer("Active Warranties", compute="_compute_c360_sales")
    c360_warranty_expiring_count = fields.Integer(
        "Expiring Warranties", compute="_compute_c360_sales"
    )
    c360_open_invoice_count = fields.Integer(
        "Open Invoices",
        compute="_compute_c360_finance",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    c360_open_invoice_amount = fields.Monetary(
        "Open Invoices Due",
        compute="_compute_c360_finance",
        currency_field="c360_currency_id",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    c360_overdue_invoice_count = fields.Integer(
        "Overdue Invoice Count",
        compute="_compute_c360_finance",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    c360_overdue_invoice_amount = fields.Monetary(
        "Overdue Invoices Due",
        compute="_compute_c360_finance",
        currency_field="c360_currency_id",
        groups="account.group_account_invoice,account.group_account_readonly",
    )

    @api.depends_context("company")
    def _compute_c360_currency_id(self):
        self.c360_currency_id = self.env.company.currency_id

    @api.depends_context("company", "uid")
    def _compute_c360_sales(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        stats = defaultdict(lambda: defaultdict(float))
        leads_of, competitors_of = defaultdict(list), defaultdict(list)
        contacts = self._c360_contacts()
        Lead = self.env["crm.lead"]
        if Lead.has_access("read"):
            # the current company's leads (and those without a company), as
            # Odoo's own company rule shows them: no other company's revenue
            open_leads = (
                Domain("active", "=", True)
                & Domain("won_status", "=", "pending")
                & Domain("company_id", "in", [company.id, False])
            )
            entity_of_lead = {}
            for cid, kind, count, value, ids in self._c360_by_commercial(
                "crm.lead",
                contacts,
                open_leads,
                ["__count", "prorated_revenue:sum", "id:array_agg"],
                extra_groupby=["type"],
            ):
                stats[cid][kind] += count
                if kind == "opportunity":
                    stats[cid]["value"] += value
                leads_of[cid] += ids
                entity_of_lead.update(dict.fromkeys(ids, cid))
            if entity_of_lead:
                for cid, count in self._c360_by_commercial(
                    "crm.lead",
                    contacts,
                    Domain("id", "in", list(entity_of_lead))
                    & Domain("qualification_status", "=", "qualified"),
                    ["__count"],
                ):
                    stats[cid]["qualified"] += count
                # active competitors only, as a many2many shows them
                for lead, competitor_ids in self.env["crm.lead.competitor"]._read_group(
                    [("lead_id", "in", list(entity_of_lead)), ("competitor_id.active", "=", True)],
                    ["lead_id"],
                    ["competitor_id:array_agg"],
                ):
                    competitors_of[entity_of_lead[lead.id]] += competitor_ids
        Order = self.env["sale.order"]
        if Order.has_access("read"):
            # orders in another currency are converted at their order date's rate
            # (sale.order.currency_rate, as Odoo's sales analysis does): grouping
            # by that rate keeps this one query
            for cid, state, rate, count, amount in self._c360_by_commercial(
                "sale.order",
                contacts,
                [("state", "in", ("draft", "sent", "sale")), ("company_id", "=", company.id)],
                ["__count", "amount_total:sum"],
                extra_groupby=["state", "currency_rate"],
            ):
                key = "orders" if state == "sale" else "quotations"
                stats[cid][key] += count
                if state == "sale":
                    stats[cid]["ordered"] += amount / rate if rate else amount
        Contract = self.env["crm.warranty.contract"]
        if Contract.has_access("read"):
            # one query: active contracts per customer and end date
            horizon = today + relativedelta(days=company.warranty_reminder_days or 30)
            for cid, date_end, count in self._c360_by_commercial(
                "crm.warranty.contract",
                contacts,
                [("state", "=", "active"), ("company_id", "=", company.id)],
                ["__count"],
                extra_groupby=["date_end:day"],
            ):
                stats[cid]["warranties"] += count
                if date_end and date_end <= horizon:
                    stats[cid]["expiring"] += count
        # straight into the cache: the leads and competitors come from queries
        # under the user's record rules, which assigning them would check again
        # one by one (fetching every lead and competitor)
        for partner in self:
            cid = partner.commercial_partner_id.id
            data = stats[cid]
            partner._update_cache(
                {
                    "c360_lead_ids": leads_of[cid],
                    "c360_lead_count": int(data["lead"]),
                    "c360_opportunity_count": int(data["opportunity"]),
                    "c360_opportunity_value": company.currency_id.round(data["value"]),
                    "c360_qualified_lead_count": int(data["qualified"]),
                    "c360_competitor_ids": sorted(set(competitors_of[cid])),
                    "c360_quotation_count": int(data["quotations"]),
                    "c360_order_count": int(data["orders"]),
                    "c360_order_amount": company.currency_id.round(data["ordered"]),
                    "c360_warranty_active_count": int(data["warranties"]),
                    "c360_warranty_expiring_count": int(data["expiring"]),
                },
                validate=False,
            )

    @api.depends_context("company", "uid")
    def _compute_c360_finance(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        stats = defaultdict(lambda: defaultdict(float))
        open_invoices = [
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("company_id", "=", company.id),
        ]
        # one query: open invoices per customer and due date; overdue ones are
        # those due before today. Filtered through the moves' partner (indexed),
        # grouped on their stored commercial partner.
        for partner, due, count, amount in self.env["account.move"]._read_group(
            Domain(open_invoices) & Domain("partner_id", "in", list(self._c360_contacts())),
            ["commercial_partner_id", "invoice_date_due:day"],
            ["__count", "amount_residual_signed:sum"],
        ):
            data = stats[partner.id]
            data["open"] += count
            data["open_amount"] += amount
            if due and due < today:
                data["overdue"] += count
                data["overdue_amount"] += amount
        for partner in self:
            data = stats[partner.commercial_partner_id.id]
            partner.c360_open_invoice_count = int(data["open"])
            partner.c360_open_invoice_amount = company.currency_id.round(data["open_amount"])
            partner.c360_overdue_invoice_count = int(data["overdue"])
            partner.c360_overdue_invoice_amount = company.currency_id.round(data["overdue_amount"])

    def action_c360_open_leads(self):
        return self._c360_action(
            "crm.crm_lead_all_leads",
            [("id", "in", self.c360_lead_ids.ids)],
        )

    def action_c360_revenue_graph(self):
        """The customer's invoiced revenue by month, as Odoo's invoice analysis graphs it."""
        action = self._c360_action(
            "account.action_account_invoice_report_all",
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ],
            {"group_by": ["invoice_date:month"], "graph_measure": "price_subtotal"},
        )
        action["name"] = self.env._("Revenue by Month")
        return action

    def action_c360_pipeline_graph(self):
        """The customer's open opportunities by stage, as the pipeline analysis graphs them."""
        action = self._c360_action(
            "crm.crm_opportunity_report_action",
            [
                ("partner_id", "child_of", self.commercial_partner_id.id),
                ("type", "=", "opportunity"),
                ("won_status", "=", "pending"),
                ("company_id", "in", (self.env.company.id, False)),
            ],
            {"group_by": ["stage_id"], "graph_measure": "prorated_revenue"},
        )
        action["name"] = self.env._("Pipeline by Stage")
        return action

    def action_c360_quotations(self):
        return self._c360_action(
            "sale.action_quotations_with_onboarding",
            [
                ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
                ("state", "in", ("draft", "sent")),
                ("company_id", "=", self.env.company.id),
            ],
        )

    def action_c360_orders(self):
        return self._c360_action(
            "sale.action_orders",
            [
                ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
                ("state", "=", "sale"),
                ("company_id", "=", self.env.company.id),
            ],
        )

    def action_c360_open_invoices(self):
        return self._c360_action(
            "account.action_move_out_invoice_type", self._c360_invoice_domain()
        )

    def action_c360_overdue_invoices(self):
        return self._c360_action(
            "account.action_move_out_invoice_type", self._c360_invoice_domain(overdue=True)
        )

    def action_c360_warranties(self):
        return self._c360_action(
            "crm_extended.crm_warranty_contract_action",
            [
                ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id),
                ("state", "=", "active"),
                ("company_id", "=", self.env.company.id),
            ],
        )

    def _c360_contacts(self):
        """{contact id: commercial entity id} for the contacts the user sees
        (archived ones included) of the commercial entities of ``self``: one
        query. Documents are then filtered and grouped on their own partner
        column, with no join on partners."""
        entities = self.commercial_partner_id
        contacts = {pid: pid for pid in entities.ids}
        for entity, ids in (
            self.env["res.partner"]
            .with_context(active_test=False)
            ._read_group(
                [("commercial_partner_id", "in", entities.ids)],
                ["commercial_partner_id"],
                ["id:array_agg"],
            )
        ):
            contacts.update(dict.fromkeys(ids, entity.id))
        return contacts

    def _c360_by_commercial(self, model, contacts, domain, aggregates, extra_groupby=()):
        """Grouped figures of ``model`` per commercial entity (one query): rows of
        (commercial entity id, *extra groups, *aggregates)."""
        for partner, *values in self.env[model]._read_group(
            Domain("partner_id", "in", list(contacts)) & Domain(domain),
            ["partner_id", *extra_groupby],
            aggregates,
        ):
            yield contacts[partner.id], *values

    def _c360_action(self, xmlid, domain, context=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = dict(context or {}, create=False)
        return action

    def _c360_invoice_domain(self, overdue=False):
        domain = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("company_id", "=", self.env.company.id),
        ]
        if overdue:
            domain.append(("invoice_date_due", "<", fields.Date.context_today(self)))
        return domain
