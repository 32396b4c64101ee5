from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestWarrantyTour(HttpCase):
    def test_warranty_tour(self):
        # a salesperson with "own documents" rights sells, then renews, the warranty
        salesman = new_test_user(
            self.env,
            login="crmx_tour_warranty_salesman",
            name="Tour Warranty Salesman",
            groups="sales_team.group_sale_salesman",
        )
        customer = self.env["res.partner"].create(
            {"name": "Warranty Tour Customer", "email": "tour.customer@example.com"}
        )
        product = self.env["product.product"].create(
            {
                "name": "Tour Warranted Drill",
                "type": "consu",
                "list_price": 150.0,
                "sale_ok": True,
                "warranty_months": 12,
            }
        )
        self.start_tour("/odoo", "crm_extended_warranty_tour", login="crmx_tour_warranty_salesman")
        contracts = self.env["crm.warranty.contract"].search(
            [("partner_id", "=", customer.id)], order="id"
        )
        self.assertEqual(len(contracts), 2)
        first, successor = contracts
        self.assertEqual(first.product_id, product)
        self.assertEqual(first.state, "renewed")
        self.assertEqual(successor.renewal_of_id, first)
        self.assertEqual(successor.state, "active")
        self.assertEqual(first.renewal_order_id, successor.sale_order_id)
        self.assertEqual((first | successor).sale_order_id.user_id, salesman)
