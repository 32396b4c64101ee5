import base64
import io

import openpyxl
import psycopg2

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged, users
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from .query_count import count_queries


class CompetitorCommon(TransactionCase):
    """Competitors of the main company, deals of its salespeople, and the users
    who do each job: a salesperson who sees their own deals only (the deals'
    owner), a colleague, a salesperson who sees all deals, a sales manager,
    a sales manager of another company and a portal user. Fixtures are made
    as the superuser; the tests act as the user whose job it is."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Rival Holdings"})

        def user(login, name, groups, company=cls.company):
            return new_test_user(
                cls.env,
                login=login,
                name=name,
                email=f"{login}@example.com",
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )

        cls.salesman = user("crmx_comp_salesman", "Sam Seller", "sales_team.group_sale_salesman")
        cls.colleague = user(
            "crmx_comp_colleague", "Cole Colleague", "sales_team.group_sale_salesman"
        )
        cls.salesman_all = user(
            "crmx_comp_sales_all", "Alex All", "sales_team.group_sale_salesman_all_leads"
        )
        cls.manager = user("crmx_comp_manager", "Mia Manager", "sales_team.group_sale_manager")
        cls.rival_manager = user(
            "crmx_comp_rival_manager",
            "Rita Rival",
            "sales_team.group_sale_manager",
            cls.other_company,
        )
        cls.portal = user("crmx_comp_portal", "Pat Portal", "base.group_portal")
        Competitor = cls.env["crm.competitor"]
        cls.acme = Competitor.create({"name": "Acme Test Rival", "strategy": "leader"})
        cls.globex = Competitor.create({"name": "Globex Test Rival", "strategy": "challenger"})
        cls.initech = Competitor.create({"name": "Initech Test Rival"})
        cls.won_stage = cls.env["crm.stage"].search([("is_won", "=", True)], limit=1)
        cls.team = cls.env["crm.team"].create({"name": "Competitor Test Team"})

    @classmethod
    def _deal(cls, name, revenue=1000.0, competitors=(), creator=None, **vals):
        """A deal created by ``creator``: by default its salesperson (the
        salesman unless ``user_id`` says otherwise), the superuser for a deal
        of nobody."""
        owner = cls.env["res.users"].browse(vals.get("user_id", cls.salesman.id))
        env = cls.env(user=creator or owner) if creator or owner else cls.env
        return env["crm.lead"].create(
            {
                "name": name,
                "type": "opportunity",
                "expected_revenue": revenue,
                "team_id": cls.team.id,
                "user_id": cls.salesman.id,
                "competitor_line_ids": [
                    Command.create({"competitor_id": competitor.id}) for competitor in competitors
                ],
                **vals,
            }
        )

    def _mark_lost(self, leads, competitor=None, **wizard_vals):
        """The Lost wizard, run by the user the deals belong to (``leads.env``)."""
        wizard = (
            leads.env["crm.lead.lost"]
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create(
                {
                    "lead_ids": [Command.set(leads.ids)],
                    "competitor_id": competitor.id if competitor else False,
                    **wizard_vals,
                }
            )
        )
        return wizard.action_lost_reason_apply()


@tagged("post_install", "-at_install")
class TestCompetitorStatistics(CompetitorCommon):
    def test_statistics_count_won_lost_and_archived_deals(self):
        won = self._deal("Won deal", 5000, competitors=self.acme | self.globex)
        won.action_set_won()
        lost_to_acme = self._deal("Lost to Acme", 3000, competitors=self.acme)
        self._mark_lost(lost_to_acme, self.acme)
        lost_to_globex = self._deal("Lost to Globex", 2000, competitors=self.acme)
        self._mark_lost(lost_to_globex, self.globex)
        self._deal("Open deal", 700, competitors=self.acme)
        self.assertFalse(lost_to_acme.active, "lost deals are archived")
        self.assertEqual(won.won_status, "won")

        # the salesman's deals, as their sales manager reads them
        acme, globex, initech = (self.acme | self.globex | self.initech).with_user(self.manager)
        self.assertEqual(acme.opportunity_count, 4)
        self.assertEqual(acme.won_count, 1)
        self.assertEqual(acme.lost_count, 1)
        self.assertAlmostEqual(acme.win_rate, 50.0)
        self.assertAlmostEqual(acme.lost_revenue, 3000.0)
        # Globex: on the won deal, and (line added by the wizard) on the deal it won
        self.assertEqual(globex.opportunity_count, 2)
        self.assertEqual(globex.won_count, 1)
        self.assertEqual(globex.lost_count, 1)
        self.assertAlmostEqual(globex.win_rate, 50.0)
        self.assertAlmostEqual(globex.lost_revenue, 2000.0)
        # never met: everything 0, no division by zero
        self.assertEqual(initech.opportunity_count, 0)
        self.assertEqual(initech.win_rate, 0.0)
        self.assertEqual(initech.lost_revenue, 0.0)

    def test_win_rate_only_wins_or_only_losses(self):
        won = self._deal("Won only", competitors=self.initech)
        won.action_set_won()
        self.assertEqual(self.initech.with_user(self.salesman).win_rate, 100.0)
        lost = self._deal("Lost only", competitors=self.globex)
        self._mark_lost(lost, self.globex)
        globex = self.globex.with_user(self.salesman)
        self.assertEqual(globex.win_rate, 0.0)
        self.assertEqual(globex.lost_count, 1)

    def test_lost_to_without_line_counts_once(self):
        """A deal written lost to a competitor without a line still met it."""
        lead = self._deal("Direct write", 900)
        lead.action_set_lost(lost_to_competitor_id=self.initech.id)
        self.assertFalse(lead.competitor_line_ids)
        initech = self.initech.with_user(self.salesman)
        self.assertEqual(initech.opportunity_count, 1)
        self.assertEqual(initech.lost_count, 1)
        self.assertEqual(initech.lost_revenue, 900.0)
        report = lead.env["crm.competitor.winloss.report"].search(
            [("competitor_id", "=", self.initech.id)]
        )
        self.assertEqual(report.lead_id, lead)
        self.assertTrue(report.is_lost_to_competitor)

    def test_restored_deal_is_no_longer_lost_to_competitor(self):
        lead = self._deal("Comeback", 1200, competitors=self.acme)
        self._mark_lost(lead, self.acme)
        acme = self.acme.with_user(self.salesman)
        self.assertEqual(acme.lost_count, 1)
        lead.action_restore()
        self.assertTrue(lead.active)
        self.assertFalse(lead.lost_to_competitor_id)
        acme.invalidate_recordset()
        self.assertEqual(acme.lost_count, 0)
        self.assertEqual(acme.opportunity_count, 1, "the line stays")

    def test_statistics_follow_deal_access(self):
        """Statistics count the deals the user may read (record rules): a
        salesperson restricted to their own documents counts their deals and
        the unassigned ones, not a colleague's."""
        mine = self._deal("Mine", competitors=self.acme)
        theirs = self._deal("Someone else's", competitors=self.acme, user_id=self.colleague.id)
        self._deal("Nobody's", competitors=self.acme, user_id=False, company_id=self.company.id)
        self.assertEqual((mine.user_id, theirs.user_id), (self.salesman, self.colleague))
        # all three deals count for those who may read every deal...
        for user in (self.salesman_all, self.manager):
            self.assertEqual(self.acme.with_user(user).opportunity_count, 3, user.login)
        # ...each salesman restricted to own documents counts his own and nobody's
        for user in (self.salesman, self.colleague):
            self.assertEqual(
                self.acme.with_user(user).opportunity_count,
                2,
                f"{user.login} counts only the deals he may read",
            )

    def test_statistics_cost_constant_queries(self):
        def seed(count):
            competitors = self.env["crm.competitor"].create(
                [{"name": f"Bulk rival {count}-{i}"} for i in range(count)]
            )
            leads = self.env["crm.lead"].create(
                [
                    {
                        "name": f"Bulk deal {count}-{i}",
                        "type": "opportunity",
                        "expected_revenue": 100 * i,
                        "competitor_line_ids": [
                            Command.create({"competitor_id": competitor.id})
                            for competitor in competitors
                        ],
                    }
                    for i in range(count)
                ]
            )
            leads[:1].action_set_won()
            leads[1:2].action_set_lost(lost_to_competitor_id=competitors[0].id)
            return competitors

        small, large = seed(2), seed(12)
        fields = [
            "opportunity_count",
            "won_count",
            "lost_count",
            "open_count",
            "win_rate",
            "lost_revenue",
        ]
        # as a sales manager: the user's record rules are part of the cost; the first
        # read warms their caches, then 2 or 12 competitors with 4 or 144 deal lines
        Competitor = self.env["crm.competitor"].with_user(self.manager)
        counts = []
        for competitors in (small, small, large):
            self.env.invalidate_all()
            records = Competitor.browse(competitors.ids)
            counts.append(count_queries(self.env, lambda records=records: records.read(fields)))
        self.assertEqual(counts[1], counts[2], "the cost grows with the data")
        self.assertLessEqual(counts[1], 4)
        self.assertEqual(large[0].lost_count, 1)
        self.assertEqual(large.mapped("opportunity_count"), [12] * 12)

    def test_smart_buttons_open_deals_by_outcome(self):
        won = self._deal("SB won", competitors=self.acme)
        won.action_set_won()
        lost = self._deal("SB lost", competitors=self.acme)
        self._mark_lost(lost, self.acme)
        lost_other = self._deal("SB lost other", competitors=self.acme)
        self._mark_lost(lost_other, self.globex)
        open_deal = self._deal("SB open", competitors=self.acme)

        # the salesman clicks the buttons of the competitor's form
        acme = self.acme.with_user(self.salesman)

        def deals(action):
            self.assertEqual(action["res_model"], "crm.lead")
            return acme.env["crm.lead"].with_context(action["context"]).search(action["domain"])

        self.assertEqual(deals(acme.action_view_won_deals()), won)
        self.assertEqual(deals(acme.action_view_lost_deals()), lost)
        self.assertEqual(deals(acme.action_view_open_deals()), open_deal)
        self.assertEqual(acme.open_count, 1)
        self.assertEqual(deals(acme.action_view_deals()), won | lost | lost_other | open_deal)
        self.assertEqual(acme.opportunity_count, 4)


