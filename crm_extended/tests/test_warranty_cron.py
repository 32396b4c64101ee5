from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo.tests import tagged

from .query_count import count_queries
from .test_warranty_common import WarrantyCommon

CRON_LOGGER = "odoo.addons.crm_extended.models.crm_warranty_contract"


@tagged("post_install", "-at_install")
class TestWarrantyCron(WarrantyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref("crm_extended.mail_template_warranty_renewal")
        cls.todo = cls.env.ref("crm_extended.mail_activity_type_warranty_renewal")

    def _reminder_messages(self, contract):
        return contract.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.subject and contract.name in m.subject
        )

    def test_cron_expires_ended_contracts(self):
        ended = self._contract(date_end=self.today - timedelta(days=1))
        ends_today = self._contract(date_end=self.today, reminder_date=self.today)
        future = self._contract(date_end=self.today + timedelta(days=200))
        draft_ended = self._contract(state="draft", date_end=self.today - timedelta(days=3))
        result = self.CronContract._cron_process_warranties()
        self.assertEqual(ended.state, "expired")
        self.assertEqual(ends_today.state, "active", "the last day is still covered")
        self.assertEqual(future.state, "active")
        self.assertEqual(draft_ended.state, "draft", "only active contracts expire")
        self.assertGreaterEqual(result["expired"], 1)
        self.assertEqual(result["failed"], 0)

    def test_cron_reminds_once(self):
        self.env.company.warranty_reminder_days = 30
        soon = self._contract(date_end=self.today + timedelta(days=10), user_id=self.salesman.id)
        edge = self._contract(date_end=self.today + timedelta(days=30))
        later = self._contract(date_end=self.today + timedelta(days=31))
        self.CronContract._cron_process_warranties()

        for contract in (soon, edge):
            self.assertEqual(contract.reminder_date, self.today)
            activity = contract.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.activity_type_id, self.todo)
            message = self._reminder_messages(contract)
            self.assertEqual(len(message), 1)
            self.assertIn(self.customer, message.partner_ids, "the customer gets the notice")
            mail = (
                self.env["mail.mail"]
                .search([("mail_message_id", "=", message.id)])
                .filtered(lambda m: self.customer in m.recipient_ids)
            )
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.state, "outgoing", "queued, not sent inside the job")
        self.assertEqual(soon.activity_ids.user_id, self.salesman)
        self.assertFalse(later.reminder_date)
        self.assertFalse(later.activity_ids)
        self.assertFalse(self._reminder_messages(later))

        # the salesman finds his to-do and marks it done: a later run must not send a second one
        as_salesman = soon.with_user(self.salesman)
        self.assertEqual(as_salesman.activity_ids.activity_type_id, self.todo)
        as_salesman.activity_ids.action_feedback(feedback="Called the customer")
        result = self.CronContract._cron_process_warranties()
        self.assertEqual(result, {"expired": 0, "reminded": 0, "failed": 0})
        self.assertFalse(soon.activity_ids)
        self.assertEqual(len(edge.activity_ids), 1)
        self.assertEqual(len(self._reminder_messages(soon)), 1)
        self.assertEqual(len(self._reminder_messages(edge)), 1)

    def test_second_run_changes_nothing(self):
        self._contract(date_end=self.today - timedelta(days=2))
        self._contract(date_end=self.today + timedelta(days=5))
        first = self.CronContract._cron_process_warranties()
        self.assertGreaterEqual(first["expired"], 1)
        self.assertGreaterEqual(first["reminded"], 1)
        self.env.flush_all()
        self.cr.execute("SELECT max(write_date), count(*) FROM crm_warranty_contract")
        before = self.cr.fetchone()
        activities = self.env["mail.activity"].search_count([])
        messages = self.env["mail.message"].search_count([("model", "=", "crm.warranty.contract")])
        with patch.object(type(self.Contract), "write", autospec=True) as write:
            second = self.CronContract._cron_process_warranties()
        self.assertEqual(second, {"expired": 0, "reminded": 0, "failed": 0})
        write.assert_not_called()
        self.env.flush_all()
        self.cr.execute("SELECT max(write_date), count(*) FROM crm_warranty_contract")
        self.assertEqual(self.cr.fetchone(), before)
        self.assertEqual(self.env["mail.activity"].search_count([]), activities)
        self.assertEqual(
            self.env["mail.message"].search_count([("model", "=", "crm.warranty.contract")]),
            messages,
        )

    def test_reminder_days_per_company_and_off(self):
        contract = self._contract(date_end=self.today + timedelta(days=10))
        self.env.company.warranty_reminder_days = 5
        self.CronContract._cron_process_warranties()
        self.assertFalse(contract.reminder_date, "10 days left, reminder window of 5 days")
        self.env.company.warranty_reminder_days = 0
        contract.date_end = self.today + timedelta(days=1)
        self.CronContract._cron_process_warranties()
        self.assertFalse(contract.reminder_date, "0 disables the reminders")
        self.env.company.warranty_reminder_days = 15
        self.CronContract._cron_process_warranties()
        self.assertEqual(contract.reminder_date, self.today)

    def test_customer_without_email_still_gets_activity(self):
        partner = self.env["res.partner"].create({"name": "No e-mail"})
        contract = self._contract(partner_id=partner.id, date_end=self.today + timedelta(days=3))
        self.CronContract._cron_process_warranties()
        self.assertEqual(len(contract.activity_ids), 1)
        self.assertFalse(self._reminder_messages(contract))
        self.assertEqual(contract.reminder_date, self.today)

    def test_broken_record_is_logged_and_skipped(self):
        good_1 = self._contract(date_end=self.today + timedelta(days=3))
        broken = self._contract(date_end=self.today + timedelta(days=4))
        good_2 = self._contract(date_end=self.today + timedelta(days=5))
        Contract = type(self.Contract)
        original = Contract._warranty_send_reminder

        def send_reminder(records, today):
            if broken in records:
                records.activity_schedule("mail.mail_activity_data_todo")  # rolled back
                raise ValueError("broken partner data")
            return original(records, today)

        with (
            patch.object(Contract, "_warranty_send_reminder", send_reminder),
            self.assertLogs(CRON_LOGGER, level="ERROR") as logs,
        ):
            result = self.CronContract._cron_process_warranties()
        self.assertEqual(result["failed"], 1)
        self.assertIn(str(broken.id), logs.output[0])
        self.assertEqual(good_1.reminder_date, self.today)
        self.assertEqual(good_2.reminder_date, self.today)
        self.assertFalse(broken.reminder_date)
        self.assertFalse(broken.activity_ids, "the failed record's work is rolled back")
        # fixed later: the next run reminds it
        self.CronContract._cron_process_warranties()
        self.assertEqual(broken.reminder_date, self.today)

    def test_broken_record_in_expiry_batch_is_skipped(self):
        good = self._contract(date_end=self.today - timedelta(days=3))
        broken = self._contract(date_end=self.today - timedelta(days=2))
        Contract = type(self.Contract)
        original = Contract._warranty_expire

        def expire(records, today):
            if broken in records:
                raise ValueError("cannot expire")
            return original(records, today)

        with (
            patch.object(Contract, "_warranty_expire", expire),
            self.assertLogs(CRON_LOGGER, level="ERROR"),
        ):
            result = self.CronContract._cron_process_warranties()
        self.assertEqual(result["failed"], 1)
        self.assertEqual(good.state, "expired")
        self.assertEqual(broken.state, "active")

    def test_concurrent_update_is_not_swallowed_as_a_broken_record(self):
        """A serialization failure is not a broken record: it propagates, so
        Odoo's retry (or the next run) handles it, and nothing is logged as an error."""
        self._contract(date_end=self.today - timedelta(days=3))
        Contract = type(self.Contract)

        def expire(records, today):
            raise psycopg2.errors.SerializationFailure("concurrent update")

        with (
            patch.object(Contract, "_warranty_expire", expire),
            self.assertNoLogs(CRON_LOGGER, level="ERROR"),
            self.assertRaises(psycopg2.errors.SerializationFailure),
        ):
            self.CronContract._cron_process_warranties()

    def test_direct_call_never_commits(self):
        self._contract(date_end=self.today - timedelta(days=3))
        with patch.object(type(self.env["ir.cron"]), "_commit_progress") as commit_progress:
            self.CronContract._cron_process_warranties(batch_size=1)
        commit_progress.assert_not_called()

    def test_inside_cron_commits_each_batch(self):
        ended = self.Contract
        for days in range(1, 6):
            ended |= self._contract(date_end=self.today - timedelta(days=days))
        soon = self._contract(date_end=self.today + timedelta(days=3))
        cron = self.env.ref("crm_extended.ir_cron_process_warranties")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        calls = []

        def commit_progress(model, processed=0, *, remaining=None, deactivate=False):
            calls.append((processed, remaining))
            return 100.0  # seconds left in the job's time budget

        with patch.object(type(self.env["ir.cron"]), "_commit_progress", commit_progress):
            result = self.CronContract.with_context(
                ir_cron_progress_id=progress.id, cron_id=cron.id
            )._cron_process_warranties(batch_size=2, reminder_batch_size=2)
        self.assertTrue(all(c.state == "expired" for c in ended))
        self.assertEqual(soon.reminder_date, self.today)
        remaining = calls[0][1]
        self.assertGreaterEqual(remaining, 6)
        batches = [processed for processed, rem in calls[1:-1]]
        self.assertTrue(all(0 < size <= 2 for size in batches), calls)
        self.assertEqual(sum(batches), result["expired"] + result["reminded"] + result["failed"])
        self.assertEqual(calls[-1], (0, 0), "fully done")

    def test_cron_stops_when_time_budget_is_spent(self):
        for days in range(1, 6):
            self._contract(date_end=self.today - timedelta(days=days))
        cron = self.env.ref("crm_extended.ir_cron_process_warranties")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", autospec=True, return_value=0.0
        ):
            result = self.CronContract.with_context(
                ir_cron_progress_id=progress.id, cron_id=cron.id
            )._cron_process_warranties(batch_size=2)
        self.assertEqual(result["expired"], 2, "one batch, then the job hands back")

    def test_cron_record_runs_the_method(self):
        cron = self.env.ref("crm_extended.ir_cron_process_warranties")
        self.assertTrue(cron.active)
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        ended = self._contract(date_end=self.today - timedelta(days=2))
        soon = self._contract(date_end=self.today + timedelta(days=5))
        # run the scheduled job itself, as the scheduler does (its own user and progress)
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertEqual(ended.state, "expired")
        self.assertEqual(soon.reminder_date, self.today)
        self.assertEqual(soon.activity_ids.activity_type_id, self.todo)
        progress = self.env["ir.cron.progress"].search(
            [("cron_id", "=", cron.id)], order="id desc", limit=1
        )
        self.assertEqual(progress.remaining, 0, "fully done")
        self.assertGreaterEqual(progress.done, 2, "our two contracts, and any other pending")

    def test_expiry_query_count_does_not_grow(self):
        # warm-up: whatever was pending before this test, and the access caches
        self._contract(date_end=self.today - timedelta(days=1), reminder_date=self.today)
        self.CronContract._cron_process_warranties()
        counts = []
        for n in (3, 12):
            contracts = self.Contract
            for days in range(1, n + 1):
                contracts |= self._contract(
                    date_end=self.today - timedelta(days=days), reminder_date=self.today
                )
            self.env.flush_all()
            self.env.invalidate_all()
            counts.append(count_queries(self.env, self.CronContract._cron_process_warranties))
            self.assertEqual(set(contracts.mapped("state")), {"expired"})
        self.assertEqual(counts[0], counts[1], "3 or 12 ended contracts: the same queries")
        self.assertLessEqual(counts[0], 9)
