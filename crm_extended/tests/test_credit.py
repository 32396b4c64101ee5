import ast

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tests import Form, TransactionCase, tagged

from .credit_common import CreditCommon
from .query_count import count_queries


@tagged("post_install", "-at_install")
class TestCreditExposure(CreditCommon):
    def test_exposure_components_counted_once(self):
        partner = self._figures()
        self.assertEqual(partner.credit_exposure, 0.0)
        self.assertEqual(partner.credit_status, "ok")

        self._invoice(100.0)  # posted, open
        self._invoice(40.0, post=False)  # draft, not from an order
        order = self._order(200.0, confirm=True)
        partner = self._figures()
        self.assertEqual(partner.credit_exposure_receivable, 100.0)
        self.assertEqual(partner.credit_exposure_orders, 200.0)
        self.assertEqual(partner.credit_exposure_draft, 40.0)
        self.assertEqual(partner.credit_exposure, 340.0)
        self.assertEqual(partner.credit_available, 660.0)
        self.assertEqual(partner.credit_open_order_count, 1)

        # a draft invoice made from the order is already inside the order's amount
        invoice = order._create_invoices()
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(self._figures().credit_exposure, 340.0)
        self.assertEqual(self._figures().credit_exposure_draft, 40.0)

        # posted: it moves from the orders to the receivables
        invoice.action_post()
        partner = self._figures()
        self.assertEqual(partner.credit_exposure_orders, 0.0)
        self.assertEqual(partner.credit_exposure_receivable, 300.0)
        self.assertEqual(partner.credit_exposure, 340.0)
        self.assertEqual(partner.credit_open_order_count, 0)

        # paid: it drops to zero
        self._register_payment(invoice)
        partner = self._figures()
        self.assertEqual(partner.credit_exposure_receivable, 100.0)
        self.assertEqual(partner.credit_exposure, 140.0)

    def test_exposure_down_payment_deducted_once(self):
        order = self._order(1000.0, confirm=True)
        down_payment = self._create_down_payment_invoice(order, "fixed", 300.0, post=True)
        partner = self._figures()
        self.assertEqual(partner.credit_exposure_receivable, 300.0)
        self.assertEqual(partner.credit_exposure_orders, 700.0)
        self.assertEqual(partner.credit_exposure, 1000.0)
        self._register_payment(down_payment)
        self.assertEqual(self._figures().credit_exposure, 700.0)
        final = self._create_final_invoice(order, post=True)
        partner = self._figures()
        self.assertEqual(final.amount_total, 700.0)
        self.assertEqual(partner.credit_exposure_orders, 0.0)
        self.assertEqual(partner.credit_exposure, 700.0)

    def test_exposure_credit_note_and_taxes(self):
        tax = self.tax_sale_a  # 15 % in the test chart
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "price_unit": 100.0,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.assertEqual(self._figures().credit_exposure, order.amount_total)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(self._figures().credit_exposure, order.amount_total)
        refund = self._reverse_invoice(invoice, post=True)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(invoice.payment_state, "reversed")
        # the credit note reconciles the invoice and gives the order back to invoice
        partner = self._figures()
        self.assertEqual(partner.credit_exposure_receivable, 0.0)
        self.assertEqual(partner.credit_exposure_orders, order.amount_total)

    def test_exposure_foreign_currency_today_rate(self):
        eur = self.setup_other_currency("EUR")  # today: 2 EUR for 1 company currency unit
        self.assertNotEqual(eur, self.company.currency_id)
        pricelist = self.env["product.pricelist"].create({"name": "EUR", "currency_id": eur.id})
        order = self._order(300.0)
        order.pricelist_id = pricelist
        order.order_line.price_unit = 300.0
        self.assertEqual(order.currency_id, eur)
        order.action_confirm()
        self.assertEqual(self._figures().credit_exposure_orders, 150.0)

    def test_contact_shows_commercial_entity(self):
        self._invoice(250.0)
        self._order(100.0, partner=self.contact, confirm=True)
        contact = self._figures(self.contact)
        customer = self._figures()
        self.assertEqual(customer.credit_exposure, 350.0)
        self.assertEqual(contact.credit_exposure, 350.0)
        self.assertEqual(contact.credit_available, 650.0)

    def test_other_company_not_counted(self):
        other = self.setup_other_company()["company"]
        self._invoice(100.0)
        self.assertEqual(self._figures().credit_exposure, 100.0)
        self.assertEqual(
            self.customer.with_company(other).credit_exposure, 0.0, "exposure is per company"
        )

    def test_status_and_overdue(self):
        partner = self._figures()
        self.assertEqual(partner.credit_status, "ok")
        self._invoice(899.0)
        self.assertEqual(self._figures().credit_status, "ok")
        self._invoice(1.0)
        self.assertEqual(self._figures().credit_status, "warning")  # 900 >= 90 % of 1000
        self._invoice(101.0, due_days_ago=20)
        partner = self._figures()
        self.assertEqual(partner.credit_status, "exceeded")
        self.assertTrue(partner.credit_over_limit)
        self.assertEqual(partner.credit_overdue_days, 20)
        self.assertEqual(partner.credit_overdue_amount, 101.0)
        self.assertEqual(partner.credit_overdue_invoice_count, 1)
        self.assertFalse(partner.credit_on_hold, "overdue rule is off by default")
        self.company.credit_hold_overdue_days = 30
        self.assertFalse(self._figures().credit_on_hold)
        self.company.credit_hold_overdue_days = 15
        partner = self._figures()
        self.assertTrue(partner.credit_on_hold)
        self.assertEqual(partner.credit_status, "hold")

    def test_no_limit_means_no_warning(self):
        self.customer.credit_limit = 0.0
        self._invoice(100000.0)
        partner = self._figures()
        self.assertEqual(partner.credit_status, "ok")
        self.assertEqual(partner.credit_available, 0.0)

    def test_search_filters(self):
        held = self.env["res.partner"].create(
            {"name": "Held", "credit_hold": True, "credit_hold_reason": "Dispute"}
        )
        over = self.env["res.partner"].create({"name": "Over", "credit_limit": 50.0})
        self._invoice(60.0, partner=over)
        late = self.env["res.partner"].create({"name": "Late"})
        self._invoice(10.0, partner=late, due_days_ago=5)
        Partner = self.env["res.partner"]
        on_hold = Partner.search([("credit_on_hold", "=", True)])
        self.assertIn(held, on_hold)
        self.assertNotIn(over, on_hold)
        over_limit = Partner.search([("credit_over_limit", "=", True)])
        self.assertIn(over, over_limit)
        self.assertNotIn(self.customer, over_limit)
        overdue = Partner.search([("credit_overdue_days", ">", 0)])
        self.assertIn(late, overdue)
        self.assertNotIn(over, overdue)
        self.assertIn(held, Partner.search([("credit_status", "=", "hold")]))
        ok = Partner.search([("credit_status", "=", "ok")])
        self.assertIn(self.customer, ok)
        self.assertIn(self.contact, ok)
        self.assertNotIn(over, ok)
        self.assertNotIn(held, Partner.search([("credit_on_hold", "=", False)]))
        self.company.credit_hold_overdue_days = 1
        self.assertIn(late, Partner.search([("credit_on_hold", "=", True)]))

    def test_search_filters_are_sub_queries_that_agree_with_the_figures(self):
        Partner = self.env["res.partner"]
        held = Partner.create({"name": "S Held", "credit_hold": True, "credit_hold_reason": "X"})
        over = Partner.create({"name": "S Over", "credit_limit": 50.0})
        self._invoice(60.0, partner=over)
        warned = Partner.create({"name": "S Warned", "credit_limit": 100.0})
        self._invoice(95.0, partner=warned)
        late = Partner.create({"name": "S Late", "credit_limit": 1000.0})
        self._invoice(10.0, partner=late, due_days_ago=5)
        idle = Partner.create({"name": "S Idle"})
        partners = held | over | warned | late | idle | self.customer | self.contact
        self.company.credit_hold_overdue_days = 3
        Partner.search([("id", "in", partners.ids)])  # rules and company loaded
        # a condition of the final query: nothing is read before it runs
        for domain in (
            [("credit_status", "=", "hold")],
            [("credit_on_hold", "=", True)],
            [("credit_over_limit", "=", False)],
            [("credit_overdue_days", ">", 2)],
        ):
            self.assertEqual(
                count_queries(self.env, lambda domain=domain: Partner._search(domain)), 0
            )
        # and what it finds is what the figures say, partners without activity included
        self.env.invalidate_all()
        cases = [("credit_status", value) for value in ("ok", "warning", "exceeded", "hold")]
        cases += [("credit_on_hold", value) for value in (True, False)]
        cases += [("credit_over_limit", value) for value in (True, False)]
        for fname, value in cases:
            with self.subTest(field=fname, value=value):
                self.assertEqual(
                    Partner.search([(fname, "=", value), ("id", "in", partners.ids)]),
                    partners.filtered(lambda p, f=fname, v=value: p[f] == v).sorted(Partner._order),
                )
        self.assertEqual(
            set(partners.filtered_domain([("credit_status", "=", "warning")]).ids), {warned.id}
        )
        for operator, days in ((">", 4), (">=", 5), ("<", 1), ("<=", 5)):
            with self.subTest(operator=operator, days=days):
                self.assertEqual(
                    set(
                        Partner.search(
                            [("credit_overdue_days", operator, days), ("id", "in", partners.ids)]
                        ).ids
                    ),
                    {p.id for p in partners if py_compare(operator, p.credit_overdue_days, days)},
                )
        # values of another type (an RPC caller sends anything): no database error
        in_partners = ("id", "in", partners.ids)
        self.assertFalse(Partner.search([("credit_status", "in", ["nonsense", 5]), in_partners]))
        self.assertFalse(Partner.search([("credit_overdue_days", "in", ["5"]), in_partners]))
        self.assertEqual(
            Partner.search([("credit_on_hold", "in", ["yes", 1]), in_partners]),
            (held | late).sorted(Partner._order),
        )
        self.assertEqual(held.credit_status, "hold")
        self.assertEqual(late.credit_status, "hold", "overdue beyond the company's days")
        self.assertEqual(over.credit_status, "exceeded")

    def test_smart_button_actions(self):
        order = self._order(100.0, confirm=True)
        invoice = self._invoice(10.0, due_days_ago=3)
        action = self.contact.action_view_credit_open_orders()
        self.assertEqual(self.env["sale.order"].search(action["domain"]), order)
        action = self.contact.action_view_credit_overdue_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), invoice)


