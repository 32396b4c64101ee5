from odoo.tests import tagged
from odoo.tools import mute_logger

from .service_case_common import ServiceCaseCommon

RAW_EMAIL = """Return-Path: <{email_from}>
To: {to}
From: {sender}
Subject: {subject}
Message-ID: <{msg_id}@case.example.com>
Date: Fri, 04 Dec 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

My drill stopped working after two weeks, serial DR-0001.
"""


@tagged("post_install", "-at_install")
class TestServiceCaseMailGateway(ServiceCaseCommon):
    """An e-mail to the service alias opens a case, through Odoo's real gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias_domain = cls.env["mail.alias.domain"].create({"name": "case.example.com"})
        cls.company.alias_domain_id = cls.alias_domain
        cls.alias = cls.env.ref("crm_extended.mail_alias_service_case")
        cls.alias.alias_domain_id = cls.alias_domain

    def _receive(self, sender, email_from, subject, msg_id):
        raw = RAW_EMAIL.format(
            to=self.alias.alias_full_name,
            sender=sender,
            email_from=email_from,
            subject=subject,
            msg_id=msg_id,
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            thread_id = self.env["mail.thread"].message_process(False, raw)
        return self.Case.browse(thread_id)

    def test_alias(self):
        self.assertEqual(self.alias.alias_model_id.model, "crm.service.case")
        self.assertEqual(self.alias.alias_full_name, "service@case.example.com")

    def test_known_sender(self):
        case = self._receive(
            '"Case Contact" <case.contact@example.com>',
            "case.contact@example.com",
            "Drill broken",
            "known-1",
        )
        self.assertTrue(case.exists())
        self.assertEqual(case.subject, "Drill broken")
        self.assertEqual(case.partner_id, self.customer_contact)
        self.assertEqual(case.company_id, self.env.ref("base.main_company"))
        self.assertFalse(case.user_id, "the gateway assigns nobody")
        self.assertEqual(case.state, "new")
        self.assertTrue(case.date_deadline)
        message = case.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(message.author_id, self.customer_contact)
        self.assertIn("DR-0001", str(message.body))
        self.assertIn(self.customer_contact, case.message_partner_ids)
        # an agent of the company finds it (unassigned) and sees it on the customer
        self.assertIn(case, self.Case.with_user(self.agent).search([]))
        self.assertEqual(self.customer.with_user(self.agent).service_case_open_count, 1)

    def test_unknown_sender_gets_a_contact(self):
        Partner = self.env["res.partner"]
        self.assertFalse(Partner.search([("email", "=ilike", "new.caller@example.com")]))
        case = self._receive(
            '"New Caller" <new.caller@example.com>',
            "new.caller@example.com",
            "Question about my order",
            "unknown-1",
        )
        partner = Partner.search([("email", "=ilike", "new.caller@example.com")])
        self.assertEqual(len(partner), 1)
        self.assertEqual(case.partner_id, partner)
        self.assertEqual(partner.name, "New Caller")
        self.assertEqual(
            case.message_ids.filtered(lambda m: m.message_type == "email").author_id, partner
        )

    def test_reply_lands_on_the_case(self):
        case = self._receive(
            "case.contact@example.com", "case.contact@example.com", "Noise", "thread-1"
        )
        raw = RAW_EMAIL.format(
            to=self.alias.alias_full_name,
            sender="case.contact@example.com",
            email_from="case.contact@example.com",
            subject="Re: Noise",
            msg_id="thread-2",
        ).replace(
            "Message-ID: <thread-2@case.example.com>",
            "Message-ID: <thread-2@case.example.com>\nIn-Reply-To: <thread-1@case.example.com>",
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)
        self.assertEqual(self.Case.search_count([("subject", "in", ("Noise", "Re: Noise"))]), 1)
        self.assertEqual(len(case.message_ids.filtered(lambda m: m.message_type == "email")), 2)
