from contextlib import closing
from unittest.mock import patch

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

INSIGHT_LOGGER = "odoo.addons.crm_extended.models.crm_customer_insight"


@tagged("post_install", "-at_install")
class TestInsightConcurrency(TransactionCase):
    """The nightly job against a user writing the same partner, in real transactions.

    The job runs on its own cursor as the ``ir.cron`` runs it (a real progress
    record, real commits); a second cursor updates and commits a contact after
    the snapshot of the job's batch began. The data is committed through
    separate cursors and removed in the cleanup.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env["res.company"].create({"name": "Insight Concurrency Co"})
            customers = env["res.partner"].create(
                [{"name": f"Insight concurrency {i}", "is_company": True} for i in range(4)]
            )
            contacts = env["res.partner"].create(
                [
                    {"name": f"Insight concurrency contact {i}", "parent_id": customer.id}
                    for i, customer in enumerate(customers)
                ]
            )
            # a former customer: its figures must be dropped
            gone = env["res.partner"].create({"name": "Insight concurrency gone"})
            gone.with_company(company).write({"rfm_segment": "lost", "clv_12m": 5.0})
            env["crm.customer.insight"].create(
                [
                    {
                        "partner_id": customer.id,
                        "company_id": company.id,
                        "rfm_segment": "champions",
                        "churn_probability": 10.4 + i,
                        "clv_12m": 1000.6 * (i + 1),
                    }
                    for i, customer in enumerate(customers)
                ]
            )
            cron = env.ref("crm_extended.ir_cron_compute_insights")
            progress = env["ir.cron.progress"].create({"cron_id": cron.id})
            self.company_id, self.cron_id, self.progress_id = company.id, cron.id, progress.id
            self.company_partner_id = company.partner_id.id
            self.customer_ids, self.contact_ids, self.gone_id = customers.ids, contacts.ids, gone.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.cron.progress"].browse(self.progress_id).unlink()
            env["crm.customer.insight"].search([("company_id", "=", self.company_id)]).unlink()
            env["res.partner"].browse(
                [*self.contact_ids, *self.customer_ids, self.gone_id]
            ).unlink()
            env["res.company"].browse(self.company_id).unlink()
            env["res.partner"].browse(self.company_partner_id).unlink()

    def _run_job(self, conflicts, in_cron=True):
        """Run the job on its own cursor, with 2 customers per batch.

        The first ``conflicts`` attempts of the second batch see, after their
        snapshot began, a user update the third customer's contact in another
        transaction. Return the ``(low, high)`` of every batch attempt.
        """
        Insight = type(self.env["crm.customer.insight"])
        original = Insight._insight_sync_partners
        attempts = []
        customers = self.customer_ids

        def sync(insight, company, low=None, high=None):
            attempts.append((low, high))
            if (low, high) == (customers[1], customers[3]) and conflicts > len(attempts) - 2:
                insight.env.cr.execute("SELECT 1")  # the batch's snapshot
                with self.registry.cursor() as user_cr:
                    user_env = api.Environment(user_cr, SUPERUSER_ID, {})
                    user_env["res.partner"].browse(self.contact_ids[2]).phone = str(len(attempts))
            return original(insight, company, low, high)

        def compute(insight, company, today):
            # the insights are the rows made in setUp: no invoices needed
            return len(customers)

        context = {"ir_cron_progress_id": self.progress_id, "cron_id": self.cron_id}
        with (
            closing(self.registry.cursor()) as cr,
            patch.object(Insight, "_insight_sync_batch", 2),
            patch.object(Insight, "_compute_company_insights", compute),
            patch.object(Insight, "_insight_sync_partners", sync),
        ):
            env = api.Environment(cr, SUPERUSER_ID, context if in_cron else {})
            company = env["res.company"].browse(self.company_id)
            try:
                env["crm.customer.insight"]._cron_compute_insights(companies=company)
            finally:
                cr.rollback()  # what the job did not commit is lost
        return attempts

    def _synced(self):
        """{partner id: (segment, churn, CLV, phone)} of the company, as committed."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partners = (
                env["res.partner"]
                .with_company(self.company_id)
                .browse([*self.customer_ids, *self.contact_ids, self.gone_id])
            )
            return {
                p.id: (p.rfm_segment, p.churn_probability, p.clv_12m, p.phone) for p in partners
            }

    def test_conflict_retries_one_batch(self):
        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertNoLogs(INSIGHT_LOGGER, "WARNING"),
        ):
            attempts = self._run_job(conflicts=1)
        first, second, third, fourth = self.customer_ids
        self.assertEqual(
            attempts,
            [(None, second), (second, fourth), (second, fourth), (fourth, None)],
            "the conflicting batch is tried again, the committed one is not redone",
        )
        synced = self._synced()
        for i, (customer, contact) in enumerate(
            zip(self.customer_ids, self.contact_ids, strict=True)
        ):
            expected = ("champions", 10.0 + i, round(1000.6 * (i + 1)))
            self.assertEqual(synced[customer][:3], expected)
            self.assertEqual(synced[contact][:3], expected)
        self.assertEqual(synced[self.contact_ids[2]][3], "2", "the user's update is kept")
        self.assertEqual(synced[self.gone_id][:3], (False, 0.0, 0.0), "figures dropped")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            progress = env["ir.cron.progress"].browse(self.progress_id)
            self.assertEqual((progress.done, progress.remaining), (1, 0))

    def test_lasting_conflict_leaves_the_batch_for_the_next_run(self):
        with (
            self.assertNoLogs("odoo.sql_db", "ERROR"),
            self.assertLogs(INSIGHT_LOGGER, "WARNING") as logs,
        ):
            attempts = self._run_job(conflicts=3)
        first, second, third, fourth = self.customer_ids
        self.assertEqual(attempts, [(None, second), *[(second, fourth)] * 3, (fourth, None)])
        self.assertEqual(len(logs.records), 1)
        self.assertEqual(logs.records[0].levelname, "WARNING")
        self.assertIn("left for the next run", logs.records[0].getMessage())
        synced = self._synced()
        for partner_id in (first, second, *self.contact_ids[:2]):
            self.assertEqual(synced[partner_id][0], "champions", "first batch committed")
        for partner_id in (third, fourth, *self.contact_ids[2:]):
            self.assertFalse(synced[partner_id][0], "the conflicting batch waits for the next run")
        self.assertFalse(synced[self.gone_id][0], "the last batch is done")

    def test_outside_the_cron_the_conflict_is_raised_and_nothing_committed(self):
        with self.assertRaises(psycopg2.errors.SerializationFailure):
            self._run_job(conflicts=1, in_cron=False)
        synced = self._synced()
        self.assertEqual(synced.pop(self.gone_id)[0], "lost")
        self.assertFalse(any(values[0] for values in synced.values()), "nothing committed")
