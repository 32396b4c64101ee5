from dateutil.relativedelta import relativedelta

from odoo import Command, fields
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
        cls.env["crm.lead"].create(
            {
                "name": "C360 tour deal",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "expected_revenue": 5000.0,
            }
        )
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

    def test_salesperson_sees_sales_figures_only(self):
        self.start_tour(self._url(), "crm_extended_c360_sales_tour", login="c360_tour_sales")

    def test_credit_controller_sees_finance_figures(self):
        self.start_tour(self._url(), "crm_extended_c360_finance_tour", login="c360_tour_finance")
