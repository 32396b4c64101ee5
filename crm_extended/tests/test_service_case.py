import base64
import io
from datetime import timedelta
from unittest.mock import patch

import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .query_count import count_queries
from .service_case_common import ServiceCaseCommon


@tagged("post_install", "-at_install")
class TestServiceCaseCoverage(ServiceCaseCommon):
    """Opening a case finds the customer's warranty contract and says what it covers."""

    def test_covered_by_product(self):
        # the agent does not follow the contract (own documents): the coverage is found anyway
        case = self._case(user=self.agent, product_id=self.product.id)
        self.assertEqual(case.warranty_contract_id, self.contract)
        self.assertEqual(case.coverage, "covered")
        self.assertTrue(case.name.startswith("CASE/"))
        self.assertEqual(case.user_id, self.agent)
        # the customer follows the case (e-mails, portal)
        self.assertIn(self.customer, case.message_partner_ids)

    def test_covered_by_serial_from_a_contact(self):
        other_serial = self._contract(product_id=self.product.id, serial_number="DR-0002")
        case = self._case(
            user=self.agent, partner_id=self.customer_contact.id, serial_number=" DR-0002 "
        )
        self.assertEqual(case.warranty_contract_id, other_serial)
        self.assertEqual(case.coverage, "covered")

    def test_serial_wins_over_product(self):
        """The caller's serial number names the unit, even when another contract on the
        same product is newer and active."""
        old_unit = self._contract(
            serial_number="DR-OLD",
            date_start=self.today - timedelta(days=800),
            date_end=self.today - timedelta(days=435),
            state="expired",
        )
        self._contract(date_end=self.today + timedelta(days=600))  # newer, no serial
        case = self._case(user=self.agent, product_id=self.product.id, serial_number="DR-OLD")
        self.assertEqual(case.warranty_contract_id, old_unit)
        self.assertEqual(case.coverage, "expired")
        # an unknown serial number falls back on the product
        case = self._case(user=self.agent, product_id=self.product.id, serial_number="NOPE")
        self.assertEqual(case.coverage, "covered")

    def test_expired(self):
        expired = self._contract(
            product_id=self.product_other.id,
            date_start=self.today - timedelta(days=500),
            date_end=self.today - timedelta(days=135),
            state="expired",
        )
        case = self._case(user=self.agent, product_id=self.product_other.id)
        self.assertEqual(case.warranty_contract_id, expired)
        self.assertEqual(case.coverage, "expired")

    def test_active_contract_preferred_to_expired_one(self):
        self._contract(
            date_start=self.today - timedelta(days=800),
            date_end=self.today - timedelta(days=435),
            state="expired",
        )
        case = self._case(user=self.agent, product_id=self.product.id)
        self.assertEqual(case.warranty_contract_id, self.contract)

    def test_not_covered_and_no_contract(self):
        draft = self._contract(product_id=self.product_other.id, state="draft")
        case = self._case(user=self.agent, product_id=self.product_other.id)
        self.assertEqual(case.warranty_contract_id, draft)
        self.assertEqual(case.coverage, "not_covered")
        case = self._case(user=self.agent, product_id=self.product_plain.id)
        self.assertFalse(case.warranty_contract_id)
        self.assertEqual(case.coverage, "no_contract")
        # another customer's contract never covers
        case = self._case(user=self.agent, partner_id=self.stranger.id, serial_number="DR-0001")
        self.assertEqual(case.coverage, "no_contract")

    def test_other_company_contract_not_found(self):
        self._contract(
            product_id=self.product_other.id, company_id=self.other_company.id, user_id=False
        )
        case = self._case(user=self.agent, product_id=self.product_other.id)
        self.assertEqual(case.coverage, "no_contract")

    def test_form_shows_coverage_while_typing(self):
        with Form(self.Case.with_user(self.agent)) as form:
            form.subject = "Noise"
            form.partner_id = self.customer
            form.product_id = self.product
            self.assertEqual(form.coverage, "covered")
            form.product_id = self.product_plain
            self.assertEqual(form.coverage, "no_contract")
        self.assertEqual(form.record.coverage, "no_contract")

    def test_coverage_follows_the_contract(self):
        case = self._case(product_id=self.product.id)
        self.contract.action_expire()
        self.assertEqual(case.coverage, "expired")

    def test_one_search_by_serial_contract_or_order(self):
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        by_serial = self._case(serial_number="XY-778899")
        by_contract = self._case(product_id=self.product.id)
        by_order = self._case(sale_order_id=order.id, case_type="complaint")
        Case = self.Case.with_user(self.manager)
        for term, case in (
            ("XY-7788", by_serial),
            (self.contract.name, by_contract),
            ("DR-0001", by_contract),
            (order.name, by_order),
        ):
            with self.subTest(term=term):
                found = Case.search([("display_name", "ilike", term)])
                self.assertIn(case, found)
                self.assertEqual(len(found), 1)

    def test_opening_cost_constant(self):
        """Opening a case (contract lookup included) costs the same number of
        queries with 3 or with 300 contracts and cases."""

        def open_case(serial):
            return lambda: self._case(
                user=self.agent, product_id=self.product.id, serial_number=serial
            )

        count_queries(self.env, open_case("W-0"))  # warm-up
        small = count_queries(self.env, open_case("W-1"))
        customers = self.env["res.partner"].create([{"name": f"Bulk {i}"} for i in range(150)])
        self.env["crm.warranty.contract"].create(
            [
                {
                    "partner_id": partner.id,
                    "product_id": self.product.id,
                    "serial_number": f"BULK-{i}",
                    "date_start": self.today,
                    "date_end": self.today + timedelta(days=30),
                    "state": "active",
                }
                for i, partner in enumerate(customers)
            ]
            + [
                {
                    "partner_id": self.customer.id,
                    "product_id": self.product_other.id,
                    "serial_number": f"MINE-{i}",
                    "date_start": self.today,
                    "date_end": self.today + timedelta(days=30),
                    "state": "active",
                }
                for i in range(20)
            ]
        )
        self.Case.create(
            [
                {"subject": f"Bulk {i}", "partner_id": partner.id, "product_id": self.product.id}
                for i, partner in enumerate(customers)
            ]
        )
        large = count_queries(self.env, open_case("W-2"))
        self.assertEqual(small, large)
        self.assertLessEqual(large, 40)


