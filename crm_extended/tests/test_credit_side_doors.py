"""Credit control without side doors (issue: every path to a confirmed order).

Each test first shows the user can do the ordinary thing (create, write, read
the record) so that the refusal is the addon's rule and not core's ACLs.
"""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .credit_common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditSideDoors(CreditCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.held = cls.env["res.partner"].create(
            {
                "name": "Held Customer",
                "is_company": True,
                "credit_hold": True,
                "credit_hold_reason": "Internal: disputed invoices",
            }
        )
        cls.clean = cls.env["res.partner"].create({"name": "Clean Customer", "is_company": True})
        cls.Order = cls.env["sale.order"].with_user(cls.salesman)

    def _vals(self, partner, amount=100.0):
        return {
            "partner_id": partner.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": self.product.id,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }

    # 1. approval fields from context defaults
    def test_context_defaults_cannot_forge_an_approval(self):
        order = self.Order.create(self._vals(self.held))  # the salesperson may create orders
        self.assertEqual(order.credit_approval_state, "none")
        forged = {
            "default_credit_approval_state": "approved",
            "default_credit_approval_amount": 1000000.0,
            "default_credit_approved_by_id": self.controller.id,
        }
        count = self.env["sale.order"].search_count([])
        with self.assertRaises(AccessError):
            self.Order.with_context(**forged).create(self._vals(self.held))
        self.assertEqual(self.env["sale.order"].search_count([]), count, "nothing is created")
        for key, value in forged.items():
            with self.assertRaises(AccessError):
                self.Order.with_context(**{key: value}).create(self._vals(self.held))
        with self.assertRaises(UserError):
            order.action_confirm()

    # 2. every way into the `sale` state runs the check
    def test_state_writes_and_creates_are_checked(self):
        # the same paths confirm a clean customer's order: only the hold refuses
        ok = self.Order.create(self._vals(self.clean))
        ok.write({"state": "sale"})
        self.assertEqual(ok.state, "sale")
        self.assertEqual(
            self.Order.create(dict(self._vals(self.clean), state="sale")).state, "sale"
        )
        self.assertEqual(
            self.Order.with_context(default_state="sale").create(self._vals(self.clean)).state,
            "sale",
        )
        quotation = self.Order.create(self._vals(self.held))
        with self.assertRaises(UserError):
            quotation.write({"state": "sale"})
        self.assertEqual(quotation.state, "draft")
        with self.assertRaises(UserError):
            self.Order.create(dict(self._vals(self.held), state="sale"))
        with self.assertRaises(UserError):
            self.Order.with_context(default_state="sale").create(self._vals(self.held))
        with self.assertRaises(UserError):
            quotation.sudo().write({"state": "sale"})
        self.assertFalse(
            self.env["sale.order"].search(
                [("partner_id", "=", self.held.id), ("state", "=", "sale")]
            )
        )

    # 3. an approval is bound to the customer, company, currency and total
    def test_approval_voided_by_change_of_customer(self):
        other_held = self.env["res.partner"].create(
            {
                "name": "Other Held",
                "is_company": True,
                "credit_hold": True,
                "credit_hold_reason": "Bankruptcy",
            }
        )
        for field in ("partner_id", "partner_invoice_id"):
            order = self.Order.create(self._vals(self.held))
            order.with_user(self.controller).action_approve_credit()
            self.assertEqual(order.credit_approval_state, "approved")
            self.assertEqual(order.credit_approval_partner_id, self.held)
            order.write({field: other_held.id})
            self.assertEqual(order.credit_approval_state, "none", field)
            self.assertIn("credit approval is void", order.message_ids[0].body)
            with self.assertRaises(UserError):
                order.action_confirm()

    def test_approval_voided_by_change_of_currency(self):
        other_currency = self.setup_other_currency("EUR")
        order = self.Order.create(self._vals(self.held))
        order.with_user(self.controller).action_approve_credit()
        pricelist = self.env["product.pricelist"].create(
            {"name": "Other currency", "currency_id": other_currency.id}
        )
        order.write({"pricelist_id": pricelist.id})
        self.assertEqual(order.currency_id, other_currency)
        self.assertEqual(order.credit_approval_state, "none")
        with self.assertRaises(UserError):
            order.action_confirm()

    def test_approval_kept_when_nothing_bound_changes(self):
        order = self.Order.create(self._vals(self.held))
        order.with_user(self.controller).action_approve_credit()
        order.write({"note": "delivery at the back door"})
        self.assertEqual(order.credit_approval_state, "approved")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    # 4. re-parenting a held customer
    def test_reparenting_a_held_customer_is_a_controller_act(self):
        # the salesperson may re-parent an ordinary company...
        free = self.env["res.partner"].create({"name": "Free Co", "is_company": True})
        free.with_user(self.salesman).write({"parent_id": self.clean.id, "is_company": False})
        self.assertEqual(free.commercial_partner_id, self.clean)
        # ... but not a held one, nor a contact out of it
        held = self.held.with_user(self.salesman)
        with self.assertRaises(AccessError):
            held.write({"parent_id": self.clean.id, "is_company": False})
        self.assertEqual(self.held.commercial_partner_id, self.held)
        contact = self.env["res.partner"].create({"name": "Held Buyer", "parent_id": self.held.id})
        with self.assertRaises(AccessError):
            contact.with_user(self.salesman).write({"parent_id": self.clean.id})
        with self.assertRaises(AccessError):
            contact.with_user(self.salesman).write({"parent_id": False})
        self.assertEqual(contact.commercial_partner_id, self.held)
        # the controller may, and it is logged
        held.with_user(self.controller).write({"parent_id": self.clean.id, "is_company": False})
        self.assertEqual(self.held.commercial_partner_id, self.clean)
        self.assertIn("moved", self.held.message_ids[0].body)

    # 5. credit fields on contacts
    def test_salesperson_cannot_write_credit_fields_of_a_contact(self):
        contact = self.contact.with_user(self.salesman)
        contact.phone = "+32 2 555 55 55"  # the salesperson may edit the contact
        for vals in (
            {"credit_hold": True, "credit_hold_reason": "x"},
            {"credit_hold_reason": "x"},
        ):
            with self.assertRaises(AccessError):
                contact.write(vals)
        self.assertFalse(self.contact.credit_hold)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.salesman).with_context(
                default_credit_hold=True, default_credit_hold_reason="x"
            ).create({"name": "Defaulted"})

    # 6. payments exempt only the order they pay, of its own customer, once
    def _transaction(self, orders, partner, amount, reference):
        provider = self.env["payment.provider"].create({"name": reference, "code": "none"})
        return self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                "amount": amount,
                "currency_id": orders[0].currency_id.id,
                "partner_id": partner.id,
                "sale_order_ids": [Command.set(orders.ids)],
                "reference": reference,
                "state": "done",
            }
        )

    def test_only_own_single_order_payment_exempts(self):
        order = self.Order.create(self._vals(self.held, 100.0))
        self._transaction(order, self.clean, 100.0, "CREDIT-OTHER-CUSTOMER")
        order.invalidate_recordset()
        with self.assertRaises(UserError):
            order.action_confirm()
        first = self.Order.create(self._vals(self.held, 100.0))
        second = self.Order.create(self._vals(self.held, 100.0))
        self._transaction(first | second, self.held, 200.0, "CREDIT-TWO-ORDERS")
        for each in (first, second):
            each.invalidate_recordset()
            with self.assertRaises(UserError):
                each.action_confirm()
        # the customer's own payment of that order alone does exempt it
        self._transaction(order, self.held, 100.0, "CREDIT-OWN")
        order.invalidate_recordset()
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    # 7. who reads credit data
    def test_credit_fields_hidden_from_portal_and_other_internal_users(self):
        portal = self.env["res.users"].create(
            {
                "name": "Held Portal",
                "login": "crmx_held_portal",
                "partner_id": self.held.id,
                "group_ids": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        plain = self._credit_user("crmx_plain_internal", [self.env.ref("base.group_user")])
        order = self._order(100.0, partner=self.held, user=self.salesman)
        partner_fields = (
            "credit_hold",
            "credit_hold_reason",
            "credit_exposure",
            "credit_available",
            "credit_status",
            "credit_on_hold",
            "credit_overdue_amount",
        )
        order_fields = (
            "credit_block_reason",
            "credit_warning",
            "credit_approval_state",
            "credit_approval_amount",
            "credit_approved_by_id",
        )
        # both users may read the records themselves
        self.held.with_user(portal).read(["name"])
        order.with_user(portal).read(["name", "amount_total"])
        self.held.with_user(plain).read(["name"])
        for user in (portal, plain):
            for name in partner_fields:
                with self.assertRaises(AccessError, msg=f"{user.login} reads {name}"):
                    self.held.with_user(user).read([name])
        for name in order_fields:
            with self.assertRaises(AccessError, msg=f"portal reads {name}"):
                order.with_user(portal).read([name])
        with self.assertRaises(AccessError):
            self.held.with_user(plain).action_view_credit_open_orders()
        # sales and finance do read them
        for user in (self.salesman, self.billing_user, self.controller):
            values = self.held.with_user(user).read(["credit_status", "credit_hold_reason"])[0]
            self.assertEqual(values["credit_status"], "hold")
        self.assertIn(
            "Internal: disputed invoices", order.with_user(self.salesman).credit_block_reason
        )

    def test_block_reason_shown_before_saving(self):
        """The banner of a quotation shows while it is being written."""
        order = self.Order.new(self._vals(self.held))
        self.assertIn("Held Customer", order.credit_block_reason)

    # 7. a confirmed order that grows after its confirmation
    def _confirmed(self, partner, amount=100.0):
        order = self.Order.create(self._vals(partner, amount))
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _hold(self, partner):
        partner.with_user(self.controller).write(
            {"credit_hold": True, "credit_hold_reason": "Internal: unpaid since summer"}
        )

    def test_confirmed_order_of_a_held_customer_does_not_grow(self):
        late = self.env["res.partner"].create({"name": "Late Customer", "is_company": True})
        order = self._confirmed(late)
        ok = self._confirmed(self.clean)
        self._hold(late)
        new_line = {"product_id": self.product.id, "price_unit": 50.0, "tax_ids": []}
        # the clean customer's confirmed order takes every change below
        ok.write({"order_line": [Command.create(new_line)]})
        ok.order_line[0].product_uom_qty = 3
        self.env["sale.order.line"].sudo().create(dict(new_line, order_id=ok.id))
        self.assertEqual(ok.amount_total, 400.0)
        # the held customer's does not: form (order write), line write, line create in sudo
        with self.assertRaises(UserError) as refused:
            order.write({"order_line": [Command.create(new_line)]})
        self.assertRegex(str(refused.exception), "Late Customer.*unpaid since summer")
        with self.assertRaises(UserError) as refused:
            order.order_line[0].product_uom_qty = 3
        self.assertRegex(str(refused.exception), "new quotation")
        with self.assertRaises(UserError):
            order.order_line[0].sudo().price_unit = 150.0
        with self.assertRaises(UserError):
            self.env["sale.order.line"].sudo().create(dict(new_line, order_id=order.id))
        self.env.invalidate_all()  # the refused changes were rolled back
        self.assertEqual(order.amount_total, 100.0)
        self.assertEqual(len(order.order_line), 1)
        # a re-invoiced cost (vendor bill, expense) is already spent: it is added
        cost = self._reinvoice_cost(order, 20.0)
        self.env.cr.flush()  # the credit invariant's check, as at commit
        self.assertEqual(order.amount_total, 120.0)
        self.assertTrue(cost.is_expense)
        # a line cannot be made a re-invoiced cost by hand, nor grow unchecked
        with self.assertRaises(AccessError):
            self.env["sale.order.line"].sudo().create(
                dict(new_line, order_id=order.id, is_expense=True)
            )
        with self.assertRaises(AccessError):
            order.order_line[0].sudo().is_expense = True
        with self.assertRaises(UserError):
            cost.sudo().product_uom_qty = 3000
            self.env.cr.flush()
        # what lowers the exposure goes through
        order.order_line[0].product_uom_qty = 0.5
        self.assertEqual(order.amount_total, 70.0)

    def test_confirmed_order_moved_to_a_held_customer(self):
        order = self._confirmed(self.clean)
        other = self._confirmed(self.clean)
        second = self.env["res.partner"].create({"name": "Second Customer", "is_company": True})
        other.write({"partner_id": second.id, "partner_invoice_id": second.id})  # allowed
        self.assertEqual(other.partner_invoice_id, second)
        with self.assertRaises(UserError) as refused:
            order.sudo().write({"partner_invoice_id": self.held.id})
        self.assertRegex(str(refused.exception), "Held Customer")
        self.env.invalidate_all()
        self.assertEqual(order.partner_invoice_id, self.clean)

    def test_confirmed_order_grows_within_the_limit_only(self):
        # limit 1000 (CreditCommon), orders blocked over it in this company
        order = self._confirmed(self.customer, 800.0)
        order.order_line[0].price_unit = 950.0
        self.assertEqual(order.amount_total, 950.0)
        with self.assertRaises(UserError) as refused:
            order.order_line[0].price_unit = 1100.0
        self.assertRegex(str(refused.exception), "above the credit limit")
        self.env.invalidate_all()
        self.assertEqual(order.amount_total, 950.0)
