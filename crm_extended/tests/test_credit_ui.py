"""What sales and finance see of credit control agrees with itself."""

import ast
import base64
import io
import re

import openpyxl

from odoo import Command
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tests import tagged

from ..tools.xlsx_writer import MONEY, Column, XlsxReportWriter
from .credit_common import CreditCommon

RAW_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@tagged("post_install", "-at_install")
class TestCreditExposureList(CreditCommon):
    def test_list_and_export_show_the_same_customers(self):
        held = self.env["res.partner"].create(
            {
                "name": "Zz Held Without Sales",
                "is_company": True,
                "credit_hold": True,
                "credit_hold_reason": "Dispute",
            }
        )
        over = self.env["res.partner"].create(
            {"name": "Zz Over Without Invoices", "is_company": True, "credit_limit": 50.0}
        )
        self.assertEqual(held.customer_rank, 0)
        self.assertEqual(over.customer_rank, 0)
        self._invoice(300.0)  # the common customer has an invoice
        action = self.env.ref("crm_extended.res_partner_credit_exposure_action")
        domain = Domain(ast.literal_eval(action.domain))
        listed = self.env["res.partner"].with_user(self.controller).search(domain)
        self.assertIn(held, listed)
        self.assertIn(over, listed)
        self.assertIn(self.customer, listed)
        self.assertNotIn(self.contact, listed)
        wizard = (
            self.env["crm.extended.xlsx.export"]
            .with_user(self.controller)
            .create({"report_type": "credit_exposure"})
        )
        wizard.action_export()
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data))).worksheets[0]
        names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
        names.discard(self.env._("Total"))
        self.assertEqual(names, set(listed.mapped("display_name")))

    def test_reported_filter_is_a_subquery_both_ways(self):
        """The list's filter is evaluated in the database as a sub-query (no list of
        every reported id shipped back and forth), and its negation is exact."""
        quiet = self.env["res.partner"].create({"name": "Zz Quiet", "is_company": True})
        self._invoice(300.0)
        Partner = self.env["res.partner"].with_user(self.controller)
        reported = Partner.search([("credit_reported", "=", True)])
        others = Partner.search([("credit_reported", "=", False)])
        self.assertIn(self.customer, reported)
        self.assertIn(quiet, others)
        self.assertFalse(reported & others)
        self.assertEqual(
            set(reported.ids),
            set(Partner._credit_report_partner_ids(self.env.company)) & set(Partner.search([]).ids),
        )
        query = Partner._search([("credit_reported", "=", True)])
        sql = query.select().code
        self.assertIn("UNION", sql)
        self.assertNotIn(str(self.customer.id), str(query.select().params))

    def test_totals_have_no_float_noise(self):
        writer = XlsxReportWriter(
            "Noise", [Column("name", "Name"), Column("amount", "Amount", MONEY, total=True)]
        )
        rows = [{"name": str(i), "amount": value} for i, value in enumerate((0.1, 0.2))]
        self.assertNotEqual(sum(row["amount"] for row in rows), 0.3, "float noise is real")
        sheet = openpyxl.load_workbook(io.BytesIO(writer.write(iter([rows])))).worksheets[0]
        self.assertEqual(sheet.cell(row=len(rows) + 2, column=2).value, 0.3)


@tagged("post_install", "-at_install")
class TestCreditApprovalLoop(CreditCommon):
    def setUp(self):
        super().setUp()
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Review"})
        self.order = self._order(1500.0, user=self.salesman)

    def test_request_gives_feedback(self):
        action = self.order.with_user(self.salesman).action_request_credit_approval()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(self.controller.name, action["params"]["message"])

    def test_salesperson_notified_of_the_decision_without_raw_times(self):
        for method, word in (
            ("action_reject_credit", "rejected"),
            ("action_approve_credit", "approved"),
        ):
            getattr(self.order.with_user(self.controller), method)()
            message = self.order.message_ids[0]
            self.assertIn(word, message.body)
            self.assertIn(self.salesman.partner_id, message.partner_ids)
            self.assertIn(self.salesman.partner_id, message.notified_partner_ids)
        for message in self.order.message_ids:
            self.assertFalse(RAW_DATETIME.search(message.body or ""), message.body)


@tagged("post_install", "-at_install")
class TestCreditCompanyTree(CreditCommon):
    def test_branch_documents_count_at_the_parent_company(self):
        self.company.write({"child_ids": [Command.create({"name": "Credit Branch"})]})
        self.env.cr.precommit.run()  # load the chart of accounts of the branch
        branch = self.company.child_ids
        self.env.user.company_ids |= branch
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "invoice_date": "2026-01-01",
                "company_id": branch.id,
                "partner_id": self.customer.id,
                "invoice_line_ids": [Command.create({"name": "branch sale", "price_unit": 400.0})],
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.company_id, branch)
        partner = self._figures()
        self.assertEqual(partner.credit_exposure_receivable, 400.0)
        self.assertEqual(partner.with_company(branch).credit_exposure_receivable, 400.0)

    def test_figures_follow_limit_and_hold_in_the_same_transaction(self):
        partner = self.customer.with_company(self.company)
        self.assertEqual(partner.credit_available, 1000.0)
        partner.credit_limit = 1500.0
        self.assertEqual(partner.credit_available, 1500.0, "no stale value")
        contact = self.contact.with_company(self.company)
        self.assertEqual(contact.credit_status, "ok")
        partner.write({"credit_hold": True, "credit_hold_reason": "Dispute"})
        self.assertEqual(contact.credit_status, "hold", "the contact follows its entity")


