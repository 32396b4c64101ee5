"""Which of the addon's menus each user gets in the web client (``load_menus``)."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

ROLES = {
    "internal": "base.group_user",
    "sales_own": "sales_team.group_sale_salesman",
    "sales_all": "sales_team.group_sale_salesman_all_leads",
    "manager": "sales_team.group_sale_manager",
    "invoicing": "account.group_account_invoice",
    "controller": "crm_extended.group_credit_controller",
    # an auditor reads the accounting, manages no credit
    "auditor": "account.group_account_readonly",
}
SALES = {"sales_own", "sales_all", "manager"}
CONFIG = {"manager"}
FINANCE = {"invoicing", "controller"}
# every menu of the addon -> the roles that get it
MENUS = {
    # CRM > Configuration > CRM Extended: the sales manager's
    "menu_crm_extended_config": CONFIG,
    "crm_sales_cycle_menu": CONFIG,
    "crm_qualification_questionnaire_menu": CONFIG,
    "crm_competitor_menu": CONFIG,
    # CRM > Sales > Competitors, CRM > Reporting > Analyses: every salesperson
    "crm_competitor_menu_sales": SALES,
    "menu_crm_extended_reporting": SALES,
    "crm_sales_funnel_report_menu": SALES,
    "crm_lead_stage_history_menu": SALES,
    "crm_competitor_winloss_report_menu": SALES,
    "crm_customer_insight_menu": SALES,
    "crm_customer_insight_analysis_menu": SALES,
    "crm_product_affinity_menu": SALES,
    # CRM > Sales > Retention Touches; Configuration > Retention Plans; Analyses >
    # Retention Outcome (the manager's)
    "crm_retention_touch_menu": SALES,
    "crm_retention_plan_menu": CONFIG,
    "crm_retention_touch_analysis_menu": CONFIG,
    "crm_extended_xlsx_export_menu": SALES,
    # Sales > After-sales, Sales > Orders > Warranties
    "menu_aftersales_root": SALES,
    "crm_warranty_contract_menu": SALES,
    "crm_warranty_contract_menu_expiring": SALES,
    # Sales > After-sales > Cases, CRM > Reporting > Analyses > After-sales Cases
    "crm_service_case_menu": SALES,
    "crm_service_case_menu_analysis": SALES,
    # Sales > Credit Control
    "menu_credit_sales_root": SALES,
    "sale_order_credit_approval_sales_menu": SALES,
    "res_partner_credit_hold_sales_menu": SALES,
    "res_partner_credit_exposure_sales_menu": SALES,
    # Invoicing > Credit Control
    "menu_credit_finance_root": FINANCE,
    "sale_order_credit_approval_finance_menu": FINANCE,
    "res_partner_credit_hold_finance_menu": FINANCE,
    "res_partner_credit_exposure_finance_menu": FINANCE,
    "crm_extended_xlsx_export_finance_menu": FINANCE,
}


@tagged("post_install", "-at_install")
class TestMenuVisibility(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"crmx_menu_{role}", groups=groups)
            for role, groups in ROLES.items()
        }
        cls.portal = new_test_user(cls.env, login="crmx_menu_portal", groups="base.group_portal")

    def _menus(self, user):
        """The addon's menus (xml ids) the web client loads for ``user``."""
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {
            menu["xmlid"].split(".", 1)[1]
            for menu in menus.values()
            if (menu.get("xmlid") or "").startswith("crm_extended.")
        }

    def test_every_menu_has_its_audience(self):
        ours = set(
            self.env["ir.model.data"]
            .search([("module", "=", "crm_extended"), ("model", "=", "ir.ui.menu")])
            .mapped("name")
        )
        self.assertEqual(set(MENUS), ours, "every menu of the addon is listed in MENUS")

    def test_each_role_gets_its_menus(self):
        for role, user in self.users.items():
            with self.subTest(role=role):
                expected = {menu for menu, roles in MENUS.items() if role in roles}
                self.assertEqual(self._menus(user), expected)
        # portal users never load the back-end menus
        with self.assertRaises(AccessError):
            self.env["ir.ui.menu"].with_user(self.portal).load_menus(debug=False)

    def test_sales_menu_names_each_screen_once(self):
        """ "Warranties" appeared twice in the Sales menu (issue 22)."""
        sales_root = self.env.ref("sale.sale_menu_root")
        menus = self.env["ir.ui.menu"].search(
            [("id", "child_of", sales_root.id), ("action", "!=", False)]
        )
        ours = menus.filtered(
            lambda menu: menu.get_external_id()[menu.id].startswith("crm_extended.")
        )
        self.assertTrue(ours)
        for menu in ours:
            with self.subTest(menu=menu.name):
                self.assertEqual(menus.filtered(lambda m, n=menu.name: m.name == n), menu)

    def test_configuration_hidden_by_the_menus_groups(self):
        """A salesperson may read cycles, questionnaires and competitors (the
        pipeline and the Qualify dialog need them): the menus, under CRM >
        Configuration (sales managers only), not access rights, keep the
        configuration from him."""
        salesman = self.users["sales_own"]
        for xmlid in sorted(menu for menu, roles in MENUS.items() if roles == CONFIG):
            menu = self.env.ref(f"crm_extended.{xmlid}")
            if not menu.action:
                continue
            with self.subTest(menu=xmlid):
                model = menu.action.res_model
                self.assertTrue(self.env[model].with_user(salesman).has_access("read"), model)
                self.assertNotIn(xmlid, self._menus(salesman))
                self.assertIn(xmlid, self._menus(self.users["manager"]))
