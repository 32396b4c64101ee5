from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCompetitorTour(HttpCase):
    def test_competitor_tour(self):
        # a salesperson with "own documents" rights loses his own deal
        salesman = new_test_user(
            self.env,
            login="crmx_tour_comp_salesman",
            name="Tour Comp Salesman",
            groups="sales_team.group_sale_salesman",
        )
        rival = self.env["crm.competitor"].create(
            {"name": "Tour Rival Ltd", "strategy": "challenger"}
        )
        lead = self.env["crm.lead"].create(
            {
                "name": "Tour Competitor Deal",
                "type": "opportunity",
                "expected_revenue": 4321,
                "user_id": salesman.id,
            }
        )
        self.start_tour(
            "/odoo",
            "crm_extended_competitor_tour",
            login="crmx_tour_comp_salesman",
        )
        self.assertEqual(lead.won_status, "lost")
        self.assertEqual(lead.lost_to_competitor_id, rival)
        self.assertEqual(lead.competitor_line_ids.competitor_id, rival)
        self.assertEqual(rival.lost_count, 1)
        self.assertEqual(lead.write_uid, salesman, "the salesperson marked it lost")
