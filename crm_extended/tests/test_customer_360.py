from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .query_count import count_queries
from .test_warranty_common import WarrantyCommon

C360_SALES = [
    "c360_lead_ids",
    "c360_lead_count",
    "c360_opportunity_count",
    "c360_opportunity_value",
    "c360_qualified_lead_count",
    "c360_competitor_ids",
    "c360_quotation_count",
    "c360_order_count",
    "c360_order_amount",
    "c360_warranty_active_count",
    "c360_warranty_expiring_count",
]
C360_QUERIES = 10  # leads, active flags, qualified, competitors, orders, warranties x2, invoices x2
C360_FINANCE = [
    "c360_open_invoice_count",
    "c360_open_invoice_amount",
    "c360_overdue_invoice_count",
    "c360_overdue_invoice_amount",
]


@tagged("post_install", "-at_install")
class TestCustomer360(WarrantyCommon):
    """Accounting set up, sales manager rights (see WarrantyCommon)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.competitor = cls.env["crm.competitor"].create({"name": "C360 Rival"})
        cls.warranted = cls._create_product(
            name="C360 Warranted", list_price=100.0, invoice_policy="order", warranty_months=12
        )

    def _customer(self, name, n_docs=1):
        """A company with a contact, and n_docs of each kind of document."""
        company = self.env["res.partner"].create({"name": name, "is_company": True})
        contact = self.env["res.partner"].create({"name": f"{name} buyer", "parent_id": company.id})
        leads = self.env["crm.lead"].create(
            [
                {"name": f"{name} lead {i}", "type": "lead", "partner_id": contact.id}
                for i in range(n_docs)
            ]
            + [
                {
                    "name": f"{name} opp {i}",
                    "type": "opportunity",
                    "partner_id": company.id,
                    "expected_revenue": 1000.0,
                    "probability": 50.0,
                    "competitor_line_ids": [Command.create({"competitor_id": self.competitor.id})],
                }
                for i in range(n_docs)
            ]
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": contact.id,
                    "order_line": [
                        Command.create({"product_id": self.warranted.id, "price_unit": 100.0})
                    ],
                }
                for _ in range(2 * n_docs)
            ]
        )
        orders[:n_docs].action_confirm()
        for _ in range(n_docs):
            self._create_invoice(
                partner_id=company.id,
                invoice_date=self.today - relativedelta(days=60),
                invoice_date_due=self.today - relativedelta(days=30),
                invoice_line_ids=[
                    Command.create({"product_id": self.product_a.id, "price_unit": 200.0})
                ],
                post=True,
            )
            self._create_invoice(
                partner_id=contact.id,
                invoice_date=self.today,
                invoice_date_due=self.today + relativedelta(days=30),
                invoice_line_ids=[
                    Command.create({"product_id": self.product_a.id, "price_unit": 300.0})
                ],
                post=True,
            )
        return company, contact, leads, orders

    def test_figures_of_the_commercial_entity(self):
        company, contact, leads, orders = self._customer("C360 One")
        opportunity = leads.filtered(lambda lead: lead.type == "opportunity")
        for partner in (company, contact):
            partner.invalidate_recordset()
            self.assertEqual(partner.c360_lead_ids, leads)
            self.assertEqual(partner.c360_lead_count, 1)
            self.assertEqual(partner.c360_opportunity_count, 1)
            self.assertAlmostEqual(partner.c360_opportunity_value, opportunity.prorated_revenue)
            self.assertEqual(partner.c360_competitor_ids, self.competitor)
            self.assertEqual(partner.c360_quotation_count, 1)
            self.assertEqual(partner.c360_order_count, 1)
            self.assertAlmostEqual(partner.c360_order_amount, orders[0].amount_total)
            self.assertEqual(partner.c360_warranty_active_count, 1)
            self.assertEqual(partner.c360_warranty_expiring_count, 0)
            self.assertEqual(partner.c360_open_invoice_count, 2)
            self.assertEqual(partner.c360_overdue_invoice_count, 1)
            overdue = self.env["account.move"].search(
                [("commercial_partner_id", "=", company.id), ("invoice_date_due", "<", self.today)]
            )
            self.assertAlmostEqual(partner.c360_overdue_invoice_amount, overdue.amount_residual)
        # won or lost leads leave the page
        opportunity.action_set_lost()
        company.invalidate_recordset()
        self.assertEqual(company.c360_opportunity_count, 0)
        self.assertFalse(company.c360_competitor_ids)
        # a warranty ending within the reminder days is expiring
        orders[0].warranty_contract_ids.date_end = self.today + relativedelta(days=3)
        company.invalidate_recordset()
        self.assertEqual(company.c360_warranty_expiring_count, 1)
        # the smart buttons open what is counted
        action = company.action_c360_overdue_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), overdue)
        action = company.action_c360_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), orders[0])

    def test_constant_queries_for_one_or_many_customers(self):
        few = self.env["res.partner"]
        many = self.env["res.partner"]
        for i in range(2):
            few |= self._customer(f"C360 few {i}")[0]
        for i in range(8):
            many |= self._customer(f"C360 many {i}", n_docs=2)[0]
        fnames = C360_SALES + C360_FINANCE

        def prepare(partners):
            self.env.invalidate_all()
            partners.mapped("commercial_partner_id")  # prefetched, as a form or list would

        prepare(few)
        few.read(fnames)  # warm the caches of access rules
        # 2 or 8 customers with twice the documents: the same handful of grouped queries
        counts = []
        for partners in (few, many):
            prepare(partners)
            counts.append(count_queries(self.env, lambda partners=partners: partners.read(fnames)))
        self.assertEqual(counts[0], counts[1], "the cost grows with the customers")
        self.assertLessEqual(counts[0], C360_QUERIES)

    def test_open_leads_and_competitors_listed_without_reading_each_one(self):
        company, contact, leads, _orders = self._customer("C360 Lean", n_docs=3)
        salesman = new_test_user(
            self.env, login="c360_lean_salesman", groups="sales_team.group_sale_salesman_all_leads"
        )
        fetched = []

        def spy(model):
            original = type(model)._fetch_query

            def _fetch_query(records, query, fields):
                fetched.append(records._name)
                return original(records, query, fields)

            return patch.object(type(model), "_fetch_query", _fetch_query)

        page = company.with_user(salesman)
        self.env.invalidate_all()
        with spy(self.env["crm.lead"]), spy(self.env["crm.competitor"]):
            values = page.read(C360_SALES)[0]
        # the page's grouped queries run under the user's record rules: the
        # leads and competitors are not read again, row by row, to check them
        self.assertEqual(fetched, [])
        self.assertEqual(sorted(values["c360_lead_ids"]), sorted(leads.ids))
        self.assertEqual(values["c360_competitor_ids"], self.competitor.ids)
        self.assertEqual(values["c360_lead_count"] + values["c360_opportunity_count"], len(leads))
        # and an archived competitor is not shown as met
        self.competitor.active = False
        self.env.invalidate_all()
        self.assertFalse(page.c360_competitor_ids)

    def test_finance_numbers_hidden_from_sales(self):
        company = self._customer("C360 Hidden")[0]
        salesman = new_test_user(
            self.env,
            login="c360_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.env.company.id,
        )
        controller = new_test_user(
            self.env,
            login="c360_controller",
            groups="crm_extended.group_credit_controller",
            company_id=self.env.company.id,
        )
        as_sales = company.with_user(salesman)
        self.assertEqual(as_sales.c360_opportunity_count, 1)
        self.assertEqual(as_sales.c360_order_count, 1)
        with self.assertRaises(AccessError):
            as_sales.read(["c360_overdue_invoice_amount"])
        self.assertNotIn("c360_overdue_invoice_amount", as_sales.fields_get())
        as_finance = company.with_user(controller)
        self.assertEqual(
            as_finance.read(["c360_overdue_invoice_count"])[0]["c360_overdue_invoice_count"], 1
        )
