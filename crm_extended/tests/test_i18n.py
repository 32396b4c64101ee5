import re

import polib

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sdfr]|\{\{.*?\}\}")


@tagged("post_install", "-at_install")
class TestPersianTranslation(TransactionCase):
    """The addon ships a Persian translation that Odoo loads and uses."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(["crm_extended"], ["fa_IR"], overwrite=True)
        cls.env_fa = cls.env(context=dict(cls.env.context, lang="fa_IR"))

    def test_po_file_complete(self):
        """Every term of the template has a Persian translation keeping its placeholders."""
        pot = polib.pofile(file_path("crm_extended/i18n/crm_extended.pot"))
        po = polib.pofile(file_path("crm_extended/i18n/fa.po"))
        self.assertEqual(po.metadata["Language"], "fa")
        translations = {entry.msgid: entry.msgstr for entry in po}
        self.assertGreater(len(pot), 500)
        for entry in pot:
            with self.subTest(msgid=entry.msgid):
                msgstr = translations.get(entry.msgid)
                self.assertTrue(msgstr, "term not translated")
                if re.search(r"[a-z]{4,}", PLACEHOLDER.sub("", entry.msgid)):
                    self.assertRegex(msgstr, "[\u0600-\u06ff]", "translation is not Persian")
                self.assertEqual(
                    sorted(PLACEHOLDER.findall(msgstr)), sorted(PLACEHOLDER.findall(entry.msgid))
                )

    def test_menus_in_persian(self):
        self.assertEqual(
            self.env_fa.ref("crm_extended.menu_aftersales_root").name, "خدمات پس از فروش"
        )
        self.assertEqual(
            self.env_fa.ref("crm_extended.menu_credit_sales_root").name, "کنترل اعتبار"
        )
        self.assertEqual(self.env_fa.ref("crm_extended.crm_competitor_menu").name, "رقبا")
        # English stays the source
        self.assertEqual(self.env.ref("crm_extended.crm_competitor_menu").name, "Competitors")

    def test_field_labels_in_persian(self):
        competitor_fields = self.env_fa["crm.competitor"].fields_get(
            ["strengths", "weaknesses"], ["string"]
        )
        self.assertEqual(competitor_fields["strengths"]["string"], "نقاط قوت")
        self.assertEqual(competitor_fields["weaknesses"]["string"], "نقاط ضعف")
        cycle_fields = self.env_fa["crm.sales.cycle"].fields_get(
            ["require_qualification"], ["string"]
        )
        self.assertEqual(cycle_fields["require_qualification"]["string"], "الزام ارزیابی")
        partner_fields = self.env_fa["res.partner"].fields_get(["credit_hold"], ["string"])
        self.assertEqual(partner_fields["credit_hold"]["string"], "تعلیق اعتباری")
        self.assertEqual(self.env_fa["ir.model"]._get("crm.sales.cycle").name, "چرخهٔ فروش")

    def test_user_error_in_persian(self):
        partner = self.env["res.partner"].create({"name": "Persian Customer"})
        order = self.env["sale.order"].create({"partner_id": partner.id})
        order.action_cancel()
        with self.assertRaises(UserError) as english:
            order.action_request_credit_approval()
        self.assertEqual(
            english.exception.args[0], "Only quotations can be submitted for credit approval."
        )
        with self.assertRaises(UserError) as persian:
            order.with_env(self.env_fa).action_request_credit_approval()
        self.assertEqual(
            persian.exception.args[0], "فقط پیش‌فاکتورها را می‌توان برای تأیید اعتبار ارسال کرد."
        )

    def test_formatted_error_in_persian(self):
        """Named placeholders are filled in the Persian message too."""
        with self.assertRaises(ValidationError) as persian:
            self.env_fa["crm.extended.xlsx.export"].create(
                {
                    "report_type": "credit_exposure",
                    "date_from": "2025-02-01",
                    "date_to": "2025-01-01",
                }
            )
        self.assertEqual(
            persian.exception.args[0],
            "تاریخ پایان (2025-01-01) پیش از تاریخ شروع (2025-02-01) است.",
        )