@tagged("post_install", "-at_install")
class TestCreditSettingsAndHolds(CreditCommon):
    def test_bad_settings_refused(self):
        for value in (0.0, -5.0, 100.5):
            with self.assertRaises(ValidationError):
                self.company.credit_hold_warning_percent = value
        self.company.credit_hold_warning_percent = 100.0
        with self.assertRaises(ValidationError):
            self.company.credit_hold_overdue_days = -1
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"credit_hold_warning_percent": 120.0})

    def test_settings_saved_from_config(self):
        settings = self.env["res.config.settings"].create(
            {
                "credit_hold_block_on_limit": False,
                "credit_hold_warning_percent": 75.0,
                "credit_hold_overdue_days": 10,
                "credit_controller_id": self.controller.id,
            }
        )
        settings.execute()
        self.assertFalse(self.company.credit_hold_block_on_limit)
        self.assertEqual(self.company.credit_hold_warning_percent, 75.0)
        self.assertEqual(self.company.credit_hold_overdue_days, 10)
        self.assertEqual(self.company.credit_controller_id, self.controller)
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn("credit_hold_overdue_days", arch)

    def test_defaults(self):
        company = self.env["res.company"].create({"name": "Fresh Co"})
        # blocking on the limit is opt-in: installing changes nothing for Odoo's warnings
        self.assertFalse(company.credit_hold_block_on_limit)
        self.assertEqual(company.credit_hold_warning_percent, 90.0)
        self.assertEqual(company.credit_hold_overdue_days, 0)

    def test_negative_limit_refused(self):
        with self.assertRaises(ValidationError):
            self.customer.credit_limit = -1.0

    def test_hold_without_reason_refused(self):
        with self.assertRaises(ValidationError):
            self.customer.credit_hold = True
        with self.assertRaises(ValidationError):
            self.customer.write({"credit_hold": True, "credit_hold_reason": "   "})
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Dispute"})
        with self.assertRaises(ValidationError):
            self.customer.credit_hold_reason = False

    def test_hold_is_per_company(self):
        other = self.setup_other_company()["company"]
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Dispute"})
        self.assertTrue(self._figures().credit_on_hold)
        self.assertFalse(self.customer.with_company(other).credit_hold)
        self.assertFalse(self.customer.with_company(other).credit_on_hold)

    def test_only_controllers_change_limit_and_hold(self):
        # the salesman may edit the customer...
        self.customer.with_user(self.salesman).phone = "+32 2 000 00 00"
        # ... but not put it on hold
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).write(
                {"credit_hold": True, "credit_hold_reason": "Because"}
            )
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).create(
                {"name": "Sneaky", "credit_hold": True, "credit_hold_reason": "x"}
            )
        # a billing user may write core's credit_limit field, but not here
        self.assertIn(
            "account.group_account_invoice",
            self.env["res.partner"]._fields["credit_limit"].groups,
            "core restricts the limit to invoicing users",
        )
        self.customer.with_user(self.billing_user).phone = "+32 2 000 00 01"
        with self.assertRaises(AccessError):
            self.customer.with_user(self.billing_user).credit_limit = 5000.0
        # the controller can
        self.customer.with_user(self.controller).write(
            {"credit_limit": 5000.0, "credit_hold": True, "credit_hold_reason": "Dispute"}
        )
        self.assertEqual(self.customer.credit_limit, 5000.0)
        self.assertTrue(self.customer.credit_hold)
        # contacts receive the commercial limit by sync: creating one stays open
        contact = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .create({"name": "New Contact", "parent_id": self.customer.id})
        )
        self.assertEqual(contact.sudo().credit_limit, 5000.0)
        self.assertTrue(contact.credit_on_hold)
        # Odoo code and other addons write the fields in sudo(): let through
        self.customer.with_user(self.salesman).sudo().write({"credit_limit": 6000.0})
        self.assertEqual(self.customer.credit_limit, 6000.0)

    def test_changes_tracked_in_chatter(self):
        partner = self.customer.with_user(self.controller)
        partner.write({"credit_hold": True, "credit_hold_reason": "Dispute on INV/1"})
        message = self.customer.message_ids[0]
        self.assertEqual(message.author_id, self.controller.partner_id)
        self.assertIn("Dispute on INV/1", message.body)
        self.assertIn(self.company.name, message.body)
        partner.credit_limit = 2500.0
        self.assertIn("2,500.00", self.customer.message_ids[0].body)
        partner.write({"credit_hold": False, "credit_hold_reason": False})
        self.assertIn("No", self.customer.message_ids[0].body)
        count = len(self.customer.message_ids)
        partner.write({"credit_hold": False})  # no change, no message
        self.assertEqual(len(self.customer.message_ids), count)

    def test_partner_form_credit_page(self):
        arch = self.env["res.partner"].with_user(self.salesman).get_view(view_type="form")["arch"]
        self.assertIn('name="crm_extended_credit"', arch)
        self.assertIn("credit_status", arch)
        with Form(self.customer.with_user(self.controller)) as form:
            form.credit_hold = True
            form.credit_hold_reason = "Form hold"
        self.assertTrue(self.customer.credit_hold)


