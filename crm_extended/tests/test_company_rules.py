"""Issue 11: every figure belongs to the viewer (companies, "own documents",
currencies) — configuration defaults, qualification and stage history rules,
the sales funnel and its XLSX export, the customer 360 page."""

import base64
import io
from datetime import timedelta

import openpyxl

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged


class CompanyRulesCommon(TransactionCase):
    """Companies A (USD) and B (EUR), a cycle shared by both, salespeople."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.usd = cls.env.ref("base.USD")
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.company_a = cls.env["res.company"].create(
            {"name": "H1 Company A", "currency_id": cls.usd.id}
        )
        cls.company_b = cls.env["res.company"].create(
            {"name": "H1 Company B", "currency_id": cls.eur.id}
        )
        Stage = cls.env["crm.stage"]
        cls.stage_1 = Stage.create({"name": "H1 New", "sequence": 951, "sales_cycle_only": True})
        cls.stage_2 = Stage.create({"name": "H1 Deal", "sequence": 952, "sales_cycle_only": True})
        cls.stage_won = Stage.create(
            {"name": "H1 Won", "sequence": 953, "is_won": True, "sales_cycle_only": True}
        )
        cls.questionnaire = cls.env["crm.qualification.questionnaire"].create(
            {
                "name": "H1 Shared BANT",
                "company_id": False,
                "pass_score": 50,
                "question_ids": [
                    Command.create(
                        {
                            "name": "H1 Budget?",
                            "option_ids": [
                                Command.create({"name": "H1 Yes", "score": 100}),
                                Command.create({"name": "H1 No", "score": 0}),
                            ],
                        }
                    )
                ],
            }
        )
        cls.question = cls.questionnaire.question_ids
        cls.opt_yes, cls.opt_no = cls.question.option_ids
        cls.cycle = cls.env["crm.sales.cycle"].create(
            {
                "name": "H1 Shared Cycle",
                "company_id": False,
                "qualification_questionnaire_id": cls.questionnaire.id,
                "stage_line_ids": [
                    Command.create({"sequence": 1, "stage_id": cls.stage_1.id, "probability": 10}),
                    Command.create({"sequence": 2, "stage_id": cls.stage_2.id, "probability": 50}),
                    Command.create({"sequence": 3, "stage_id": cls.stage_won.id}),
                ],
            }
        )

        def user(login, groups, company, companies=None):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set((companies or company).ids)],
            )

        cls.sales_a = user("h1_sales_a", "sales_team.group_sale_salesman", cls.company_a)
        cls.sales_a2 = user("h1_sales_a2", "sales_team.group_sale_salesman", cls.company_a)
        cls.sales_all_a = user(
            "h1_sales_all_a", "sales_team.group_sale_salesman_all_leads", cls.company_a
        )
        cls.manager_a = user("h1_manager_a", "sales_team.group_sale_manager", cls.company_a)
        cls.manager_ab = user(
            "h1_manager_ab",
            "sales_team.group_sale_manager",
            cls.company_a,
            cls.company_a | cls.company_b,
        )
        cls.sales_all_b = user(
            "h1_sales_all_b", "sales_team.group_sale_salesman_all_leads", cls.company_b
        )

    @classmethod
    def _lead(cls, company, user, **vals):
        return (
            cls.env["crm.lead"]
            .with_company(company)
            .create(
                {
                    "name": f"H1 lead of {user.login if user else 'nobody'}",
                    "type": "opportunity",
                    "company_id": company.id,
                    "user_id": user.id,
                    "sales_cycle_id": cls.cycle.id,
                    **vals,
                }
            )
        )


@tagged("post_install", "-at_install")
class TestConfigurationDefaults(CompanyRulesCommon):
    def test_ui_path_questionnaire_cycle_team(self):
        """Questionnaire -> cycle using it -> new team with the cycle, as a sales
        manager of one company: no company inconsistency (point 1)."""
        env = self.env(user=self.manager_a, context={"allowed_company_ids": self.company_a.ids})
        with Form(env["crm.qualification.questionnaire"]) as form:
            form.name = "H1 UI questionnaire"
        questionnaire = form.record
        self.assertFalse(questionnaire.company_id, "configuration is shared, as crm.stage")
        with Form(env["crm.sales.cycle"]) as form:
            form.name = "H1 UI cycle"
            form.qualification_questionnaire_id = questionnaire
            with form.stage_line_ids.new() as line:
                line.stage_id = self.stage_1
                line.questionnaire_id = questionnaire
            with form.stage_line_ids.new() as line:
                line.stage_id = self.stage_won
        cycle = form.record
        self.assertFalse(cycle.company_id)
        self.assertFalse(cycle.stage_line_ids.company_id)
        with Form(env["crm.team"]) as form:
            form.name = "H1 UI team"
            form.sales_cycle_id = cycle
        self.assertEqual(form.record.sales_cycle_id, cycle)
        self.assertFalse(form.record.company_id)

    def test_cross_company_links_still_refused(self):
        Questionnaire = self.env["crm.qualification.questionnaire"]
        q_b = Questionnaire.create({"name": "H1 B only", "company_id": self.company_b.id})
        cycle_a = self.env["crm.sales.cycle"].create(
            {
                "name": "H1 A only",
                "company_id": self.company_a.id,
                "stage_line_ids": [Command.create({"stage_id": self.stage_won.id})],
            }
        )
        # the same links with a shared questionnaire are accepted
        cycle_a.qualification_questionnaire_id = self.questionnaire
        with self.assertRaises(UserError):
            cycle_a.qualification_questionnaire_id = q_b
        line = self.env["crm.sales.cycle.stage"].create(
            {"cycle_id": cycle_a.id, "stage_id": self.stage_1.id, "sequence": 0}
        )
        line.questionnaire_id = self.questionnaire
        with self.assertRaises(UserError):
            line.questionnaire_id = q_b
        team_b = self.env["crm.team"].create({"name": "H1 team B", "company_id": self.company_b.id})
        with self.assertRaises(UserError):
            team_b.sales_cycle_id = cycle_a
        team_b.sales_cycle_id = self.cycle  # shared: fine


@tagged("post_install", "-at_install")
class TestQualificationAccess(CompanyRulesCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.questionnaire_a = cls.env["crm.qualification.questionnaire"].create(
            {
                "name": "H1 A questionnaire",
                "company_id": cls.company_a.id,
                "question_ids": [
                    Command.create(
                        {
                            "name": "H1 A question",
                            "option_ids": [Command.create({"name": "H1 A option", "score": 80})],
                        }
                    )
                ],
            }
        )
        cls.lead_a = cls._lead(cls.company_a, cls.sales_a)
        cls.lead_other = cls._lead(cls.company_a, cls.sales_a2)
        cls.lead_free = cls._lead(cls.company_a, cls.env["res.users"])
        Qualification = cls.env["crm.lead.qualification"]
        cls.qual_a, cls.qual_other, cls.qual_free = Qualification.create(
            [
                {"lead_id": lead.id, "questionnaire_id": cls.questionnaire.id}
                for lead in (cls.lead_a, cls.lead_other, cls.lead_free)
            ]
        )
        cls.qual_a_own_q = Qualification.create(
            {"lead_id": cls.lead_a.id, "questionnaire_id": cls.questionnaire_a.id}
        )

    def test_company_rules_on_questions_options_answers(self):
        """Company B's users read none of company A's questions, options,
        answers (point 3) — while they read the shared questionnaire's."""
        as_b = self.env(user=self.sales_all_b)
        questions = self.questionnaire_a.question_ids
        options = questions.option_ids
        answers = self.qual_a_own_q.answer_ids
        self.assertTrue(questions and options and answers)
        for records in (questions, options, answers):
            Model = as_b[records._name]
            self.assertTrue(Model.has_access("read"), f"{records._name}: ACL grants reading")
            self.assertFalse(Model.search([("id", "in", records.ids)]), records._name)
            with self.assertRaises(AccessError):
                Model.browse(records.ids).read(["display_name"])
        # the shared questionnaire's questions and options stay readable
        self.assertEqual(
            as_b["crm.qualification.question"].search([]) & self.question, self.question
        )
        self.assertEqual(
            as_b["crm.qualification.option"].search([("question_id", "=", self.question.id)]),
            self.opt_yes | self.opt_no,
        )
        # company A's users read them
        as_a = self.env(user=self.sales_all_a)
        self.assertEqual(
            as_a["crm.qualification.option"].search([("id", "in", options.ids)]), options
        )

    def test_qualifications_follow_own_documents(self):
        """Point 4: a salesperson restricted to own documents reads and writes
        the qualifications of leads they may read only."""
        Qualification = self.env(user=self.sales_a)["crm.lead.qualification"]
        mine = self.qual_a | self.qual_a_own_q | self.qual_free
        everything = mine | self.qual_other
        self.assertEqual(Qualification.search([("id", "in", everything.ids)]), mine)
        self.assertEqual(
            self.env(user=self.sales_all_a)["crm.lead.qualification"].search(
                [("id", "in", everything.ids)]
            ),
            everything,
        )
        Answer = self.env(user=self.sales_a)["crm.lead.qualification.answer"]
        self.assertEqual(
            Answer.search([("qualification_id", "in", everything.ids)]).qualification_id, mine
        )
        # writing: allowed on their own lead's draft qualification...
        own_answer = self.qual_a.answer_ids.with_user(self.sales_a)
        own_answer.option_id = self.opt_yes
        self.qual_a.with_user(self.sales_a).date = fields.Datetime.now()
        # ...refused on another salesperson's
        other = self.qual_other.with_user(self.sales_a)
        with self.assertRaises(AccessError):
            other.answer_ids.option_id = self.opt_yes
        with self.assertRaises(AccessError):
            other.write({"date": fields.Datetime.now()})
        with self.assertRaises(AccessError):
            other.read(["score"])
        with self.assertRaises(AccessError):
            Qualification.create(
                {"lead_id": self.lead_other.id, "questionnaire_id": self.questionnaire.id}
            )
        # the lost (archived) lead's qualification stays the salesperson's
        self.lead_a.action_set_lost()
        self.assertIn(self.qual_a, Qualification.search([("id", "in", everything.ids)]))

    def test_status_and_score_are_the_systems(self):
        qualification = self.qual_a.with_user(self.sales_a)
        qualification.answer_ids.option_id = self.opt_no
        qualification.date = fields.Datetime.now()  # the salesperson may write it
        for vals in ({"state": "done"}, {"score": 100.0}, {"passed": True}):
            with self.assertRaises(AccessError):
                qualification.write(vals)
        self.assertEqual((qualification.state, qualification.score), ("draft", 0.0))
        Qualification = self.env(user=self.sales_a)["crm.lead.qualification"]
        with self.assertRaises(AccessError):
            Qualification.create(
                {"lead_id": self.lead_a.id, "questionnaire_id": self.questionnaire.id,
                 "state": "done"}
            )  # fmt: skip
        forced = Qualification.with_context(default_state="done", default_passed=True).create(
            {"lead_id": self.lead_a.id, "questionnaire_id": self.questionnaire.id}
        )
        self.assertEqual((forced.state, forced.passed), ("draft", False))
        # done through the action only; a done qualification is final, for
        # managers too: qualify again instead
        qualification.action_done()
        self.assertEqual((qualification.state, qualification.passed), ("done", False))
        for user in (self.sales_a, self.manager_a):
            with self.assertRaises(AccessError):
                self.qual_a.with_user(user).write({"state": "draft"})
            with self.assertRaises(UserError):
                self.qual_a.with_user(user).write({"date": fields.Datetime.now()})
        self.assertEqual(self.qual_a.state, "done")

    def test_stage_history_follows_the_lead_and_is_read_only(self):
        History = self.env["crm.lead.stage.history"]
        self.lead_a.stage_id = self.stage_2
        self.lead_other.stage_id = self.stage_2
        rows = History.search([("lead_id", "in", (self.lead_a | self.lead_other).ids)])
        mine = rows.filtered(lambda r: r.lead_id == self.lead_a)
        self.assertTrue(mine and rows - mine)
        as_sales = History.with_user(self.sales_a)
        self.assertEqual(as_sales.search([("id", "in", rows.ids)]), mine)
        self.assertEqual(History.with_user(self.sales_all_a).search([("id", "in", rows.ids)]), rows)
        self.assertFalse(History.with_user(self.sales_all_b).search([("id", "in", rows.ids)]))
        for user in (self.sales_a, self.manager_a):
            with self.assertRaises(AccessError):
                mine.with_user(user).write({"date_out": fields.Datetime.now()})
            with self.assertRaises(AccessError):
                History.with_user(user).create(
                    {"lead_id": self.lead_a.id, "stage_id": self.stage_1.id}
                )
        # moving the lead as the salesperson still records the stay
        self.lead_a.with_user(self.sales_a).stage_id = self.stage_1
        self.assertEqual(
            as_sales.search([("lead_id", "=", self.lead_a.id)]).stage_id,
            self.stage_1 | self.stage_2,
        )


