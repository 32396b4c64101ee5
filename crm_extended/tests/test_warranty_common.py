from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class WarrantyCommon(AccountTestInvoicingCommon):
    """Products with and without warranty, a customer, and one user per job.

    The fixtures are created as the class's administrator; the behaviour tests
    run as the user who has the job: ``salesman`` and ``colleague`` (sales,
    "own documents only"), ``sales_manager`` (sales administrator who
    configures products, no accounting rights), ``settings_admin`` (settings), ``invoicing_user``
    (invoicing only), ``other_user`` (an "all documents" salesperson of
    ``other_company`` only) and ``portal_user`` (a contact of the customer).
    """

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
        company = cls.env.company
        own_company = {"company_id": company.id, "company_ids": [Command.set(company.ids)]}
        cls.colleague = new_test_user(
            cls.env,
            login="crmx_warranty_colleague",
            name="Warranty Colleague",
            groups="sales_team.group_sale_salesman",
            **own_company,
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="crmx_warranty_sales_manager",
            name="Warranty Sales Manager",
            groups="sales_team.group_sale_manager,product.group_product_manager",
            **own_company,
        )
        cls.settings_admin = new_test_user(
            cls.env,
            login="crmx_warranty_settings_admin",
            name="Warranty Settings Administrator",
            groups="base.group_system,sales_team.group_sale_manager",
            **own_company,
        )
        cls.invoicing_user = new_test_user(
            cls.env,
            login="crmx_warranty_invoicing",
            name="Warranty Invoicing User",
            groups="account.group_account_invoice",
            **own_company,
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Warranty Company"})
        cls.other_user = new_test_user(
            cls.env,
            login="crmx_warranty_other_company",
            name="Warranty Other Company Salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="crmx_warranty_portal_customer",
            name="Warranty Portal Customer",
            groups="base.group_portal",
            partner_id=cls.customer_contact.id,
            **own_company,
        )
        # the daily job runs as its own user (the scheduler's), not as one of ours
        cls.cron = cls.env.ref("crm_extended.ir_cron_process_warranties")
        cls.CronContract = cls.Contract.with_user(cls.cron.user_id)
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
    def _contract(cls, user=None, **values):
        """A contract created as ``user`` (default: the administrator), who gets it
        unless ``user_id`` says otherwise."""
        Contract = cls.Contract.with_user(user) if user else cls.Contract
        today = fields.Date.context_today(Contract)
        vals = {
            "partner_id": cls.customer.id,
            "product_id": cls.product_warranty.id,
            "date_start": today - timedelta(days=300),
            "date_end": today + timedelta(days=65),
            "state": "active",
        }
        vals.update(values)
        return Contract.create(vals)