@tagged("post_install", "-at_install")
class TestCompetitorConstraints(CompetitorCommon):
    def test_duplicate_name_in_company_refused(self):
        # another company's salespeople may use the name (in their company)
        other = self.env(user=self.rival_manager)["crm.competitor"].create(
            {"name": "Acme Test Rival"}
        )
        same_name = self.env["crm.competitor"].search([("name", "=", "Acme Test Rival")])
        self.assertEqual(same_name, self.acme | other)
        self.assertEqual(same_name.company_id, self.company | self.other_company)
        Competitor = self.env(user=self.salesman)["crm.competitor"]
        Competitor.create({"name": "Acme Test Rival 2"})  # the salesman registers rivals
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError) as cm:
            with self.env.cr.savepoint():
                Competitor.create({"name": "Acme Test Rival"})
        self.assertEqual(
            Competitor._sql_error_to_message(cm.exception),
            "A competitor with this name already exists in this company.",
        )

    def test_duplicate_name_without_company_refused(self):
        """NULL company must not let duplicates through (UNIQUE would)."""
        Competitor = self.env(user=self.salesman)["crm.competitor"]
        shared = Competitor.create({"name": "Shared Rival", "company_id": False})
        self.assertFalse(shared.company_id)
        # same name in a company is another competitor
        Competitor.create({"name": "Shared Rival"})
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                Competitor.create({"name": "Shared Rival", "company_id": False})

    def test_duplicate_name_of_archived_competitor_refused(self):
        self.initech.with_user(self.manager).action_archive()
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                self.env(user=self.salesman)["crm.competitor"].create(
                    {"name": "Initech Test Rival"}
                )

    def test_rename_to_existing_name_gives_clear_message(self):
        globex = self.globex.with_user(self.salesman)
        globex.name = "Globex Renamed"  # a rename is possible
        with self.assertRaises(ValidationError) as cm:
            globex.write({"name": "Acme Test Rival"})
        self.assertIn("already exists", str(cm.exception))

    def test_same_competitor_twice_on_deal_refused(self):
        lead = self._deal("Twice", competitors=self.acme)
        lead.write({"competitor_line_ids": [Command.create({"competitor_id": self.globex.id})]})
        self.assertEqual(len(lead.competitor_line_ids), 2)
        # refused before the row reaches the UNIQUE constraint, with a sentence
        with self.assertRaises(ValidationError) as cm, self.env.cr.savepoint():
            lead.write({"competitor_line_ids": [Command.create({"competitor_id": self.acme.id})]})
        self.assertIn("Acme Test Rival is already listed on Twice", str(cm.exception))
        # the UNIQUE constraint stays the guarantee
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError) as cm:
            with self.env.cr.savepoint():
                self.env["crm.lead.competitor"].sudo()._create(
                    [
                        {
                            "stored": {
                                "lead_id": lead.id,
                                "competitor_id": self.acme.id,
                                "threat_level": "medium",
                            }
                        }
                    ]
                )
        self.assertEqual(
            self.env["crm.lead.competitor"]._sql_error_to_message(cm.exception),
            "A competitor can only be listed once on a deal.",
        )
        globex_line = lead.competitor_line_ids.filtered(
            lambda line: line.competitor_id == self.globex
        )
        with self.assertRaises(ValidationError) as cm:
            globex_line.write({"competitor_id": self.acme.id})
        self.assertIn("already listed", str(cm.exception))

    def test_negative_competitor_price_refused(self):
        lead = self._deal("Pricey", competitors=self.acme)
        line = lead.competitor_line_ids
        line.competitor_price = 0.0
        line.competitor_price = 1500.0
        self.assertEqual(line.competitor_price, 1500.0)
        with self.assertRaises(ValidationError) as cm:
            line.write({"competitor_price": -1.0})
        self.assertIn("cannot be negative", str(cm.exception))
        # a new line too, before the CHECK constraint answers
        with self.assertRaises(ValidationError) as cm, self.env.cr.savepoint():
            lead.env["crm.lead.competitor"].create(
                {"lead_id": lead.id, "competitor_id": self.globex.id, "competitor_price": -5}
            )
        self.assertIn("cannot be negative", str(cm.exception))

    def test_competitor_of_other_company_refused_on_deal(self):
        foreign = self.env(user=self.rival_manager)["crm.competitor"].create(
            {"name": "Foreign Rival"}
        )
        self.assertEqual(foreign.company_id, self.other_company)
        lead = self._deal("Company check", competitors=self.acme)
        self.assertEqual(lead.env.user, self.salesman)
        lead.write({"competitor_line_ids": [Command.create({"competitor_id": self.globex.id})]})
        with self.assertRaises(UserError):
            lead.write({"lost_to_competitor_id": foreign.id})
        with self.assertRaises(UserError):
            lead.write({"competitor_line_ids": [Command.create({"competitor_id": foreign.id})]})
        self.assertEqual(lead.competitor_line_ids.competitor_id, self.acme | self.globex)

    def test_merge_keeps_each_competitor_once(self):
        head = self._deal("Merge head", 9000, competitors=self.acme, probability=90)
        tail = self._deal("Merge tail", 100, competitors=self.acme | self.globex, probability=10)
        head_line = head.competitor_line_ids
        merged = (head | tail)._merge_opportunity(auto_unlink=True)
        self.assertEqual(merged, head)
        self.assertFalse(tail.exists())
        self.assertEqual(head.competitor_line_ids.competitor_id, self.acme | self.globex)
        self.assertIn(head_line, head.competitor_line_ids, "the head's own line wins")

    def test_lead_copy_keeps_competitors_not_the_winner(self):
        lead = self._deal("Original", competitors=self.acme | self.globex)
        self._mark_lost(lead, self.acme)
        copy = lead.copy()
        self.assertEqual(copy.competitor_line_ids.competitor_id, self.acme | self.globex)
        self.assertFalse(copy.lost_to_competitor_id)


