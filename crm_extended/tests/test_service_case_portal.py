from odoo.http import Request
from odoo.tests import HttpCase, tagged

from .service_case_common import ServiceCaseCommon


@tagged("post_install", "-at_install")
class TestServiceCasePortal(HttpCase, ServiceCaseCommon):
    """The customer sees, opens, follows and rates their cases through the real routes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_case = cls.env["crm.service.case"].create(
            {
                "subject": "Own drill case",
                "partner_id": cls.customer.id,
                "product_id": cls.product.id,
                "user_id": cls.agent.id,
            }
        )
        cls.stranger_case = cls.env["crm.service.case"].create(
            {"subject": "Stranger case", "partner_id": cls.stranger.id, "user_id": cls.agent.id}
        )
        cls.stranger_contract = cls._contract(
            partner_id=cls.stranger.id, product_id=cls.product_other.id, serial_number="ST-1"
        )

    def test_list_and_page(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/cases")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own_case.name, response.text)
        self.assertNotIn(self.stranger_case.name, response.text)
        response = self.url_open(f"/my/cases/{self.own_case.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Own drill case", response.text)
        self.assertIn("Communication history", response.text)
        # another customer's case: back to the portal home
        response = self.url_open(f"/my/cases/{self.stranger_case.id}")
        self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertNotIn("Stranger case", response.text)
        # the home page offers the cases
        response = self.url_open("/my")
        self.assertIn("/my/cases", response.text)

    def test_open_a_case_on_an_owned_contract(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open("/my/cases/new")
        self.assertIn(self.contract.name, response.text)
        self.assertNotIn(self.stranger_contract.name, response.text)
        response = self.url_open(
            "/my/cases/new",
            data={
                "csrf_token": Request.csrf_token(self),
                "case_type": "warranty_claim",
                "contract_id": str(self.contract.id),
                "subject": "Drill sparks",
                "description": "Sparks when starting",
            },
        )
        self.assertEqual(response.status_code, 200)
        case = self.Case.search([("subject", "=", "Drill sparks")])
        self.assertEqual(len(case), 1)
        self.assertIn(f"/my/cases/{case.id}", response.url)
        self.assertEqual(case.partner_id, self.customer_contact)
        self.assertEqual(case.warranty_contract_id, self.contract)
        self.assertEqual(case.product_id, self.product)
        self.assertEqual(case.serial_number, "DR-0001")
        self.assertEqual(case.coverage, "covered")
        self.assertFalse(case.user_id)
        self.assertIn(self.customer_contact, case.message_partner_ids)

    def test_cannot_open_a_case_on_someone_elses_contract(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        for field, value in (
            ("contract_id", str(self.stranger_contract.id)),
            ("product_id", str(self.product_other.id)),
        ):
            with self.subTest(field=field):
                response = self.url_open(
                    "/my/cases/new",
                    data={
                        "csrf_token": Request.csrf_token(self),
                        "subject": "Not mine",
                        field: value,
                    },
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn("alert-danger", response.text)
        self.assertFalse(self.Case.search([("subject", "=", "Not mine")]))

    def test_answer_in_the_chatter(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "post_data": {
                    "body": "It happens every morning",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
                "thread_id": self.own_case.id,
                "thread_model": "crm.service.case",
            },
        )
        message = self.own_case.message_ids.filtered(lambda m: "every morning" in str(m.body))
        self.assertEqual(message.author_id, self.customer_contact)
        # the agent follows the case: notified
        self.assertIn(self.agent.partner_id, self.own_case.message_partner_ids)
        # not on a stranger's case
        with self.assertRaises(Exception):  # noqa: B017 - the route's access refusal
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "post_data": {"body": "Intrusion", "message_type": "comment"},
                    "thread_id": self.stranger_case.id,
                    "thread_model": "crm.service.case",
                },
            )
        self.assertFalse(
            self.stranger_case.message_ids.filtered(lambda m: "Intrusion" in str(m.body))
        )

    def test_rating_through_the_rate_route(self):
        self.own_case.write({"resolution": "repaired"})
        self.own_case.action_resolve()
        self.own_case.action_close()
        rating = (
            self.env["rating.rating"]
            .sudo()
            .search([("res_model", "=", "crm.service.case"), ("res_id", "=", self.own_case.id)])
        )
        self.assertTrue(rating.access_token)
        # the link of the e-mail (no login needed)
        self.authenticate(None, None)
        response = self.url_open(f"/rate/{rating.access_token}/5")
        self.assertEqual(response.status_code, 200)
        response = self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={
                "rate": "5",
                "feedback": "Fast and friendly",
                "csrf_token": Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(rating.rating, 5)
        self.assertTrue(rating.consumed)
        self.assertEqual(rating.feedback, "Fast and friendly")
        self.assertEqual(self.customer.with_user(self.agent).satisfaction_avg, 5.0)
        self.assertEqual(self.own_case.rating_last_value, 5.0)
