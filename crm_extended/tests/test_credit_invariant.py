"""The credit gate as an invariant: what the attackers of the last round did.

Each test is one finding, tried as the user who tried it. ``self.env.cr.flush()``
runs the transaction's pre-commit checks, as a request's commit does (tests
never commit): the invariant (crm.credit.invariant) is checked there.
"""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .credit_common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditInvariant(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.held = cls.env["res.partner"].create(
            {
                "name": "Held Customer",
                "is_company": True,
                "credit_hold": True,
                "credit_hold_reason": "Disputed invoices",
            }
        )
        cls.held_contact = cls.env["res.partner"].create(
            {"name": "Held Buyer", "parent_id": cls.held.id}
        )
        cls.clean = cls.env["res.partner"].create({"name": "Clean Customer", "is_company": True})
        cls.clean_contact = cls.env["res.partner"].create(
            {"name": "Clean Buyer", "parent_id": cls.clean.id}
        )
        cls.accountant = cls._credit_user(
            "crmx_inv_accountant",
            [cls.env.ref("account.group_account_invoice"), cls.group_salesman],
        )
        cls.portal = new_test_user(cls.env, login="crmx_inv_portal", groups="base.group_portal")

    def _commit(self):
        """What a request's commit runs before committing: flush and pre-commit checks."""
        self.env.cr.flush()

    def _quotation(self, partner, amount=100.0, user=None):
        return self._order(amount, partner=partner, user=user or self.salesman)

    # finding 1: a stored computed field written over RPC
    def test_commercial_entity_is_not_writable(self):
        for partner, target in ((self.held, self.clean), (self.held_contact, self.held_contact)):
            with self.assertRaises(UserError) as refused:
                partner.with_user(self.salesman).write({"commercial_partner_id": target.id})
            self.assertIn("follows its parent company", str(refused.exception))
        with self.assertRaises(UserError):
            self.env["res.partner"].sudo().create(
                {"name": "Forged", "commercial_partner_id": self.clean.id}
            )
        forged = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .with_context(default_commercial_partner_id=self.clean.id)
            .create({"name": "Forged by default", "parent_id": self.held.id})
        )
        self.assertEqual(forged.commercial_partner_id, self.held, "a context default is ignored")
        self.assertEqual(self.held.commercial_partner_id, self.held)
        # so the held customer's quotation is still refused
        quotation = self._quotation(self.held)
        with self.assertRaises(UserError):
            quotation.action_confirm()

    # finding 2: two changes in one write (state and customer)
    def test_confirming_and_changing_customer_in_one_write(self):
        for user in (self.salesman, self.accountant, self.env.user):
            for vals in (
                {"state": "sale", "partner_id": self.held.id, "partner_invoice_id": self.held.id},
                {"state": "sale", "partner_invoice_id": self.held.id},
                {"state": "sale", "partner_id": self.held_contact.id},
            ):
                quotation = self._quotation(self.clean)
                with self.assertRaises(UserError, msg=f"{user.login}: {vals}"):
                    quotation.with_user(user).sudo().write(vals)
                    self._commit()
                self.assertEqual(quotation.state, "draft")
        # the same write for a clean customer goes through
        quotation = self._quotation(self.held)
        quotation.with_user(self.salesman).write(
            {"state": "sale", "partner_id": self.clean.id, "partner_invoice_id": self.clean.id}
        )
        self._commit()
        self.assertEqual(quotation.state, "sale")

    # finding 3: `is_expense` lines are never checked
    def test_expense_lines_are_made_by_the_cost_flow_only(self):
        self.held.with_user(self.controller).credit_hold = False
        confirmed = self._order(100.0, partner=self.held, confirm=True)
        self._commit()
        self.held.with_user(self.controller).write(
            {"credit_hold": True, "credit_hold_reason": "Disputed invoices"}
        )
        Line = self.env["sale.order.line"].with_user(self.salesman)
        with self.assertRaises(AccessError):
            Line.create(
                {
                    "order_id": confirmed.id,
                    "product_id": self.product.id,
                    "price_unit": 5000.0,
                    "is_expense": True,
                }
            )
        with self.assertRaises(AccessError):
            Line.with_context(default_is_expense=True).create(
                {"order_id": confirmed.id, "product_id": self.product.id, "price_unit": 5000.0}
            )
        line = confirmed.order_line.with_user(self.salesman)
        with self.assertRaises(AccessError):
            line.write({"is_expense": True, "product_uom_qty": 34500})
        # a genuine re-invoiced cost lands, and does not grow afterwards
        cost = self._reinvoice_cost(confirmed, 20.0)
        self._commit()
        self.assertTrue(cost.is_expense)
        with self.assertRaises(UserError):
            cost.with_user(self.salesman).product_uom_qty = 30000
            self._commit()

    # finding 4: a line moved from another order onto the held customer's order
    def test_line_moved_onto_a_held_confirmed_order(self):
        self.held.with_user(self.controller).credit_hold = False
        held_order = self._order(100.0, partner=self.held, confirm=True)
        self._commit()
        self.held.with_user(self.controller).write(
            {"credit_hold": True, "credit_hold_reason": "Disputed invoices"}
        )
        other = self._quotation(self.clean, 900.0)
        with self.assertRaises(UserError):
            other.order_line.with_user(self.salesman).sudo().write({"order_id": held_order.id})
            self._commit()
        self.env.invalidate_all()
        self.assertEqual(held_order.amount_total, 100.0)

    # finding 5: a contact with confirmed orders brought under a held customer
    def test_contact_with_orders_moved_under_a_held_customer(self):
        buyer = self.env["res.partner"].create({"name": "Free Buyer", "is_company": True})
        self._order(700.0, partner=buyer, confirm=True)
        with self.assertRaises(UserError):
            buyer.with_user(self.salesman).write({"parent_id": self.held.id, "is_company": False})
            self._commit()
        with self.assertRaises(UserError):
            buyer.with_user(self.salesman).sudo().write(
                {"parent_id": self.held.id, "is_company": False}
            )
            self._commit()
        self.env.invalidate_all()
        self.assertEqual(buyer.commercial_partner_id, buyer)
        # a credit controller may: the move is logged
        buyer.with_user(self.controller).write({"parent_id": self.held.id, "is_company": False})
        self._commit()
        self.assertEqual(buyer.commercial_partner_id, self.held)
        self.assertIn("moved", buyer.message_ids[:1].body)

    def test_held_customer_is_not_moved_to_another_company_by_sales(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        self.salesman.sudo().company_ids = [Command.link(other.id)]
        with self.assertRaises(AccessError):
            self.held.with_user(self.salesman).write({"company_id": other.id})
        self.held.with_user(self.controller).sudo().write({"company_id": other.id})

    # finding 6: the held customer orders with someone else's invoice address
    def test_held_customer_orders_with_a_clean_invoice_address(self):
        quotation = self._quotation(self.held)
        quotation.partner_invoice_id = self.clean
        with self.assertRaises(UserError):
            quotation.with_user(self.salesman).action_confirm()
            self._commit()
        with self.assertRaises(UserError):
            quotation.sudo().write({"state": "sale"})
            self._commit()
        self.assertEqual(quotation.state, "draft")

    # finding 7: "accepted online" written by hand, and bound to the amount accepted
    def test_customer_acceptance_is_not_writable_and_binds_the_amount(self):
        quotation = self._quotation(self.held, 690.0)
        for user in (self.salesman, self.accountant):
            with self.assertRaises(AccessError):
                quotation.with_user(user).write({"credit_customer_accepted": True})
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.salesman).with_context(
                default_credit_customer_accepted=True
            ).create({"partner_id": self.held.id})
        # the customer signs 690 online, the salesperson then raises the total
        quotation._credit_hold_online_acceptance()
        self.assertTrue(quotation.credit_customer_accepted)
        self.assertEqual(quotation.credit_accepted_amount, 690.0)
        quotation.order_line.with_user(self.salesman).price_unit = 43125.0
        quotation.with_user(self.controller).action_approve_credit()
        self.assertEqual(quotation.state, "draft", "the customer did not accept 43,125")
        self.assertIn("must accept the new total", quotation.message_ids[:1].body)
        # an approval of what the customer accepted confirms it
        accepted = self._quotation(self.held, 690.0)
        accepted._credit_hold_online_acceptance()
        accepted.with_user(self.controller).action_approve_credit()
        self.assertEqual(accepted.state, "sale")

    # finding 8: a portal customer confirming their own quotation
    def test_portal_confirm_gets_access_error_without_credit_figures(self):
        self.held_contact.sudo().user_ids = self.portal
        self.portal.partner_id.parent_id = self.held
        quotation = self._order(100.0, partner=self.portal.partner_id)
        quotation.sudo().message_subscribe(self.portal.partner_id.ids)
        with self.assertRaises(AccessError) as refused:
            quotation.with_user(self.portal).action_confirm()
        text = str(refused.exception)
        self.assertNotIn("Disputed", text)
        self.assertNotIn("exposure", text)

    # finding 9: a direct invoice of a held customer posted by an accountant
    def test_direct_invoice_of_a_held_customer(self):
        invoice = self._invoice(300.0, partner=self.held, post=False)
        with self.assertRaises(UserError) as refused:
            invoice.with_user(self.accountant).action_post()
            self._commit()
        self.assertIn("Held Customer", str(refused.exception))
        self.env.invalidate_all()
        self.assertEqual(invoice.state, "draft")
        # a clean customer's invoice posts; a credit controller may post the held one
        self._invoice(300.0, partner=self.clean).with_user(self.accountant)
        self._commit()
        controller = self.controller
        controller.sudo().group_ids = [
            Command.link(self.env.ref("account.group_account_invoice").id)
        ]
        invoice.with_user(controller).action_post()
        self._commit()
        self.assertEqual(invoice.state, "posted")

    def test_invoice_of_a_confirmed_order_posts_for_a_held_customer(self):
        self.held.with_user(self.controller).credit_hold = False
        order = self._order(400.0, partner=self.held, confirm=True)
        self._commit()
        self.held.with_user(self.controller).write(
            {"credit_hold": True, "credit_hold_reason": "Disputed invoices"}
        )
        invoice = order._create_invoices()
        invoice.with_user(self.accountant).action_post()
        self._commit()
        self.assertEqual(invoice.state, "posted")

    def test_over_limit_rise_needs_an_approval(self):
        # limit 1000, the company blocks on it; an approved order confirms
        order = self._order(1500.0, user=self.salesman)
        with self.assertRaises(UserError):
            order.sudo().write({"state": "sale"})
            self._commit()
        order.with_user(self.salesman).action_request_credit_approval()
        order.with_user(self.controller).action_approve_credit()
        order.with_user(self.salesman).action_confirm()
        self._commit()
        self.assertEqual(order.state, "sale")
        # its approval covers 1500 only
        with self.assertRaises(UserError):
            order.order_line.sudo().price_unit = 1600.0
            self._commit()
