from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user


class SalesCycleCommon(TransactionCase):
    """Two shared cycles (one gated by a questionnaire), a cycle of another
    company, and the users who do each job: salespeople who see their own
    leads only (``salesman`` owns the leads of the tests), a salesperson who
    sees all leads, a sales manager who configures cycles, a sales manager of
    company B and a portal user. Fixtures are made as the superuser; leads are
    created by their salesperson and qualified by whoever holds the lead's
    environment."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.stage"]
        cls.stage_1 = Stage.create(
            {"name": "T Discovery", "sequence": 901, "sales_cycle_only": True}
        )
        cls.stage_2 = Stage.create({"name": "T Study", "sequence": 902, "sales_cycle_only": True})
        cls.stage_3 = Stage.create({"name": "T Quote", "sequence": 903, "sales_cycle_only": True})
        cls.stage_won = Stage.create(
            {"name": "T Won", "sequence": 904, "is_won": True, "sales_cycle_only": True}
        )
        cls.stage_a = Stage.create({"name": "T Start", "sequence": 905, "sales_cycle_only": True})
        cls.stage_b = Stage.create({"name": "T Next", "sequence": 906, "sales_cycle_only": True})
        cls.stage_won_b = Stage.create(
            {"name": "T Won B", "sequence": 907, "is_won": True, "sales_cycle_only": True}
        )

        cls.questionnaire = cls.env["crm.qualification.questionnaire"].create(
            {
                "name": "T BANT",
                "company_id": False,
                "pass_score": 60,
                "question_ids": [
                    Command.create(
                        {
                            "name": "Budget?",
                            "sequence": 1,
                            "weight": 3,
                            "option_ids": [
                                Command.create({"name": "Yes", "score": 100}),
                                Command.create({"name": "Maybe", "score": 50}),
                                Command.create({"name": "No", "score": 0, "disqualifying": True}),
                            ],
                        }
                    ),
                    Command.create(
                        {
                            "name": "Timeline?",
                            "sequence": 2,
                            "weight": 1,
                            "required": False,
                            "option_ids": [
                                Command.create({"name": "Soon", "score": 100}),
                                Command.create({"name": "Later", "score": 0}),
                            ],
                        }
                    ),
                ],
            }
        )
        cls.q_budget, cls.q_timeline = cls.questionnaire.question_ids
        cls.opt_yes, cls.opt_maybe, cls.opt_no = cls.q_budget.option_ids
        cls.opt_soon, cls.opt_later = cls.q_timeline.option_ids

        cls.cycle = cls.env["crm.sales.cycle"].create(
            {
                "name": "T Gated",
                "company_id": False,
                "qualification_questionnaire_id": cls.questionnaire.id,
                "require_qualification": True,
                "stage_line_ids": [
                    Command.create(
                        {
                            "sequence": 1,
                            "stage_id": cls.stage_1.id,
                            "probability": 10,
                            "questionnaire_id": cls.questionnaire.id,
                            "min_score": 70,
                            "max_days": 5,
                            "exit_criteria": "Qualified with BANT",
                        }
                    ),
                    Command.create({"sequence": 2, "stage_id": cls.stage_2.id, "probability": 40}),
                    Command.create({"sequence": 3, "stage_id": cls.stage_3.id, "probability": 70}),
                    Command.create(
                        {"sequence": 4, "stage_id": cls.stage_won.id, "probability": 100}
                    ),
                ],
            }
        )
        cls.cycle_open = cls.env["crm.sales.cycle"].create(
            {
                "name": "T Open",
                "company_id": False,
                "stage_line_ids": [
                    Command.create({"sequence": 1, "stage_id": cls.stage_a.id, "probability": 20}),
                    Command.create({"sequence": 2, "stage_id": cls.stage_b.id, "probability": 60}),
                    Command.create(
                        {"sequence": 3, "stage_id": cls.stage_won_b.id, "probability": 100}
                    ),
                ],
            }
        )
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "T Cycle Company B"})

        def user(login, groups, company=cls.company_a):
            return new_test_user(
                cls.env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.salesman = user("crmx_cycle_salesman", "sales_team.group_sale_salesman")
        cls.colleague = user("crmx_cycle_colleague", "sales_team.group_sale_salesman")
        cls.salesman_all = user("crmx_cycle_sales_all", "sales_team.group_sale_salesman_all_leads")
        cls.manager = user("crmx_cycle_manager", "sales_team.group_sale_manager")
        cls.manager_b = user("crmx_cycle_manager_b", "sales_team.group_sale_manager", cls.company_b)
        cls.portal = user("crmx_cycle_portal", "base.group_portal")
        # company B's own questionnaire and cycle
        cls.questionnaire_b = cls.env["crm.qualification.questionnaire"].create(
            {
                "name": "T B questionnaire",
                "company_id": cls.company_b.id,
                "question_ids": [
                    Command.create(
                        {
                            "name": "B question?",
                            "option_ids": [Command.create({"name": "B yes", "score": 100})],
                        }
                    )
                ],
            }
        )
        cls.cycle_b = cls.env["crm.sales.cycle"].create(
            {
                "name": "T Cycle B",
                "company_id": cls.company_b.id,
                "qualification_questionnaire_id": cls.questionnaire_b.id,
                "stage_line_ids": [
                    Command.create({"sequence": 1, "stage_id": cls.stage_a.id, "probability": 30}),
                    Command.create(
                        {"sequence": 2, "stage_id": cls.stage_won_b.id, "probability": 100}
                    ),
                ],
            }
        )
        cls.team_b = cls.env["crm.team"].create(
            {"name": "T B Team", "company_id": cls.company_b.id, "sales_cycle_id": cls.cycle_b.id}
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "T Cycle Team", "sales_cycle_id": cls.cycle.id, "use_leads": True}
        )
        cls.team_open = cls.env["crm.team"].create(
            {"name": "T Open Team", "sales_cycle_id": cls.cycle_open.id}
        )
        cls.team_plain = cls.env["crm.team"].create({"name": "T Plain Team", "use_leads": True})
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": team.id, "user_id": user.id}
                for team in (cls.team, cls.team_open, cls.team_plain)
                for user in (cls.salesman, cls.colleague, cls.manager)
            ]
        )
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_b.id, "user_id": cls.manager_b.id}
        )

    @classmethod
    def _lead(cls, team=None, user=None, **vals):
        """A lead created by its salesperson (``user``, the salesman by default)."""
        user = user or cls.salesman
        vals = {
            "name": "T Lead",
            "type": "opportunity",
            "team_id": (team or cls.team).id,
            "user_id": user.id,
            **vals,
        }
        return cls.env(user=user)["crm.lead"].create(vals)

    def _qualify(self, lead, budget, timeline=None, done=True):
        """Qualify ``lead`` as the user of its environment (its salesperson)."""
        qualification = lead.env["crm.lead.qualification"].create(
            {"lead_id": lead.id, "questionnaire_id": self.questionnaire.id}
        )
        answers = {a.question_id: a for a in qualification.answer_ids}
        answers[self.q_budget].option_id = budget
        if timeline:
            answers[self.q_timeline].option_id = timeline
        if done:
            qualification.action_done()
        return qualification
