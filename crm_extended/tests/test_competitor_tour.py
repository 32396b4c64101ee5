from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestCompetitorTour(HttpCase):
    def test_competitor_tour(self):
        rival = self.env["crm.competitor"].create(
            {"name": "Tour Rival Ltd", "strategy": "challenger"}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Tour Competitor Deal",
                "type": "opportunity",
                "expected_revenue": 4321,
                "user_id": self.env.ref("base.user_admin").id,
            }
        )
        self.start_tour(
            "/odoo",
            "crm_extended_competitor_tour",
            login="admin",
        )
        self.assertEqual(lead.won_status, "lost")
        self.assertEqual(lead.lost_to_competitor_id, rival)
        self.assertEqual(lead.competitor_line_ids.competitor_id, rival)
        self.assertEqual(rival.lost_count, 1)
