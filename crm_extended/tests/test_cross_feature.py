"""Interactions between the features once merged: each one through the others' real code."""

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .credit_common import CreditCommon
from .cycle_common import SalesCycleCommon


@tagged("post_install", "-at_install")
class TestWarrantyRenewalCredit(CreditCommon):
    """A warranty renewal quotation goes through the real credit check."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warranted = cls._create_product(
            name="credit warranted drill",
            lst_price=100.0,
            invoice_policy="order",
            warranty_months=12,
            taxes_id=[Command.clear()],
        )
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.contact.id,
                "user_id": cls.salesman.id,
                "order_line": [Command.create({"product_id": cls.warranted.id})],
            }
        )
        order.action_confirm()
        cls.contract = order.warranty_contract_ids
        cls.contract.ensure_one()

    def _renewal(self):
        self.contract.action_renew()
        quotation = self.contract.renewal_order_id
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(quotation.user_id, self.salesman)
        return quotation

    def _assert_not_renewed(self, quotation):
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(self.contract.state, "active")
        self.assertFalse(self.contract.renewal_ids)

    def test_renewal_refused_on_hold_until_approved(self):
        quotation = self._renewal()
        # without the hold the renewal would go through: shown on a copy
        self.assertFalse(quotation.credit_block_reason)
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Disputed invoice"})
        quotation.invalidate_recordset(["credit_block_reason"])
        self.assertIn("Credit Customer", quotation.credit_block_reason)
        for caller in (quotation, quotation.sudo(), quotation.with_user(self.salesman)):
            with self.assertRaises(UserError) as refusal:
                caller.action_confirm()
            self.assertIn("Credit Customer", str(refusal.exception))
            self._assert_not_renewed(quotation)

        quotation.with_user(self.salesman).action_request_credit_approval()
        quotation.with_user(self.controller).action_approve_credit()
        quotation.with_user(self.salesman).action_confirm()
        self.assertEqual(quotation.state, "sale")
        self.assertEqual(self.contract.state, "renewed")
        successor = self.contract.renewal_ids
        self.assertEqual(len(successor), 1)
        self.assertEqual(successor.state, "active")
        self.assertEqual(successor.sale_order_id, quotation)

    def test_renewal_refused_over_limit(self):
        self.customer.credit_limit = 120.0  # the drill (100) is not invoiced yet
        quotation = self._renewal()
        self.assertTrue(quotation.credit_block_reason)
        with self.assertRaises(UserError):
            quotation.action_confirm()
        self._assert_not_renewed(quotation)
        self.customer.credit_limit = 1000.0
        quotation.action_confirm()
        self.assertEqual(self.contract.state, "renewed")


@tagged("post_install", "-at_install")
class TestCycleCompetitorQualification(SalesCycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.competitor = cls.env["crm.competitor"].create({"name": "Cycle Rival"})
        cls.lost_reason = cls.env["crm.lost.reason"].create({"name": "Cheaper elsewhere"})

    def _lose(self, leads, user):
        wizard = (
            self.env["crm.lead.lost"]
            .with_user(user)
            .create(
                {
                    "lead_ids": [Command.set(leads.ids)],
                    "lost_reason_id": self.lost_reason.id,
                    "competitor_id": self.competitor.id,
                }
            )
        )
        wizard.action_lost_reason_apply()

    def test_lost_wizard_on_lead_in_cycle_keeps_stage(self):
        lead = self._lead(team=self.team_open)
        lead.write({"stage_id": self.stage_b.id})
        history_before = lead.stage_history_ids
        self._lose(lead, self.salesman)
        self.assertFalse(lead.active)
        self.assertEqual(lead.won_status, "lost")
        self.assertEqual(lead.stage_id, self.stage_b)
        self.assertEqual(lead.sales_cycle_id, self.cycle_open)
        self.assertEqual(lead.lost_to_competitor_id, self.competitor)
        self.assertEqual(lead.competitor_line_ids.competitor_id, self.competitor)
        self.assertEqual(lead.with_context(active_test=False).stage_history_ids, history_before)
        self.competitor.invalidate_recordset()
        self.assertEqual(self.competitor.lost_count, 1)
        # restoring puts the lead back where it stood, with the stage's probability
        lead.action_restore()
        self.assertEqual(lead.stage_id, self.stage_b)
        self.assertEqual(lead.probability, 60)

    def test_lost_wizard_on_gated_stage(self):
        """Losing is not a forward move: a gated stage does not stop it."""
        lead = self._lead()
        self.assertEqual(lead.stage_id, self.stage_1)
        self._lose(lead, self.salesman)
        self.assertFalse(lead.active)
        self.assertEqual(lead.stage_id, self.stage_1)
        self.assertEqual(lead.lost_to_competitor_id, self.competitor)

    def test_mass_conversion_requires_qualification(self):
        partner = self.env["res.partner"].create({"name": "Mass Customer"})
        lead = self._lead(type="lead", partner_id=partner.id)
        wizard = (
            self.env["crm.lead2opportunity.partner.mass"]
            .with_user(self.manager)
            .with_context(active_model="crm.lead", active_ids=lead.ids)
            .create({"team_id": self.team.id, "deduplicate": False})
        )
        with self.assertRaises(UserError):
            wizard.action_mass_convert()
        self.assertEqual(lead.type, "lead")
        self._qualify(lead, self.opt_yes)
        wizard.action_mass_convert()
        self.assertEqual(lead.type, "opportunity")
        # the converted lead stays in its cycle
        self.assertEqual(lead.sales_cycle_id, self.cycle)
        self.assertIn(lead.stage_id, self.cycle.stage_line_ids.stage_id)


@tagged("post_install", "-at_install")
class TestCustomer360Contacts(CreditCommon):
    def test_360_page_of_company_with_contacts(self):
        """The partner form (with its contacts) opens for sales and finance."""
        self.customer.write({"credit_hold": True, "credit_hold_reason": "Disputed invoice"})
        self._order(300.0, partner=self.contact, user=self.salesman)
        for user in (self.salesman, self.controller):
            with self.subTest(user=user.login):
                for partner in (self.customer, self.contact):
                    form = Form(partner.with_user(user))
                    self.assertEqual(form.credit_status, "hold")
                    self.assertEqual(form.c360_quotation_count, 1)
                self.assertEqual(len(Form(self.customer.with_user(user)).child_ids), 1)

    def test_360_buttons_list_what_the_page_counts(self):
        """The page counts the current company's documents: so do its buttons."""
        other = self.env["res.company"].create({"name": "C360 Other Company"})
        self.env.user.company_ids |= other
        companies = self.company | other
        self._order(300.0, partner=self.contact)
        self._order(200.0, partner=self.contact, confirm=True)
        for state in ("draft", "sale"):
            order = (
                self.env["sale.order"]
                .with_company(other)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "company_id": other.id,
                        "order_line": [Command.create({"product_id": self.product.id})],
                    }
                )
            )
            if state == "sale":
                order.action_confirm()
        Contract = self.env["crm.warranty.contract"]
        for company in companies:
            Contract.create(
                {
                    "partner_id": self.contact.id,
                    "product_id": self.product.id,
                    "company_id": company.id,
                    "date_end": fields.Date.add(fields.Date.today(), days=200),
                    "state": "active",
                }
            )
        partner = self.customer.with_context(allowed_company_ids=companies.ids)
        for count_field, action, model in (
            ("c360_quotation_count", "action_c360_quotations", "sale.order"),
            ("c360_order_count", "action_c360_orders", "sale.order"),
            ("c360_warranty_active_count", "action_c360_warranties", "crm.warranty.contract"),
        ):
            with self.subTest(button=action):
                self.assertEqual(partner[count_field], 1)
                domain = getattr(partner, action)()["domain"]
                records = partner.env[model].search(domain)
                self.assertEqual(len(records), 1)
                self.assertEqual(records.company_id, self.company)
        for action in ("action_c360_open_invoices", "action_c360_overdue_invoices"):
            self.assertIn(
                ("company_id", "=", self.company.id), getattr(partner, action)()["domain"]
            )
