from odoo.tests import HttpCase, tagged

from .cycle_common import SalesCycleCommon


@tagged("post_install", "-at_install")
class TestSalesCycleTour(HttpCase, SalesCycleCommon):
    def test_sales_cycle_tour(self):
        self.env.ref("base.group_user").write(
            {"implied_ids": [(4, self.env.ref("crm.group_use_lead").id)]}
        )
        self.team.member_ids = [(4, self.env.ref("base.user_admin").id)]
        lead = self._lead(
            name="Tour cycle lead",
            type="lead",
            user=self.env.ref("base.user_admin"),
            partner_name="Tour Customer Co",
        )
        self.start_tour(
            f"/odoo/action-crm.crm_lead_all_leads/{lead.id}",
            "crm_extended_sales_cycle_tour",
            login="admin",
        )
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.qualification_status, "qualified")
        self.assertEqual(lead.stage_id, self.stage_2)
