"""The pipeline is the cycle (issue 22): the board of a team with a cycle shows
that cycle's stages, a deal quick-created on it lands in the cycle with what was
typed and takes the cycle's probability."""

import re

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import BaseCase, Form, HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import file_open

from .cycle_common import SalesCycleCommon
from .tour_screenshots import tour_screenshots


def _columns(Lead, domain, **context):
    """The columns (stages) and their fold flags of the kanban read with ``context``."""
    groups = Lead.with_context(**context).web_read_group(
        domain, ["stage_id"], auto_unfold=True, unfold_read_specification={"name": {}}
    )["groups"]
    return [
        (group["stage_id"][0], "__records" not in group) for group in groups if group["stage_id"]
    ]


@tagged("post_install", "-at_install")
class TestPipelineCycle(SalesCycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # an own-documents salesperson of the open cycle's team only, one of
        # both cycle teams, and one of a team without a cycle
        cls.seller_open = new_test_user(
            cls.env, login="crmx_pipe_open", groups="sales_team.group_sale_salesman"
        )
        cls.seller_cycles = new_test_user(
            cls.env, login="crmx_pipe_cycles", groups="sales_team.group_sale_salesman"
        )
        cls.seller_plain = new_test_user(
            cls.env, login="crmx_pipe_plain", groups="sales_team.group_sale_salesman"
        )
        cls.env["crm.team.member"].create(
            [
                {"crm_team_id": cls.team_open.id, "user_id": cls.seller_open.id},
                {"crm_team_id": cls.team.id, "user_id": cls.seller_cycles.id},
                {"crm_team_id": cls.team_open.id, "user_id": cls.seller_cycles.id},
                {"crm_team_id": cls.team_plain.id, "user_id": cls.seller_plain.id},
            ]
        )
        cls.new_stage = cls.env.ref("crm.stage_lead1")
        cls.my_pipeline = {"default_type": "opportunity", "show_user_team_stages": 1}

    def _my_columns(self, user, **context):
        Lead = self.env(user=user)["crm.lead"]
        domain = [("type", "=", "opportunity"), ("user_id", "=", user.id)]
        return _columns(Lead, domain, read_group_expand=True, **self.my_pipeline, **context)

    def test_team_pipeline_is_its_cycle(self):
        """A team's board: exactly its cycle's stages, in the cycle's order, even empty."""
        Lead = self.env(user=self.salesman)["crm.lead"]
        columns = _columns(
            Lead,
            [("team_id", "=", self.team.id)],
            read_group_expand=True,
            default_team_id=self.team.id,
        )
        self.assertEqual(
            [stage for stage, _folded in columns],
            [self.stage_1.id, self.stage_2.id, self.stage_3.id, self.stage_won.id],
        )

    def test_my_pipeline_of_cycle_teams_member(self):
        self.assertEqual(
            [stage for stage, _folded in self._my_columns(self.seller_open)],
            [self.stage_a.id, self.stage_b.id, self.stage_won_b.id],
        )
        # a member of two cycle teams: both cycles, and nothing else
        self.assertEqual(
            {stage for stage, _folded in self._my_columns(self.seller_cycles)},
            set((self.cycle.stage_ids | self.cycle_open.stage_ids).ids),
        )
        # a card in a stage outside the cycle keeps its column
        lead = self._lead(team=self.team_open, user=self.seller_open)
        lead.sudo()._cycle_migrate(self.cycle_open, self.new_stage)
        columns = [stage for stage, _folded in self._my_columns(self.seller_open)]
        self.assertEqual(
            columns, [self.stage_a.id, self.stage_b.id, self.stage_won_b.id, self.new_stage.id]
        )

    def test_team_without_cycle_keeps_odoo_board(self):
        columns = [stage for stage, _folded in self._my_columns(self.seller_plain)]
        stages = self.env["crm.stage"].browse(columns)
        self.assertIn(self.new_stage, stages)
        self.assertFalse(stages.filtered("sales_cycle_only"))
        # a member of a cycle team and of a team without one sees both
        columns = {stage for stage, _folded in self._my_columns(self.salesman)}
        self.assertLessEqual(set(self.cycle.stage_ids.ids), columns)
        self.assertIn(self.new_stage.id, columns)

    def test_columns_folded_as_the_cycle_says(self):
        self.cycle_open.stage_line_ids.filtered(
            lambda line: line.stage_id == self.stage_b
        ).fold = True
        # a card in the folded column: the column stays folded
        lead = self._lead(team=self.team_open, user=self.seller_open)
        lead.write({"stage_id": self.stage_b.id})
        folded = dict(self._my_columns(self.seller_open))
        self.assertEqual(
            folded, {self.stage_a.id: False, self.stage_b.id: True, self.stage_won_b.id: False}
        )
        # the line's fold defaults to the stage's own
        line = self.env["crm.sales.cycle.stage"].new({"stage_id": self.stage_a.id})
        self.assertFalse(line.fold)
        self.stage_a.fold = True
        self.assertTrue(self.env["crm.sales.cycle.stage"].new({"stage_id": self.stage_a.id}).fold)

    def _quick_create(self, user, stage, **values):
        """The kanban's quick create (its form, as the column's "+" or "New")."""
        Lead = self.env(user=user)["crm.lead"].with_context(
            **self.my_pipeline, default_stage_id=stage.id
        )
        form = Form(Lead, view="crm.quick_create_opportunity_form")
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def test_quick_create_lands_in_the_cycle(self):
        # a column outside the cycle (Odoo's "New"): the cycle's first stage
        lead = self._quick_create(
            self.seller_open,
            self.new_stage,
            name="Quick deal",
            expected_revenue=18000,
            email_from="buyer@example.com",
        )
        self.assertEqual(lead.sales_cycle_id, self.cycle_open)
        self.assertEqual(lead.stage_id, self.stage_a)
        self.assertEqual((lead.expected_revenue, lead.email_from), (18000, "buyer@example.com"))
        # one probability: the cycle's, not the predictive one
        self.assertEqual(lead.probability, 20)
        self.assertEqual(lead.stage_history_ids.stage_id, self.stage_a)
        # a column of the cycle: that column
        lead = self._quick_create(self.seller_open, self.stage_b, name="Later deal")
        self.assertEqual((lead.stage_id, lead.probability), (self.stage_b, 60))
        # a team without a cycle: Odoo's behaviour
        lead = self._quick_create(self.seller_plain, self.new_stage, name="Plain deal")
        self.assertEqual(lead.stage_id, self.new_stage)
        self.assertFalse(lead.sales_cycle_id)

    def test_form_status_bar_is_the_cycle(self):
        """The full form opened from a column outside the cycle starts on the
        cycle's first stage (its status bar lists the cycle's stages only)."""
        Lead = self.env(user=self.seller_open)["crm.lead"].with_context(
            **self.my_pipeline, default_stage_id=self.new_stage.id
        )
        form = Form(Lead)
        self.assertEqual(form.stage_id, self.stage_a)
        self.assertEqual(form.probability, 20)
        form.name = "From the form"
        self.assertEqual(form.save().stage_id, self.stage_a)

    def test_automated_probability_does_not_replace_the_cycle_one(self):
        lead = self._quick_create(self.seller_open, self.new_stage, name="Scored deal")
        lead.probability = 33
        lead.action_set_automated_probability()
        self.assertEqual(lead.probability, 20, "the cycle stage's probability")
        # the form hides the predictive score of cycle leads
        arch = etree.fromstring(self.env["crm.lead"].get_view(view_type="form")["arch"])
        for xpath in (
            "//field[@name='automated_probability']/..",
            "//a[@name='action_set_automated_probability']",
            "//widget[@name='pls_tooltip_button']",
        ):
            self.assertIn("sales_cycle_id", arch.xpath(xpath)[0].get("invisible"), xpath)

    def test_refusals_name_the_qualify_button(self):
        """The refusals say what to do next: the Qualify button."""
        lead = self._lead()
        with self.assertRaisesRegex(UserError, "Qualify button"):
            lead.write({"stage_id": self.stage_2.id})
        unqualified = self._lead(type="lead", name="T Unqualified")
        with self.assertRaisesRegex(UserError, "Qualify button"):
            unqualified.convert_opportunity(self.env["res.partner"])


@tagged("post_install", "-at_install")
class TestPipelineCycleTour(HttpCase):
    def test_b2b_salesperson_pipeline(self):
        team = self.env.ref("crm_extended.crm_team_key_accounts", raise_if_not_found=False)
        cycle = self.env.ref("crm_extended.crm_sales_cycle_b2b")
        if not team:
            team = self.env["crm.team"].create({"name": "Key Accounts", "sales_cycle_id": cycle.id})
        seller = new_test_user(
            self.env,
            login="crmx_b2b_seller",
            groups="sales_team.group_sale_salesman",
            name="B2B Seller",
        )
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": seller.id})
        with tour_screenshots():
            self.start_tour("/odoo/crm", "crm_extended_pipeline_cycle_tour", login=seller.login)
        lead = self.env["crm.lead"].search([("name", "=", "Tour B2B deal")])
        self.assertEqual(len(lead), 1)
        self.assertEqual((lead.user_id, lead.team_id, lead.sales_cycle_id), (seller, team, cycle))
        self.assertEqual(lead.expected_revenue, 18000)
        self.assertEqual(lead.stage_id, self.env.ref("crm_extended.crm_stage_cycle_needs_analysis"))
        self.assertEqual(lead.probability, 25, "the cycle's probability of Needs analysis")
        self.assertEqual(
            lead.stage_history_ids.sorted("id").stage_id.mapped("name"),
            ["Qualification", "Needs analysis"],
        )
        self.assertEqual(lead.qualification_status, "qualified")

    def test_b2b_salesperson_pipeline_in_persian(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(["crm_extended"], ["fa_IR"], overwrite=True)
        team = self.env.ref("crm_extended.crm_team_key_accounts", raise_if_not_found=False)
        cycle = self.env.ref("crm_extended.crm_sales_cycle_b2b")
        if not team:
            team = self.env["crm.team"].create({"name": "Key Accounts", "sales_cycle_id": cycle.id})
        seller = new_test_user(
            self.env,
            login="crmx_b2b_seller_fa",
            groups="sales_team.group_sale_salesman",
            name="B2B Seller FA",
            lang="fa_IR",
        )
        self.env["crm.team.member"].create({"crm_team_id": team.id, "user_id": seller.id})
        lead = (
            self.env["crm.lead"]
            .with_user(seller)
            .create({"name": "Tour Persian deal", "type": "opportunity", "expected_revenue": 500})
        )
        self.assertEqual(lead.sales_cycle_id, cycle)
        with tour_screenshots():
            self.start_tour("/odoo/crm", "crm_extended_pipeline_cycle_fa_tour", login=seller.login)
        first = cycle.stage_line_ids[:1].stage_id.with_context(lang="fa_IR")
        self.assertNotEqual(first.name, "Qualification", "the cycle's stages read in Persian")
        self.assertEqual(lead.stage_id, first)


@tagged("post_install", "-at_install")
class TestPersianWonDeals(BaseCase):
    def test_won_reads_as_won_deals_not_as_winner(self):
        """On the win/loss analysis "برنده" (winner) read as "the competitor won"."""
        with file_open("crm_extended/i18n/fa.po") as po:
            text = po.read()
        translations = dict(re.findall(r'\nmsgid "(Won[^"]*)"\nmsgstr "([^"]*)"', text))
        self.assertEqual(translations["Won"], "موفق")
        for msgid in ("Won Against", "Won Revenue"):
            self.assertNotIn("برنده", translations[msgid], msgid)


@tagged("post_install", "-at_install")
class TestQualificationWords(TransactionCase):
    def test_pass_score_reads_as_a_percentage_and_answers_have_a_hint(self):
        arch = etree.fromstring(
            self.env["crm.lead.qualification"].get_view(view_type="form")["arch"]
        )
        self.assertEqual(arch.xpath("//field[@name='pass_score']")[0].get("widget"), "progressbar")
        self.assertEqual(
            arch.xpath("//field[@name='score']")[0].get("widget"), "progressbar", "as its score"
        )
        option = arch.xpath("//field[@name='answer_ids']//field[@name='option_id']")[0]
        self.assertEqual(option.get("placeholder"), "Choose an answer")
        arch = etree.fromstring(
            self.env["crm.qualification.questionnaire"].get_view(view_type="form")["arch"]
        )
        self.assertEqual(
            arch.xpath("//div[@name='pass_score']/span")[0].text, "%", "the unit beside it"
        )
