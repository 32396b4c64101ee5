"""The public interface of DESIGN.md: every name, with its type and semantics.

Tests, data files, other addons and RPC integrators rely on these names; this
test fails when one of them disappears or changes type.
"""

from datetime import timedelta

from odoo import fields
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
        "service_response_hours_0": (NUMBER, None),
        "service_response_hours_1": (NUMBER, None),
        "service_response_hours_2": (NUMBER, None),
        "service_response_hours_3": (NUMBER, None),
        "service_rating_request": ("boolean", None),
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
        "service_case_ids": (O2M, "crm.service.case"),
        "service_case_open_count": ("integer", None),
        "complaint_count_90d": ("integer", None),
        "satisfaction_avg": (NUMBER, None),
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
    # 9. after-sales cases
    "crm.service.case": {
        "name": ("char", None),
        "case_type": (
            "selection",
            ["complaint", "warranty_claim", "service_request", "question"],
        ),
        "partner_id": (M2O, "res.partner"),
        "company_id": (M2O, "res.company"),
        "user_id": (M2O, "res.users"),
        "sale_order_id": (M2O, "sale.order"),
        "product_id": (M2O, "product.product"),
        "serial_number": ("char", None),
        "warranty_contract_id": (M2O, "crm.warranty.contract"),
        "coverage": ("selection", ["covered", "expired", "not_covered", "no_contract"]),
        "priority": ("selection", ["0", "1", "2", "3"]),
        "date_deadline": ("datetime", None),
        "sla_state": ("selection", ["on_time", "at_risk", "breached"]),
        "state": (
            "selection",
            ["new", "in_progress", "waiting", "resolved", "closed", "cancelled"],
        ),
        "resolution": (
            "selection",
            ["repaired", "replaced", "refunded", "advice", "rejected"],
        ),
        "date_resolved": ("datetime", None),
        "quotation_id": (M2O, "sale.order"),
    },
    # 6. xlsx exports
    "crm.extended.xlsx.export": {
        "report_type": (
            "selection",
            [
                "credit_exposure",
                "sales_funnel",
                "warranty_expiry",
                "competitor_winloss",
                "customer_insight",
                "retention_outcome",
                "service_case",
            ],
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
        """Each statistic is read-only for users and follows the data it is computed from."""
        for model_name, names in COMPUTED_FIELDS.items():
            described = self.env[model_name].fields_get(names, ["readonly"])
            for name in names:
                with self.subTest(model=model_name, field=name):
                    self.assertTrue(described[name]["readonly"], f"{model_name}.{name} typed")
        checked = set()

        def check(record, expected):
            record.invalidate_recordset(list(expected))
            self.assertEqual({name: record[name] for name in expected}, expected)
            checked.update((record._name, name) for name in expected)

        today = fields.Date.context_today(self.env["crm.warranty.contract"])
        product = self.env["product.product"].create(
            {"name": "Computed check", "list_price": 300.0, "taxes_id": [(5, 0, 0)]}
        )
        customer = self.env["res.partner"].create({"name": "Computed Customer"})
        contact = self.env["res.partner"].create({"name": "Its contact", "parent_id": customer.id})
        customer.sudo().credit_limit = 1000.0

        def order(amount):
            return self.env["sale.order"].create(
                {
                    "partner_id": contact.id,
                    "order_line": [
                        (0, 0, {"product_id": product.id, "price_unit": amount}),
                    ],
                }
            )

        credit = [
            "credit_exposure",
            "credit_available",
            "credit_status",
            "credit_on_hold",
            "credit_overdue_amount",
            "credit_overdue_days",
        ]
        check(customer, dict(zip(credit, [0.0, 1000.0, "ok", False, 0.0, 0], strict=True)))
        order(300.0).action_confirm()
        check(customer, dict(zip(credit, [300.0, 700.0, "ok", False, 0.0, 0], strict=True)))
        order(650.0).action_confirm()  # 950 is past 90 % of the limit
        check(customer, dict(zip(credit, [950.0, 50.0, "warning", False, 0.0, 0], strict=True)))
        quotation = order(10.0)
        check(quotation, {"credit_block_reason": False})
        customer.sudo().write({"credit_hold": True, "credit_hold_reason": "Computed check"})
        check(customer, {"credit_status": "hold", "credit_on_hold": True})
        quotation.invalidate_recordset(["credit_block_reason"])
        self.assertIn("Computed Customer", quotation.credit_block_reason or "")
        checked.add(("sale.order", "credit_block_reason"))

        Contract = self.env["crm.warranty.contract"]
        contract = Contract.create(
            {
                "partner_id": contact.id,
                "product_id": product.id,
                "date_start": today - timedelta(days=20),
                "date_end": today + timedelta(days=10),
            }
        )
        check(contract, {"days_to_expiry": 10})
        check(customer, {"warranty_count": 1})
        contract.date_end = today - timedelta(days=3)
        check(contract, {"days_to_expiry": -3})

        questionnaire = self.env["crm.qualification.questionnaire"].create(
            {
                "name": "Computed questionnaire",
                "pass_score": 60,
                "question_ids": [
                    (0, 0, {"name": "Budget", "weight": 3, "option_ids": [
                        (0, 0, {"name": "Yes", "score": 100}),
                        (0, 0, {"name": "No", "score": 0}),
                    ]}),
                    (0, 0, {"name": "Fit", "weight": 1, "option_ids": [
                        (0, 0, {"name": "Good", "score": 0}),
                        (0, 0, {"name": "Wrong", "score": 100, "disqualifying": True}),
                    ]}),
                ],
            }
        )  # fmt: skip
        budget, fit = questionnaire.question_ids.sorted("weight", reverse=True)
        lead = self.env["crm.lead"].create({"name": "Computed lead", "type": "lead"})
        check(lead, {"qualification_score": 0.0, "qualification_status": "none"})
        qualification = self.env["crm.lead.qualification"].create(
            {"lead_id": lead.id, "questionnaire_id": questionnaire.id}
        )
        answers = {answer.question_id: answer for answer in qualification.answer_ids}
        answers[budget].option_id = budget.option_ids.filtered(lambda o: o.score == 100)
        answers[fit].option_id = fit.option_ids.filtered(lambda o: not o.disqualifying)
        check(qualification, {"score": 75.0, "passed": False})  # (3 x 100 + 1 x 0) / 4, draft
        check(lead, {"qualification_score": 0.0, "qualification_status": "in_progress"})
        qualification.action_done()
        check(qualification, {"score": 75.0, "passed": True})
        check(lead, {"qualification_score": 75.0, "qualification_status": "qualified"})
        # a later qualification with a knock-out answer: high score, not passed
        again = self.env["crm.lead.qualification"].create(
            {"lead_id": lead.id, "questionnaire_id": questionnaire.id}
        )
        answers = {answer.question_id: answer for answer in again.answer_ids}
        answers[budget].option_id = budget.option_ids.filtered(lambda o: o.score == 100)
        answers[fit].option_id = fit.option_ids.filtered("disqualifying")
        again.action_done()
        check(again, {"score": 100.0, "passed": False})
        check(lead, {"qualification_score": 100.0, "qualification_status": "disqualified"})

        rival = self.env["crm.competitor"].create({"name": "Computed Rival"})
        deals = self.env["crm.lead"].create(
            [
                {
                    "name": f"Computed deal {n}",
                    "type": "opportunity",
                    "expected_revenue": revenue,
                    "competitor_line_ids": [(0, 0, {"competitor_id": rival.id})],
                }
                for n, revenue in enumerate((100.0, 500.0, 800.0))
            ]
        )
        stats = ["opportunity_count", "won_count", "lost_count", "win_rate", "lost_revenue"]
        check(rival, dict(zip(stats, [3, 0, 0, 0.0, 0.0], strict=True)))
        deals[0].action_set_won()
        deals[1].write({"lost_to_competitor_id": rival.id})
        deals[1].action_set_lost()
        check(rival, dict(zip(stats, [3, 1, 1, 50.0, 500.0], strict=True)))
        deals[2].write({"lost_to_competitor_id": rival.id})
        deals[2].action_set_lost()
        rival.invalidate_recordset(stats)
        self.assertAlmostEqual(rival.win_rate, 100 / 3, places=1)
        check(rival, {"lost_count": 2, "lost_revenue": 1300.0})
        checked.add(("crm.competitor", "win_rate"))

        listed = {(model, name) for model, names in COMPUTED_FIELDS.items() for name in names}
        self.assertEqual(listed - checked, set(), "a computed field without a behaviour check")

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
        for mixin in ("mail.thread", "mail.activity.mixin", "rating.mixin"):
            self.assertIn(mixin, self.env["crm.service.case"]._inherit)
        self.assertTrue(self.env.ref("crm_extended.mail_alias_service_case").alias_model_id)
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
            lambda m: (
                m.model in self.env
                and self.env[m.model]._original_module == "crm_extended"
                and not self.env[m.model]._abstract
            )
        )
        self.assertIn("crm.extended.xlsx.export", models.mapped("model"))
        return models

    def test_every_model_has_access_rights(self):
        for model in self._addon_models():
            with self.subTest(model=model.model):
                self.assertTrue(model.access_ids, f"no ACL line for {model.model}")

    def _rule_fixture(self, model_name, company, user, depth=0):
        """A record of ``model_name`` in ``company``: an existing one, else a minimal new one."""
        Model = self.env[model_name].sudo().with_context(active_test=False)
        found = Model.search([("company_id", "=", company.id)], limit=1)
        if found:
            return found
        field = Model._fields["company_id"]
        vals = {}
        if field.related:
            parent_field = field.related.split(".")[0]
            comodel = Model._fields[parent_field].comodel_name
            vals[parent_field] = self._rule_fixture(comodel, company, user, depth + 1).id
        elif field.store:
            vals["company_id"] = company.id
        if model_name == "crm.sales.cycle.stage":  # a cycle's only line is its won stage
            vals["stage_id"] = self.env["crm.stage"].search([("is_won", "=", True)], limit=1).id
        for name, fld in Model._fields.items():
            if name in vals or not fld.required or fld.compute or fld.default:
                continue
            if fld.type == "many2one":
                vals[name] = (
                    self.env[fld.comodel_name]
                    .sudo()
                    .with_context(active_test=False)
                    .search([], limit=1)
                    .id
                )
            elif fld.type in ("char", "text"):
                vals[name] = "Company rule test"
            elif fld.type == "selection":
                vals[name] = fld._description_selection(self.env)[0][0]
            elif fld.type in ("integer", "float", "monetary"):
                vals[name] = 1
        if Model._transient and not depth:
            # a wizard's records are visible to their creator only
            return self.env[model_name].with_user(user).with_company(company).create(vals)
        return Model.create(vals)

    def test_every_model_with_company_has_company_rule(self):
        """A user sees a record of another company only while that company is active."""
        company = self.env.ref("base.main_company")
        elsewhere = self.env["res.company"].create({"name": "Company rule elsewhere"})
        user = self.env["res.users"].create(
            {
                "name": "Company rule user",
                "login": "crmx_company_rule_user",
                "company_id": elsewhere.id,
                "company_ids": [(6, 0, (company | elsewhere).ids)],
                "group_ids": [
                    (6, 0, [
                        self.env.ref("sales_team.group_sale_manager").id,
                        self.env.ref("crm_extended.group_credit_controller").id,
                        self.env.ref("account.group_account_invoice").id,
                    ])
                ],
            }
        )  # fmt: skip
        for model in self._addon_models():
            if "company_id" not in self.env[model.model]._fields:
                continue
            with self.subTest(model=model.model):
                record = self._rule_fixture(model.model, company, user)
                self.assertEqual(record.sudo().company_id, company)
                Model = self.env[model.model].with_user(user).with_context(active_test=False)
                both = Model.with_context(allowed_company_ids=[elsewhere.id, company.id])
                self.assertEqual(
                    both.search([("id", "=", record.id)]).ids,
                    record.ids,
                    "with the company active the user sees the record",
                )
                only_elsewhere = Model.with_context(allowed_company_ids=[elsewhere.id])
                self.assertFalse(
                    only_elsewhere.search([("id", "=", record.id)]),
                    f"{model.model}: a record of an inactive company is visible",
                )
