"""Stage gates as an invariant: no lead stands past a gate without a passed
qualification or a manager's logged override, and a lead leaves its cycle only
by a sales manager's explicit act (finding 10 of the gates' attack)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .cycle_common import SalesCycleCommon


@tagged("post_install", "-at_install")
class TestCycleInvariant(SalesCycleCommon):
    def test_leaving_the_cycle_to_win_is_refused(self):
        lead = self._lead()
        self.assertEqual(lead.stage_id, self.stage_1)
        for user in (self.salesman, self.salesman_all):
            with self.assertRaises(UserError) as refused:
                lead.with_user(user).write({"sales_cycle_id": False, "stage_id": self.stage_won.id})
            self.assertIn("only a sales manager", str(refused.exception))
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).sudo().write({"sales_cycle_id": False})
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).write({"cycle_left_by_id": self.salesman.id})
        self.assertEqual(lead.sales_cycle_id, self.cycle)
        self.assertEqual(lead.stage_id, self.stage_1)
        self.assertFalse(lead.cycle_left_by_id)

    def test_manager_takes_a_lead_out_of_its_cycle_logged(self):
        lead = self._lead()
        lead.with_user(self.manager).write({"sales_cycle_id": False})
        self.assertFalse(lead.sales_cycle_id)
        self.assertEqual(lead.cycle_left_by_id, self.manager)
        self.assertIn("took this lead out of the sales cycle", lead.message_ids[:1].body)

    def test_opportunity_created_directly_stays_until_qualified(self):
        # the cycle requires a qualification: created as an opportunity, the deal
        # cannot start past the first stage, nor leave it unqualified
        for stage in (self.stage_2, self.stage_won):
            with self.assertRaises(UserError):
                self._lead(stage_id=stage.id)
        lead = self._lead()
        self.assertEqual(lead.type, "opportunity")
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).stage_id = self.stage_2
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).action_set_won()
        self._qualify(lead.with_user(self.salesman), self.opt_yes, self.opt_soon)
        lead.with_user(self.salesman).stage_id = self.stage_2
        self.assertEqual(lead.stage_id, self.stage_2)

    def test_required_qualification_gates_the_first_stage_without_questionnaire(self):
        line = self.cycle.stage_line_ids[:1]
        line.write({"questionnaire_id": False, "min_score": 0})
        lead = self._lead()
        with self.assertRaises(UserError):
            lead.with_user(self.salesman).stage_id = self.stage_2
        self.cycle.require_qualification = False
        lead.with_user(self.salesman).stage_id = self.stage_2
        self.assertEqual(lead.stage_id, self.stage_2)

    def test_override_marks_the_stay(self):
        lead = self._lead()
        wizard = (
            self.env["crm.lead.gate.override"]
            .with_user(self.manager)
            .create({"lead_id": lead.id, "stage_id": self.stage_3.id, "reason": "CEO's deal"})
        )
        wizard.action_confirm()
        stay = lead.stage_history_ids.filtered(lambda h: not h.date_out)
        self.assertEqual(stay.stage_id, self.stage_3)
        self.assertTrue(stay.gate_override)
        self.assertFalse(lead.stage_history_ids.filtered("date_out").gate_override)