@tagged("post_install", "-at_install")
class TestServiceCaseResponseTime(ServiceCaseCommon):
    """Deadlines per priority from the company; on-time / at-risk / breached; reminders."""

    def test_deadline_per_priority(self):
        now = fields.Datetime.now()
        for priority, hours in (("0", 48), ("1", 24), ("2", 8), ("3", 2)):
            with self.subTest(priority=priority):
                case = self._case(priority=priority, date_open=now)
                self.assertEqual(case.date_deadline, now + timedelta(hours=hours))
                self.assertEqual(case.sla_state, "on_time")
        # raising the priority brings the deadline forward
        case.priority = "0"
        self.assertEqual(case.date_deadline, now + timedelta(hours=48))
        # 0 hours: no deadline, never breached
        self.company.service_response_hours_1 = 0
        case = self._case(priority="1", date_open=now - timedelta(days=30))
        self.assertFalse(case.date_deadline)
        self.assertEqual(case.sla_state, "on_time")

    def test_state_at_opening_and_resolution(self):
        now = fields.Datetime.now()
        at_risk = self._case(priority="1", date_open=now - timedelta(hours=20))
        self.assertEqual(at_risk.sla_state, "at_risk")
        late = self._case(priority="3", date_open=now - timedelta(hours=3))
        self.assertEqual(late.sla_state, "breached")
        late.resolution = "advice"
        late.action_resolve()
        self.assertEqual(late.sla_state, "breached", "resolved after its deadline")
        at_risk.resolution = "repaired"
        at_risk.action_resolve()
        self.assertEqual(at_risk.sla_state, "on_time", "resolved in time")

    def test_cron_marks_and_reminds_once(self):
        # only this test's cases are open (the demo data has some)
        self.Case.search([]).write({"state": "cancelled"})
        now = fields.Datetime.now()
        fresh = self._case(user=self.agent, priority="1", date_open=now - timedelta(hours=1))
        nearing = self._case(user=self.agent, priority="1", date_open=now - timedelta(hours=1))
        late = self._case(user=self.agent, priority="2", date_open=now - timedelta(hours=1))
        done = self._case(priority="3", date_open=now - timedelta(hours=1), resolution="advice")
        done.action_resolve()
        self.assertEqual((fresh | nearing | late).mapped("sla_state"), ["on_time"] * 3)
        later = now + timedelta(hours=17)
        Cron = self.Case.with_user(self.env.ref("base.user_root"))
        with patch.object(fields.Datetime, "now", lambda *a, **k: later):
            result = Cron._cron_check_deadlines()
        # 17h later: nearing (24h) is past 75 % of it, late (8h) is breached; not the resolved one
        self.assertEqual(result, {"at_risk": 2, "breached": 1, "reminded": 3})
        self.assertEqual(fresh.sla_state, "at_risk")
        self.assertEqual(nearing.sla_state, "at_risk")
        self.assertEqual(late.sla_state, "breached")
        self.assertEqual(done.sla_state, "on_time")
        activity_type = self.env.ref("crm_extended.mail_activity_type_service_case_deadline")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "crm.service.case"), ("activity_type_id", "=", activity_type.id)]
        )
        self.assertEqual(set(activities.mapped("res_id")), set((fresh | nearing | late).ids))
        self.assertEqual(set(activities.user_id.ids), {self.agent.id})
        # a rerun writes nothing: no UPDATE, no new activity
        self.env.flush_all()
        with (
            patch.object(fields.Datetime, "now", lambda *a, **k: later),
            patch.object(type(self.Case), "write", side_effect=AssertionError("write")),
        ):
            result = Cron._cron_check_deadlines()
        self.assertEqual(result, {"at_risk": 0, "breached": 0, "reminded": 0})
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [
                    ("res_model", "=", "crm.service.case"),
                    ("activity_type_id", "=", activity_type.id),
                ]
            ),
            3,
        )
        # still late 10h more: the at-risk ones become breached, without a second to-do
        with patch.object(fields.Datetime, "now", lambda *a, **k: later + timedelta(hours=10)):
            result = Cron._cron_check_deadlines()
        self.assertEqual(result, {"at_risk": 0, "breached": 2, "reminded": 0})

    def test_breached_filter(self):
        now = fields.Datetime.now()
        late = self._case(priority="3", date_open=now - timedelta(hours=5))
        self._case(priority="3", date_open=now)
        action = self.env.ref("crm_extended.crm_service_case_action")
        self.assertIn("search_default_open", action.context)
        found = self.Case.search(
            [("sla_state", "=", "breached"), ("partner_id", "=", self.customer.id)]
        )
        self.assertEqual(found, late)


