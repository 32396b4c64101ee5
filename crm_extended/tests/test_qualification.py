from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .cycle_common import SalesCycleCommon
from .query_count import count_queries


@tagged("post_install", "-at_install")
class TestQualification(SalesCycleCommon):
    def test_score_weighted_over_answered_questions(self):
        lead = self._lead()
        qualification = self._qualify(lead, self.opt_yes, self.opt_later, done=False)
        self.assertEqual(qualification.score, 75.0)  # (3*100 + 1*0) / 4
        only_budget = self._qualify(lead, self.opt_maybe, done=False)
        self.assertEqual(only_budget.score, 50.0)  # unanswered questions do not count
        self.assertFalse(only_budget.passed)  # draft
        only_budget.action_done()
        self.assertFalse(only_budget.passed)  # 50 < 60
        qualification.action_done()
        self.assertTrue(qualification.passed)

    def test_disqualifying_option_fails_whatever_score(self):
        self.opt_no.with_user(self.manager).score = 100
        lead = self._lead()
        qualification = self._qualify(lead, self.opt_no, self.opt_soon)
        self.assertEqual(qualification.score, 100.0)
        self.assertTrue(qualification.disqualified)
        self.assertFalse(qualification.passed)
        self.assertEqual(lead.qualification_status, "disqualified")

    def test_mark_done_requires_required_answers(self):
        lead = self._lead()
        qualification = self._qualify(
            lead, self.env["crm.qualification.option"], self.opt_soon, done=False
        )
        with self.assertRaises(UserError):
            qualification.with_user(self.salesman).action_done()
        self.assertEqual(qualification.state, "draft")
        # the optional question may stay unanswered
        qualification2 = self._qualify(lead, self.opt_yes, done=False)
        qualification2.with_user(self.salesman).action_done()
        self.assertEqual(qualification2.state, "done")

    def test_bad_configuration_refused(self):
        # the sales manager configures questionnaires
        env = self.env(user=self.manager)
        Question = env["crm.qualification.question"]
        question = Question.create(
            {"questionnaire_id": self.questionnaire.id, "name": "ok", "weight": 2}
        )
        for weight in (0, -1):
            with self.assertRaises(ValidationError):
                question.weight = weight
        with self.assertRaises(ValidationError):
            Question.create(
                {"questionnaire_id": self.questionnaire.id, "name": "zero", "weight": 0}
            )
        Option = env["crm.qualification.option"]
        for score in (-1, 100.5):
            with self.assertRaises(ValidationError):
                Option.create({"question_id": question.id, "name": "bad", "score": score})
        Option.create({"question_id": question.id, "name": "edge", "score": 100})
        questionnaire = self.questionnaire.with_env(env)
        for pass_score in (-5, 101):
            with self.assertRaises(ValidationError):
                questionnaire.pass_score = pass_score
        questionnaire.pass_score = 100
        self.assertEqual(self.questionnaire.pass_score, 100)
        with self.assertRaises(ValidationError):
            env["crm.qualification.questionnaire"].create({"name": "bad", "pass_score": 150})

    def test_answer_option_of_other_question_refused(self):
        lead = self._lead()
        qualification = self._qualify(lead, self.opt_yes, done=False)
        answer = qualification.answer_ids.filtered(lambda a: a.question_id == self.q_timeline)
        with self.assertRaises(ValidationError):
            answer.option_id = self.opt_maybe
        other = self.env(user=self.manager)["crm.qualification.questionnaire"].create(
            {"name": "Other", "question_ids": [Command.create({"name": "Other Q"})]}
        )
        with self.assertRaises(ValidationError):
            qualification.write(
                {"answer_ids": [Command.create({"question_id": other.question_ids.id})]}
            )

    def test_lead_status_and_score(self):
        lead = self._lead()
        self.assertEqual(lead.qualification_status, "none")
        self.assertEqual(lead.qualification_count, 0)
        qualification = self._qualify(lead, self.opt_yes, self.opt_later, done=False)
        self.assertEqual(lead.qualification_status, "in_progress")
        qualification.action_done()
        self.assertEqual(lead.qualification_status, "qualified")
        self.assertEqual(lead.qualification_score, 75.0)
        self.assertIn("75.0", lead.message_ids[0].body)
        Lead = lead.env["crm.lead"]  # the salesman's filters
        other = self._lead()
        self.assertEqual(
            Lead.search(
                [("qualification_status", "=", "qualified"), ("id", "in", (lead | other).ids)]
            ),
            lead,
        )
        self.assertEqual(
            Lead.search([("qualification_status", "=", "none"), ("id", "in", (lead | other).ids)]),
            other,
        )

    def test_status_filter_is_a_condition_and_costs_the_same_for_many_leads(self):
        leads = self.env["crm.lead"]
        for _i in range(6):
            leads |= self._lead()
        for lead in leads[:3]:
            self._qualify(lead, self.opt_yes, self.opt_later, done=False).action_done()
        Lead = leads.env["crm.lead"]
        Lead.search([("id", "=", leads[0].id)])  # the user's rules are loaded
        # a condition of the final query, not the ids of every lead's latest
        # qualification read beforehand
        self.assertEqual(
            count_queries(
                self.env, lambda: Lead._search([("qualification_status", "=", "qualified")])
            ),
            0,
        )
        self.assertEqual(
            Lead.search([("qualification_status", "=", "qualified"), ("id", "in", leads.ids)]),
            leads[:3],
        )

        # values that are no status (an RPC caller sends anything): nothing, no error
        in_leads = ("id", "in", leads.ids)
        self.assertFalse(Lead.search([("qualification_status", "in", [5, False]), in_leads]))
        self.assertFalse(Lead.search([("qualification_status", "in", []), in_leads]))
        self.assertEqual(Lead.search([("qualification_status", "not in", [7]), in_leads]), leads)

        def read(records):
            self.env.invalidate_all()
            return count_queries(self.env, lambda: records.mapped("qualification_status"))

        read(leads[:2])
        self.assertEqual(read(leads[:2]), read(leads))
        self.assertEqual(leads.mapped("qualification_score"), [75.0] * 3 + [0.0] * 3)

    def test_done_qualification_is_frozen(self):
        lead = self._lead()
        qualification = self._qualify(lead, self.opt_yes)
        with self.assertRaises(UserError):
            qualification.answer_ids[0].option_id = self.opt_no
        with self.assertRaises(UserError):
            qualification.write({"questionnaire_id": self.questionnaire.id})

    def test_qualify_button_opens_prefilled_qualification(self):
        lead = self._lead()
        action = lead.with_user(self.salesman).action_qualify()
        qualification = self.env(user=self.salesman)["crm.lead.qualification"].browse(
            action["res_id"]
        )
        self.assertEqual(qualification.questionnaire_id, self.questionnaire)
        self.assertEqual(qualification.answer_ids.question_id, self.q_budget | self.q_timeline)
        self.assertEqual(qualification.user_id, self.salesman)
        action = lead.action_view_qualifications()
        self.assertEqual(qualification.search(action["domain"]), qualification)
        plain = self._lead(team=self.team_plain)
        with self.assertRaises(UserError):
            plain.action_qualify()

    def test_only_who_may_write_the_lead_closes_its_qualification(self):
        lead = self._lead()
        mine = self._qualify(lead, self.opt_yes, done=False)
        colleague_lead = self._lead(user=self.colleague)
        theirs = self._qualify(colleague_lead, self.opt_yes, done=False)
        self.assertEqual(theirs.env.user, self.colleague)
        # the salesman closes the qualification of his lead...
        mine.action_done()
        self.assertEqual((mine.state, mine.passed), ("done", True))
        # ...not his colleague's, nor qualifies the colleague's lead
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).action_done()
        with self.assertRaises(AccessError):
            colleague_lead.with_user(self.salesman).action_qualify()
        self.assertEqual(theirs.state, "draft")
        # their sales manager may
        theirs.with_user(self.manager).action_done()
        self.assertEqual(theirs.state, "done")