@tagged("post_install", "-at_install")
class TestFunnelPerViewer(CompanyRulesCommon):
    AGGREGATES = ["reached_count:sum", "current_count:sum", "expected_revenue:sum"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead_a = cls._lead(cls.company_a, cls.sales_a, expected_revenue=1000)
        cls.lead_a2 = cls._lead(cls.company_a, cls.sales_a2, expected_revenue=3000)
        cls.lead_b = cls._lead(cls.company_b, cls.sales_all_b, expected_revenue=5000)
        (cls.lead_a | cls.lead_a2 | cls.lead_b).write({"stage_id": cls.stage_2.id})

    def _funnel(self, user, companies=None, groupby=("stage_id",)):
        env = self.env(
            user=user, context={"allowed_company_ids": (companies or user.company_id).ids}
        )
        return {
            tuple(key) if len(groupby) > 1 else key[0]: values
            for *key, reached, current, revenue in env["crm.sales.funnel.report"]._read_group(
                [("sales_cycle_id", "=", self.cycle.id)], list(groupby), self.AGGREGATES
            )
            for values in [(reached, current, revenue)]
        }

    def test_each_company_sees_its_own_leads(self):
        self.assertEqual(
            self._funnel(self.sales_all_b),
            {self.stage_1: (1, 0, 0.0), self.stage_2: (1, 1, 2500.0), self.stage_won: (0, 0, 0.0)},
        )
        self.assertEqual(
            self._funnel(self.sales_all_a),
            {self.stage_1: (2, 0, 0.0), self.stage_2: (2, 2, 2000.0), self.stage_won: (0, 0, 0.0)},
        )

    def test_own_documents_salesperson_counts_own_leads(self):
        unassigned = self._lead(self.company_a, self.env["res.users"], expected_revenue=100)
        self.assertFalse(unassigned.user_id)
        self.assertEqual(
            self._funnel(self.sales_a),
            {self.stage_1: (2, 1, 10.0), self.stage_2: (1, 1, 500.0), self.stage_won: (0, 0, 0.0)},
        )

    def test_companies_never_summed_together(self):
        """A user of both companies gets each company's figures in its currency."""
        funnel = self._funnel(
            self.manager_ab,
            self.company_a | self.company_b,
            ("stage_id", "company_id", "currency_id"),
        )
        self.assertEqual(funnel[self.stage_2, self.company_a, self.usd], (2, 2, 2000.0))
        self.assertEqual(funnel[self.stage_2, self.company_b, self.eur], (1, 1, 2500.0))

    def test_xlsx_funnel_gives_the_users_rows(self):
        env = self.env(user=self.sales_a, context={"allowed_company_ids": self.company_a.ids})
        wizard = env["crm.extended.xlsx.export"].create({"report_type": "sales_funnel"})
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        rows = {
            row[1]: tuple(row[2:4]) + (row[6],)
            for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)
            if row[0] == self.cycle.display_name
        }
        screen = self._funnel(self.sales_a)
        self.assertEqual(rows, {stage.display_name: values for stage, values in screen.items()})
        self.assertEqual(rows[self.stage_2.display_name], (1, 1, 500.0))
        # with a period: leads created in it only, every stage still listed
        wizard.write(
            {
                "date_from": fields.Date.today() - timedelta(days=10),
                "date_to": fields.Date.today() - timedelta(days=5),
            }
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        past = [
            row[2:4]
            for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)
            if row[0] == self.cycle.display_name
        ]
        self.assertEqual(past, [(0, 0)] * 3)

    def test_internal_user_without_sales_rights_reads_nothing(self):
        user = new_test_user(
            self.env, login="h1_internal", groups="base.group_user", company_id=self.company_a.id
        )
        with self.assertRaises(AccessError):
            self.env["crm.sales.funnel.report"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.env["crm.extended.xlsx.export"].with_user(user).create(
                {"report_type": "sales_funnel"}
            )


@tagged("post_install", "-at_install")
class TestCustomer360Currencies(CompanyRulesCommon):
    def test_orders_converted_at_order_date_and_leads_of_the_company(self):
        today = fields.Date.today()
        month_ago = today - timedelta(days=30)
        Rate = self.env["res.currency.rate"]
        Rate.create(
            [
                {"currency_id": self.eur.id, "company_id": self.company_a.id,
                 "name": month_ago, "rate": 2.0},
                {"currency_id": self.eur.id, "company_id": self.company_a.id,
                 "name": today, "rate": 4.0},
            ]
        )  # fmt: skip
        env_a = self.env(context={"allowed_company_ids": self.company_a.ids})
        customer = env_a["res.partner"].create({"name": "H1 Customer", "is_company": True})
        product = env_a["product.product"].create(
            {"name": "H1 Product", "list_price": 10.0, "taxes_id": False}
        )
        eur_pricelist = env_a["product.pricelist"].create(
            {"name": "H1 EUR", "currency_id": self.eur.id, "company_id": self.company_a.id}
        )
        orders = env_a["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "company_id": self.company_a.id,
                    "pricelist_id": pricelist and pricelist.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "price_unit": price, "tax_ids": False}
                        )
                    ],
                }
                for pricelist, price in ((eur_pricelist, 100.0), (False, 30.0))
            ]
        )
        orders.action_confirm()
        self.assertEqual(orders.mapped("amount_total"), [100.0, 30.0])
        self.assertEqual(orders[0].currency_id, self.eur)
        orders[0].date_order = fields.Datetime.to_datetime(month_ago) + timedelta(hours=12)
        # 100 EUR at 2 EUR per USD on the order date + 30 USD (today's rate would give 25)
        self.assertAlmostEqual(customer.with_env(env_a).c360_order_amount, 80.0)
        # a lead of company B for the same customer adds nothing on company A's page
        self.env["crm.lead"].create(
            [
                {"name": "H1 A deal", "type": "opportunity", "partner_id": customer.id,
                 "company_id": self.company_a.id, "expected_revenue": 1000, "probability": 50},
                {"name": "H1 B deal", "type": "opportunity", "partner_id": customer.id,
                 "company_id": self.company_b.id, "expected_revenue": 7000, "probability": 50},
                {"name": "H1 shared deal", "type": "opportunity", "partner_id": customer.id,
                 "company_id": False, "expected_revenue": 200, "probability": 50},
            ]
        )  # fmt: skip
        page = customer.with_env(env_a)
        page.invalidate_recordset()
        self.assertEqual(page.c360_opportunity_count, 2)
        self.assertAlmostEqual(page.c360_opportunity_value, 600.0)
        self.assertEqual(set(page.c360_lead_ids.mapped("name")), {"H1 A deal", "H1 shared deal"})
