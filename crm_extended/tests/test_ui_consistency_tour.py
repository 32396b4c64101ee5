from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestUiConsistencyTour(HttpCase):
    """What users see in the browser (issue 12): cards, funnel, settings."""

    def test_competitor_cards(self):
        solo, duo = self.env["crm.competitor"].create(
            [{"name": "Solo Tour Rival"}, {"name": "Duo Tour Rival"}]
        )
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": name,
                    "type": "opportunity",
                    "competitor_line_ids": [Command.create({"competitor_id": rival.id})],
                }
                for name, rival in (("Solo open", solo), ("Duo won", duo), ("Duo open", duo))
            ]
        )
        leads[1].action_set_won()
        self.assertEqual((solo.opportunity_count, duo.opportunity_count), (1, 2))
        self.start_tour(
            "/odoo/action-crm_extended.crm_competitor_action",
            "crm_extended_competitor_cards_tour",
            login="admin",
        )

    def test_funnel_conversion_percent(self):
        cycle = self.env.ref("crm_extended.crm_sales_cycle_b2b")
        team = self.env["crm.team"].create({"name": "Funnel Tour Team", "sales_cycle_id": cycle.id})
        lead = self.env["crm.lead"].create(
            {"name": "Funnel Tour Deal", "type": "opportunity", "team_id": team.id}
        )
        self.assertEqual(lead.sales_cycle_id, cycle)
        self.env.flush_all()
        self.start_tour(
            "/odoo/action-crm_extended.crm_sales_funnel_report_action",
            "crm_extended_funnel_percent_tour",
            login="admin",
        )

    def test_settings_link_opens_invoicing(self):
        admin = self.env.ref("base.user_admin")
        admin.group_ids += self.env.ref("account.group_account_manager")
        self.start_tour("/odoo/settings", "crm_extended_settings_link_tour", login="admin")

    def test_credit_page_single_hold_checkbox(self):
        admin = self.env.ref("base.user_admin")
        admin.group_ids += self.env.ref("crm_extended.group_credit_controller")
        partner = self.env["res.partner"].create({"name": "Credit Page Tour", "is_company": True})
        self.start_tour(
            f"/odoo/res.partner/{partner.id}", "crm_extended_credit_page_tour", login="admin"
        )
