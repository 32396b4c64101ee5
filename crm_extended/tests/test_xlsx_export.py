import base64
import datetime
import io

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class XlsxCase(TransactionCase):
    """Exports made by the user whose job it is: a salesperson who sees their
    own documents (``seller``), a colleague, a sales manager, a finance
    (invoicing) user, a sales manager of company B, one of both companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.customer = cls.env["res.partner"].create({"name": "Xlsx Customer", "is_company": True})
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Xlsx Company B"})

        def user(login, groups, companies=cls.company):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=companies[0].id,
                company_ids=[Command.set(companies.ids)],
            )

        cls.seller = user("xlsx_own_seller", "sales_team.group_sale_salesman")
        cls.colleague = user("xlsx_colleague", "sales_team.group_sale_salesman")
        cls.sales_manager = user("xlsx_sales_manager", "sales_team.group_sale_manager")
        cls.finance = user("xlsx_finance", "account.group_account_invoice")
        cls.manager_b = user("xlsx_manager_b", "sales_team.group_sale_manager", cls.company_b)
        cls.manager_ab = user(
            "xlsx_manager_ab", "sales_team.group_sale_manager", cls.company | cls.company_b
        )

    def _export(self, report_type, user, companies=None, **values):
        """Export as ``user``, working in ``companies`` (their main company by default)."""
        env = self.env(
            user=user, context={"allowed_company_ids": (companies or user.company_id).ids}
        )
        wizard = env["crm.extended.xlsx.export"].create({"report_type": report_type, **values})
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(
            f"/web/content/crm.extended.xlsx.export/{wizard.id}/file_data/", action["url"]
        )
        self.assertTrue(wizard.file_name.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        return book

    def _rows(self, sheet):
        return [list(row) for row in sheet.iter_rows(values_only=True)]

    def assertSheetShape(self, sheet, headers):
        self.assertEqual(self._rows(sheet)[0], headers)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertTrue(sheet.auto_filter.ref.startswith("A1:"), sheet.auto_filter.ref)
        for index in range(1, len(headers) + 1):
            letter = openpyxl.utils.get_column_letter(index)
            self.assertGreaterEqual(sheet.column_dimensions[letter].width, len(headers[index - 1]))


@tagged("post_install", "-at_install")
class TestXlsxExport(XlsxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create(
            {"name": "Xlsx Boiler", "type": "consu", "list_price": 100.0}
        )
        Contract = cls.env["crm.warranty.contract"]
        cls.contracts = Contract.create(
            [
                {
                    "partner_id": cls.customer.id,
                    "product_id": cls.product.id,
                    "serial_number": f"SN-{i}",
                    "quantity": i,
                    "date_start": cls.today - relativedelta(months=12),
                    "date_end": cls.today + relativedelta(days=10 * i),
                    "amount": 50.0 * i,
                    "user_id": cls.seller.id,
                }
                for i in (1, 2, 3)
            ]
        )

    def test_warranty_expiry_rows_types_and_totals(self):
        # a salesperson exports the contracts ending soon (those he may read)
        book = self._export(
            "warranty_expiry",
            self.seller,
            date_from=self.today,
            date_to=self.today + relativedelta(days=25),
        )
        self.assertEqual(book.sheetnames, ["Warranty expiry", "Filters"])
        sheet = book.worksheets[0]
        headers = [
            "Contract", "Customer", "Product", "Serial number", "Quantity", "Sale order",
            "Start", "End", "Days to expiry", "Type", "Status", "Amount",
        ]  # fmt: skip
        self.assertSheetShape(sheet, headers)
        rows = self._rows(sheet)
        data, totals = rows[1:-1], rows[-1]
        expected = self.env(user=self.seller)["crm.warranty.contract"].search(
            [
                ("date_end", ">=", self.today),
                ("date_end", "<=", self.today + relativedelta(days=25)),
            ],
            order="date_end, id",
        )
        self.assertEqual([r[0] for r in data], expected.mapped("name"))
        # ours: the contracts ending in 10 and 20 days, soonest first
        first, second = [r for r in data if r[1] == "Xlsx Customer"]
        self.assertEqual(first[0], self.contracts[0].name)
        self.assertEqual(first[3], "SN-1")
        self.assertEqual(second[3], "SN-2")
        self.assertIsInstance(first[4], (int, float))
        self.assertEqual(first[4], 1)
        self.assertIsInstance(first[7], datetime.datetime)
        self.assertEqual(first[7].date(), self.today + relativedelta(days=10))
        self.assertEqual(first[8], 10)
        self.assertEqual(first[11], 50.0)
        self.assertEqual(totals[0], "Total")
        self.assertEqual(totals[4], sum(expected.mapped("quantity")))
        self.assertEqual(totals[11], sum(expected.mapped("amount")))
        self.assertEqual(sum(r[11] for r in data), totals[11])
        money_format = sheet.cell(row=2, column=12).number_format
        self.assertIn(self.env.company.currency_id.symbol, money_format)
        self.assertEqual(sheet.cell(row=2, column=8).number_format, "yyyy-mm-dd")

        filters = dict(self._rows(book["Filters"]))
        self.assertEqual(filters["Report"], "Warranty expiry")
        self.assertEqual(filters["Company"], self.env.company.name)
        self.assertEqual(filters["Date from"].date(), self.today)

    def test_warranty_expiry_only_current_company(self):
        other = self.company_b
        contract_b = (
            self.env["crm.warranty.contract"]
            .with_company(other)
            .create(
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product.id,
                    "date_start": self.today,
                    "date_end": self.today + relativedelta(days=5),
                    "company_id": other.id,
                }
            )
        )

        def names(book):
            return {row[0] for row in self._rows(book.worksheets[0])[1:-1]}

        # a manager working in both companies exports one company at a time
        both = self.company | other
        exported_a = names(self._export("warranty_expiry", self.manager_ab, both))
        self.assertTrue(set(self.contracts.mapped("name")) <= exported_a)
        self.assertNotIn(contract_b.name, exported_a)
        self.assertEqual(
            len(exported_a),
            self.env["crm.warranty.contract"].search_count([("company_id", "=", self.company.id)]),
        )
        exported_b = self._export("warranty_expiry", self.manager_ab, both, company_id=other.id)
        self.assertEqual(names(exported_b), {contract_b.name})
        # company B's manager exports company B's contracts...
        self.assertEqual(names(self._export("warranty_expiry", self.manager_b)), {contract_b.name})
        # ...never company A's, even naming the company
        with self.assertRaises(UserError):
            self._export("warranty_expiry", self.manager_b, company_id=self.company.id)

    def test_competitor_winloss(self):
        # the salesperson records the competitor and his deals, then exports
        env = self.env(user=self.seller)
        competitor = env["crm.competitor"].create({"name": "Xlsx Rival", "strategy": "niche"})
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        leads = env["crm.lead"].create(
            [
                {
                    "name": f"Xlsx deal {i}",
                    "type": "opportunity",
                    "expected_revenue": 1000.0 * i,
                    "competitor_line_ids": [Command.create({"competitor_id": competitor.id})],
                }
                for i in (1, 2, 3)
            ]
        )
        leads[0].write({"stage_id": won_stage.id})
        leads[1].action_set_lost(lost_to_competitor_id=competitor.id)
        self.assertEqual(leads.user_id, self.seller)
        book = self._export("competitor_winloss", self.seller)
        sheet = book.worksheets[0]
        headers = [
            "Competitor", "Strategy", "Deals met", "Won against", "Lost to", "Open",
            "Win rate (%)", "Won revenue", "Lost revenue",
        ]  # fmt: skip
        self.assertSheetShape(sheet, headers)
        row = next(r for r in self._rows(sheet) if r[0] == "Xlsx Rival")
        self.assertEqual(row[1:], ["Niche", 3, 1, 1, 1, 50.0, 1000.0, 2000.0])
        # the same numbers as the competitor's own statistics
        self.assertEqual(
            (competitor.opportunity_count, competitor.won_count, competitor.lost_count),
            (3, 1, 1),
        )
        # a date range before the deals existed leaves them out
        past = self._export(
            "competitor_winloss",
            self.seller,
            date_from=datetime.date(2000, 1, 1),
            date_to=datetime.date(2000, 12, 31),
        )
        self.assertFalse([r for r in self._rows(past.worksheets[0]) if r[0] == "Xlsx Rival"])

    def test_sales_funnel_matches_report(self):
        # the sales manager exports the funnel he sees on screen
        cycle = self.env.ref("crm_extended.crm_sales_cycle_b2c")
        self.env(user=self.seller)["crm.lead"].create(
            [{"name": f"Xlsx lead {i}", "sales_cycle_id": cycle.id} for i in range(3)]
        )
        sheet = self._export("sales_funnel", self.sales_manager).worksheets[0]
        headers = [
            "Sales cycle", "Stage", "Reached", "Currently there", "Conversion (%)",
            "Average days", "Probable value",
        ]  # fmt: skip
        self.assertSheetShape(sheet, headers)
        rows = [r for r in self._rows(sheet) if r[0] == cycle.display_name]
        report = self.env(user=self.sales_manager)["crm.sales.funnel.report"]._read_group(
            [("sales_cycle_id", "=", cycle.id)],
            ["sequence", "stage_id"],
            ["reached_count:sum", "current_count:sum", "conversion_rate:avg"],
            order="sequence",
        )
        self.assertEqual(len(rows), len(report))
        for row, (_seq, stage, reached, current, rate) in zip(rows, report, strict=True):
            self.assertEqual(row[1], stage.display_name)
            self.assertEqual(row[2], reached)
            self.assertEqual(row[3], current)
            self.assertAlmostEqual(row[4], rate, places=2)
        self.assertGreaterEqual(rows[0][2], 3)
        # leads created before the range count nowhere
        past = self._export(
            "sales_funnel",
            self.sales_manager,
            date_from=datetime.date(2000, 1, 1),
            date_to=datetime.date(2000, 1, 2),
        )
        past_rows = [r for r in self._rows(past.worksheets[0]) if r[0] == cycle.display_name]
        self.assertEqual({(r[2], r[3]) for r in past_rows}, {(0, 0)})

    def test_warranty_expiry_follows_own_documents(self):
        """A salesperson restricted to his own documents exports his contracts
        and the unassigned ones; his sales manager and finance export every
        contract of the company."""
        self.env["crm.warranty.contract"].create(
            [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product.id,
                    "serial_number": serial,
                    "date_start": self.today,
                    "date_end": self.today + relativedelta(days=3),
                    "user_id": user.id,
                }
                for serial, user in (
                    ("NOBODY", self.env["res.users"]),
                    ("OWN-COLLEAGUE", self.colleague),
                )
            ]
        )

        def serials(user):
            rows = self._rows(self._export("warranty_expiry", user).worksheets[0])[1:-1]
            return {row[3] for row in rows if row[1] == "Xlsx Customer"}

        sellers = {"SN-1", "SN-2", "SN-3"}
        everything = sellers | {"NOBODY", "OWN-COLLEAGUE"}
        self.assertEqual(serials(self.sales_manager), everything)
        self.assertEqual(serials(self.finance), everything)
        self.assertEqual(serials(self.seller), sellers | {"NOBODY"})
        self.assertEqual(serials(self.colleague), {"NOBODY", "OWN-COLLEAGUE"})

    def test_bad_input_refused(self):
        Export = self.env(user=self.seller)["crm.extended.xlsx.export"]
        with self.assertRaises(ValidationError):
            Export.create(
                {
                    "report_type": "warranty_expiry",
                    "date_from": self.today,
                    "date_to": self.today - relativedelta(days=1),
                }
            )
        with self.assertRaises(UserError):
            Export.create({"report_type": "everything"})
        self.assertFalse(Export.search([]))
        wizard = Export.create({"report_type": "warranty_expiry"})
        with self.assertRaises(UserError):
            wizard.write({"report_type": "everything"})
        self.assertEqual(wizard.report_type, "warranty_expiry")


@tagged("post_install", "-at_install")
class TestXlsxCreditExport(AccountTestInvoicingCommon, XlsxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the accounting tests' company: its finance user and salesperson
        company = cls.env.company
        cls.credit_finance, cls.credit_seller = (
            new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
            for login, groups in (
                ("xlsx_credit_finance", "account.group_account_invoice"),
                ("xlsx_credit_seller", "sales_team.group_sale_salesman"),
            )
        )
        cls.customer.with_company(cls.env.company).credit_limit = 1000.0
        cls.invoice = cls._create_invoice(
            partner_id=cls.customer.id,
            invoice_line_ids=[
                Command.create({"product_id": cls.product_a.id, "price_unit": 300.0})
            ],
            post=True,
        )

    def test_credit_exposure_rows_match_partner(self):
        book = self._export("credit_exposure", self.credit_finance)
        sheet = book.worksheets[0]
        headers = [
            "Customer", "Tax ID", "Credit limit", "Open receivables", "Orders not invoiced",
            "Draft invoices", "Exposure", "Available", "Overdue amount", "Days overdue",
            "Status", "Hold reason",
        ]  # fmt: skip
        self.assertSheetShape(sheet, headers)
        rows = self._rows(sheet)
        row = next(r for r in rows[1:-1] if r[0] == "Xlsx Customer")
        partner = self.customer.with_user(self.credit_finance).with_company(self.env.company)
        self.assertEqual(row[2], 1000.0)
        self.assertAlmostEqual(row[3], self.invoice.amount_total)
        self.assertAlmostEqual(row[6], partner.credit_exposure)
        self.assertAlmostEqual(row[7], partner.credit_available)
        self.assertEqual(row[10], "OK")
        self.assertEqual(rows[-1][0], "Total")
        self.assertAlmostEqual(rows[-1][6], sum(r[6] for r in rows[1:-1]))

    def test_credit_exposure_available_says_no_limit_and_zero_on_hold(self):
        unlimited = self.env["res.partner"].create({"name": "Xlsx Unlimited", "is_company": True})
        self._create_invoice(
            partner_id=unlimited.id,
            invoice_line_ids=[
                Command.create({"product_id": self.product_a.id, "price_unit": 50.0})
            ],
            post=True,
        )
        self.customer.with_company(self.env.company).sudo().write(
            {"credit_hold": True, "credit_hold_reason": "Dispute"}
        )
        rows = self._rows(self._export("credit_exposure", self.credit_finance).worksheets[0])
        by_name = {row[0]: row for row in rows[1:-1]}
        self.assertEqual(by_name["Xlsx Unlimited"][7], "No limit")
        self.assertEqual(by_name["Xlsx Customer"][7], 0.0, "nothing available on hold")

    def test_credit_exposure_needs_invoicing_rights(self):
        # finance exports the credit exposure...
        rows = self._rows(self._export("credit_exposure", self.credit_finance).worksheets[0])
        self.assertIn("Xlsx Customer", [row[0] for row in rows])
        # ...a salesperson may not
        wizard = (
            self.env["crm.extended.xlsx.export"]
            .with_user(self.credit_seller)
            .create({"report_type": "credit_exposure"})
        )
        with self.assertRaises(AccessError):
            wizard.action_export()
        self.assertFalse(wizard.file_data)
        # the same user may export the warranty report
        wizard.report_type = "warranty_expiry"
        wizard.action_export()
        self.assertTrue(wizard.file_data)
