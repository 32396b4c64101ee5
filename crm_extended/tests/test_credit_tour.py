from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCreditTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # each job by its own user: an "own documents" salesperson, a credit controller
        cls.salesman = new_test_user(
            cls.env,
            login="crmx_tour_salesman",
            name="Tour Salesman",
            groups="sales_team.group_sale_salesman",
        )
        cls.controller = new_test_user(
            cls.env,
            login="crmx_tour_controller",
            name="Tour Controller",
            groups="crm_extended.group_credit_controller,sales_team.group_sale_salesman_all_leads",
        )

    def test_credit_tour_request_approve_confirm(self):
        self.assertFalse(self.salesman.has_group("crm_extended.group_credit_controller"))
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Credit Customer",
                "is_company": True,
                "credit_limit": 100.0,
                "credit_hold": True,
                "credit_hold_reason": "Tour hold reason",
            }
        )
        product = self.env["product.product"].create(
            {"name": "Tour credit product", "list_price": 500.0, "taxes_id": [Command.clear()]}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": self.salesman.id,
                "order_line": [
                    Command.create({"product_id": product.id, "tax_ids": [Command.clear()]})
                ],
            }
        )
        self.assertIn("Tour hold reason", order.credit_block_reason)
        url = f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}"

        self.start_tour(url, "crm_extended_credit_request_tour", login="crmx_tour_salesman")
        order.invalidate_recordset()
        self.assertEqual((order.state, order.credit_approval_state), ("draft", "requested"))
        self.assertIn(
            self.controller,
            order.activity_ids.user_id,
            "the credit controllers get an activity to review the request",
        )

        self.start_tour(url, "crm_extended_credit_approve_tour", login="crmx_tour_controller")
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft", "approving does not confirm a plain quotation")
        self.assertEqual(order.credit_approval_state, "approved")
        self.assertEqual(order.credit_approved_by_id, self.controller)
        self.assertEqual(order.credit_approval_amount, order.amount_total)

        self.start_tour(url, "crm_extended_credit_confirm_tour", login="crmx_tour_salesman")
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_approved_by_id, self.controller)
        self.assertTrue(customer.credit_hold, "approving an order does not lift the hold")

    def test_credit_partner_tour(self):
        customer = self.env["res.partner"].create(
            {
                "name": "Tour Partner Hold",
                "is_company": True,
                "credit_hold": True,
                "credit_hold_reason": "Partner tour reason",
            }
        )
        product = self.env["product.product"].create(
            {"name": "Tour partner product", "list_price": 50.0, "taxes_id": [Command.clear()]}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": customer.id,
                "invoice_date": "2024-01-01",
                "invoice_date_due": "2024-01-31",
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "tax_ids": [Command.clear()]})
                ],
            }
        )
        invoice.action_post()
        self.assertEqual(customer.credit_overdue_invoice_count, 1)
        self.start_tour(
            "/odoo/action-crm_extended.res_partner_credit_hold_action",
            "crm_extended_credit_partner_tour",
            login="crmx_tour_controller",
        )
        customer.invalidate_recordset()
        self.assertFalse(customer.credit_hold, "the controller lifted the hold")
        self.assertFalse(customer.credit_on_hold)
        self.assertEqual(customer.credit_overdue_invoice_count, 1)
