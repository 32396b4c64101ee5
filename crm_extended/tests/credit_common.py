from unittest.mock import patch

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class CreditCommon(AccountTestInvoicingCommon):
    """Customers, users and helpers shared by the credit control tests."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref("sales_team.group_sale_manager")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.write(
            {
                "credit_hold_block_on_limit": True,
                "credit_hold_warning_percent": 90.0,
                "credit_hold_overdue_days": 0,
            }
        )
        cls.group_controller = cls.env.ref("crm_extended.group_credit_controller")
        cls.group_salesman = cls.env.ref("sales_team.group_sale_salesman")
        # internal users can edit contacts by default ("Contact Creation")
        cls.group_partner_manager = cls.env.ref("base.group_partner_manager")
        cls.salesman = cls._credit_user("crmx_credit_salesman", [cls.group_salesman])
        cls.controller = cls._credit_user(
            "crmx_credit_controller", [cls.group_controller, cls.group_salesman]
        )
        cls.billing_user = cls._credit_user(
            "crmx_credit_billing", [cls.env.ref("account.group_account_invoice")]
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Credit Customer", "is_company": True, "credit_limit": 1000.0}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Credit Contact", "parent_id": cls.customer.id}
        )
        cls.product = cls._create_product(
            name="credit product", lst_price=100.0, taxes_id=[Command.clear()]
        )

    def _reinvoice_cost(self, order, amount):
        """Re-invoice a vendor bill's cost on ``order`` through Odoo's own flow
        (``_sale_create_reinvoice_sale_line``); community's `sale` finds no
        order by itself (sale_project and sale_expense do), so the order is
        given to it. :return: the order lines created"""
        product = self.env["product.product"].create(
            {
                "name": "Re-invoiced travel",
                "type": "service",
                "expense_policy": "cost",
                "standard_price": amount,
                "taxes_id": [Command.clear()],
            }
        )
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        line = bill.invoice_line_ids
        with patch.object(
            type(line), "_sale_determine_order", lambda lines: {aml.id: order for aml in lines}
        ):
            return self.env["sale.order.line"].union(
                *line._sale_create_reinvoice_sale_line().values()
            )

    @classmethod
    def _credit_user(cls, login, groups):
        return cls.env["res.users"].create(
            {
                "name": login.replace("_", " ").title(),
                "login": login,
                "email": f"{login}@example.com",
                "company_id": cls.env.company.id,
                "company_ids": [Command.set(cls.env.company.ids)],
                "group_ids": [Command.set([g.id for g in groups] + [cls.group_partner_manager.id])],
            }
        )

    @classmethod
    def _order(cls, amount, partner=None, currency=None, confirm=False, user=None, qty=1.0):
        values = {
            "partner_id": (partner or cls.customer).id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": qty,
                        "price_unit": amount / qty,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if currency:
            values["pricelist_id"] = False
            values["currency_id"] = currency.id
        order = cls.env["sale.order"].with_user(user or cls.env.user).create(values)
        if confirm:
            order.action_confirm()
        return order

    @classmethod
    def _invoice(cls, amount, partner=None, post=True, due_days_ago=None):
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or cls.customer).id,
                "invoice_date": fields.Date.today(),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": cls.product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        if due_days_ago is not None:
            date = fields.Date.subtract(fields.Date.today(), days=due_days_ago)
            invoice.write(
                {"invoice_date": date, "invoice_date_due": date, "invoice_payment_term_id": False}
            )
        if post:
            invoice.action_post()
        return invoice

    def _figures(self, partner=None):
        partner = (partner or self.customer).with_company(self.company)
        partner.invalidate_recordset()
        return partner
