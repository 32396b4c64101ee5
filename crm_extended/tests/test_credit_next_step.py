"""Credit control says what to do next (issue 22, findings 6 and 8)."""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import tagged

from .credit_common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditNextStep(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.controller_2 = cls._credit_user(
            "crmx_credit_controller_2", [cls.group_controller, cls.group_salesman]
        )
        cls.company.credit_controller_id = False
        cls.customer.write({"credit_hold": True, "credit_hold_reason": "Review"})
        cls.request_type = cls.env.ref("crm_extended.mail_activity_type_credit_approval")
        cls.confirm_type = cls.env.ref("crm_extended.mail_activity_type_credit_confirm")

    def setUp(self):
        super().setUp()
        self.order = self._order(322.0, user=self.salesman)
        self.as_salesman = self.order.with_user(self.salesman)

    def _activities(self, activity_type):
        return self.order.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def test_refusal_names_request_credit_approval_then_waits(self):
        with self.assertRaisesRegex(UserError, "use Request Credit Approval"):
            self.as_salesman.action_confirm()
        self.assertIn("Request Credit Approval", self.as_salesman.credit_block_reason)
        self.as_salesman.action_request_credit_approval()
        with self.assertRaises(UserError) as caught:
            self.as_salesman.action_confirm()
        message = str(caught.exception)
        self.assertIn("waiting for credit approval", message)
        self.assertNotIn("Request Credit Approval", message)
        self.assertEqual(self.order.state, "draft")

    def test_approval_gives_the_salesperson_the_next_step(self):
        self.as_salesman.action_request_credit_approval()
        requests = self._activities(self.request_type)
        self.assertLessEqual(self.controller | self.controller_2, requests.user_id)
        before = self.order.message_ids
        self.order.with_user(self.controller).action_approve_credit()
        self.assertFalse(self._activities(self.request_type), "every request is closed")
        new_messages = self.order.message_ids - before
        self.assertEqual(len(new_messages), 1, new_messages.mapped("body"))
        self.assertIn("Credit approved by", new_messages.body)
        # her next step: an activity, and Confirm as the main button
        todo = self._activities(self.confirm_type)
        self.assertEqual(todo.user_id, self.salesman)
        self.assertEqual(todo.summary, f"Credit approved: confirm {self.order.name}")
        arch = etree.fromstring(self.env["sale.order"].get_view(view_type="form")["arch"])
        primary = arch.xpath("//header/button[@id='action_confirm_credit_approved']")[0]
        self.assertEqual(primary.get("name"), "action_confirm")
        self.assertIn("btn-primary", primary.get("class"))
        self.assertIn("credit_approval_state != 'approved'", primary.get("invisible"))
        self.as_salesman.action_confirm()
        self.assertEqual(self.order.state, "sale")
        self.assertFalse(self._activities(self.confirm_type), "done by confirming")

    def test_rejection_is_logged_once(self):
        self.as_salesman.action_request_credit_approval()
        before = self.order.message_ids
        self.order.with_user(self.controller_2).action_reject_credit()
        self.assertFalse(self._activities(self.request_type))
        self.assertEqual(len(self.order.message_ids - before), 1)
        self.assertFalse(self._activities(self.confirm_type))

    def test_request_that_no_longer_covers_the_total_says_so(self):
        self.as_salesman.action_request_credit_approval()
        self.assertEqual(self.order.credit_request_amount, 322.0)
        line = self.order.order_line
        line.with_user(self.salesman).price_unit = 300.0  # lower: still requested
        self.assertEqual(self.order.credit_approval_state, "requested")
        before = self.order.message_ids
        line.with_user(self.salesman).price_unit = 368.0
        self.assertEqual(self.order.credit_approval_state, "none")
        notes = (self.order.message_ids - before).filtered(
            lambda m: "no longer covers" in (m.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn("322.00", notes.body)
        self.assertIn("368.00", notes.body)
        self.assertIn("request the credit approval again", notes.body)
        self.assertFalse(self._activities(self.request_type), "the void request's to-dos")
        # the Confirm refusal is the full one again, naming the next step
        with self.assertRaisesRegex(UserError, "use Request Credit Approval"):
            self.as_salesman.action_confirm()
        self.as_salesman.action_request_credit_approval()
        self.assertEqual(self.order.credit_approval_state, "requested")
        self.assertEqual(self.order.credit_request_amount, 368.0)