@tagged("post_install", "-at_install")
class TestCompetitorLostWizard(CompetitorCommon):
    def test_wizard_sets_lost_to_and_adds_missing_line(self):
        lead = self._deal("Wizard deal", competitors=self.acme)
        wizard_form = Form(
            self.env(user=self.salesman)["crm.lead.lost"].with_context(
                active_model="crm.lead", active_ids=lead.ids, default_lead_ids=lead.ids
            )
        )
        wizard_form.competitor_id = self.globex
        wizard_form.lost_reason_id = self.env.ref("crm.lost_reason_1")
        wizard_form.save().action_lost_reason_apply()
        self.assertEqual(lead.won_status, "lost")
        self.assertEqual(lead.lost_to_competitor_id, self.globex)
        self.assertEqual(lead.lost_reason_id, self.env.ref("crm.lost_reason_1"))
        self.assertEqual(lead.competitor_line_ids.competitor_id, self.acme | self.globex)
        winner_line = lead.competitor_line_ids.filtered("is_winner")
        self.assertEqual(winner_line.competitor_id, self.globex)

    def test_wizard_does_not_duplicate_existing_line(self):
        lead = self._deal("Already listed", competitors=self.acme)
        line = lead.competitor_line_ids
        self._mark_lost(lead, self.acme)
        self.assertEqual(lead.competitor_line_ids, line)
        self.assertEqual(lead.lost_to_competitor_id, self.acme)

    def test_wizard_on_several_deals(self):
        leads = self._deal("Multi 1", competitors=self.acme) | self._deal("Multi 2")
        self._mark_lost(leads, self.acme)
        for lead in leads:
            self.assertEqual(lead.lost_to_competitor_id, self.acme)
            self.assertEqual(lead.competitor_line_ids.competitor_id, self.acme)

    def test_wizard_competitor_optional_by_default(self):
        self.assertFalse(self.company.competitor_required_on_lost)
        lead = self._deal("No rival")
        wizard_form = Form(
            self.env(user=self.salesman)["crm.lead.lost"].with_context(default_lead_ids=lead.ids)
        )
        self.assertFalse(wizard_form.competitor_required)
        wizard_form.save().action_lost_reason_apply()
        self.assertEqual(lead.won_status, "lost")
        self.assertFalse(lead.lost_to_competitor_id)
        self.assertFalse(lead.competitor_line_ids)

    @users("crmx_comp_salesman")
    def test_wizard_competitor_required_by_setting(self):
        settings = self.env["res.config.settings"].with_user(self.env.ref("base.user_admin"))
        settings.create({"competitor_required_on_lost": True}).execute()
        self.assertTrue(self.company.competitor_required_on_lost)
        lead = self._deal("Must say who").with_env(self.env)
        wizard = self.env["crm.lead.lost"].create({"lead_ids": [Command.set(lead.ids)]})
        self.assertTrue(wizard.competitor_required)
        with self.assertRaises(UserError):
            wizard.action_lost_reason_apply()
        self.assertTrue(lead.active, "the deal is not lost")
        wizard.competitor_id = self.globex
        wizard.action_lost_reason_apply()
        self.assertEqual(lead.won_status, "lost")
        self.assertEqual(lead.lost_to_competitor_id, self.globex)

    def test_wizard_offers_competitors_of_the_deals_company(self):
        foreign = self.env(user=self.rival_manager)["crm.competitor"].create(
            {"name": "Elsewhere Rival"}
        )
        shared = self.env(user=self.manager)["crm.competitor"].create(
            {"name": "Everywhere Rival", "company_id": False}
        )
        lead = self._deal("Company domain")
        wizard = lead.env["crm.lead.lost"].create({"lead_ids": [Command.set(lead.ids)]})
        # the field's own domain, evaluated as the web client does with the wizard's
        # values (searched without record rules: the domain alone must choose)
        field_domain = self.env["crm.lead.lost"]._fields["competitor_id"].domain
        domain = safe_eval(
            field_domain, {"competitor_company_ids": wizard.competitor_company_ids.ids}
        )
        candidates = foreign | shared | self.acme
        offered = self.env["crm.competitor"].search([("id", "in", candidates.ids), *domain])
        self.assertEqual(offered, shared | self.acme)
        # the deal of the other company is offered that company's competitors instead
        other_lead = self._deal(
            "Elsewhere deal",
            company_id=self.other_company.id,
            team_id=False,
            user_id=False,
            creator=self.rival_manager,
        )
        wizard = other_lead.env["crm.lead.lost"].create({"lead_ids": [Command.set(other_lead.ids)]})
        domain = safe_eval(
            field_domain, {"competitor_company_ids": wizard.competitor_company_ids.ids}
        )
        offered = self.env["crm.competitor"].search([("id", "in", candidates.ids), *domain])
        self.assertEqual(offered, foreign | shared)

    def test_required_setting_is_per_company(self):
        self.other_company.competitor_required_on_lost = True
        lead = self._deal("Not required here")
        wizard = lead.env["crm.lead.lost"].create({"lead_ids": [Command.set(lead.ids)]})
        self.assertFalse(wizard.competitor_required)
        other_lead = self._deal(
            "Required there",
            company_id=self.other_company.id,
            team_id=False,
            user_id=self.rival_manager.id,
        )
        wizard = other_lead.env["crm.lead.lost"].create({"lead_ids": [Command.set(other_lead.ids)]})
        self.assertTrue(wizard.competitor_required)