@tagged("post_install", "-at_install")
class TestServiceCaseClosure(ServiceCaseCommon):
    def test_resolve_needs_resolution(self):
        case = self._case(user=self.agent)
        case.action_start()
        with self.assertRaises(UserError):
            case.action_resolve()
        case.resolution = "replaced"
        case.action_resolve()
        self.assertEqual(case.state, "resolved")
        self.assertTrue(case.date_resolved)
        self.assertGreaterEqual(case.resolve_hours, 0)
        # closing an open case is refused
        other = self._case(user=self.agent)
        with self.assertRaises(UserError):
            other.action_close()

    def test_close_asks_for_a_rating(self):
        case = self._case(user=self.agent, resolution="repaired")
        case.action_resolve()
        case.action_close()
        self.assertEqual(case.state, "closed")
        rating = (
            self.env["rating.rating"]
            .sudo()
            .search([("res_model", "=", "crm.service.case"), ("res_id", "=", case.id)])
        )
        self.assertEqual(rating.partner_id, self.customer)
        self.assertEqual(rating.rated_partner_id, self.agent.partner_id)
        message = case.message_ids.filtered(
            lambda m: f"/rate/{rating.access_token}/5" in str(m.body)
        )
        self.assertTrue(message, "the rating request carries the rating links")
        # the customer rates (as the /rate route does): satisfaction on the customer
        case.sudo().rating_apply(5, token=rating.access_token)
        self.assertEqual(self.customer_contact.with_user(self.agent).satisfaction_avg, 5.0)
        self.assertEqual(self.customer.with_user(self.finance).satisfaction_avg, 5.0)

    def test_no_rating_when_the_company_asks_none(self):
        self.company.service_rating_request = False
        case = self._case(user=self.agent, resolution="advice")
        case.action_resolve()
        case.action_close()
        self.assertFalse(
            self.env["rating.rating"]
            .sudo()
            .search([("res_id", "=", case.id), ("res_model", "=", "crm.service.case")])
        )

    def test_reopen(self):
        case = self._case(user=self.agent, resolution="advice")
        case.action_resolve()
        case.action_reopen()
        self.assertEqual(case.state, "in_progress")
        self.assertFalse(case.date_resolved)


