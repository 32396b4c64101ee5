from datetime import date, timedelta

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

TODAY = date(2026, 6, 30)


class InsightCommon(AccountTestInvoicingCommon):
    """A small hand-computed purchase history (see test_insight.py for the figures)."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("sales_team.group_sale_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.Insight = cls.env["crm.customer.insight"]
        cls.Affinity = cls.env["crm.product.affinity"]
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Insight customer {name}", "is_company": True} for name in "ABCDE"]
        )
        cls.cust_a, cls.cust_b, cls.cust_c, cls.cust_d, cls.cust_e = cls.customers
        cls.contact_a = cls.env["res.partner"].create(
            {"name": "Insight contact of A", "parent_id": cls.cust_a.id}
        )

    @classmethod
    def _invoices(cls, specs, company=None, post=True):
        """specs: (partner, days before TODAY, untaxed amount[, move type])."""
        moves = (
            cls.env["account.move"]
            .with_company(company or cls.company)
            .create(
                [
                    {
                        "move_type": spec[3] if len(spec) > 3 else "out_invoice",
                        "partner_id": spec[0].id,
                        "invoice_date": TODAY - timedelta(days=spec[1]),
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "insight line", "price_unit": spec[2], "tax_ids": []}
                            )
                        ],
                    }
                    for spec in specs
                ]
            )
        )
        if post:
            moves.action_post()
        return moves

    @classmethod
    def _seed_rfm_history(cls):
        a, b, c, d, e = cls.customers
        cls._invoices(
            [(a, days, 1000.0) for days in (5, 15, 25, 35, 45)]
            # the credit note is not a purchase: it lowers B's revenue only
            + [(b, 30, 2100.0), (b, 90, 2100.0), (b, 1, 200.0, "out_refund")]
            # two invoices on one day are one purchase day
            + [(c, 60, 25.0), (c, 60, 25.0), (c, 100, 50.0), (c, 140, 50.0), (c, 180, 50.0)]
            + [(d, days, 1000.0) for days in (200, 300, 400)]
            + [(e, 400, 100.0)]
            # outside the 24-month look-back
            + [(a, 800, 99999.0)]
        )
        # a draft invoice is no purchase
        cls._invoices([(a, 2, 99999.0)], post=False)
