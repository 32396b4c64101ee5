from odoo.tests import HttpCase, tagged

from .cycle_common import SalesCycleCommon


@tagged("post_install", "-at_install")
class TestSalesCycleTour(HttpCase, SalesCycleCommon):
    def test_sales_cycle_tour(self):
        self.env.ref("base.group_user").write(
            {"implied_ids": [(4, self.env.ref("crm.group_use_lead").id)]}
        )
        # the team's salesperson (own documents) qualifies and converts his lead
        lead = self._lead(
            name="Tour cycle lead",
            type="lead",
            user=self.salesman,
            partner_name="Tour Customer Co",
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "crm_extended_sales_cycle_tour",
            login=self.salesman.login,
        )
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.qualification_status, "qualified")
        self.assertEqual(lead.qualification_ids.user_id, self.salesman)
        self.assertEqual(lead.stage_id, self.stage_1)
        self.start_tour(
            "/odoo/crm", "crm_extended_sales_cycle_pipeline_tour", login=self.manager.login
        )
        self.assertEqual(lead.stage_id, self.stage_2)
