from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPersianVariants(TransactionCase):
    """README: fa.po is loaded for fa_IR and any other Persian variant."""

    def test_fa_po_serves_another_persian_variant(self):
        lang = self.env["res.lang"].create(
            {
                "name": "Persian (Afghanistan)",
                "code": "fa_AF",
                "iso_code": "fa_AF",
                "url_code": "fa_af",
                "direction": "rtl",
                "active": True,
            }
        )
        self.env["ir.module.module"]._load_module_terms(
            ["crm_extended"], [lang.code], overwrite=True
        )
        Cycle = self.env["crm.sales.cycle"]
        label = Cycle.with_context(lang="fa_AF").fields_get(["stage_line_ids"])["stage_line_ids"]
        english = Cycle.with_context(lang="en_US").fields_get(["stage_line_ids"])["stage_line_ids"]
        self.assertNotEqual(label["string"], english["string"])
        self.assertRegex(label["string"], "[\u0600-\u06ff]")
