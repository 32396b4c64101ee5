from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCreditTour(HttpCase):
    def test_credit_tour_request_approve_confirm(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("crm_extended.group_credit_controller"))
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
                "user_id": admin.id,
                "order_line": [
                    Command.create({"product_id": product.id, "tax_ids": [Command.clear()]})
                ],
            }
        )
        self.assertTrue(order.credit_block_reason)
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{order.id}",
            "crm_extended_credit_tour",
            login="admin",
        )
        order.invalidate_recordset()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_approval_state, "approved")
        self.assertEqual(order.credit_approved_by_id, admin)
        self.assertEqual(order.credit_approval_amount, order.amount_total)

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
            login="admin",
        )
