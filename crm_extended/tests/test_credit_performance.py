from odoo import Command
from odoo.tests import tagged

from .credit_common import CreditCommon


@tagged("post_install", "-at_install")
class TestCreditPerformance(CreditCommon):
    def _customers_with_history(self, count):
        partners = self.env["res.partner"].create(
            [{"name": f"Perf customer {i}", "credit_limit": 1e6} for i in range(count)]
        )
        self._history(partners, 1)
        return partners

    def _history(self, partners, per_partner):
        """``per_partner`` posted invoices and confirmed orders for each partner, in batch."""
        line = {"product_id": self.product.id, "price_unit": 10.0, "tax_ids": [Command.clear()]}
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2020-01-01",
                    "invoice_line_ids": [Command.create(dict(line, quantity=1))],
                }
                for partner in partners
                for _i in range(per_partner)
            ]
        )
        invoices.action_post()
        orders = self.env["sale.order"].create(
            [
                {"partner_id": partner.id, "order_line": [Command.create(line)]}
                for partner in partners
                for _i in range(per_partner)
            ]
        )
        orders.action_confirm()

    def _read_credit_fields(self, partners):
        partners.invalidate_recordset()
        with self.assertQueryCount(3):
            partners.read(list(self.env["res.partner"]._credit_figure_fields()))

    def test_reading_credit_fields_constant_queries(self):
        small = self._customers_with_history(3)
        big = self._customers_with_history(40)
        self.env.invalidate_all()
        self.env.flush_all()
        # warm the company and currency caches once
        small[:1].read(["credit_exposure"])
        self._read_credit_fields(small)
        self._read_credit_fields(big)
        big.invalidate_recordset()
        values = {p["id"]: p["credit_exposure"] for p in big.read(["credit_exposure"])}
        self.assertEqual(set(values.values()), {20.0})

    def test_confirmation_check_constant_queries(self):
        self.customer.credit_limit = 0.0  # no limit while building the history
        self._history(self.customer, 1)
        light = self.env["res.partner"].create({"name": "Light", "credit_limit": 0.0})
        self._history(light, 1)
        heavy = self.env["res.partner"].create({"name": "Heavy", "credit_limit": 0.0})
        self._history(heavy, 150)
        (light + heavy).write({"credit_limit": 1e6})
        orders = self._order(10.0, partner=light) + self._order(10.0, partner=heavy)
        for order in orders:
            # warm the ormcaches (groups, rules, language): twice, as the first
            # call may itself clear a cache it then fills
            order._credit_check_confirmation()
            order._credit_check_confirmation()
            self.env.invalidate_all()
            self.env.flush_all()
            # warm the partner and the order, as a request that shows them has
            order.partner_id.commercial_partner_id.mapped("credit_limit")
            order.mapped("amount_total")
            # guard row upsert, exposure aggregate, the limit and hold of the customer
            with self.assertQueryCount(3):
                order._credit_check_confirmation()
        self.assertEqual(heavy.with_company(self.company).credit_exposure, 3000.0)