@tagged("post_install", "-at_install")
class TestServiceCaseQuotation(ServiceCaseCommon):
    def test_uncovered_claim_gets_a_repair_quotation(self):
        case = self._case(user=self.agent, product_id=self.product_plain.id, serial_number="S-9")
        self.assertEqual(case.coverage, "no_contract")
        action = case.action_create_quotation()
        order = case.quotation_id
        self.assertEqual(action["res_id"], order.id)
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.origin, case.name)
        self.assertEqual(order.user_id, self.agent)
        self.assertEqual(
            order.order_line.product_id, self.env.ref("crm_extended.product_service_repair")
        )
        self.assertIn("S-9", order.order_line.name)
        # once: the button opens the same quotation
        case.action_create_quotation()
        self.assertEqual(case.quotation_id, order)

    def test_covered_claim_is_free(self):
        case = self._case(user=self.agent, product_id=self.product.id)
        with self.assertRaises(UserError):
            case.action_create_quotation()
        self.assertFalse(case.quotation_id)

    def test_question_gets_no_quotation(self):
        case = self._case(user=self.agent, case_type="question")
        with self.assertRaises(UserError):
            case.action_create_quotation()

    def test_repair_quotation_goes_through_credit_control(self):
        self.customer.sudo().with_company(self.company).write(
            {"credit_hold": True, "credit_hold_reason": "Unpaid repairs"}
        )
        case = self._case(user=self.agent, product_id=self.product_plain.id)
        case.action_create_quotation()
        case.quotation_id.order_line.price_unit = 80.0
        with self.assertRaises(UserError):
            case.quotation_id.with_user(self.agent).action_confirm()
        self.assertEqual(case.quotation_id.state, "draft")


