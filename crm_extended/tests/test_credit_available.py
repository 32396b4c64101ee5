"""What "Available credit" and the credit status say (issue 22, findings 3 and 7)."""

from odoo.tests import Form, tagged

from .credit_common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditAvailable(CreditCommon):
    def _seen_by_salesman(self, partner=None):
        return self._figures(partner).with_user(self.salesman)

    def test_blocked_customer_has_nothing_available(self):
        self._invoice(100.0)
        self.assertEqual(self._seen_by_salesman().credit_available, 900.0)
        # a manual hold
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Dispute"})
        partner = self._seen_by_salesman()
        self.assertEqual(partner.credit_status, "hold")
        self.assertEqual(partner.credit_available, 0.0)
        self.assertTrue(partner.credit_has_limit)
        self.assertEqual(self._seen_by_salesman(self.contact).credit_available, 0.0)
        # the overdue rule
        self.customer.write({"credit_hold": False, "credit_hold_reason": False})
        self._invoice(50.0, due_days_ago=20)
        self.company.credit_hold_overdue_days = 10
        self.assertEqual(self._seen_by_salesman().credit_available, 0.0)
        self.company.credit_hold_overdue_days = 0
        self.assertEqual(self._seen_by_salesman().credit_available, 850.0)

    def test_no_limit_says_no_limit(self):
        self.customer.credit_limit = 0.0
        self._invoice(100.0)
        partner = self._seen_by_salesman()
        self.assertFalse(partner.credit_has_limit)
        self.assertEqual(partner.credit_available, 0.0)
        self.assertEqual(partner.credit_available_text, "No limit")
        self.customer.credit_limit = 1000.0
        partner = self._seen_by_salesman()
        self.assertTrue(partner.credit_has_limit)
        self.assertIn("900.00", partner.credit_available_text)
        form = Form(self.customer.with_user(self.controller))
        self.assertTrue(form.credit_has_limit)
        # the credit page and the 360 page show "No limit", not 0.00
        arch = self.env["res.partner"].with_user(self.controller).get_view(view_type="form")["arch"]
        self.assertEqual(arch.count("No limit"), 2)
        list_arch = self.env["res.partner"].get_view(
            self.env.ref("crm_extended.res_partner_view_list_credit").id, "list"
        )["arch"]
        self.assertIn('name="credit_available_text"', list_arch)

    def test_overdue_is_at_least_a_warning(self):
        self.customer.credit_limit = 0.0
        self._invoice(36512.0, due_days_ago=45)
        partner = self._seen_by_salesman()
        self.assertEqual(partner.credit_overdue_days, 45)
        self.assertFalse(partner.credit_on_hold, "the overdue hold is off")
        self.assertEqual(partner.credit_status, "warning")
        Partner = self.env["res.partner"].with_user(self.salesman)
        self.assertEqual(
            Partner.search([("credit_status", "=", "warning"), ("id", "=", self.customer.id)]),
            self.customer,
        )
        self.assertFalse(
            Partner.search([("credit_status", "=", "ok"), ("id", "=", self.customer.id)])
        )
        # overdue, but fewer days than the hold needs: still a warning
        self.company.credit_hold_overdue_days = 60
        self.assertEqual(self._seen_by_salesman().credit_status, "warning")
        self.company.credit_hold_overdue_days = 30
        self.assertEqual(self._seen_by_salesman().credit_status, "hold")
