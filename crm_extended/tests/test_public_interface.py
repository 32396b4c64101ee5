"""The public interface of DESIGN.md: every name, with its type and semantics.

Tests, data files, other addons and RPC integrators rely on these names; this
test fails when one of them disappears or changes type.
"""

from odoo.tests import TransactionCase, tagged

# model -> {field: (type or tuple of accepted types, comodel or selection keys or None)}
M2O, O2M, M2M = "many2one", "one2many", "many2many"
NUMBER = ("float", "monetary")

PUBLIC_FIELDS = {
    # 1. credit control
    "res.company": {
        "credit_hold_block_on_limit": ("boolean", None),
        "credit_hold_warning_percent": ("float", None),
        "credit_hold_overdue_days": ("integer", None),
        "default_sales_cycle_id": (M2O, "crm.sales.cycle"),
        "warranty_reminder_days": ("integer", None),
    },
    "res.partner": {
        "credit_limit": ("float", None),
        "credit_hold": ("boolean", None),
        "credit_hold_reason": ("char", None),
        "credit_exposure": ("monetary", None),
        "credit_overdue_amount": ("monetary", None),
        "credit_overdue_days": ("integer", None),
        "credit_available": ("monetary", None),
        "credit_on_hold": ("boolean", None),
        "credit_status": ("selection", ["ok", "warning", "exceeded", "hold"]),
        "warranty_contract_ids": (O2M, "crm.warranty.contract"),
        "warranty_count": ("integer", None),
    },
    "sale.order": {
        "credit_approval_state": (
            "selection",
            ["none", "requested", "approved", "rejected"],
        ),
        "credit_approval_amount": ("monetary", None),
        "credit_approved_by_id": (M2O, "res.users"),
        "credit_approval_date": (("datetime", "date"), None),
        "credit_block_reason": ("char", None),
    },
    # 2. sales cycles
    "crm.sales.cycle": {
        "name": ("char", None),
        "sequence": ("integer", None),
        "active": ("boolean", None),
        "company_id": (M2O, "res.company"),
        "team_ids": ((O2M, M2M), "crm.team"),
        "stage_line_ids": (O2M, "crm.sales.cycle.stage"),
        "qualification_questionnaire_id": (M2O, "crm.qualification.questionnaire"),
        "require_qualification": ("boolean", None),
    },
    "crm.sales.cycle.stage": {
        "cycle_id": (M2O, "crm.sales.cycle"),
        "stage_id": (M2O, "crm.stage"),
        "sequence": ("integer", None),
        "probability": ("float", None),
        "questionnaire_id": (M2O, "crm.qualification.questionnaire"),
        "min_score": (("float", "integer"), None),
        "max_days": ("integer", None),
    },
    "crm.team": {"sales_cycle_id": (M2O, "crm.sales.cycle")},
    "crm.lead.stage.history": {
        "lead_id": (M2O, "crm.lead"),
        "sales_cycle_id": (M2O, "crm.sales.cycle"),
        "stage_id": (M2O, "crm.stage"),
        "date_in": ("datetime", None),
        "date_out": ("datetime", None),
        "duration_days": (("float", "integer"), None),
        "user_id": (M2O, "res.users"),
    },
    "crm.sales.funnel.report": {
        "sales_cycle_id": (M2O, "crm.sales.cycle"),
        "stage_id": (M2O, "crm.stage"),
        "reached_count": ("integer", None),
        "current_count": ("integer", None),
        "conversion_rate": ("float", None),
        "avg_days": ("float", None),
        "expected_revenue": (NUMBER, None),
    },
    # 3. qualification
    "crm.qualification.questionnaire": {
        "name": ("char", None),
        "pass_score": (("float", "integer"), None),
        "question_ids": (O2M, "crm.qualification.question"),
        "active": ("boolean", None),
        "company_id": (M2O, "res.company"),
    },
    "crm.qualification.question": {
        "questionnaire_id": (M2O, "crm.qualification.questionnaire"),
        "sequence": ("integer", None),
        "name": (("char", "text"), None),
        "weight": (("float", "integer"), None),
        "required": ("boolean", None),
        "option_ids": (O2M, "crm.qualification.option"),
    },
    "crm.qualification.option": {
        "question_id": (M2O, "crm.qualification.question"),
        "sequence": ("integer", None),
        "name": ("char", None),
        "score": (("float", "integer"), None),
        "disqualifying": ("boolean", None),
    },
    "crm.lead.qualification": {
        "lead_id": (M2O, "crm.lead"),
        "questionnaire_id": (M2O, "crm.qualification.questionnaire"),
        "user_id": (M2O, "res.users"),
        "date": (("datetime", "date"), None),
        "state": ("selection", ["draft", "done"]),
        "answer_ids": (O2M, "crm.lead.qualification.answer"),
        "score": ("float", None),
        "passed": ("boolean", None),
    },
    "crm.lead.qualification.answer": {
        "qualification_id": (M2O, "crm.lead.qualification"),
        "question_id": (M2O, "crm.qualification.question"),
        "option_id": (M2O, "crm.qualification.option"),
    },
    "crm.lead": {
        "sales_cycle_id": (M2O, "crm.sales.cycle"),
        "qualification_ids": (O2M, "crm.lead.qualification"),
        "qualification_score": ("float", None),
        "qualification_status": (
            "selection",
            ["none", "in_progress", "qualified", "disqualified"],
        ),
        "competitor_line_ids": (O2M, "crm.lead.competitor"),
        "lost_to_competitor_id": (M2O, "crm.competitor"),
    },
    # 4. warranties
    "product.template": {
        "warranty_months": ("integer", None),
        "warranty_renewal_product_id": (M2O, ("product.product", "product.template")),
    },
    "crm.warranty.contract": {
        "name": ("char", None),
        "partner_id": (M2O, "res.partner"),
        "product_id": (M2O, "product.product"),
        "serial_number": ("char", None),
        "quantity": ("float", None),
        "sale_order_id": (M2O, "sale.order"),
        "sale_line_id": (M2O, "sale.order.line"),
        "invoice_ids": (M2M, "account.move"),
        "date_start": ("date", None),
        "date_end": ("date", None),
        "warranty_type": ("selection", ["standard", "extended", "maintenance"]),
        "state": ("selection", ["draft", "active", "expired", "renewed", "cancelled"]),
        "renewal_of_id": (M2O, "crm.warranty.contract"),
        "renewal_order_id": (M2O, "sale.order"),
        "user_id": (M2O, "res.users"),
        "company_id": (M2O, "res.company"),
        "amount": (NUMBER, None),
        "currency_id": (M2O, "res.currency"),
        "terms": (("text", "html"), None),
        "days_to_expiry": ("integer", None),
    },
    # 5. competitors
    "crm.competitor": {
        "name": ("char", None),
        "website": ("char", None),
        "partner_id": (M2O, "res.partner"),
        "strategy": ("selection", ["leader", "challenger", "follower", "niche"]),
        "strengths": (("text", "html"), None),
        "weaknesses": (("text", "html"), None),
        "notes": (("text", "html"), None),
        "active": ("boolean", None),
        "company_id": (M2O, "res.company"),
        "color": ("integer", None),
        "opportunity_count": ("integer", None),
        "won_count": ("integer", None),
        "lost_count": ("integer", None),
        "win_rate": ("float", None),
        "lost_revenue": (NUMBER, None),
    },
    "crm.lead.competitor": {
        "lead_id": (M2O, "crm.lead"),
        "competitor_id": (M2O, "crm.competitor"),
        "threat_level": ("selection", ["low", "medium", "high"]),
        "competitor_price": (NUMBER, None),
        "notes": (("text", "html"), None),
    },
    "crm.lead.lost": {"competitor_id": (M2O, "crm.competitor")},
    # 6. xlsx exports
    "crm.extended.xlsx.export": {
        "report_type": (
            "selection",
            ["credit_exposure", "sales_funnel", "warranty_expiry", "competitor_winloss"],
        ),
        "date_from": ("date", None),
        "date_to": ("date", None),
        "file_data": ("binary", None),
        "file_name": ("char", None),
    },
}

