from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestInsightTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        cls.customer = cls.env["res.partner"].create(
            {"name": "Insight Tour Customer", "is_company": True}
        )
        others = cls.env["res.partner"].create(
            # 20 customers and more: the purchase model is fitted (predictions shown)
            [{"name": f"Insight Tour Other {i}", "is_company": True} for i in range(20)]
        )
        # the tour customer buys most, most often and recently: a champion, or
        # loyal when other customers of the database bought today
        history = [(cls.customer, days, 900.0) for days in (3, 20, 40)] + [
            (partner, days, 10.0 * (i + 1))
            for i, partner in enumerate(others)
            for days in (100 + 5 * i, 300)
        ]
        invoices = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": today - relativedelta(days=days),
                    "invoice_line_ids": [
                        Command.create({"name": "Service", "quantity": 1, "price_unit": amount})
                    ],
                }
                for partner, days, amount in history
            ]
        )
        invoices.action_post()
        cls.desk, cls.lamp = cls.env["product.product"].create(
            [{"name": "Tour Desk", "list_price": 300.0}, {"name": "Tour Lamp", "list_price": 40.0}]
        )
        orders = cls.env["sale.order"].create(
            [
                {
                    "partner_id": others[0].id,
                    "order_line": [Command.create({"product_id": p.id}) for p in basket],
                }
                for basket in ((cls.desk, cls.lamp), (cls.desk, cls.lamp))
            ]
            + [
                {
                    "partner_id": cls.customer.id,
                    "order_line": [Command.create({"product_id": cls.desk.id})],
                }
            ]
        )
        orders.action_confirm()
        cls.env["crm.customer.insight"]._cron_compute_insights(companies=cls.env.company)
        cls.quotation = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [Command.create({"product_id": cls.desk.id})],
            }
        )
        cls.salesman = new_test_user(
            cls.env, login="insight_tour_sales", groups="sales_team.group_sale_salesman_all_leads"
        )

    def test_customer_insights(self):
        self.assertIn(self.customer.rfm_segment, ("champions", "loyal"))
        self.start_tour(
            f"/odoo/action-base.action_partner_form/{self.customer.id}",
            "crm_extended_insight_customer_tour",
            login="insight_tour_sales",
        )

    def test_add_suggested_product_to_quotation(self):
        self.start_tour(
            f"/odoo/action-sale.action_quotations_with_onboarding/{self.quotation.id}",
            "crm_extended_insight_quotation_tour",
            login="insight_tour_sales",
        )
        self.assertEqual(self.quotation.order_line.product_id, self.desk | self.lamp)
