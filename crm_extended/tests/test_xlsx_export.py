import base64
import datetime
import io

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class XlsxCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.customer = cls.env["res.partner"].create({"name": "Xlsx Customer", "is_company": True})

    def _export(self, report_type, **values):
        wizard = self.env["crm.extended.xlsx.export"].create({"report_type": report_type, **values})
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
                }
                for i in (1, 2, 3)
            ]
        )

    def test_warranty_expiry_rows_types_and_totals(self):
        book = self._export(
            "warranty_expiry",
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
        expected = self.env["crm.warranty.contract"].search(
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
        other = self.env["res.company"].create({"name": "Xlsx Other Co"})
        self.env.user.company_ids |= other
        self.env["crm.warranty.contract"].with_company(other).create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product.id,
                "date_start": self.today,
                "date_end": self.today + relativedelta(days=5),
                "company_id": other.id,
            }
        )
        rows = self._rows(self._export("warranty_expiry").worksheets[0])
        names = {row[0] for row in rows[1:-1]}
        self.assertTrue(set(self.contracts.mapped("name")) <= names)
        self.assertEqual(
            len(names),
            self.env["crm.warranty.contract"].search_count(
                [("company_id", "=", self.env.company.id)]
            ),
        )

    def test_competitor_winloss(self):
        competitor = self.env["crm.competitor"].create({"name": "Xlsx Rival", "strategy": "niche"})
        won_stage = self.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        leads = self.env["crm.lead"].create(
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
        book = self._export("competitor_winloss")
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
            date_from=datetime.date(2000, 1, 1),
            date_to=datetime.date(2000, 12, 31),
        )
        self.assertFalse([r for r in self._rows(past.worksheets[0]) if r[0] == "Xlsx Rival"])

    def test_sales_funnel_matches_report(self):
        cycle = self.env.ref("crm_extended.crm_sales_cycle_b2c")
        self.env["crm.lead"].create(
            [{"name": f"Xlsx lead {i}", "sales_cycle_id": cycle.id} for i in range(3)]
        )
        sheet = self._export("sales_funnel").worksheets[0]
        headers = [
            "Sales cycle", "Stage", "Reached", "Currently there", "Conversion (%)",
            "Average days", "Probable value",
        ]  # fmt: skip
        self.assertSheetShape(sheet, headers)
        rows = [r for r in self._rows(sheet) if r[0] == cycle.display_name]
        report = self.env["crm.sales.funnel.report"]._read_group(
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
            "sales_funnel", date_from=datetime.date(2000, 1, 1), date_to=datetime.date(2000, 1, 2)
        )
        past_rows = [r for r in self._rows(past.worksheets[0]) if r[0] == cycle.display_name]
        self.assertEqual({(r[2], r[3]) for r in past_rows}, {(0, 0)})

    def test_bad_input_refused(self):
        Export = self.env["crm.extended.xlsx.export"]
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
        cls.customer.with_company(cls.env.company).credit_limit = 1000.0
        cls.invoice = cls._create_invoice(
            partner_id=cls.customer.id,
            invoice_line_ids=[
                Command.create({"product_id": cls.product_a.id, "price_unit": 300.0})
            ],
            post=True,
        )

    def test_credit_exposure_rows_match_partner(self):
        book = self._export("credit_exposure")
        sheet = book.worksheets[0]
        headers = [
            "Customer", "Tax ID", "Credit limit", "Open receivables", "Orders not invoiced",
            "Draft invoices", "Exposure", "Available", "Overdue amount", "Days overdue",
            "Status", "Hold reason",
        ]  # fmt: skip
        self.assertSheetShape(sheet, headers)
        rows = self._rows(sheet)
        row = next(r for r in rows[1:-1] if r[0] == "Xlsx Customer")
        partner = self.customer.with_company(self.env.company)
        self.assertEqual(row[2], 1000.0)
        self.assertAlmostEqual(row[3], self.invoice.amount_total)
        self.assertAlmostEqual(row[6], partner.credit_exposure)
        self.assertAlmostEqual(row[7], partner.credit_available)
        self.assertEqual(row[10], "OK")
        self.assertEqual(rows[-1][0], "Total")
        self.assertAlmostEqual(rows[-1][6], sum(r[6] for r in rows[1:-1]))

    def test_credit_exposure_needs_invoicing_rights(self):
        salesman = self.env["res.users"].create(
            {
                "name": "Xlsx Seller",
                "login": "xlsx_seller",
                "company_id": self.env.company.id,
                "company_ids": [Command.set(self.env.company.ids)],
                "group_ids": [Command.set(self.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        wizard = (
            self.env["crm.extended.xlsx.export"]
            .with_user(salesman)
            .create({"report_type": "credit_exposure"})
        )
        with self.assertRaises(AccessError):
            wizard.action_export()
        # the same user may export the warranty report
        wizard.report_type = "warranty_expiry"
        wizard.action_export()
        self.assertTrue(wizard.file_data)