@tagged("post_install", "-at_install")
class TestCreditConfirmation(CreditCommon):
    def test_hold_blocks_every_caller(self):
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Unpaid dispute"})
        order = self._order(10.0, partner=self.contact)
        self.assertIn("Unpaid dispute", order.credit_block_reason)
        with self.assertRaises(UserError) as error:
            order.action_confirm()
        message = str(error.exception)
        self.assertIn("Credit Customer", message)
        self.assertIn("Unpaid dispute", message)
        self.assertIn("1,000.00", message)  # limit
        self.assertIn("0.00", message)  # exposure
        for env in (
            self.env(su=True),
            self.env(user=self.env.ref("base.user_admin")),
            self.env(context={"skip_credit_check": True, "bypass_credit": True}),
        ):
            with self.assertRaises(UserError):
                order.with_env(env).action_confirm()
        with self.assertRaises(UserError):
            order.with_user(self.salesman).sudo().action_confirm()
        self.assertEqual(order.state, "draft")

    def test_limit_blocks_and_setting_warns_only(self):
        self._invoice(700.0)
        small = self._order(300.0)
        self.assertFalse(small.credit_block_reason)
        big = self._order(301.0)
        self.assertTrue(big.credit_block_reason)
        with self.assertRaises(UserError) as error:
            big.action_confirm()
        self.assertIn("700.00", str(error.exception))
        self.assertIn("1,000.00", str(error.exception))
        self.assertFalse(big.credit_warning)
        self.company.credit_hold_block_on_limit = False
        big.invalidate_recordset(["credit_block_reason", "credit_warning"])
        self.assertFalse(big.credit_block_reason)
        self.assertIn("1,000.00", big.credit_warning)
        self.assertFalse(small.credit_warning)
        big.action_confirm()
        self.assertEqual(big.state, "sale")

    def test_orders_confirmed_together_add_up(self):
        first = self._order(600.0)
        second = self._order(600.0)
        with self.assertRaises(UserError):
            (first + second).action_confirm()
        self.assertEqual((first + second).mapped("state"), ["draft", "draft"])
        first.action_confirm()
        with self.assertRaises(UserError):
            second.action_confirm()

    def test_no_limit_no_block(self):
        self.customer.credit_limit = 0.0
        order = self._order(1e6)
        self.assertFalse(order.credit_block_reason)
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        guards = self.env["crm.credit.guard"].sudo()
        self.assertFalse(
            guards.search([("partner_id", "=", self.customer.id)]),
            "confirmations that cannot be blocked do not serialize",
        )
        self.customer.credit_limit = 1e7
        self._order(10.0, confirm=True)
        guard = guards.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(guard.company_id, self.company)
        self.assertEqual(guard.check_count, 1)

    def test_paid_by_done_transaction_passes(self):
        order = self._order(5000.0)
        provider = self.env["payment.provider"].create({"name": "Credit Test", "code": "none"})
        method = self.env.ref("payment.payment_method_unknown")
        tx_values = {
            "provider_id": provider.id,
            "payment_method_id": method.id,
            "amount": 4000.0,
            "currency_id": order.currency_id.id,
            "partner_id": self.customer.id,
            "sale_order_ids": [Command.set(order.ids)],
        }
        self.env["payment.transaction"].create(
            dict(tx_values, reference="CREDIT-TX-1", state="done")
        )
        self.env["payment.transaction"].create(
            dict(tx_values, reference="CREDIT-TX-2", amount=1000.0, state="pending")
        )
        with self.assertRaises(UserError):
            order.action_confirm()  # a pending transaction is not a payment
        self.env["payment.transaction"].create(
            dict(tx_values, reference="CREDIT-TX-3", amount=1000.0, state="done")
        )
        order.invalidate_recordset()
        self.assertFalse(order.credit_block_reason)
        order.action_confirm()
        self.assertEqual(order.state, "sale")


