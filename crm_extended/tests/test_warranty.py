import ast
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree
from psycopg2.errors import CheckViolation

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .query_count import count_queries
from .test_warranty_common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestWarrantyFromSales(WarrantyCommon):
    """Contracts created, linked, cancelled from sales orders and invoices, by the
    salesperson who sells and the invoicing user who invoices."""

    def _sell(self, lines, partner=None):
        """A quotation of the salesman ("own documents only"), as him."""
        return self._order(lines, partner=partner, env=self.env(user=self.salesman))

    def test_confirm_creates_one_active_contract_per_warranted_line(self):
        order = self._sell(
            [(self.product_warranty, 2), (self.product_plain, 10), (self.product_warranty_24, 1)]
        )
        self.assertFalse(order.warranty_contract_ids, "a quotation has no warranty yet")
        order.action_confirm()
        contracts = order.warranty_contract_ids
        self.assertEqual(len(contracts), 2)
        self.assertEqual(order.warranty_contract_count, 2)
        start = fields.Date.context_today(order, order.date_order)
        for product, months, qty in (
            (self.product_warranty, 12, 2),
            (self.product_warranty_24, 24, 1),
        ):
            contract = contracts.filtered(lambda c, p=product: c.product_id == p)
            line = order.order_line.filtered(lambda sol, p=product: sol.product_id == p)
            self.assertRecordValues(
                contract,
                [
                    {
                        "state": "active",
                        "partner_id": self.customer.id,
                        "quantity": qty,
                        "sale_order_id": order.id,
                        "sale_line_id": line.id,
                        "date_start": start,
                        "date_end": start + relativedelta(months=months),
                        "warranty_type": "standard",
                        "company_id": order.company_id.id,
                        "user_id": self.salesman.id,
                    }
                ],
            )
            self.assertTrue(contract.name.startswith("WAR/"), contract.name)
        self.assertNotEqual(contracts[0].name, contracts[1].name)

    def test_start_is_confirmation_date(self):
        order = self._sell([(self.product_warranty, 1)])
        order.date_order = fields.Datetime.now() - timedelta(days=40)
        order.action_confirm()
        # core rewrites date_order at confirmation: the warranty starts today
        self.assertEqual(order.warranty_contract_ids.date_start, self.today)

    def test_lines_without_warranty_or_quantity_create_nothing(self):
        order = self._sell([(self.product_plain, 3), (self.product_warranty, 1)])
        order.order_line.filtered(lambda sol: sol.product_id == self.product_warranty).write(
            {"product_uom_qty": 0}
        )
        order.order_line = [Command.create({"display_type": "line_note", "name": "A note"})]
        order.action_confirm()
        self.assertFalse(order.warranty_contract_ids)
        self.assertFalse(self.Contract.search([("sale_order_id", "=", order.id)]))

    def test_cancel_cancels_and_reconfirm_never_duplicates(self):
        order = self._sell([(self.product_warranty, 1)])
        order.action_confirm()
        contract = order.warranty_contract_ids
        self.assertEqual(contract.state, "active")
        order._action_cancel()
        self.assertEqual(contract.state, "cancelled")
        order.action_draft()
        order.action_confirm()
        self.assertEqual(order.warranty_contract_ids, contract, "no duplicate contract")
        self.assertEqual(contract.state, "active")
        # confirming hooks running twice (e.g. another module) do not duplicate either
        order._action_confirm()
        Contract = self.env(user=self.salesman)["crm.warranty.contract"]
        self.assertEqual(Contract.search_count([("sale_order_id", "=", order.id)]), 1)

    def test_cancel_button_cancels_contracts(self):
        order = self._sell([(self.product_warranty, 1)])
        order.action_confirm()
        order.action_cancel()
        self.assertEqual(order.warranty_contract_ids.state, "cancelled")

    def test_salesman_confirms_and_gets_contract(self):
        order = self._sell([(self.product_warranty, 1)])
        order.action_confirm()
        contract = order.warranty_contract_ids
        self.assertEqual(contract.env.user, self.salesman)
        self.assertEqual(contract.user_id, self.salesman)
        self.assertEqual(contract.state, "active")
        self.assertEqual(order.warranty_contract_count, 1)

    def test_salesman_does_not_see_a_colleague_s_contracts(self):
        """ "Own documents only", as for sale orders: his own contracts, not his colleague's."""
        own = self._sell([(self.product_warranty, 1)])
        own.action_confirm()
        theirs = self._order([(self.product_warranty, 1)], env=self.env(user=self.colleague))
        theirs.action_confirm()
        contract = theirs.warranty_contract_ids
        self.assertEqual(contract.user_id, self.colleague)
        both = own.warranty_contract_ids | contract.sudo()
        Contract = self.env(user=self.salesman)["crm.warranty.contract"]
        # he sees his own contract, and the manager sees both: only the rule hides the other
        self.assertEqual(Contract.search([("id", "in", both.ids)]), own.warranty_contract_ids)
        self.assertEqual(Contract.browse(own.warranty_contract_ids.ids).state, "active")
        as_manager = self.env(user=self.sales_manager)["crm.warranty.contract"]
        self.assertEqual(as_manager.search([("id", "in", both.ids)]), both)
        with self.assertRaises(AccessError):
            Contract.browse(contract.id).state  # noqa: B018
        with self.assertRaises(AccessError):
            Contract.browse(contract.id).write({"serial_number": "SN-NOT-MINE"})
        self.assertFalse(contract.sudo().serial_number)
        # his customer page counts only what he may open
        self.customer.invalidate_recordset(["warranty_count"])
        self.assertEqual(self.customer.with_user(self.salesman).warranty_count, 1)
        self.customer.invalidate_recordset(["warranty_count"])
        self.assertEqual(self.customer.with_user(self.sales_manager).warranty_count, 2)

    def test_posted_invoices_are_linked(self):
        order = self._sell([(self.product_warranty, 1), (self.product_plain, 1)])
        order.action_confirm()
        contract = order.warranty_contract_ids
        # invoicing is the invoicing user's job
        order = order.with_user(self.invoicing_user)
        invoice = order._create_invoices()
        self.assertEqual(invoice.env.user, self.invoicing_user)
        contract = contract.with_user(self.invoicing_user)
        self.assertFalse(contract.invoice_ids, "a draft invoice is not linked yet")
        invoice.action_post()
        self.assertEqual(contract.invoice_ids, invoice)
        self.assertEqual(invoice.warranty_contract_count, 1)
        action = invoice.action_view_warranty_contracts()
        self.assertEqual(contract.search(action["domain"]), contract)
        # a credit note is not an invoice of the warranty
        refund = invoice._reverse_moves()
        refund.action_post()
        self.assertEqual(contract.invoice_ids, invoice)
        self.assertEqual(refund.warranty_contract_count, 0)
        # an invoice of another line does not count
        self.assertEqual(contract.action_view_invoices()["res_id"], invoice.id)

    def test_invoicing_user_reads_but_does_not_change_contracts(self):
        order = self._sell([(self.product_warranty, 1)])
        order.action_confirm()
        contract = order.warranty_contract_ids
        # the salesman's own-documents rule does not hide it from finance
        as_invoicing = contract.with_user(self.invoicing_user)
        self.assertEqual(as_invoicing.state, "active")
        self.assertEqual(as_invoicing.search([("id", "=", contract.id)]), contract)
        # the sales manager may change it, the invoicing user may not
        contract.with_user(self.sales_manager).serial_number = "SN-1"
        with self.assertRaises(AccessError):
            as_invoicing.serial_number = "SN-2"
        with self.assertRaises(AccessError):
            as_invoicing.action_cancel()
        with self.assertRaises(AccessError):
            self._contract(user=self.invoicing_user)
        self.assertRecordValues(contract, [{"serial_number": "SN-1", "state": "active"}])

    def test_portal_customer_has_no_access(self):
        """The customer's portal user sees no contract, even his own; the salesman does."""
        order = self._sell([(self.product_warranty, 1)], partner=self.customer_contact)
        order.action_confirm()
        contract = order.warranty_contract_ids
        self.assertEqual(contract.partner_id, self.portal_user.partner_id)
        self.assertEqual(contract.state, "active")
        Portal = self.env(user=self.portal_user)["crm.warranty.contract"]
        with self.assertRaises(AccessError):
            Portal.search([("partner_id", "=", self.portal_user.partner_id.id)])
        with self.assertRaises(AccessError):
            Portal.browse(contract.id).state  # noqa: B018

    def test_order_smart_button(self):
        order = self._sell([(self.product_warranty, 1), (self.product_warranty_24, 1)])
        order.action_confirm()
        action = order.action_view_warranty_contracts()
        self.assertEqual(
            order.warranty_contract_ids.search(action["domain"]), order.warranty_contract_ids
        )
        self.assertEqual(
            order.warranty_contract_ids[0].action_view_sale_order()["res_id"], order.id
        )

    def test_partner_count_includes_contacts(self):
        mine = {"user": self.salesman}
        self._contract(partner_id=self.customer.id, **mine)
        self._contract(partner_id=self.customer_contact.id, **mine)
        other = self.env["res.partner"].create({"name": "Other customer"})
        self._contract(partner_id=other.id, **mine)
        partners = (self.customer | self.customer_contact | other).with_user(self.salesman)
        partners.invalidate_recordset(["warranty_count"])
        customer, contact, other = partners
        self.assertEqual(customer.warranty_count, 2)
        self.assertEqual(contact.warranty_count, 1)
        self.assertEqual(other.warranty_count, 1)
        self.assertEqual(len(contact.warranty_contract_ids), 1)
        action = customer.action_view_warranty_contracts()
        self.assertEqual(len(self.Contract.with_user(self.salesman).search(action["domain"])), 2)

    def test_counts_are_set_based(self):
        """Smart button counts cost the same queries for 2 or 8 records, as the
        salesman (partners, orders) and the invoicing user (invoices) read them."""

        def make(n):
            partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(n)])
            orders = self.env(user=self.salesman)["sale.order"]
            for partner in partners:
                orders |= self._sell([(self.product_warranty, 1)], partner=partner)
            orders.action_confirm()
            orders.with_user(self.invoicing_user)._create_invoices().action_post()
            return partners.with_user(self.salesman), orders

        def read_counts(partners, orders, moves):
            return (
                partners.mapped("warranty_count"),
                orders.mapped("warranty_contract_count"),
                moves.mapped("warranty_contract_count"),
            )

        queries = []
        for n in (2, 8):
            partners, orders = make(n)
            moves = self.env(user=self.invoicing_user)["account.move"].browse(
                orders.sudo().invoice_ids.ids
            )
            read_counts(partners, orders, moves)  # warm the access rules caches
            self.env.invalidate_all()
            result = []
            queries.append(
                count_queries(
                    self.env,
                    lambda p=partners, o=orders, m=moves, r=result: r.append(read_counts(p, o, m)),
                )
            )
            partner_counts, order_counts, move_counts = result[0]
            self.assertEqual(partner_counts, [1] * n)
            self.assertEqual(order_counts, [1] * n)
            self.assertEqual(move_counts, [1] * n)
        self.assertEqual(queries[0], queries[1], "the cost grows with the data")
        self.assertLessEqual(queries[0], 6)


