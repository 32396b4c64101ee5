from datetime import timedelta

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class WarrantyCommon(AccountTestInvoicingCommon):
    """Products with and without warranty, a customer, a salesman."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.quick_ref("sales_team.group_sale_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Contract = cls.env["crm.warranty.contract"]
        cls.renewal_product = cls._create_product(
            name="Warranty extension", type="service", list_price=50.0, invoice_policy="order"
        )
        cls.product_warranty = cls._create_product(
            name="Drill (12 months warranty)",
            list_price=200.0,
            invoice_policy="order",
            warranty_months=12,
            warranty_renewal_product_id=cls.renewal_product.id,
        )
        cls.product_warranty_24 = cls._create_product(
            name="Saw (24 months warranty)",
            list_price=300.0,
            invoice_policy="order",
            warranty_months=24,
        )
        cls.product_plain = cls._create_product(
            name="Screws", list_price=5.0, invoice_policy="order"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Warranty Customer", "email": "warranty.customer@example.com"}
        )
        cls.customer_contact = cls.env["res.partner"].create(
            {"name": "Contact of the customer", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.salesman = cls.env["res.users"].create(
            {
                "name": "Warranty Salesman",
                "login": "crmx_warranty_salesman",
                "email": "warranty.salesman@example.com",
                "group_ids": [Command.set(cls.quick_ref("sales_team.group_sale_salesman").ids)],
                "company_ids": [Command.set(cls.env.company.ids)],
                "company_id": cls.env.company.id,
            }
        )
        cls.today = fields.Date.context_today(cls.Contract)

    @classmethod
    def _order(cls, lines, partner=None, env=None):
        env = env or cls.env
        return env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty})
                    for product, qty in lines
                ],
            }
        )

    @classmethod
    def _contract(cls, **values):
        today = fields.Date.context_today(cls.Contract)
        vals = {
            "partner_id": cls.customer.id,
            "product_id": cls.product_warranty.id,
            "date_start": today - timedelta(days=300),
            "date_end": today + timedelta(days=65),
            "state": "active",
        }
        vals.update(values)
        return cls.Contract.create(vals)