@tagged("post_install", "-at_install")
class TestCreditApproval(CreditCommon):
    def setUp(self):
        super().setUp()
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Review"})
        self.order = self._order(1500.0, user=self.salesman)
        self.todo = self.env.ref("crm_extended.mail_activity_type_credit_approval")

    def _credit_activities(self):
        return self.order.activity_ids.filtered(lambda a: a.activity_type_id == self.todo)

    def test_request_goes_to_company_controller(self):
        self.company.credit_controller_id = self.controller
        self.order.with_user(self.salesman).action_request_credit_approval()
        self.assertEqual(self.order.credit_approval_state, "requested")
        activities = self._credit_activities()
        self.assertEqual(activities.user_id, self.controller)
        body = self.order.message_ids[0].body
        self.assertIn(self.salesman.name, body)
        self.assertIn("1,500.00", body)
        with self.assertRaises(UserError):
            self.order.with_user(self.salesman).action_request_credit_approval()

    def test_request_falls_back_to_group_users(self):
        self.company.credit_controller_id = False
        self.order.with_user(self.salesman).action_request_credit_approval()
        users = self._credit_activities().user_id
        self.assertIn(self.controller, users)
        self.assertNotIn(self.salesman, users)

    def test_approve_reject_only_controllers(self):
        self.order.with_user(self.salesman).action_request_credit_approval()
        # the salesman can write the order, but not approve it in any way
        self.order.with_user(self.salesman).note = "edited"
        for method in ("action_approve_credit", "action_reject_credit"):
            with self.assertRaises(AccessError):
                getattr(self.order.with_user(self.salesman), method)()
            with self.assertRaises(AccessError):
                getattr(self.order.with_user(self.salesman).sudo(), method)()
        for vals in (
            {"credit_approval_state": "approved"},
            {"credit_approval_amount": 1e9},
            {"credit_approval_state": "rejected"},
        ):
            with self.assertRaises(AccessError):
                self.order.with_user(self.salesman).write(vals)
        with self.assertRaises(AccessError):
            self._order(10.0, user=self.salesman).with_user(self.salesman).copy(
                {"credit_approval_state": "approved", "credit_approval_amount": 10.0}
            )
        self.assertEqual(self.order.credit_approval_state, "requested")

    def test_approve_then_confirm(self):
        self.order.with_user(self.salesman).action_request_credit_approval()
        self.order.with_user(self.controller).action_approve_credit()
        self.assertEqual(self.order.credit_approval_state, "approved")
        self.assertEqual(self.order.credit_approval_amount, 1500.0)
        self.assertEqual(self.order.credit_approved_by_id, self.controller)
        self.assertTrue(self.order.credit_approval_date)
        self.assertFalse(self._credit_activities(), "the request activity is done")
        message = self.order.message_ids.filtered(lambda m: "Credit approved" in (m.body or ""))
        self.assertEqual(message.author_id, self.controller.partner_id)
        self.assertFalse(self.order.credit_block_reason)
        self.order.with_user(self.salesman).action_confirm()
        self.assertEqual(self.order.state, "sale")

    def test_raising_total_voids_approval(self):
        self.order.with_user(self.controller).action_approve_credit()
        line = self.order.order_line
        line.with_user(self.salesman).price_unit = 1400.0  # lower: still covered
        self.assertEqual(self.order.credit_approval_state, "approved")
        self.assertFalse(self.order.credit_block_reason)
        line.with_user(self.salesman).price_unit = 1600.0
        self.assertEqual(self.order.credit_approval_state, "none")
        self.assertTrue(self.order.credit_block_reason)
        with self.assertRaises(UserError):
            self.order.action_confirm()
        # the form path (order write with line commands) voids it too
        self.order.with_user(self.controller).action_approve_credit()
        self.order.with_user(self.salesman).write(
            {"order_line": [Command.update(line.id, {"product_uom_qty": 2.0})]}
        )
        self.assertEqual(self.order.credit_approval_state, "none")

    def test_finance_only_controller_sees_and_approves(self):
        finance = self._credit_user("crmx_credit_finance_only", [self.group_controller])
        self.assertFalse(finance.has_group("sales_team.group_sale_salesman"))
        self.order.with_user(self.salesman).action_request_credit_approval()
        waiting = (
            self.env["sale.order"]
            .with_user(finance)
            .search([("credit_approval_state", "=", "requested")])
        )
        self.assertIn(self.order, waiting)
        self.order.with_user(finance).action_approve_credit()
        self.assertEqual(self.order.credit_approved_by_id, finance)
        self.assertEqual(self.order.credit_approval_state, "approved")

    def test_reject(self):
        self.order.with_user(self.salesman).action_request_credit_approval()
        self.order.with_user(self.controller).action_reject_credit()
        self.assertEqual(self.order.credit_approval_state, "rejected")
        self.assertFalse(self._credit_activities())
        self.assertIn("Credit rejected", self.order.message_ids[0].body)
        with self.assertRaises(UserError):
            self.order.action_confirm()
        # the salesman may ask again
        self.order.with_user(self.salesman).action_request_credit_approval()
        self.assertEqual(self.order.credit_approval_state, "requested")

    def test_copy_does_not_keep_approval(self):
        self.order.with_user(self.controller).action_approve_credit()
        copy = self.order.copy()
        self.assertEqual(copy.credit_approval_state, "none")
        self.assertFalse(copy.credit_approval_amount)

    def test_approval_menus(self):
        action = self.env.ref("crm_extended.sale_order_credit_approval_action")
        self.order.with_user(self.salesman).action_request_credit_approval()
        domain = Domain(ast.literal_eval(action.domain)) & Domain(
            "credit_approval_state", "=", "requested"
        )
        self.assertIn(self.order, self.env["sale.order"].search(domain))
        for xmlid in (
            "crm_extended.sale_order_credit_approval_sales_menu",
            "crm_extended.sale_order_credit_approval_finance_menu",
            "crm_extended.res_partner_credit_hold_sales_menu",
            "crm_extended.res_partner_credit_hold_finance_menu",
        ):
            self.assertTrue(self.env.ref(xmlid).action)


@tagged("post_install", "-at_install")
class TestCreditDemo(TransactionCase):
    def test_demo_customers(self):
        """Demo data: a customer on hold, one over its limit, one with an overdue invoice."""
        hold = self.env.ref("crm_extended.credit_demo_partner_hold", raise_if_not_found=False)
        if not hold:
            self.skipTest("installed without demo data")
        company = self.env.ref("base.main_company")
        hold = hold.with_company(company)
        over = self.env.ref("crm_extended.credit_demo_partner_over").with_company(company)
        late = self.env.ref("crm_extended.credit_demo_partner_overdue").with_company(company)
        self.assertEqual(hold.credit_status, "hold")
        self.assertEqual(over.credit_status, "exceeded")
        self.assertTrue(
            self.env.ref("crm_extended.credit_demo_order_over_quotation").credit_block_reason
        )
        self.assertGreaterEqual(late.credit_overdue_days, 45)
        self.assertGreater(late.credit_overdue_amount, 0)
        # blocking on the limit goes with Odoo's own credit limit, as its help says
        self.assertTrue(company.credit_hold_block_on_limit)
        self.assertTrue(company.account_use_credit_limit)


def py_compare(operator, left, right):
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[
        operator
    ]
