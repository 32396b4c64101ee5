from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFoundation(TransactionCase):
    def test_credit_controller_group_implied_by_accounting_admin(self):
        controller = self.env.ref("crm_extended.group_credit_controller")
        admin_group = self.env.ref("account.group_account_manager")
        self.assertIn(controller, admin_group.all_implied_ids)
        user = self.env["res.users"].create(
            {
                "name": "Finance Admin",
                "login": "crmx_finance_admin",
                "group_ids": [(4, admin_group.id)],
            }
        )
        self.assertTrue(user.has_group("crm_extended.group_credit_controller"))
        salesman = self.env["res.users"].create(
            {
                "name": "Plain Salesman",
                "login": "crmx_plain_salesman",
                "group_ids": [(4, self.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        self.assertFalse(salesman.has_group("crm_extended.group_credit_controller"))

    def test_settings_section_renders(self):
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn('name="crm_extended"', arch)


@tagged("post_install", "-at_install")
class TestFoundationUi(HttpCase):
    def test_settings_tour(self):
        # the job of a settings administrator who is also the accounting administrator
        new_test_user(
            self.env,
            login="crmx_settings_admin",
            groups="base.group_system,account.group_account_manager,sales_team.group_sale_manager",
        )
        company = self.env.ref("base.main_company")
        self.assertFalse(company.competitor_required_on_lost)
        self.assertNotEqual(company.credit_hold_warning_percent, 80)
        self.start_tour(
            "/odoo/settings", "crm_extended_foundation_tour", login="crmx_settings_admin"
        )
        company.invalidate_recordset()
        self.assertTrue(company.competitor_required_on_lost)
        self.assertEqual(company.credit_hold_warning_percent, 80)