PUBLIC_METHODS = {
    "sale.order": [
        "action_confirm",
        "action_request_credit_approval",
        "action_approve_credit",
        "action_reject_credit",
    ],
    "crm.lead": ["convert_opportunity", "action_set_won"],
    "crm.lead.qualification": ["action_done"],
    "crm.warranty.contract": ["_cron_process_warranties", "action_renew"],
    "crm.extended.xlsx.export": ["action_export"],
}

# computed values must not be typed by hand: the statistics of DESIGN are computed
COMPUTED_FIELDS = {
    "res.partner": [
        "credit_exposure",
        "credit_overdue_amount",
        "credit_overdue_days",
        "credit_available",
        "credit_on_hold",
        "credit_status",
        "warranty_count",
    ],
    "sale.order": ["credit_block_reason"],
    "crm.lead.qualification": ["score", "passed"],
    "crm.lead": ["qualification_score", "qualification_status"],
    "crm.warranty.contract": ["days_to_expiry"],
    "crm.competitor": [
        "opportunity_count",
        "won_count",
        "lost_count",
        "win_rate",
        "lost_revenue",
    ],
}


@tagged("post_install", "-at_install")
class TestPublicInterface(TransactionCase):
    def test_fields(self):
        for model_name, spec in PUBLIC_FIELDS.items():
            self.assertIn(model_name, self.env, f"model {model_name} is missing")
            model = self.env[model_name]
            for name, (ftype, target) in spec.items():
                with self.subTest(model=model_name, field=name):
                    self.assertIn(name, model._fields, f"{model_name}.{name} is missing")
                    field = model._fields[name]
                    types = ftype if isinstance(ftype, tuple) else (ftype,)
                    self.assertIn(field.type, types, f"{model_name}.{name} changed type")
                    if field.type in (M2O, O2M, M2M):
                        targets = target if isinstance(target, tuple) else (target,)
                        self.assertIn(field.comodel_name, targets)
                    elif field.type == "selection":
                        keys = [key for key, _label in field._description_selection(self.env)]
                        self.assertEqual(keys, target, f"{model_name}.{name} selection")

    def test_computed(self):
        for model_name, names in COMPUTED_FIELDS.items():
            for name in names:
                with self.subTest(model=model_name, field=name):
                    self.assertTrue(self.env[model_name]._fields[name].compute)

    def test_methods(self):
        for model_name, methods in PUBLIC_METHODS.items():
            for name in methods:
                with self.subTest(model=model_name, method=name):
                    self.assertTrue(callable(getattr(self.env[model_name], name, None)))

    def test_model_kinds(self):
        self.assertFalse(self.env["crm.sales.funnel.report"]._auto)
        self.assertTrue(self.env["crm.extended.xlsx.export"]._transient)
        self.assertFalse(self.env["crm.warranty.contract"]._transient)
        for mixin in ("mail.thread", "mail.activity.mixin"):
            self.assertIn(mixin, self.env["crm.warranty.contract"]._inherit)
        cron = (
            self.env["ir.cron"]
            .search([("model_id.model", "=", "crm.warranty.contract")])
            .filtered(lambda c: "_cron_process_warranties" in (c.code or ""))
        )
        self.assertTrue(cron, "the daily warranty cron is missing")
        self.assertEqual(cron.interval_type, "days")

    def test_group(self):
        group = self.env.ref("crm_extended.group_credit_controller")
        self.assertEqual(group._name, "res.groups")
        self.assertIn(self.env.ref("account.group_account_invoice"), group.all_implied_ids)
        manager = self.env.ref("account.group_account_manager")
        self.assertIn(group, manager.all_implied_ids)

    def test_defaults(self):
        company = self.env["res.company"].create({"name": "Public interface defaults"})
        self.assertFalse(company.credit_hold_block_on_limit)  # opt-in
        self.assertEqual(company.credit_hold_warning_percent, 90)
        self.assertEqual(company.credit_hold_overdue_days, 0)
        self.assertEqual(company.warranty_reminder_days, 30)
        self.assertFalse(company.default_sales_cycle_id)
        # empty after installation: Odoo's CRM behaves as before
        self.assertFalse(self.env["res.company"].search([]).default_sales_cycle_id)
        self.assertTrue(self.env["crm.qualification.question"]._fields["required"].default(None))


@tagged("post_install", "-at_install")
class TestSecurityCoverage(TransactionCase):
    def _addon_models(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "ir.model")]
        )
        models = self.env["ir.model"].browse(data.mapped("res_id"))
        # the addon's own models, not the ones it extends
        models = models.filtered(
            lambda m: m.model in self.env and self.env[m.model]._original_module == "crm_extended"
        )
        self.assertIn("crm.extended.xlsx.export", models.mapped("model"))
        return models

    def test_every_model_has_access_rights(self):
        for model in self._addon_models():
            with self.subTest(model=model.model):
                self.assertTrue(model.access_ids, f"no ACL line for {model.model}")

    def test_every_model_with_company_has_company_rule(self):
        for model in self._addon_models():
            if "company_id" not in self.env[model.model]._fields:
                continue
            with self.subTest(model=model.model):
                rules = model.rule_ids.filtered(
                    lambda r: not r.groups and "company_ids" in (r.domain_force or "")
                )
                self.assertTrue(rules, f"no company rule for {model.model}")
