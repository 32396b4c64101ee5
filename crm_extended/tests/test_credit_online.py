"""A blocked customer who signs or pays online: Odoo's own portal and payment
flows keep working, the customer sees no credit information, and the order
waits for a credit controller, whose approval confirms it."""

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.payment.tests.http_common import PaymentHttpCommon
from odoo.addons.sale.tests.common import SaleCommon

HOLD_REASON = "Internal: legal dispute with the customer"
# 1x1 transparent PNG
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


@tagged("-at_install", "post_install")
class TestCreditOnline(AccountPaymentCommon, PaymentHttpCommon, SaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls.sale_order.currency_id
        cls.partner = cls.sale_order.partner_invoice_id
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id
        cls.customer = cls.partner.commercial_partner_id
        cls.customer.sudo().write({"credit_hold": True, "credit_hold_reason": HOLD_REASON})
        cls.controller = cls.env["res.users"].create(
            {
                "name": "Online Controller",
                "login": "crmx_online_controller",
                "email": "controller@example.com",
                "group_ids": [
                    Command.set(
                        [
                            cls.env.ref("crm_extended.group_credit_controller").id,
                            cls.env.ref("sales_team.group_sale_salesman").id,
                        ]
                    )
                ],
            }
        )
        cls.sale_order.company_id.credit_controller_id = cls.controller
        cls.activity_type = cls.env.ref("crm_extended.mail_activity_type_credit_approval")

    def _assert_waits_for_credit(self, order):
        self.assertIn(order.state, ("draft", "sent"))
        self.assertEqual(order.credit_approval_state, "requested")
        self.assertTrue(order.credit_customer_accepted)
        activities = order.activity_ids.filtered(lambda a: a.activity_type_id == self.activity_type)
        self.assertEqual(activities.user_id, self.controller)

    def _assert_customer_sees_no_credit_information(self, order, *texts):
        public = order.message_ids.filtered(lambda m: not m.subtype_id.internal)
        outgoing = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "sale.order"), ("res_id", "=", order.id)])
        )
        for text in texts:
            for body in public.mapped("body") + outgoing.mapped("body_html"):
                self.assertNotIn(HOLD_REASON, str(body or ""))
            self.assertNotIn(HOLD_REASON, str(text))
            self.assertNotIn("credit", str(text).lower())

    def test_signature_of_a_blocked_quotation(self):
        order = self.sale_order
        order.write({"require_signature": True, "require_payment": False})
        url = self._build_url(f"/my/orders/{order.id}/accept")
        result = self.make_jsonrpc_request(
            url,
            {
                "access_token": order._portal_ensure_token(),
                "name": "Customer Signer",
                "signature": SIGNATURE,
            },
        )
        self.assertNotIn("error", result)
        self.assertTrue(result.get("redirect_url"))
        order.invalidate_recordset()
        self.assertEqual(order.signed_by, "Customer Signer")
        self.assertTrue(order.signature, "the signature is kept")
        self._assert_waits_for_credit(order)
        page = self.url_open(
            f"/my/orders/{order.id}?access_token={order.access_token}&message=sign_ok"
        )
        self.assertEqual(page.status_code, 200)
        self._assert_customer_sees_no_credit_information(order, result, page.text)
        # the controller's approval confirms what the customer already accepted
        order.with_user(self.controller).action_approve_credit()
        self.assertEqual(order.state, "sale")

    def test_down_payment_of_a_blocked_quotation(self):
        order = self.sale_order
        order.write({"require_payment": True, "prepayment_percent": 0.2})
        tx = self._create_transaction(
            flow="direct",
            amount=order.amount_total * 0.2,
            sale_order_ids=[order.id],
            state="done",
        )
        with mute_logger("odoo.addons.sale.models.payment_transaction"):
            tx._post_process()  # no error reaches the payment's post-processing
        self.assertTrue(tx.is_post_processed)
        self.assertEqual(tx.state, "done")
        self._assert_waits_for_credit(order)
        self._assert_customer_sees_no_credit_information(order)
        order.with_user(self.controller).action_approve_credit()
        self.assertEqual(order.state, "sale")

    def test_full_payment_of_its_own_customer_confirms(self):
        order = self.sale_order
        order.write({"require_payment": True, "prepayment_percent": 1.0})
        tx = self._create_transaction(
            flow="direct",
            amount=order.amount_total,
            sale_order_ids=[order.id],
            state="done",
        )
        with mute_logger("odoo.addons.sale.models.payment_transaction"):
            tx._post_process()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.credit_approval_state, "none")