@tagged("post_install", "-at_install")
class TestServiceCaseAccess(ServiceCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls.env["crm.service.case"].create(
            {"subject": "Mine", "partner_id": cls.customer.id, "user_id": cls.agent.id}
        )
        cls.theirs = cls.env["crm.service.case"].create(
            {"subject": "Theirs", "partner_id": cls.customer.id, "user_id": cls.colleague.id}
        )
        cls.unassigned = cls.env["crm.service.case"].create(
            {"subject": "Nobody's", "partner_id": cls.customer_contact.id, "user_id": False}
        )
        cls.strangers = cls.env["crm.service.case"].create(
            {"subject": "Stranger's", "partner_id": cls.stranger.id, "user_id": cls.agent.id}
        )
        cls.other_company_case = cls.env["crm.service.case"].create(
            {
                "subject": "Elsewhere",
                "partner_id": cls.customer.id,
                "company_id": cls.other_company.id,
                "user_id": False,
            }
        )
        cls.all_cases = (
            cls.mine | cls.theirs | cls.unassigned | cls.strangers | cls.other_company_case
        )

    def _visible(self, user):
        return self.Case.with_user(user).search([("id", "in", self.all_cases.ids)])

    def test_agent_sees_own_and_unassigned(self):
        self.assertEqual(self._visible(self.agent), self.mine | self.unassigned | self.strangers)
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.agent).read(["subject"])
        with self.assertRaises(AccessError):
            self.theirs.with_user(self.agent).write({"subject": "Hijack"})
        # an agent does not delete cases (managers do)
        with self.assertRaises(AccessError):
            self.mine.with_user(self.agent).unlink()

    def test_manager_sees_all_of_the_company(self):
        self.assertEqual(
            self._visible(self.manager), self.mine | self.theirs | self.unassigned | self.strangers
        )
        self.theirs.with_user(self.manager).unlink()

    def test_finance_reads_only(self):
        self.assertEqual(
            self._visible(self.finance), self.mine | self.theirs | self.unassigned | self.strangers
        )
        with self.assertRaises(AccessError):
            self.mine.with_user(self.finance).write({"subject": "Changed"})

    def test_other_company_user(self):
        self.assertEqual(self._visible(self.other_user), self.other_company_case)
        with self.assertRaises(AccessError):
            self.mine.with_user(self.other_user).read(["subject"])

    def test_portal_user_sees_own_customer_cases_only(self):
        visible = self._visible(self.portal_user)
        self.assertEqual(visible, self.mine | self.theirs | self.unassigned)
        self.assertEqual(self._visible(self.stranger_portal), self.strangers)
        with self.assertRaises(AccessError):
            self.strangers.with_user(self.portal_user).read(["subject"])
        with self.assertRaises(AccessError):
            self.mine.with_user(self.portal_user).write({"subject": "Changed"})
        with self.assertRaises(AccessError):
            self.Case.with_user(self.portal_user).create(
                {"subject": "Direct", "partner_id": self.customer_contact.id}
            )
        # finance figures of the customer stay hidden from the portal
        with self.assertRaises(AccessError):
            self.mine.with_user(self.portal_user).read(["customer_credit_status"])

    def test_customer_figures(self):
        old = self._case(
            case_type="complaint", date_open=fields.Datetime.now() - timedelta(days=120)
        )
        old.write({"resolution": "advice"})
        old.action_resolve()
        self._case(case_type="complaint", partner_id=self.customer_contact.id)
        for user in (self.agent, self.manager, self.finance):
            with self.subTest(user=user.login):
                customer = self.customer.with_user(user)
                # mine, theirs, unassigned, the new complaint (not the other company's)
                self.assertEqual(customer.service_case_open_count, 4)
                self.assertEqual(customer.complaint_count_90d, 1)
                self.assertEqual(self.customer_contact.with_user(user).service_case_open_count, 4)
        action = self.customer.with_user(self.agent).action_view_service_cases()
        self.assertEqual(
            self.Case.with_user(self.agent).search(
                action["domain"] + [("state", "in", ("new", "in_progress", "waiting"))]
            ),
            self.mine | self.unassigned,
        )
        with self.assertRaises(AccessError):
            self.customer_contact.with_user(self.portal_user).read(["service_case_open_count"])

    def test_case_shows_credit_warranties_and_orders(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.product_plain.id, "price_unit": 10})
                ],
            }
        )
        order.action_confirm()
        order.user_id = self.agent
        case = self.mine.with_user(self.agent)
        self.assertEqual(case.customer_credit_status, "ok")
        self.assertIn(order, case.customer_order_ids)
        # own documents: the warranty followed by the colleague stays hidden from the agent,
        # the manager sees it
        self.assertNotIn(self.contract, case.customer_warranty_ids)
        self.assertIn(self.contract, self.mine.with_user(self.manager).customer_warranty_ids)


@tagged("post_install", "-at_install")
class TestServiceCaseXlsx(ServiceCaseCommon):
    def _export(self, user):
        wizard = (
            self.env["crm.extended.xlsx.export"]
            .with_user(user)
            .create({"report_type": "service_case", "date_from": self.today})
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]

    def test_export_rows_as_the_user_sees_them(self):
        mine = self._case(user=self.agent, product_id=self.product.id, serial_number="DR-0001")
        mine.resolution = "repaired"
        mine.action_resolve()
        theirs = self._case(user_id=self.colleague.id)
        rows = self._export(self.manager)
        header = rows[0]
        self.assertEqual(header[:3], ["Case", "Subject", "Customer"])
        by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
        self.assertIn(theirs.name, by_name)
        row = by_name[mine.name]
        self.assertEqual(row["Serial number"], "DR-0001")
        self.assertEqual(row["Coverage"], "Covered")
        self.assertEqual(row["Status"], "Resolved")
        self.assertGreaterEqual(row["Hours to resolve"], 0)  # a number, not text
        self.assertEqual(row["Priority"], 1)
        # own documents: the agent's export holds the agent's cases only
        names = {row[0] for row in self._export(self.agent)[1:]}
        self.assertIn(mine.name, names)
        self.assertNotIn(theirs.name, names)