@tagged("post_install", "-at_install")
class TestWarrantyRules(WarrantyCommon):
    """States, bad input and renewals: the sales manager manages contracts and
    configures products, the salesman renews his customers' contracts."""

    def _managed(self, **values):
        """A contract created and handled by the sales manager."""
        return self._contract(user=self.sales_manager, **values)

    def _own(self, **values):
        """A contract of the salesman, handled by him."""
        return self._contract(user_id=self.salesman.id, **values).with_user(self.salesman)

    def test_end_before_start_refused(self):
        contract = self._managed()
        with self.assertRaises(ValidationError):
            contract.date_end = contract.date_start - timedelta(days=1)
        with self.assertRaises(ValidationError):
            self._managed(date_start=self.today, date_end=self.today - timedelta(days=1))
        # same day is a valid one-day warranty
        contract.date_end = contract.date_start
        self.assertEqual(contract.date_end, contract.date_start)

    def test_quantity_must_be_positive(self):
        contract = self._managed(quantity=3)
        for qty in (0, -1):
            with self.assertRaises(ValidationError):
                contract.quantity = qty
            with self.assertRaises(ValidationError):
                self._managed(quantity=qty)
        contract.quantity = 0.5
        self.assertEqual(contract.quantity, 0.5)

    def test_negative_months_refused(self):
        product = self.product_plain.with_user(self.sales_manager)
        with self.assertRaises(ValidationError):
            product.warranty_months = -1
        with self.assertRaises(ValidationError):
            product.create({"name": "Bad", "warranty_months": -6})
        product.warranty_months = 6
        self.assertEqual(product.product_tmpl_id.warranty_months, 6)

    def test_product_form_sets_warranty(self):
        with Form(self.env(user=self.sales_manager)["product.template"]) as product_form:
            product_form.name = "Mixer"
            product_form.warranty_months = 36
            product_form.warranty_renewal_product_id = self.renewal_product
        self.assertEqual(product_form.record.warranty_months, 36)
        self.assertEqual(product_form.record.warranty_renewal_product_id, self.renewal_product)
        # configuring products is not the salesman's job: he reads the warranty, no more
        as_salesman = product_form.record.with_user(self.salesman)
        self.assertEqual(as_salesman.warranty_months, 36)
        with self.assertRaises(AccessError):
            as_salesman.warranty_months = 1

    def test_state_buttons(self):
        contract = self._managed(state="draft")
        self.assertTrue(contract.name.startswith("WAR/"))
        contract.action_activate()
        self.assertEqual(contract.state, "active")
        with self.assertRaises(UserError):
            contract.action_activate()
        contract.action_expire()
        self.assertEqual(contract.state, "expired")
        with self.assertRaises(UserError):
            contract.action_expire()
        contract.action_cancel()
        self.assertEqual(contract.state, "cancelled")
        with self.assertRaises(UserError):
            contract.action_cancel()
        contract.action_draft()
        self.assertEqual(contract.state, "draft")
        with self.assertRaises(UserError):
            contract.action_draft()

    def test_manager_handles_a_salesman_s_contract_his_colleague_cannot(self):
        contract = self._own()
        contract.action_expire()  # his own: he may
        self.assertEqual(contract.state, "expired")
        as_colleague = contract.with_user(self.colleague)
        with self.assertRaises(AccessError):
            as_colleague.action_cancel()
        with self.assertRaises(AccessError):
            as_colleague.action_renew()
        self.assertEqual(contract.state, "expired")
        self.assertFalse(contract.renewal_order_id)
        contract.with_user(self.sales_manager).action_cancel()
        self.assertEqual(contract.state, "cancelled")

    def test_renewed_contract_cannot_be_cancelled(self):
        contract = self._managed()
        contract.action_cancel()  # an active one can
        renewed = self._managed(state="renewed")
        with self.assertRaises(UserError):
            renewed.action_cancel()

    def test_only_draft_or_cancelled_deleted(self):
        draft = self._managed(state="draft")
        draft.unlink()
        cancelled = self._managed(state="cancelled")
        cancelled.unlink()
        active = self._managed()
        with self.assertRaises(UserError):
            active.unlink()

    def test_only_the_manager_deletes(self):
        draft = self._own(state="draft")
        draft.serial_number = "SN-7"  # his own contract: he may change it
        with self.assertRaises(AccessError):
            draft.unlink()
        self.assertTrue(draft.exists())
        draft.with_user(self.sales_manager).unlink()
        self.assertFalse(draft.exists())

    def test_days_to_expiry(self):
        contract = self._own(date_end=self.today + timedelta(days=10))
        self.assertEqual(contract.days_to_expiry, 10)
        contract.date_end = contract.date_start
        self.assertEqual(contract.days_to_expiry, (contract.date_start - self.today).days)

    def test_renew_creates_quotation_with_renewal_product(self):
        order = self._order([(self.product_warranty, 3)], env=self.env(user=self.salesman))
        order.action_confirm()
        contract = order.warranty_contract_ids
        contract.serial_number = "SN-42"
        action = contract.action_renew()
        quotation = contract.renewal_order_id
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(action["res_id"], quotation.id)
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(quotation.partner_id, self.customer)
        self.assertEqual(quotation.order_line.product_id, self.renewal_product)
        self.assertEqual(quotation.order_line.product_uom_qty, 3)
        self.assertEqual(quotation.origin, contract.name)
        self.assertEqual(quotation.env.user, self.salesman)
        self.assertEqual(quotation.user_id, self.salesman)
        # renewing again reopens the same quotation
        self.assertEqual(contract.action_renew()["res_id"], quotation.id)
        self.assertEqual(quotation.search_count([("origin", "=", contract.name)]), 1)

        quotation.action_confirm()
        successor = contract.renewal_ids
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(len(successor), 1)
        self.assertRecordValues(
            successor,
            [
                {
                    "state": "active",
                    "renewal_of_id": contract.id,
                    "sale_order_id": quotation.id,
                    "sale_line_id": quotation.order_line.id,
                    "product_id": self.product_warranty.id,
                    "partner_id": self.customer.id,
                    "serial_number": "SN-42",
                    "quantity": 3,
                    "date_start": contract.date_end + timedelta(days=1),
                    "date_end": contract.date_end
                    + timedelta(days=1)
                    + relativedelta(contract.date_end, contract.date_start),
                    "warranty_type": "extended",
                    "amount": quotation.order_line.price_subtotal,
                }
            ],
        )
        self.assertEqual(
            successor.date_end, contract.date_end + timedelta(days=1) + relativedelta(months=12)
        )
        # the renewal order creates only the successor
        self.assertEqual(quotation.warranty_contract_ids, successor)

    def test_renew_without_renewal_product_sells_the_product(self):
        self.renewal_product.warranty_months = 12  # must not create a second contract
        contract = self._own(
            product_id=self.product_warranty_24.id,
            date_start=self.today - timedelta(days=800),
            date_end=self.today - timedelta(days=70),
            state="expired",
        )
        contract.action_renew()
        quotation = contract.renewal_order_id
        self.assertEqual(quotation.order_line.product_id, self.product_warranty_24)
        quotation.action_confirm()
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(len(quotation.warranty_contract_ids), 1, "only the successor")
        self.assertEqual(quotation.warranty_contract_ids.renewal_of_id, contract)
        successor = quotation.warranty_contract_ids
        self.assertEqual(successor.date_start, contract.date_end + timedelta(days=1))
        self.assertEqual(
            successor.date_end,
            successor.date_start + relativedelta(contract.date_end, contract.date_start),
            "same length as the renewed contract",
        )

    def test_renewal_product_line_on_renewal_order_has_no_own_contract(self):
        self.renewal_product.warranty_months = 12
        contract = self._own()
        contract.action_renew()
        contract.renewal_order_id.action_confirm()
        self.assertEqual(
            contract.search_count([("sale_order_id", "=", contract.renewal_order_id.id)]), 1
        )

    def test_renew_refused_for_cancelled_renewed_draft(self):
        # an active contract can be renewed (the refusals below are ours)
        self.assertEqual(self._own().action_renew()["res_model"], "sale.order")
        for state in ("cancelled", "renewed", "draft"):
            contract = self._own(state=state)
            with self.assertRaises(UserError):
                contract.action_renew()
            self.assertFalse(contract.renewal_order_id)

    def test_renew_already_renewed_by_quotation_refused(self):
        contract = self._own()
        contract.action_renew()
        contract.renewal_order_id.action_confirm()
        with self.assertRaises(UserError):
            contract.action_renew()

    def test_cancelled_renewal_order(self):
        contract = self._own()
        contract.action_renew()
        quotation = contract.renewal_order_id
        quotation.action_confirm()
        successor = contract.renewal_ids
        quotation._action_cancel()
        self.assertEqual(successor.state, "cancelled")
        self.assertEqual(contract.state, "active", "the renewed contract is active again")
        # confirming it again renews again, without a second successor
        quotation.action_draft()
        quotation.action_confirm()
        self.assertEqual(contract.renewal_ids, successor)
        self.assertEqual(successor.state, "active")
        self.assertEqual(contract.state, "renewed")

    def test_cancelled_quotation_gives_a_new_one(self):
        contract = self._own()
        contract.action_renew()
        first = contract.renewal_order_id
        first.action_cancel()
        contract.action_renew()
        self.assertNotEqual(contract.renewal_order_id, first)
        self.assertEqual(contract.state, "active")

    def test_salesman_renews(self):
        contract = self._own()
        contract.action_renew()
        contract.renewal_order_id.action_confirm()
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(contract.renewal_ids.user_id, self.salesman)

    def test_salesman_renews_his_customer_s_contract_not_a_colleague_s(self):
        mine = self._own()
        self.assertEqual(mine.action_renew()["res_id"], mine.renewal_order_id.id)
        theirs = self._contract(user_id=self.colleague.id)
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).action_renew()
        self.assertFalse(theirs.renewal_order_id)
        # the contract itself is closed to him, not only his colleague's quotations
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).serial_number = "SN-NOT-MINE"
        self.assertFalse(theirs.serial_number)
        # the colleague (and the manager) may
        theirs.with_user(self.colleague).action_renew()
        self.assertEqual(theirs.renewal_order_id.user_id, self.colleague)

    def test_reminder_days_setting(self):
        """Settings are the settings administrator's, as all of Odoo's settings."""
        company = self.env.company.with_user(self.settings_admin)
        self.assertEqual(company.warranty_reminder_days, 30)
        Settings = self.env(user=self.settings_admin)["res.config.settings"]
        settings = Settings.create({"warranty_reminder_days": 12})
        settings.execute()
        self.assertEqual(company.warranty_reminder_days, 12)
        with self.assertRaises(AccessError):
            Settings.with_user(self.sales_manager).create({"warranty_reminder_days": 5}).execute()
        self.assertEqual(company.warranty_reminder_days, 12)
        with mute_logger("odoo.sql_db"), self.assertRaises(CheckViolation), self.cr.savepoint():
            company.warranty_reminder_days = -1
            company.flush_recordset()

    def test_multi_company_rule(self):
        """The other company's salesperson sees all documents of his company, none of ours."""
        Theirs = self.env(user=self.other_user)["crm.warranty.contract"]
        foreign = Theirs.create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product_plain.id,
                "date_start": self.today,
                "date_end": self.today,
            }
        )
        self.assertEqual(foreign.company_id, self.other_company)
        own = self._contract(user_id=self.salesman.id)  # own documents, as sale orders
        unassigned = self._contract(user_id=False)
        ours_for_him = self._contract(user_id=self.other_user.id)
        ours = own | unassigned | ours_for_him
        everything = (foreign | ours).ids
        # he sees all his company's contracts, none of ours, not even one assigned to him
        colleague_s = Theirs.create(
            {
                "partner_id": self.customer.id,
                "product_id": self.product_plain.id,
                "date_start": self.today,
                "date_end": self.today,
                "user_id": False,
            }
        )
        self.assertEqual(
            Theirs.search([("id", "in", [*everything, colleague_s.id])]), foreign | colleague_s
        )
        with self.assertRaises(AccessError):
            Theirs.browse(ours_for_him.id).state  # noqa: B018
        # our salesman sees his own and the unassigned contract, not the other company's
        visible = self.Contract.with_user(self.salesman).search([("id", "in", everything)])
        self.assertEqual(visible, own | unassigned)
        # a sales manager working in both companies sees them all
        self.sales_manager.company_ids |= self.other_company
        companies = [self.env.company.id, self.other_company.id]
        as_manager = self.env(user=self.sales_manager, context={"allowed_company_ids": companies})
        self.assertEqual(
            as_manager["crm.warranty.contract"].search([("id", "in", [*everything])]),
            foreign | ours,
        )

    def test_filters(self):
        expiring = self._own(date_end=self.today + timedelta(days=20))
        later = self._own(date_end=self.today + timedelta(days=45))
        expired = self._own(state="expired", date_end=self.today - timedelta(days=5))
        search_arch = expiring.get_view(view_type="search")["arch"]
        domains = {
            node.get("name"): node.get("domain")
            for node in etree.fromstring(search_arch).iter("filter")
        }
        mine = (expiring | later | expired).ids
        found = expiring.search(ast.literal_eval(domains["expiring_30"]) + [("id", "in", mine)])
        self.assertEqual(found, expiring)
        found = expiring.search(ast.literal_eval(domains["expired"]) + [("id", "in", mine)])
        self.assertEqual(found, expired)

    def test_views_render(self):
        for view_type in (
            "list",
            "form",
            "kanban",
            "calendar",
            "search",
            "pivot",
            "graph",
            "activity",
        ):
            # the addon's own view, not the default Odoo generates for a view-less model
            view = self.Contract.with_user(self.salesman).get_view(view_type=view_type)
            self.assertEqual(
                self.env["ir.ui.view"].browse(view["id"]).xml_id,
                f"crm_extended.crm_warranty_contract_view_{view_type}",
            )
        salesman_env = self.env(user=self.salesman)
        for model, field in (
            ("product.template", "warranty_months"),
            ("res.partner", "warranty_count"),
            ("sale.order", "warranty_contract_count"),
        ):
            self.assertIn(field, salesman_env[model].get_view(view_type="form")["arch"])
        self.assertIn(
            "warranty_contract_count",
            self.env(user=self.invoicing_user)["account.move"].get_view(view_type="form")["arch"],
        )
        self.assertIn(
            "warranty_reminder_days",
            self.env(user=self.settings_admin)["res.config.settings"].get_view(view_type="form")[
                "arch"
            ],
        )

    def test_renewal_goes_through_order_confirmation_checks(self):
        """The real credit check: a customer on hold gets no renewal until the hold is lifted."""
        contract = self._contract(user_id=self.salesman.id)
        contract.with_user(self.salesman).action_renew()
        quotation = contract.renewal_order_id.with_user(self.salesman)
        self.assertFalse(quotation.credit_block_reason, "nothing would block it yet")
        self.customer.sudo().write(
            {"credit_hold": True, "credit_hold_reason": "Disputed warranty invoice"}
        )
        quotation.invalidate_recordset(["credit_block_reason"])
        self.assertIn(self.customer.name, quotation.credit_block_reason or "")
        with self.assertRaises(UserError) as refusal:
            quotation.action_confirm()
        self.assertIn(self.customer.name, str(refusal.exception))
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(contract.state, "active")
        self.assertFalse(contract.renewal_ids)
        # the same quotation goes through once finance lifts the hold
        self.customer.sudo().credit_hold = False
        quotation.action_confirm()
        self.assertEqual(quotation.state, "sale")
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(contract.renewal_ids.sale_order_id, quotation)

    def test_demo_data_covers_each_state(self):
        demo = self.env.ref("crm_extended.warranty_contract_active_demo", raise_if_not_found=False)
        if not demo:
            self.skipTest("installed without demo data")
        # the demo records live in the main company, not in this test company
        states = set(self.Contract.sudo().browse(self._demo_ids()).mapped("state"))
        self.assertEqual(states, {"draft", "active", "expired", "renewed", "cancelled"})
        product = self.env.ref("crm_extended.product_warranty_desk_demo")
        self.assertEqual(product.warranty_months, 24)
        self.assertTrue(product.warranty_renewal_product_id)

    def _demo_ids(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "crm.warranty.contract")]
        )
        return data.mapped("res_id")
