from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user


class ServiceCaseCommon(TransactionCase):
    """A customer with warranty contracts, and one user per job.

    ``agent`` and ``colleague`` are "own documents" salespeople, ``manager`` a
    sales administrator, ``finance`` an invoicing user, ``other_user`` an "all
    documents" salesperson of ``other_company`` only, ``portal_user`` a contact
    of the customer, ``stranger_portal`` a portal user of another customer.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["crm.service.case"]
        cls.company = cls.env.company
        cls.company.write(
            {
                "service_response_hours_0": 48.0,
                "service_response_hours_1": 24.0,
                "service_response_hours_2": 8.0,
                "service_response_hours_3": 2.0,
                "service_rating_request": True,
            }
        )
        Product = cls.env["product.product"]
        cls.product = Product.create({"name": "Case Drill", "warranty_months": 12})
        cls.product_other = Product.create({"name": "Case Saw", "warranty_months": 12})
        cls.product_plain = Product.create({"name": "Case Screws"})
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {"name": "Case Customer", "email": "case.customer@example.com", "is_company": True}
        )
        cls.customer_contact = Partner.create(
            {
                "name": "Case Customer Contact",
                "email": "case.contact@example.com",
                "parent_id": cls.customer.id,
            }
        )
        cls.stranger = Partner.create(
            {"name": "Case Stranger", "email": "case.stranger@example.com"}
        )
        own = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.agent = new_test_user(
            cls.env,
            login="crmx_case_agent",
            name="Case Agent",
            email="case.agent@example.com",
            groups="sales_team.group_sale_salesman",
            **own,
        )
        cls.colleague = new_test_user(
            cls.env,
            login="crmx_case_colleague",
            name="Case Colleague",
            groups="sales_team.group_sale_salesman",
            **own,
        )
        cls.manager = new_test_user(
            cls.env,
            login="crmx_case_manager",
            name="Case Manager",
            groups="sales_team.group_sale_manager",
            **own,
        )
        cls.finance = new_test_user(
            cls.env,
            login="crmx_case_finance",
            name="Case Finance",
            groups="account.group_account_invoice",
            **own,
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Case Company"})
        cls.other_user = new_test_user(
            cls.env,
            login="crmx_case_other_company",
            name="Case Other Company Salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="crmx_case_portal",
            name="Case Portal Customer",
            email="case.contact@example.com",
            groups="base.group_portal",
            partner_id=cls.customer_contact.id,
            **own,
        )
        cls.stranger_portal = new_test_user(
            cls.env,
            login="crmx_case_stranger_portal",
            name="Case Stranger Portal",
            email="case.stranger@example.com",
            groups="base.group_portal",
            partner_id=cls.stranger.id,
            **own,
        )
        cls.today = fields.Date.context_today(cls.Case)
        # the customer's active drill contract, followed by the colleague
        cls.contract = cls._contract(serial_number="DR-0001", user_id=cls.colleague.id)

    @classmethod
    def _contract(cls, **values):
        vals = {
            "partner_id": cls.customer.id,
            "product_id": cls.product.id,
            "date_start": cls.today - timedelta(days=100),
            "date_end": cls.today + timedelta(days=265),
            "state": "active",
        }
        vals.update(values)
        return cls.env["crm.warranty.contract"].create(vals)

    def _case(self, user=None, **values):
        Case = self.Case.with_user(user) if user else self.Case
        vals = {
            "subject": "It does not work",
            "partner_id": self.customer.id,
            "case_type": "warranty_claim",
        }
        vals.update(values)
        return Case.create(vals)
