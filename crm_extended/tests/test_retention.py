import base64
import io
from datetime import timedelta
from unittest.mock import patch

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_extended.models.crm_customer_insight import CrmCustomerInsight

from .test_insight_common import TODAY, InsightCommon


@tagged("post_install", "-at_install")
class TestRetention(InsightCommon):
    """Plans turn the insights into touches: activities for the salespeople, a holdout."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._seed_rfm_history()
        company = cls.company
        cls.salesman = new_test_user(
            cls.env,
            "retention_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.leader = new_test_user(
            cls.env,
            "retention_leader",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.manager = new_test_user(
            cls.env,
            "retention_manager",
            groups="sales_team.group_sale_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        cls.employee = new_test_user(
            cls.env,
            "retention_employee",
            groups="base.group_user",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )
        team = cls.env["crm.team"].create({"name": "Retention team", "user_id": cls.leader.id})
        (cls.cust_a | cls.cust_b).user_id = cls.salesman
        (cls.cust_c | cls.cust_d | cls.cust_e).user_id = False
        # C has no salesperson: the leader of the team of C's latest order
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.cust_c.id,
                "team_id": team.id,
                "user_id": False,
                "order_line": [Command.create({"name": "x", "product_id": cls.product_a.id})],
            }
        )
        order.action_confirm()
        cls.Plan = cls.env["crm.retention.plan"]
        cls.Touch = cls.env["crm.retention.touch"]
        cls.plan = cls.Plan.with_user(cls.manager).create(
            {
                "name": "Everyone: a call every 30 days",
                "cadence_days": 30,
                "due_days": 7,
                "holdout_percent": 0,
                "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
            }
        )

    def _run(self, today=TODAY):
        with patch.object(CrmCustomerInsight, "_insight_min_fit_customers", 3):
            self.Insight._cron_compute_insights(companies=self.company, today=today)
        return self.Touch.search([("plan_id", "=", self.plan.id)])

    def test_ready_made_plans_are_inactive(self):
        plans = (
            self.Plan.sudo()
            .with_context(active_test=False)
            .search(
                [
                    (
                        "id",
                        "in",
                        [
                            self.env.ref(f"crm_extended.retention_plan_{x}").id
                            for x in ("champions", "at_risk", "lost")
                        ],
                    )
                ]
            )
        )
        self.assertEqual(len(plans), 3)
        self.assertFalse(any(plans.mapped("active")))
        self.assertEqual(len(self.env["crm.rfm.segment"].search([])), 12)

    def test_touches_right_after_the_insights(self):
        # A's invoices were due 30 days ago and are not paid: overdue
        self.env.cr.execute(
            "UPDATE account_move SET invoice_date_due = current_date - 30 WHERE partner_id = %s",
            [self.cust_a.id],
        )
        self.env["account.move"].invalidate_model(["invoice_date_due"])
        touches = self._run()
        by_partner = {t.partner_id: t for t in touches}
        self.assertEqual(set(by_partner), set(self.customers))
        self.assertEqual(by_partner[self.cust_a].user_id, self.salesman)
        # no salesperson: the team leader
        self.assertEqual(by_partner[self.cust_c].user_id, self.leader)
        # nobody to call: skipped, no activity
        self.assertEqual(by_partner[self.cust_d].state, "skipped")
        self.assertFalse(by_partner[self.cust_d].activity_id)
        touch = by_partner[self.cust_a]
        self.assertEqual(touch.state, "due")
        self.assertEqual(touch.date_due, TODAY + timedelta(days=7))
        activity = touch.activity_id
        self.assertEqual(activity.user_id, self.salesman)
        self.assertEqual((activity.res_model, activity.res_id), ("res.partner", self.cust_a.id))
        self.assertEqual(activity.date_deadline, TODAY + timedelta(days=7))
        note = str(activity.note)
        self.assertIn("Champions", note)
        self.assertIn("Churn risk", note)
        self.assertIn("Last purchase", note)
        self.assertIn("6 overdue invoices", note)
        # B owes nothing overdue: nothing particular to offer
        self.assertIn("Nothing particular", str(by_partner[self.cust_b].activity_id.note))

    def test_salesperson_does_the_activity(self):
        self._run()
        touches = self.Touch.with_user(self.salesman).search([])
        # own documents: the touches of the salesperson's customers (and the
        # unassigned ones), not those of the team leader
        self.assertEqual(touches.filtered("user_id").partner_id, self.cust_a | self.cust_b)
        self.assertNotIn(self.cust_c, touches.partner_id)
        touch = touches.filtered(lambda t: t.partner_id == self.cust_a)
        activity = touch.activity_id.with_user(self.salesman)
        self.assertIn("What to offer", str(activity.note))
        activity.action_feedback(feedback="Called, ordering next week")
        self.assertEqual(touch.state, "done")
        self.assertTrue(touch.date_done)

    def test_rerun_creates_nothing_then_the_cadence(self):
        first = self._run()
        self.assertEqual(len(first), 5)
        self.assertEqual(self._run(), first)
        self.assertEqual(self._run(TODAY + timedelta(days=29)), first)
        later = self._run(TODAY + timedelta(days=31))
        self.assertEqual(len(later), 10)
        # once only (a win-back): never again
        self.plan.cadence_days = 0
        self.assertEqual(self._run(TODAY + timedelta(days=200)), later)

    def test_holdout_touches_have_no_activity(self):
        self.plan.holdout_percent = 90
        touches = self._run()
        holdout = touches.filtered("is_holdout")
        self.assertTrue(holdout)
        self.assertEqual(set(holdout.mapped("state")), {"holdout"})
        self.assertFalse(holdout.activity_id)
        self.assertFalse(
            self.env["mail.activity"].search_count(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", holdout.partner_id.ids),
                    ("summary", "=", self.plan.name),
                ]
            )
        )

    def test_filters_segments_churn_and_value(self):
        self.plan.segment_ids = self.env.ref("crm_extended.rfm_segment_champions")
        self.assertEqual(self._run().partner_id, self.cust_a)
        plan_2 = self.plan.copy({"segment_ids": [Command.clear()], "min_churn_probability": 99.9})
        self._run()
        self.assertFalse(self.Touch.search([("plan_id", "=", plan_2.id)]))

    def test_outcome_contacted_against_holdout(self):
        plan = self.plan
        self.assertFalse(plan.outcome_enough)
        past = TODAY - timedelta(days=200)
        partners = self.env["res.partner"].create([{"name": f"Outcome {i}"} for i in range(40)])
        self.Touch.create(
            [
                {
                    "plan_id": plan.id,
                    "partner_id": partner.id,
                    "company_id": self.company.id,
                    "date_touched": past,
                    "date_due": past,
                    "date_window_end": past + timedelta(days=90),
                    "is_holdout": i >= 20,
                    "state": "holdout" if i >= 20 else "done",
                    # contacted: 6 of 20 bought again; holdout: 2 of 20
                    "purchased_after": (i < 6) or (20 <= i < 22),
                }
                for i, partner in enumerate(partners)
            ]
        )
        plan.invalidate_recordset()
        plan = plan.with_user(self.manager)
        self.assertEqual((plan.contacted_count, plan.holdout_count), (20, 20))
        self.assertTrue(plan.outcome_enough)
        self.assertAlmostEqual(plan.contacted_repurchase_rate, 30.0)
        self.assertAlmostEqual(plan.holdout_repurchase_rate, 10.0)
        self.assertAlmostEqual(plan.uplift, 20.0)
        # the XLSX export, as the manager
        self.assertEqual(self._xlsx_row(plan.name)[2:8], [40, 20, 30.0, 20, 10.0, 20.0])
        # one holdout touch fewer: not enough customers yet
        self.Touch.search(
            [("plan_id", "=", plan.id), ("partner_id", "=", partners[-1].id)]
        ).unlink()
        plan.invalidate_recordset()
        self.assertFalse(plan.outcome_enough)
        self.assertEqual(plan.uplift, 0.0)
        row = self._xlsx_row(plan.name)
        self.assertEqual(row[2:8], [39, 20, None, 19, None, None])
        self.assertEqual(row[8], "Not enough customers yet")

    def _xlsx_row(self, name):
        wizard = (
            self.env["crm.extended.xlsx.export"]
            .with_user(self.manager)
            .create({"report_type": "retention_outcome"})
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        for row in book.active.iter_rows(values_only=True):
            if row and row[0] == name:
                return list(row)
        raise AssertionError(f"no row for {name}")

    def test_purchase_after_the_touch(self):
        touches = self._run()
        touch_b = touches.filtered(lambda t: t.partner_id == self.cust_b)
        self.assertFalse(touch_b.purchased_after)
        self._invoices([(self.cust_b, -10, 500.0)])
        self._run(TODAY + timedelta(days=11))
        self.assertTrue(touch_b.purchased_after)
        self.assertFalse(touches.filtered(lambda t: t.partner_id == self.cust_d).purchased_after)

    def test_rights(self):
        self._run()
        with self.assertRaises(AccessError):
            self.Plan.with_user(self.salesman).create({"name": "Mine"})
        self.assertEqual(self.plan.with_user(self.salesman).name, self.plan.name)
        with self.assertRaises(AccessError):
            self.Touch.with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.Plan.with_user(self.employee).search([])
        self.assertEqual(len(self.Touch.with_user(self.manager).search([])), 5)
        other = self.setup_other_company()["company"]
        salesman_2 = new_test_user(
            self.env,
            "retention_salesman_2",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(self.Touch.with_user(salesman_2).search([]))
        self.assertFalse(self.Plan.with_user(salesman_2).search([]))
