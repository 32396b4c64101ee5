from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from .service_case_common import ServiceCaseCommon


@tagged("post_install", "-at_install")
class TestServiceCaseTour(HttpCase, ServiceCaseCommon):
    """Each role where it starts: the agent and the manager from the Sales menu, the
    customer from the portal home."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.name = "Tour Case Customer"
        cls.product.name = "Tour Case Drill"
        cls.contract.serial_number = "TOUR-SN-1"

    def test_agent_tour(self):
        self.start_tour("/odoo", "crm_extended_service_case_agent_tour", login=self.agent.login)
        case = self.Case.search([("subject", "=", "Tour drill stopped")])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.user_id, self.agent)
        self.assertEqual(case.warranty_contract_id, self.contract)
        self.assertEqual(case.coverage, "covered")
        self.assertEqual(case.state, "in_progress")

    def test_manager_tour(self):
        late = self._case(
            subject="Tour late case",
            priority="3",
            date_open=fields.Datetime.now() - timedelta(hours=5),
            user_id=self.agent.id,
        )
        self.assertEqual(late.sla_state, "breached")
        case = self._case(subject="Tour case to close", user_id=self.agent.id)
        case.action_start()
        self.start_tour("/odoo", "crm_extended_service_case_manager_tour", login=self.manager.login)
        self.assertEqual(case.state, "closed")
        self.assertEqual(case.resolution, "repaired")
        self.assertTrue(
            self.env["rating.rating"]
            .sudo()
            .search([("res_model", "=", "crm.service.case"), ("res_id", "=", case.id)])
        )

    def test_portal_tour(self):
        self.start_tour(
            "/my", "crm_extended_service_case_portal_tour", login=self.portal_user.login
        )
        case = self.Case.search([("subject", "=", "Tour portal drill sparks")])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.partner_id, self.customer_contact)
        self.assertEqual(case.warranty_contract_id, self.contract)
        self.assertEqual(case.case_type, "warranty_claim")
        self.assertEqual(case.coverage, "covered")
