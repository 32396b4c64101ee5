import polib

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.misc import file_path


@tagged("post_install", "-at_install")
class TestPersianTour(HttpCase):
    """A Persian-speaking user gets a right-to-left UI and the addon's screens in
    Persian (needs rtlcss, from npm, as Odoo does for any right-to-left language)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(["crm_extended"], ["fa_IR"], overwrite=True)
        cls.user = new_test_user(
            cls.env,
            login="crmx_persian_manager",
            groups="sales_team.group_sale_manager,base.group_user",
            lang="fa_IR",
        )

    def test_lists_right_to_left_in_persian(self):
        self.env["crm.warranty.contract"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Persian Customer"}).id,
                "product_id": self.env["product.product"].create({"name": "Persian Drill"}).id,
                "date_start": "2026-01-01",
                "date_end": "2027-01-01",
            }
        )
        for action in (
            "crm_extended.crm_sales_cycle_action",
            "crm_extended.crm_warranty_contract_action",
        ):
            with self.subTest(action=action):
                self.start_tour(
                    f"/odoo/action-{action}",
                    "crm_extended_persian_list_tour",
                    login=self.user.login,
                )

    def test_competitor_cards_in_persian(self):
        rival = self.env["crm.competitor"].create({"name": "Persian Tour Rival"})
        leads = self.env["crm.lead"].create(
            [
                {
                    "name": f"Persian deal {i}",
                    "type": "opportunity",
                    "competitor_line_ids": [Command.create({"competitor_id": rival.id})],
                }
                for i in range(2)
            ]
        )
        leads[0].action_set_won()
        self.start_tour(
            "/odoo/action-crm_extended.crm_competitor_action",
            "crm_extended_persian_kanban_tour",
            login=self.user.login,
        )

    def test_won_is_not_slave(self):
        """Won is برنده/پیروز in Odoo's Persian, never برده ("slave")."""
        po = polib.pofile(file_path("crm_extended/i18n/fa.po"))
        wrong = [entry.msgid for entry in po if "برده" in entry.msgstr]
        self.assertFalse(wrong, "won translated as برده")
