"""Who gets the renewal to-do, and which errors the nightly job lets through."""

from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.tests import new_test_user, tagged

from .test_warranty_common import WarrantyCommon

CRON_LOGGER = "odoo.addons.crm_extended.models.crm_warranty_contract"


@tagged("post_install", "-at_install")
class TestWarrantyReminderResponsible(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.warranty_reminder_days = 30
        cls.former = new_test_user(
            cls.env, login="crmx_warranty_former", groups="sales_team.group_sale_salesman"
        )
        cls.former.action_archive()
        cls.elsewhere = new_test_user(
            cls.env,
            login="crmx_warranty_elsewhere",
            groups="sales_team.group_sale_salesman",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.leader = new_test_user(
            cls.env, login="crmx_warranty_leader", groups="sales_team.group_sale_manager"
        )
        cls.team = cls.env["crm.team"].create({"name": "T Warranty Team", "user_id": cls.leader.id})

    def _remind(self, contract):
        self.CronContract._cron_process_warranties()
        self.assertEqual(contract.reminder_date, self.today)
        self.assertEqual(len(contract.activity_ids), 1)
        responsible = contract.activity_ids.user_id
        if responsible:
            # the one who gets the to-do can open it and its contract
            as_responsible = contract.with_user(responsible)
            self.assertEqual(as_responsible.activity_ids, contract.activity_ids)
            self.assertEqual(as_responsible.state, "active")
        return responsible

    def _order_contract(self, order_user, contract_user, team=None):
        order = self._order([(self.product_warranty, 1)])
        order.write({"user_id": order_user.id, "team_id": (team or order.team_id).id})
        return self._contract(
            sale_order_id=order.id,
            user_id=contract_user.id,
            date_end=self.today + timedelta(days=10),
        )

    def test_responsible_of_the_contract(self):
        contract = self._order_contract(self.leader, self.salesman)
        self.assertEqual(self._remind(contract), self.salesman)

    def test_archived_responsible_falls_back_to_the_order_salesperson(self):
        contract = self._order_contract(self.salesman, self.former)
        self.assertEqual(self._remind(contract), self.salesman)
        reminder = contract.message_ids.filtered(lambda m: m.subject and contract.name in m.subject)
        self.assertEqual(reminder.author_id, self.salesman.partner_id)

    def test_responsible_of_another_company_falls_back(self):
        self.customer.user_id = self.salesman
        contract = self._contract(
            user_id=self.elsewhere.id, date_end=self.today + timedelta(days=10)
        )
        self.assertEqual(self._remind(contract), self.salesman, "the customer's salesperson")

    def test_team_leader_when_no_salesperson_can_take_it(self):
        contract = self._order_contract(self.former, self.elsewhere, team=self.team)
        self.assertEqual(self._remind(contract), self.leader)

    def test_nobody_left_unassigned_not_the_administrator(self):
        portal = new_test_user(self.env, login="crmx_warranty_portal", groups="base.group_portal")
        contract = self._contract(user_id=self.former.id, date_end=self.today + timedelta(days=10))
        self.customer.user_id = portal
        self.assertFalse(
            self._remind(contract), "no one to assign: the to-do waits on the contract"
        )
        self.assertEqual(
            contract.activity_ids.activity_type_id,
            self.env.ref("crm_extended.mail_activity_type_warranty_renewal"),
        )
        admin = self.env.ref("base.user_admin")
        self.assertNotIn(admin, contract.activity_ids.user_id)


@tagged("post_install", "-at_install")
class TestWarrantyCronConcurrency(WarrantyCommon):
    """Errors of a concurrent transaction roll the job back so that Odoo runs it
    again; only errors of a record are logged and the record skipped."""

    def _assert_propagates(self, method, error, fail_batch=False):
        Contract = type(self.Contract)
        original = getattr(Contract, method)
        first = self._contract(date_end=self.today - timedelta(days=3))
        second = self._contract(date_end=self.today - timedelta(days=2))

        def run(records, today):
            if fail_batch and len(records) > 1:
                raise ValueError("one record of the batch is broken")
            if second in records:
                raise error("concurrent update")
            return original(records, today)

        with (
            patch.object(Contract, method, run),
            self.assertNoLogs(CRON_LOGGER, level="ERROR"),
            self.assertRaises(error),
        ):
            self.CronContract._cron_process_warranties()
        return first, second

    def test_lock_not_available_on_expiry_propagates(self):
        self._assert_propagates("_warranty_expire", psycopg2.errors.LockNotAvailable)

    def test_deadlock_on_expiry_propagates(self):
        self._assert_propagates("_warranty_expire", psycopg2.errors.DeadlockDetected)

    def test_concurrency_error_of_one_record_propagates(self):
        """The batch fails, the job retries record by record: a concurrent
        update found there still rolls the job back."""
        self._assert_propagates(
            "_warranty_expire", psycopg2.errors.SerializationFailure, fail_batch=True
        )

    def test_concurrency_errors_on_reminders_propagate(self):
        self.env.company.warranty_reminder_days = 30
        Contract = type(self.Contract)
        for error in (
            psycopg2.errors.LockNotAvailable,
            psycopg2.errors.SerializationFailure,
        ):
            contract = self._contract(date_end=self.today + timedelta(days=5))

            def remind(records, today, error=error):
                raise error("concurrent update")

            with (
                self.subTest(error=error.__name__),
                patch.object(Contract, "_warranty_send_reminder", remind),
                self.assertNoLogs(CRON_LOGGER, level="ERROR"),
                self.assertRaises(error),
            ):
                self.CronContract._cron_process_warranties()
            self.assertFalse(contract.reminder_date)
            contract.state = "cancelled"
