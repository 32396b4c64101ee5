"""What users see is right and agrees with itself (issue 12), and over-long
text refused clearly (issue 11, point 8)."""

import base64
import io
from datetime import timedelta

import openpyxl
from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged, users

from .cycle_common import SalesCycleCommon
from .test_competitor import CompetitorCommon
from .test_warranty_common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestCompetitorOneDefinition(CompetitorCommon):
    """The competitor cards, the win/loss analysis and its XLSX export count
    won and lost deals the same way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.won = cls._deal("Won vs Acme", 5000, competitors=cls.acme)
        cls.won.action_set_won()
        cls.lost_to_acme = cls._deal("Lost to Acme", 60000, competitors=cls.acme)
        cls.lost_to_acme.action_set_lost(lost_to_competitor_id=cls.acme.id)
        # Acme was met here, but Globex won: not a loss to Acme
        cls.lost_to_globex = cls._deal("Lost to Globex", 40000, competitors=cls.acme)
        cls.lost_to_globex.action_set_lost(lost_to_competitor_id=cls.globex.id)
        cls.open_deal = cls._deal("Open vs Acme", 700, competitors=cls.acme)
        cls.archived = cls._deal("Shelved vs Acme", 300, competitors=cls.acme)
        cls.archived.action_archive()

    def test_cards_and_analysis_agree(self):
        self.assertEqual(self.archived.won_status, "pending")
        acme = self.acme.with_user(self.salesman)
        self.assertEqual(
            (acme.opportunity_count, acme.won_count, acme.lost_count, acme.open_count),
            (5, 1, 1, 1),
        )
        self.assertEqual(acme.lost_revenue, 60000.0)
        self.assertEqual(acme.win_rate, 50.0)
        Report = self.env["crm.competitor.winloss.report"].with_user(self.salesman)
        groups = Report._read_group(
            [("competitor_id", "=", self.acme.id)],
            ["outcome"],
            ["__count", "expected_revenue:sum"],
        )
        by_outcome = {outcome: (count, revenue) for outcome, count, revenue in groups}
        # the pivot's "Lost" column is what the card calls lost
        self.assertEqual(by_outcome["lost"], (acme.lost_count, acme.lost_revenue))
        self.assertEqual(by_outcome["won"], (acme.won_count, 5000.0))
        self.assertEqual(by_outcome["open"], (acme.open_count, 700.0))
        self.assertEqual(by_outcome["lost_other"], (2, 40300.0))
        self.assertEqual(sum(count for count, _rev in by_outcome.values()), acme.opportunity_count)
        help_text = Report._fields["outcome"]._description_help(self.env)
        self.assertIn("Lost Otherwise", help_text)

    def test_export_agrees_with_cards(self):
        wizard = (
            self.env["crm.extended.xlsx.export"]
            .with_user(self.salesman)
            .create({"report_type": "competitor_winloss"})
        )
        wizard.action_export()
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
        rows = {row[0]: row for row in book.worksheets[0].iter_rows(values_only=True)}
        acme = self.acme.with_user(self.salesman)
        self.assertEqual(
            rows[self.acme.name][2:9],
            (
                acme.opportunity_count,
                acme.won_count,
                acme.lost_count,
                acme.open_count,
                acme.win_rate,
                5000.0,
                acme.lost_revenue,
            ),
        )
        # Globex won the only deal we met it on: 0 %, a real rate
        self.assertEqual(rows[self.globex.name][2:7], (1, 0, 1, 0, 0.0))

    def test_no_win_rate_without_closed_deal(self):
        self._deal("Only open vs Initech", competitors=self.initech)
        initech = self.initech.with_user(self.salesman)
        self.assertEqual(initech.opportunity_count, 1)
        self.assertFalse(initech.has_closed_deals)
        self.assertTrue(self.acme.with_user(self.salesman).has_closed_deals)
        # the views hide the rate on that flag
        arch = self.env["crm.competitor"].get_view(view_type="kanban")["arch"]
        self.assertIn("record.has_closed_deals.raw_value", arch)
        self.assertIn("record.opportunity_count.raw_value == 1", arch)


@tagged("post_install", "-at_install")
class TestLostWizardMetFirst(CompetitorCommon):
    def test_competitors_met_on_the_deal_come_first(self):
        deal = self._deal("Met Globex", competitors=self.globex)
        Competitor = self.env["crm.competitor"].with_user(self.salesman)
        everyone = Competitor.name_search("Test Rival")
        self.assertEqual(everyone[0][0], self.acme.id, "alphabetical without a hint")
        wizard = (
            self.env["crm.lead.lost"]
            .with_user(self.salesman)
            .create({"lead_ids": [Command.set(deal.ids)]})
        )
        self.assertEqual(wizard.met_competitor_ids, self.globex)
        self.assertFalse(wizard.competitor_id, "not required: nothing preselected")
        # what the view passes to the competitor drop-down
        offered = Competitor.with_context(
            crm_extended_competitors_first=wizard.met_competitor_ids.ids
        ).name_search("Test Rival")
        self.assertEqual([cid for cid, _name in offered[:1]], self.globex.ids)
        self.assertEqual(
            {cid for cid, _name in offered},
            {cid for cid, _name in everyone},
            "the others are still offered",
        )

    def test_single_met_competitor_preselected_when_required(self):
        self.company.competitor_required_on_lost = True
        deal = self._deal("Met Initech", competitors=self.initech)
        wizard = (
            self.env["crm.lead.lost"]
            .with_user(self.salesman)
            .create({"lead_ids": [Command.set(deal.ids)]})
        )
        self.assertEqual(wizard.competitor_id, self.initech)
        wizard.action_lost_reason_apply()
        self.assertEqual(deal.lost_to_competitor_id, self.initech)


@tagged("post_install", "-at_install")
class TestWarrantyRenewalLength(WarrantyCommon):
    def _renew(self, contract, user):
        contract = contract.with_user(user)
        contract.action_renew()
        order = contract.renewal_order_id
        order.action_confirm()
        return contract.renewal_ids

    def test_renewal_product_length_wins(self):
        self.renewal_product.warranty_months = 12
        self.product_warranty_24.warranty_renewal_product_id = self.renewal_product
        date_start = self.today - relativedelta(months=23)
        contract = self._contract(
            product_id=self.product_warranty_24.id,
            date_start=date_start,
            date_end=date_start + relativedelta(months=24),
            user_id=self.salesman.id,
        )
        successor = self._renew(contract, self.salesman)
        self.assertEqual(successor.date_start, contract.date_end + timedelta(days=1))
        self.assertEqual(successor.date_end, successor.date_start + relativedelta(months=12))

    def test_renewal_product_without_length_keeps_old_length(self):
        contract = self._contract(
            date_start=self.today - timedelta(days=300),
            date_end=self.today + timedelta(days=65),
            user_id=self.salesman.id,
        )
        self.assertFalse(self.renewal_product.warranty_months)
        successor = self._renew(contract, self.salesman)
        self.assertEqual(
            successor.date_end,
            successor.date_start + relativedelta(contract.date_end, contract.date_start),
        )

    def test_renewal_closes_the_renew_todo(self):
        contract = self._contract(
            date_end=self.today + timedelta(days=10), user_id=self.salesman.id
        )
        other = self._contract(date_end=self.today + timedelta(days=10), user_id=self.salesman.id)
        (contract | other)._warranty_send_reminder(self.today)
        renewal_type = self.env.ref("crm_extended.mail_activity_type_warranty_renewal")
        self.assertEqual(contract.activity_ids.activity_type_id, renewal_type)
        manual = contract.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.salesman.id
        )
        self._renew(contract, self.salesman)
        self.assertEqual(contract.state, "renewed")
        self.assertEqual(contract.activity_ids, manual, "only the renewal to-do is closed")
        self.assertEqual(len(other.activity_ids), 1, "other contracts keep theirs")


@tagged("post_install", "-at_install")
class TestQualifyReopensDraft(SalesCycleCommon):
    def test_qualify_twice_reopens_the_draft(self):
        lead = self._lead(type="lead").with_user(self.salesman)
        first = lead.action_qualify()
        second = lead.action_qualify()
        self.assertEqual(first["res_id"], second["res_id"])
        self.assertEqual(len(lead.qualification_ids), 1)
        draft = lead.qualification_ids
        self.assertEqual(draft.state, "draft")
        # once done, qualifying again starts a new one
        answers = {a.question_id: a for a in draft.answer_ids}
        answers[self.q_budget].option_id = self.opt_yes
        draft.action_done()
        third = lead.action_qualify()
        self.assertNotEqual(third["res_id"], draft.id)
        self.assertEqual(len(lead.qualification_ids), 2)


@tagged("post_install", "-at_install")
class TestCyclePipelineTeam(SalesCycleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_seller = cls.env["res.users"].create(
            {
                "name": "Plain Seller",
                "login": "crmx_plain_seller",
                "group_ids": [Command.set(cls.env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        cls.env["crm.team.member"].create(
            {"crm_team_id": cls.team_plain.id, "user_id": cls.plain_seller.id}
        )

    @users("crmx_plain_seller")
    def test_opportunity_from_cycle_pipeline_joins_a_team_of_that_cycle(self):
        action = self.cycle_open.action_open_pipeline()
        Lead = self.env["crm.lead"].with_context(**action["context"])
        with Form(Lead) as form:
            form.name = "From the cycle's pipeline"
        lead = form.save()
        self.assertEqual(lead.sales_cycle_id, self.cycle_open)
        self.assertEqual(lead.team_id, self.team_open, "a team using the cycle")
        self.assertEqual(lead.stage_id, self.stage_a)
        # the pipeline of the team without a cycle shows no cycle-only stage
        self.env["crm.lead"].create({"name": "Plain deal", "type": "opportunity"})
        groups = (
            self.env["crm.lead"]
            .with_context(default_team_id=self.team_plain.id)
            .web_read_group(
                [("team_id", "=", self.team_plain.id), ("type", "=", "opportunity")],
                ["stage_id"],
            )
        )
        stages = self.env["crm.stage"].browse(
            g["stage_id"][0] if isinstance(g["stage_id"], (list, tuple)) else g["stage_id"]
            for g in groups["groups"]
            if g["stage_id"]
        )
        self.assertTrue(stages)
        self.assertFalse(stages.filtered("sales_cycle_only"), stages.mapped("name"))

    @users("crmx_plain_seller")
    def test_opportunity_outside_cycle_pipeline_keeps_its_team(self):
        lead = self.env["crm.lead"].create({"name": "Plain", "type": "opportunity"})
        self.assertEqual(lead.team_id, self.team_plain)
        self.assertFalse(lead.stage_id.sales_cycle_only)


@tagged("post_install", "-at_install")
class TestTextLimits(CompetitorCommon):
    """Over-long text is refused with a clear message before PostgreSQL."""

    def test_competitor_name_too_long(self):
        Competitor = self.env["crm.competitor"].with_user(self.salesman)
        # a long but sensible name is fine
        Competitor.create({"name": "N" * 256})
        count = Competitor.search_count([])
        with self.assertRaises(ValidationError) as caught:
            Competitor.create({"name": "N" * 20000})
        self.assertIn("at most 256", str(caught.exception))
        self.assertEqual(Competitor.search_count([]), count, "nothing written")
        rival = Competitor.create({"name": "Short"})
        with self.assertRaises(ValidationError):
            rival.write({"name": "Ü" * 3000})
        self.assertEqual(rival.name, "Short")

    def test_warranty_texts_too_long(self):
        customer = self.env["res.partner"].create({"name": "Limit Customer"})
        product = self.env["product.product"].create({"name": "Limit Drill", "type": "consu"})
        Contract = self.env["crm.warranty.contract"].with_user(self.manager)
        values = {
            "partner_id": customer.id,
            "product_id": product.id,
            "date_start": "2026-01-01",
            "date_end": "2027-01-01",
        }
        with self.assertRaises(ValidationError):
            Contract.create({**values, "serial_number": "S" * 20000})
        with self.assertRaises(ValidationError):
            Contract.create({**values, "name": "W" * 20000})
        self.assertFalse(Contract.search([("partner_id", "=", customer.id)]))
        contract = Contract.create({**values, "serial_number": "SN-1"})
        with self.assertRaises(ValidationError):
            contract.write({"serial_number": "S" * 300})
        self.assertEqual(contract.serial_number, "SN-1")