@tagged("post_install", "-at_install")
class TestCreditReadmeClaims(CreditCommon):
    """Claims of the README's credit section that had no test of their own."""

    def test_overdue_past_the_company_limit_blocks_without_limit_or_hold(self):
        late = self.env["res.partner"].create({"name": "Late Payer", "is_company": True})
        self.assertFalse(late.credit_limit)
        self._invoice(200.0, partner=late, due_days_ago=20)
        self.company.credit_hold_overdue_days = 30
        first = self._order(100.0, partner=late, user=self.salesman)
        first.with_user(self.salesman).action_confirm()  # 20 days overdue: within the rule
        self.assertEqual(first.state, "sale")
        self._invoice(300.0, partner=late, due_days_ago=45)
        second = self._order(100.0, partner=late, user=self.salesman)
        with self.assertRaisesRegex(UserError, "overdue by 45 days"):
            second.with_user(self.salesman).action_confirm()
        self.assertEqual(self._figures(late).credit_status, "hold")
        # the rule off: the same customer confirms again
        self.company.credit_hold_overdue_days = 0
        second.with_user(self.salesman).action_confirm()
        self.assertEqual(second.state, "sale")

    def test_badge_in_list_and_kanban_for_sales_only(self):
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Dispute"})
        plain = self._credit_user("crmx_badge_plain", [self.env.ref("base.group_user")])
        Partner = self.env["res.partner"]
        for view_type in ("kanban", "list"):
            arch = Partner.with_user(self.salesman).get_views([(False, view_type)])["views"][
                view_type
            ]["arch"]
            self.assertRegex(arch, r'<field name="credit_status"[^>]*widget="badge"', view_type)
            plain_arch = Partner.with_user(plain).get_views([(False, view_type)])["views"][
                view_type
            ]["arch"]
            self.assertNotIn('name="credit_status"', plain_arch, view_type)
        self.assertEqual(self.customer.with_user(self.salesman).credit_status, "hold")

    def test_settings_and_menus_where_the_readme_says(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        app = re.search(r'<app [^>]*name="account".*?</app>', arch, re.S)
        self.assertTrue(app, "the Invoicing settings app")
        for name in (
            "credit_hold_block_on_limit",
            "credit_hold_warning_percent",
            "credit_hold_overdue_days",
            "credit_controller_id",
        ):
            self.assertIn(f'name="{name}"', app.group(0))
        Menu = self.env["ir.ui.menu"]
        sales_root = self.env.ref("crm_extended.menu_credit_sales_root")
        finance_root = self.env.ref("crm_extended.menu_credit_finance_root")
        self.assertEqual(sales_root.parent_id, self.env.ref("sale.sale_menu_root"))
        self.assertEqual(finance_root.parent_id, self.env.ref("account.menu_finance"))
        plain = self._credit_user("crmx_menu_plain", [self.env.ref("base.group_user")])
        visible = {
            user: Menu.with_user(user)._visible_menu_ids()
            for user in (self.salesman, self.billing_user, plain)
        }
        self.assertIn(sales_root.id, visible[self.salesman])
        self.assertIn(finance_root.id, visible[self.billing_user])
        self.assertNotIn(sales_root.id, visible[plain])
        self.assertNotIn(finance_root.id, visible[plain])


@tagged("post_install", "-at_install")
class TestCreditFiguresAreTheCustomers(CreditCommon):
    """Credit figures add up every document of the customer, whoever owns it;
    the lists behind the figures follow the reader's record rules."""

    def test_own_documents_salesperson_counts_a_colleagues_order_but_lists_their_own(self):
        colleague = self._credit_user("crmx_credit_colleague", [self.group_salesman])
        mine = self._order(100.0, confirm=True, user=self.salesman)
        theirs = self._order(300.0, confirm=True, user=colleague)
        customer = self.customer.with_user(self.salesman).with_company(self.company)
        self.assertEqual(customer.credit_open_order_count, 2)
        self.assertEqual(customer.credit_exposure_orders, 400.0)
        action = customer.action_view_credit_open_orders()
        self.assertEqual(set(action["domain"][0][2]), {mine.id, theirs.id})
        listed = self.env["sale.order"].with_user(self.salesman).search(action["domain"])
        self.assertEqual(listed, mine, "the list shows what the salesperson may read")
