import io

import openpyxl
import psycopg2.errors
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tagged("post_install", "-at_install")
class TestXlsxStream(HttpCase):
    """The export's download route streams the workbook, for its creator only,
    on a read-only cursor; the export and the 360 / credit figures only read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Stream Company B"})
        cls.seller = new_test_user(
            cls.env,
            login="stream_seller",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.other_seller = new_test_user(
            cls.env,
            login="stream_other",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.seller_b = new_test_user(
            cls.env,
            login="stream_seller_b",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.finance = new_test_user(
            cls.env,
            login="stream_finance",
            groups="sales_team.group_sale_salesman_all_leads,account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal = new_test_user(cls.env, login="stream_portal", groups="base.group_portal")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Stream Customer", "is_company": True}
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Stream Boiler", "type": "consu", "list_price": 100.0}
        )
        cls.contracts = cls.env["crm.warranty.contract"].create(
            [
                {
                    "partner_id": cls.customer.id,
                    "product_id": cls.product.id,
                    "serial_number": f"STREAM-{i}",
                    "quantity": 1,
                    "date_start": cls.today,
                    "date_end": cls.today + relativedelta(days=3 - i),
                    "amount": 10.0 * i,
                    "user_id": cls.seller.id,
                }
                for i in range(3)
            ]
        )

    def _wizard(self, user, report_type="warranty_expiry", **values):
        return (
            self.env["crm.extended.xlsx.export"]
            .with_user(user)
            .create({"report_type": report_type, **values})
        )

    def _get(self, url, login, refused=False):
        self.authenticate(login, login)
        if refused:
            # odoo.http logs the refusal (AccessError) as a warning
            with self.assertLogs("odoo.http", "WARNING"):
                return self.url_open(url, allow_redirects=False)
        # a write on the route's read-only cursor would be retried on a
        # read/write one, with a warning of odoo.http: there must be none
        with self.assertNoLogs("odoo.http", "WARNING"):
            return self.url_open(url, allow_redirects=False)

    def test_route_streams_the_workbook(self):
        wizard = self._wizard(self.seller)
        action = wizard.action_download()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["url"], f"/crm_extended/xlsx/{wizard.id}")
        response = self._get(action["url"], "stream_seller")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], XLSX_MIMETYPE)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        self.assertIn("warranty_expiry_", response.headers["Content-Disposition"])
        self.assertEqual(int(response.headers["Content-Length"]), len(response.content))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.sheetnames, ["Warranty expiry", "Filters"])
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        self.assertEqual(rows[0][:4], ("Contract", "Customer", "Product", "Serial number"))
        # soonest end first; then the totals row
        self.assertEqual([r[3] for r in rows[1:-1]], ["STREAM-2", "STREAM-1", "STREAM-0"])
        self.assertEqual(rows[-1][0], "Total")
        self.assertEqual(rows[-1][11], 30.0)
        filters = dict(book.worksheets[1].iter_rows(values_only=True))
        self.assertEqual(filters["Exported by"], self.seller.name)
        # the file went to the browser, not into the database
        wizard.invalidate_recordset()
        self.assertFalse(wizard.file_data)
        # the RPC path keeps its contract: the same workbook in file_data
        self.assertIn("/web/content/", wizard.action_export()["url"])
        self.assertTrue(wizard.file_data)

    def test_route_refuses_other_users_and_missing_rights(self):
        wizard = self._wizard(self.seller)
        url = f"/crm_extended/xlsx/{wizard.id}"
        self.assertEqual(self._get(url, "stream_seller").status_code, 200)
        # the ORM lets neither a colleague of the same company read the wizard
        # (its creator rule, issue 23) nor a salesperson of another company...
        with self.assertRaises(AccessError):
            wizard.with_user(self.other_seller).read(["report_type"])
        with self.assertRaises(AccessError):
            wizard.with_user(self.seller_b).read(["report_type"])
        # ...the route serves only the exports one made oneself
        self.assertEqual(self._get(url, "stream_other").status_code, 404)
        self.assertEqual(self._get(url, "stream_seller_b").status_code, 404)
        self.assertEqual(self._get(url, "stream_portal").status_code, 404)
        self.assertEqual(
            self._get("/crm_extended/xlsx/999999999", "stream_seller").status_code, 404
        )
        # the report's own rights apply, as in action_export: credit needs invoicing rights
        credit = self._wizard(self.seller, "credit_exposure")
        with self.assertRaises(AccessError):
            credit.action_download()
        with self.assertRaises(AccessError):
            credit.action_export()
        response = self._get(f"/crm_extended/xlsx/{credit.id}", "stream_seller", refused=True)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(XLSX_MIMETYPE, response.headers.get("Content-Type", ""))
        allowed = self._wizard(self.finance, "credit_exposure")
        self.assertEqual(
            self._get(f"/crm_extended/xlsx/{allowed.id}", "stream_finance").status_code, 200
        )
        # not logged in: no file
        self.logout()
        response = self.url_open(url, allow_redirects=False)
        self.assertNotEqual(response.status_code, 200)

    def test_route_is_read_only(self):
        rule = next(
            r
            for r in self.env["ir.http"].routing_map().iter_rules()
            if r.rule.startswith("/crm_extended/xlsx/")
        )
        self.assertIs(rule.endpoint.routing["readonly"], True)

    def test_export_and_figures_on_read_only_cursor(self):
        order = (
            self.env["sale.order"]
            .with_user(self.finance)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        Command.create({"product_id": self.product.id, "price_unit": 250.0})
                    ],
                }
            )
        )
        order.action_confirm()
        self.customer.sudo().with_company(self.company).credit_limit = 1000.0
        credit_fields = [
            "credit_exposure",
            "credit_exposure_orders",
            "credit_available",
            "credit_status",
        ]
        c360_fields = ["c360_order_count", "c360_order_amount", "c360_warranty_active_count"]
        partner = self.customer.with_user(self.finance).with_company(self.company)
        expected = {name: partner[name] for name in credit_fields + c360_fields}
        self.assertEqual(expected["credit_exposure_orders"], order.amount_total)
        self.assertEqual(expected["c360_order_count"], 1)
        credit = self._wizard(self.finance, "credit_exposure")
        warranty = self._wizard(self.finance, "warranty_expiry")
        self.env.flush_all()

        with self.env.registry.cursor(readonly=True) as cr:
            env = api.Environment(cr, self.finance.id, {"allowed_company_ids": self.company.ids})
            ro_partner = env["res.partner"].browse(self.customer.id)
            self.assertEqual({name: ro_partner[name] for name in expected}, expected)
            books = {}
            for wizard in (credit, warranty):
                writer, chunks, _name = (
                    env["crm.extended.xlsx.export"].browse(wizard.id)._xlsx_writer()
                )
                output = io.BytesIO()
                writer.write(chunks, output)
                books[wizard.report_type] = openpyxl.load_workbook(output)
            credit_rows = list(books["credit_exposure"].worksheets[0].iter_rows(values_only=True))
            row = next(r for r in credit_rows if r[0] == "Stream Customer")
            self.assertEqual(row[6], expected["credit_exposure"])
            warranty_rows = list(books["warranty_expiry"].worksheets[0].iter_rows(values_only=True))
            visible = (
                self.env["crm.warranty.contract"]
                .with_user(self.finance)
                .search_count([("company_id", "=", self.company.id)])
            )
            self.assertEqual(len(warranty_rows), visible + 2)  # header and totals
            self.assertLessEqual(
                {"STREAM-0", "STREAM-1", "STREAM-2"}, {r[3] for r in warranty_rows}
            )
            # the cursor really is read-only: nothing above could have written
            with (
                self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction),
                mute_logger("odoo.sql_db"),
            ):
                cr.execute(
                    "UPDATE res_partner SET write_date = write_date WHERE id = %s",
                    [self.customer.id],
                )