@tagged("post_install", "-at_install")
class TestCompetitorReportAndAccess(CompetitorCommon):
    def test_winloss_report_rows(self):
        won = self._deal("R won", 5000, competitors=self.acme)
        won.action_set_won()
        lost = self._deal("R lost", 3000, competitors=self.acme | self.globex)
        self._mark_lost(lost, self.globex)
        open_deal = self._deal("R open", 700, competitors=self.acme)
        self.env.flush_all()
        # the sales manager analyses the salesman's deals
        Report = self.env(user=self.manager)["crm.competitor.winloss.report"]
        rows = Report.search([("competitor_id", "in", (self.acme | self.globex).ids)])
        self.assertEqual(len(rows), 4, "one row per competitor met on a deal")
        outcome = {(r.competitor_id, r.lead_id): r.outcome for r in rows}
        self.assertEqual(outcome[self.acme, won], "won")
        self.assertEqual(outcome[self.acme, lost], "lost_other", "lost, but to Globex")
        self.assertEqual(outcome[self.globex, lost], "lost")
        self.assertEqual(outcome[self.acme, open_deal], "open")
        globex_row = rows.filtered(lambda r: r.competitor_id == self.globex)
        self.assertTrue(globex_row.is_lost_to_competitor)
        self.assertEqual(globex_row.lost_revenue, 3000.0)
        self.assertEqual(globex_row.stage_id, lost.stage_id)
        groups = Report._read_group(
            [("competitor_id", "=", self.acme.id)],
            ["outcome"],
            ["expected_revenue:sum", "won_count:sum", "lost_count:sum"],
        )
        by_outcome = {o: (rev, w, lc) for o, rev, w, lc in groups}
        self.assertEqual(by_outcome["won"], (5000.0, 1, 0))
        self.assertEqual(by_outcome["lost_other"], (3000.0, 0, 0), "lost, but not to Acme")
        self.assertNotIn("lost", by_outcome, "nothing lost to Acme")
        self.assertEqual(by_outcome["open"], (700.0, 0, 0))
        # the views the menu opens render, for the salesman too
        for view_type in ("pivot", "graph", "list", "search"):
            Report.get_view(view_type=view_type)
            Report.with_user(self.salesman).get_view(view_type=view_type)

    def test_salesman_records_competitors_on_own_deal(self):
        lead = self._deal("Sam's deal").with_user(self.salesman)
        rival = (
            self.env["crm.competitor"]
            .with_user(self.salesman)
            .create({"name": "Met by Sam", "strategy": "niche"})
        )
        lead.write(
            {
                "competitor_line_ids": [
                    Command.create(
                        {"competitor_id": rival.id, "threat_level": "high", "competitor_price": 99}
                    )
                ]
            }
        )
        self.assertEqual(lead.competitor_line_ids.threat_level, "high")
        self.assertEqual(rival.opportunity_count, 1)
        rival.strengths = "Cheap"  # the salesman edits the register
        # deleting from the register belongs to managers
        with self.assertRaises(AccessError):
            self.initech.with_user(self.salesman).unlink()
        with self.assertRaises(AccessError):
            rival.unlink()
        self.initech.with_user(self.manager).unlink()
        self.assertFalse(self.initech.exists())
        rival.with_user(self.manager).write({"active": False})
        self.assertFalse(rival.active)

    def test_competitor_of_other_company_hidden(self):
        foreign = self.env(user=self.rival_manager)["crm.competitor"].create(
            {"name": "Hidden Rival"}
        )
        shared = self.env(user=self.manager)["crm.competitor"].create(
            {"name": "Open Rival", "company_id": False}
        )
        candidates = foreign | shared | self.acme

        def visible(user):
            return self.env(user=user)["crm.competitor"].search([("id", "in", candidates.ids)])

        # each company's salespeople read their company's register and the shared one...
        self.assertEqual(visible(self.rival_manager), foreign | shared)
        self.assertEqual(visible(self.salesman), shared | self.acme)
        self.assertEqual(foreign.with_user(self.rival_manager).name, "Hidden Rival")
        # ...never the other company's
        with self.assertRaises(AccessError):
            foreign.with_user(self.salesman).read(["name"])
        with self.assertRaises(AccessError):
            self.acme.with_user(self.rival_manager).read(["name"])
        with self.assertRaises(AccessError):
            foreign.with_user(self.manager).write({"strengths": "Spied"})
        # portal users read no competitor at all
        with self.assertRaises(AccessError):
            self.env(user=self.portal)["crm.competitor"].search([])

    def test_winloss_follows_own_documents_and_companies(self):
        """The win/loss analysis, the competitor's statistics and the XLSX
        export show each user the deals they may read: an own-documents
        salesperson their deals and the unassigned ones, every deal of the
        company for the others, never another company's."""
        shared = self.env(user=self.manager)["crm.competitor"].create(
            {"name": "Shared Winloss Rival", "company_id": False}
        )
        mine = self._deal("WL mine", 100, competitors=shared)
        theirs = self._deal("WL colleague", 200, competitors=shared, user_id=self.colleague.id)
        nobody = self._deal(
            "WL nobody", 400, competitors=shared, user_id=False, company_id=self.company.id
        )
        elsewhere = self._deal(
            "WL elsewhere",
            800,
            competitors=shared,
            company_id=self.other_company.id,
            team_id=False,
            user_id=self.rival_manager.id,
        )
        self._mark_lost(theirs, shared)
        self.assertEqual(theirs.env.user, self.colleague)
        self.env.flush_all()

        def deals(user):
            Report = self.env(user=user)["crm.competitor.winloss.report"]
            return Report.search([("competitor_id", "=", shared.id)]).lead_id

        # the colleague's lost deal is there for who may read every deal...
        self.assertEqual(deals(self.salesman_all), mine | theirs | nobody)
        self.assertEqual(deals(self.manager), mine | theirs | nobody)
        self.assertEqual(shared.with_user(self.salesman_all).lost_count, 1)
        # ...not for an own-documents salesperson, who sees his own and nobody's
        self.assertEqual(deals(self.salesman), mine | nobody)
        self.assertEqual(deals(self.colleague), theirs | nobody)
        # the other company's deal is its own company's only
        self.assertEqual(deals(self.rival_manager), elsewhere)
        with self.assertRaises(AccessError):
            deals(self.portal)
        # the competitor's card counts the same deals
        own = shared.with_user(self.salesman)
        self.assertEqual((own.opportunity_count, own.lost_count, own.lost_revenue), (2, 0, 0.0))
        self.assertEqual(shared.with_user(self.colleague).lost_revenue, 200.0)
        self.assertEqual(shared.with_user(self.rival_manager).opportunity_count, 1)

        # and so does the XLSX export, for each user
        def exported(user):
            wizard = self.env(user=user)["crm.extended.xlsx.export"].create(
                {"report_type": "competitor_winloss"}
            )
            wizard.action_export()
            book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard.file_data)))
            rows = book.worksheets[0].iter_rows(min_row=2, values_only=True)
            return next((row[2:6] for row in rows if row[0] == shared.name), None)

        # met, won, lost, open
        self.assertEqual(exported(self.salesman_all), (3, 0, 1, 2))
        self.assertEqual(exported(self.salesman), (2, 0, 0, 2))
        self.assertEqual(exported(self.rival_manager), (1, 0, 0, 1))

    def test_deal_competitor_lines_follow_own_documents(self):
        mine = self._deal("Lines mine", competitors=self.acme)
        theirs = self._deal("Lines colleague", competitors=self.acme, user_id=self.colleague.id)
        Line = self.env(user=self.salesman)["crm.lead.competitor"]
        lines = (mine | theirs).competitor_line_ids
        self.assertEqual(len(lines), 2)
        # a salesman reading every deal reads and edits both lines
        self.assertEqual(
            lines.with_user(self.salesman_all).search([("id", "in", lines.ids)]), lines
        )
        lines.with_user(self.salesman_all).write({"threat_level": "medium"})
        # the own-documents salesman edits the line of his deal only
        self.assertEqual(Line.search([("id", "in", lines.ids)]), mine.competitor_line_ids)
        mine.competitor_line_ids.write({"threat_level": "high"})
        other_line = theirs.competitor_line_ids.with_user(self.salesman)
        with self.assertRaises(AccessError):
            other_line.read(["threat_level"])
        with self.assertRaises(AccessError):
            other_line.write({"threat_level": "low"})
        with self.assertRaises(AccessError):
            Line.create({"lead_id": theirs.id, "competitor_id": self.globex.id})
        self.assertEqual(theirs.competitor_line_ids.threat_level, "medium")

    def test_competitor_views_render(self):
        env = self.env(user=self.salesman)
        Competitor = env["crm.competitor"]
        for view_type in ("form", "list", "kanban", "search"):
            Competitor.get_view(view_type=view_type)
        arch = env["crm.lead"].get_view(self.env.ref("crm.crm_lead_view_form").id, "form")["arch"]
        self.assertIn('name="competitor_line_ids"', arch)
        self.assertIn('name="lost_to_competitor_id"', arch)
        arch = env["crm.lead.lost"].get_view(view_type="form")["arch"]
        self.assertIn('name="competitor_id"', arch)
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn('name="competitor_required_on_lost"', arch)
