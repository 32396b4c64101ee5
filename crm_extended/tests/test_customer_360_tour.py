from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestCustomer360Tour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        cls.customer = cls.env["res.partner"].create(
            {"name": "C360 Tour Customer", "is_company": True}
        )
        cls.deal = cls.env["crm.lead"].create(
            {
                "name": "C360 tour deal",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "expected_revenue": 5000.0,
            }
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "C360 tour lead", "type": "lead", "partner_id": cls.customer.id}
        )
        questionnaire = cls.env["crm.qualification.questionnaire"].create(
            {
                "name": "C360 tour questionnaire",
                "pass_score": 60,
                "question_ids": [
                    Command.create(
                        {
                            "name": "Budget",
                            "weight": 1,
                            "option_ids": [Command.create({"name": "Most", "score": 80})],
                        }
                    )
                ],
            }
        )
        qualification = cls.env["crm.lead.qualification"].create(
            {"lead_id": cls.lead.id, "questionnaire_id": questionnaire.id}
        )
        qualification.answer_ids.option_id = questionnaire.question_ids.option_ids
        qualification.action_done()
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.customer.id,
                "invoice_date": today - relativedelta(days=60),
                "invoice_date_due": today - relativedelta(days=30),
                "invoice_line_ids": [
                    Command.create({"name": "Service", "quantity": 1, "price_unit": 500.0})
                ],
            }
        )
        invoice.action_post()
        cls.invoice = invoice
        cls.salesman = new_test_user(
            cls.env, login="c360_tour_sales", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.controller = new_test_user(
            cls.env,
            login="c360_tour_finance",
            groups="crm_extended.group_credit_controller,sales_team.group_sale_salesman_all_leads",
        )

    def _url(self):
        return f"/odoo/action-base.action_partner_form/{self.customer.id}"

    def _assert_sales_figures(self, user):
        """What the tour showed is what the model computes for that user."""
        customer = self.customer.with_user(user)
        self.assertEqual(customer.c360_opportunity_count, 1)
        self.assertEqual(customer.c360_qualified_lead_count, 1)
        self.assertEqual(customer.c360_lead_ids, (self.deal | self.lead).with_user(user))
        self.assertEqual(self.lead.qualification_status, "qualified")
        self.assertEqual(self.lead.qualification_score, 80)
        self.assertEqual(self.deal.qualification_status, "none")

    def test_salesperson_sees_sales_figures_only(self):
        self.start_tour(self._url(), "crm_extended_c360_sales_tour", login="c360_tour_sales")
        self._assert_sales_figures(self.salesman)
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).read(["c360_overdue_invoice_count"])

    def test_credit_controller_sees_finance_figures(self):
        self.start_tour(self._url(), "crm_extended_c360_finance_tour", login="c360_tour_finance")
        self._assert_sales_figures(self.controller)
        customer = self.customer.with_user(self.controller)
        self.assertEqual(customer.c360_overdue_invoice_count, 1)
        self.assertEqual(customer.c360_overdue_invoice_amount, 500.0)
        action = customer.action_c360_overdue_invoices()
        self.assertEqual(self.env["account.move"].search(action["domain"]), self.invoice)
