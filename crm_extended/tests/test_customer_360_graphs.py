from odoo import fields
from odoo.tests import tagged

from . import test_customer_360  # a module, not its test class (no second run of it)
from .test_warranty_common import WarrantyCommon


@tagged("post_install", "-at_install")
class TestCustomer360Graphs(WarrantyCommon):
    """The 360 page's graphs: revenue by month and pipeline by stage, of this
    customer only, in the current company."""

    _customer = test_customer_360.TestCustomer360._customer

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.competitor = cls.env["crm.competitor"].create({"name": "C360 Graph Rival"})
        cls.warranted = cls._create_product(
            name="C360 Graph Warranted",
            list_price=100.0,
            invoice_policy="order",
            warranty_months=12,
        )

    def _graph(self, action, groupby, measure):
        Model = self.env[action["res_model"]]
        self.assertEqual(action["context"]["group_by"], [groupby])
        self.assertEqual(action["views"][0][1], "graph")
        return dict(Model._read_group(action["domain"], [groupby], [measure]))

    def test_revenue_by_month_of_this_customer(self):
        company, contact, _leads, _orders = self._customer("Graph One")
        self._customer("Graph Other")  # another customer's invoices stay out
        action = contact.action_c360_revenue_graph()
        months = self._graph(action, "invoice_date:month", "price_subtotal:sum")
        self.assertAlmostEqual(sum(months.values()), 500.0)  # 200 two months ago + 300 today
        self.assertEqual(len(months), 2)

    def test_pipeline_by_stage_of_this_customer(self):
        company, _contact, leads, _orders = self._customer("Graph Two")
        self._customer("Graph Three")
        action = company.action_c360_pipeline_graph()
        stages = self._graph(action, "stage_id", "prorated_revenue:sum")
        opportunity = leads.filtered(lambda lead: lead.type == "opportunity")
        self.assertEqual(stages, {opportunity.stage_id: opportunity.prorated_revenue})
