"""Who may do what with every field and model crm_extended adds (issue 23).

Two tables, read by a reviewer and enforced by the tests below:

* ``FIELDS``: every field the addon declares (``ir.model.fields`` of the
  module, through ``ir.model.data``), per model, under the audience its
  ``groups`` give it. A field the addon adds without an entry here, or whose
  ``groups`` differ from its entry, fails ``test_every_field_is_in_the_matrix``.
* ``MODEL_RIGHTS``: per model of the addon and per user type, the operations
  its access rights allow (r read, w write, c create, u unlink).

For each user type (``USER_TYPES``) the tests then try, on every field with an
audience narrower than the record's, read, search, read_group, order, export
and name_search (with a domain on the field), and on every model name_search
and the create/write/unlink rights: each must succeed exactly when the tables
say so, and be refused with an ``AccessError`` otherwise. Records and their
rules (own documents, companies) are ``test_access_matrix``'s subject.
"""

import logging

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

# Audiences of a field: who reads it among those who read its record.
RECORD = "record"  # no field groups: whoever reads the record
SALES_FINANCE = (
    "sales_team.group_sale_salesman,account.group_account_invoice,account.group_account_readonly"
)
FINANCE = "account.group_account_invoice,account.group_account_readonly"
INTERNAL = "base.group_user"

# user type -> groups (each may also export, so that the field decides)
USER_TYPES = {
    "public": None,  # base.public_user
    "portal": "base.group_portal",
    "internal": "base.group_user",
    "sales_own": "sales_team.group_sale_salesman",
    "sales_all": "sales_team.group_sale_salesman_all_leads",
    "accountant": "account.group_account_invoice",
    "controller": "crm_extended.group_credit_controller",
    "manager": "sales_team.group_sale_manager",
    # every right, in another company only
    "other_company": "sales_team.group_sale_manager,crm_extended.group_credit_controller",
}

# audience -> the user types in it
AUDIENCE_READERS = {
    RECORD: set(USER_TYPES),
    INTERNAL: set(USER_TYPES) - {"public", "portal"},
    SALES_FINANCE: {
        "sales_own",
        "sales_all",
        "accountant",
        "controller",
        "manager",
        "other_company",
    },
    FINANCE: {"accountant", "controller", "other_company"},
}

# fields whose writers are fewer than their readers: field -> user types who write it
FIELD_WRITERS = {
    ("res.partner", "credit_hold"): {"controller", "other_company"},
    ("res.partner", "credit_hold_reason"): {"controller", "other_company"},
}

# fmt: off
MODEL_RIGHTS = {
    # model                            public portal internal sales_own sales_all accountant controller manager other_company
    "crm.competitor":                  ("-",   "-",   "-",     "rwc",    "rwc",    "-",       "-",       "rwcu",  "rwcu"),
    "crm.competitor.winloss.report":   ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "r",     "r"),
    "crm.credit.guard":                ("-",   "-",   "-",     "-",      "-",      "-",       "r",       "-",     "r"),
    "crm.customer.insight":            ("-",   "-",   "-",     "r",      "r",      "r",       "r",       "r",     "r"),
    "crm.extended.xlsx.export":        ("-",   "-",   "-",     "rwc",    "rwc",    "rwc",     "rwc",     "rwc",   "rwc"),
    "crm.lead.competitor":             ("-",   "-",   "-",     "rwcu",   "rwcu",   "-",       "-",       "rwcu",  "rwcu"),
    "crm.lead.gate.override":          ("-",   "-",   "-",     "-",      "-",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.lead.qualification":          ("-",   "-",   "-",     "rwc",    "rwc",    "-",       "-",       "rwcu",  "rwcu"),
    "crm.lead.qualification.answer":   ("-",   "-",   "-",     "rwcu",   "rwcu",   "-",       "-",       "rwcu",  "rwcu"),
    "crm.lead.stage.history":          ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "r",     "r"),
    "crm.product.affinity":            ("-",   "-",   "-",     "r",      "r",      "r",       "r",       "r",     "r"),
    "crm.qualification.option":        ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.qualification.question":      ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.qualification.questionnaire": ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.sales.cycle":                 ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.sales.cycle.stage":           ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.sales.funnel.report":         ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "r",     "r"),
    "crm.retention.plan":              ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rwcu",  "rwcu"),
    "crm.retention.touch":             ("-",   "-",   "-",     "rw",     "rw",     "-",       "-",       "rwcu",  "rwcu"),
    "crm.rfm.segment":                 ("-",   "-",   "-",     "r",      "r",      "-",       "-",       "rw",    "rw"),
    "crm.service.case":                ("-",   "r",   "-",     "rwc",    "rwc",    "r",       "r",       "rwcu",  "rwcu"),
    "crm.warranty.contract":           ("-",   "-",   "-",     "rwc",    "rwc",    "r",       "r",       "rwcu",  "rwcu"),
}

FIELDS = {
    "account.bank.statement.line": {
        RECORD: "warranty_contract_count",
    },
    "account.move": {
        RECORD: "warranty_contract_count",
    },
    "crm.competitor": {
        RECORD: (
            "active color company_id create_date create_uid currency_id has_closed_deals "
            "has_message line_ids lost_count lost_revenue message_has_error "
            "message_has_error_counter message_has_sms_error message_ids message_is_follower "
            "message_needaction message_needaction_counter name notes open_count "
            "opportunity_count partner_id strategy strengths weaknesses website "
            "website_message_ids win_rate won_count write_date write_uid "
        ),
        INTERNAL: "message_attachment_count message_follower_ids message_partner_ids",
    },
    "crm.competitor.winloss.report": {
        RECORD: (
            "company_id competitor_id competitor_price date date_closed expected_revenue "
            "is_lost_to_competitor lead_id lead_type lost_count lost_revenue outcome "
            "partner_id stage_id strategy team_id threat_level user_id won_count won_revenue "
        ),
    },
    "crm.credit.guard": {
        RECORD: "check_count company_id last_check partner_id",
    },
    "crm.customer.insight": {
        RECORD: (
            "churn_probability company_id create_date create_uid currency_id date_computed "
            "expected_purchases_90d f_score first_purchase_date frequency last_purchase_date "
            "m_score next_purchase_date partner_id r_score recency_days rfm_segment user_id "
            "write_date write_uid "
        ),
        SALES_FINANCE: "average_order_value clv_12m expected_order_value monetary",
    },
    "crm.extended.xlsx.export": {
        RECORD: (
            "company_id create_date create_uid date_from date_to file_data file_name "
            "report_type write_date write_uid "
        ),
    },
    "crm.lead": {
        RECORD: (
            "competitor_line_ids cycle_left_by_id cycle_probability_stage_id cycle_stage_ids "
            "is_stage_overdue "
            "lost_to_competitor_id qualification_count qualification_ids qualification_score "
            "qualification_status sales_cycle_id sales_cycle_stage_id stage_exit_criteria "
            "stage_history_ids stage_max_days "
        ),
    },
    "crm.lead.competitor": {
        RECORD: (
            "company_id competitor_id competitor_price create_date create_uid currency_id "
            "is_winner lead_id notes strategy threat_level write_date write_uid "
        ),
    },
    "crm.lead.gate.override": {
        RECORD: (
            "create_date create_uid current_stage_id cycle_stage_ids lead_id reason "
            "sales_cycle_id stage_id write_date write_uid "
        ),
    },
    "crm.lead.lost": {
        RECORD: "competitor_company_ids competitor_id competitor_required met_competitor_ids",
    },
    "crm.lead.qualification": {
        RECORD: (
            "answer_ids company_id create_date create_uid date disqualified lead_id "
            "pass_score passed questionnaire_id score state user_id write_date write_uid "
        ),
    },
    "crm.lead.qualification.answer": {
        RECORD: (
            "create_date create_uid disqualifying option_id qualification_id question_id "
            "question_sequence required score weight write_date write_uid "
        ),
    },
    "crm.lead.stage.history": {
        RECORD: (
            "company_id create_date create_uid date_in date_out duration_days gate_override "
            "lead_id sales_cycle_id stage_id user_id write_date write_uid "
        ),
    },
    "crm.product.affinity": {
        RECORD: (
            "company_id confidence create_date create_uid lift pair_count product_id "
            "related_product_id support write_date write_uid "
        ),
    },
    "crm.qualification.option": {
        RECORD: (
            "create_date create_uid disqualifying name question_id score sequence write_date "
            "write_uid "
        ),
    },
    "crm.qualification.question": {
        RECORD: (
            "create_date create_uid name option_ids questionnaire_id required sequence weight "
            "write_date write_uid "
        ),
    },
    "crm.qualification.questionnaire": {
        RECORD: (
            "active company_id create_date create_uid description name pass_score "
            "question_count question_ids write_date write_uid "
        ),
    },
    "crm.sales.cycle": {
        RECORD: (
            "active company_id create_date create_uid description lead_count name "
            "qualification_questionnaire_id require_qualification sequence stage_ids "
            "stage_line_ids team_ids won_stage_id write_date write_uid "
        ),
    },
    "crm.sales.cycle.stage": {
        RECORD: (
            "company_id create_date create_uid cycle_id exit_criteria is_won max_days "
            "min_score probability questionnaire_id sequence stage_id write_date write_uid "
        ),
    },
    "crm.sales.funnel.report": {
        RECORD: (
            "avg_days company_id conversion_rate converted_count currency_id current_count "
            "expected_revenue lead_create_date lead_id reached_count sales_cycle_id sequence "
            "stage_id stay_count team_id total_days user_id "
        ),
    },
    "crm.stage": {
        RECORD: "sales_cycle_line_ids sales_cycle_only",
    },
    "crm.team": {
        RECORD: "sales_cycle_id",
    },
    "crm.warranty.contract": {
        RECORD: (
            "activity_exception_decoration activity_exception_icon activity_type_icon amount "
            "company_id create_date create_uid currency_id date_end date_start days_to_expiry "
            "has_message invoice_ids message_has_error message_has_error_counter "
            "message_has_sms_error message_ids message_is_follower message_needaction "
            "message_needaction_counter name partner_id product_id quantity reminder_date "
            "renewal_ids renewal_of_id renewal_order_id sale_line_id sale_order_id "
            "serial_number state terms user_id warranty_type website_message_ids write_date "
            "write_uid "
        ),
        INTERNAL: (
            "activity_calendar_event_id activity_date_deadline activity_ids activity_state "
            "activity_summary activity_type_id activity_user_id message_attachment_count "
            "message_follower_ids message_partner_ids my_activity_date_deadline "
        ),
    },
    "product.product": {
        RECORD: "warranty_months warranty_renewal_product_id",
    },
    "product.template": {
        RECORD: "warranty_months warranty_renewal_product_id",
    },
    "res.company": {
        RECORD: (
            "competitor_required_on_lost credit_controller_id credit_hold_block_on_limit "
            "credit_hold_overdue_days credit_hold_warning_percent default_sales_cycle_id "
            "insight_churn_horizon_days insight_lookback_months insight_min_purchases "
            "warranty_reminder_days "
        ),
    },
    "res.config.settings": {
        RECORD: (
            "company_default_sales_cycle_id competitor_required_on_lost credit_controller_id "
            "credit_hold_block_on_limit credit_hold_overdue_days credit_hold_warning_percent "
            "insight_churn_horizon_days insight_lookback_months insight_min_purchases "
            "warranty_reminder_days "
        ),
    },
    "res.partner": {
        RECORD: (
            "c360_competitor_ids c360_currency_id c360_lead_count c360_lead_ids "
            "c360_opportunity_count c360_opportunity_value c360_order_amount c360_order_count "
            "c360_qualified_lead_count c360_quotation_count c360_warranty_active_count "
            "c360_warranty_expiring_count credit_currency_id credit_is_controller "
            "warranty_contract_ids warranty_count "
        ),
        FINANCE: (
            "c360_open_invoice_amount c360_open_invoice_count c360_overdue_invoice_amount "
            "c360_overdue_invoice_count "
        ),
        SALES_FINANCE: (
            "churn_probability clv_12m credit_available credit_exposure credit_exposure_draft "
            "credit_exposure_orders credit_exposure_receivable credit_hold credit_hold_reason "
            "credit_on_hold credit_open_order_count credit_over_limit credit_overdue_amount "
            "credit_overdue_days credit_overdue_invoice_count credit_reported credit_status "
            "insight_id insight_suggested_product_ids rfm_segment "
        ),
    },
    "sale.order": {
        RECORD: (
            "affinity_product_ids credit_can_approve warranty_contract_count "
            "warranty_contract_ids warranty_renewed_contract_ids "
        ),
        SALES_FINANCE: (
            "credit_accepted_amount credit_approval_amount credit_approval_company_id "
            "credit_approval_currency_id "
            "credit_approval_date credit_approval_partner_id credit_approval_state "
            "credit_approved_by_id credit_block_reason credit_customer_accepted "
            "credit_warning "
        ),
    },
}

# Fields of the after-sales cases (crm.service.case and its figures on the
# customer) and of the pipeline's cycle work, in the same audiences
_FIELDS_ADDED = {
    "crm.competitor": {INTERNAL: "rating_ids"},
    "crm.warranty.contract": {INTERNAL: "rating_ids"},
    "crm.sales.cycle.stage": {RECORD: "fold"},
    "crm.service.case": {
        RECORD: (
            "access_token access_url access_warning activity_exception_decoration "
            "activity_exception_icon activity_type_icon case_type commercial_partner_id "
            "company_id coverage create_date create_uid customer_order_ids "
            "customer_warranty_ids date_at_risk date_deadline date_open date_resolved "
            "description has_message is_open message_has_error message_has_error_counter "
            "message_has_sms_error message_ids message_is_follower message_needaction "
            "message_needaction_counter name partner_id priority product_id quotation_id "
            "rating_count rating_percentage_satisfaction resolution resolution_note "
            "resolve_hours sale_order_id serial_number sla_reminded sla_state state subject "
            "user_id warranty_contract_id website_message_ids write_date write_uid"
        ),
        INTERNAL: (
            "activity_calendar_event_id activity_date_deadline activity_ids activity_state "
            "activity_summary activity_type_id activity_user_id message_attachment_count "
            "message_follower_ids message_partner_ids my_activity_date_deadline rating_avg "
            "rating_avg_text rating_ids rating_last_feedback rating_last_image "
            "rating_last_text rating_last_value"
        ),
        SALES_FINANCE: "customer_credit_status",
    },
    "res.company": {
        RECORD: (
            "service_rating_request service_response_hours_0 service_response_hours_1 "
            "service_response_hours_2 service_response_hours_3"
        ),
    },
    "res.config.settings": {
        RECORD: (
            "service_rating_request service_response_hours_0 service_response_hours_1 "
            "service_response_hours_2 service_response_hours_3"
        ),
    },
    "res.partner": {
        RECORD: "service_case_ids",
        INTERNAL: "complaint_count_90d satisfaction_avg service_case_open_count",
        SALES_FINANCE: "credit_available_text credit_has_limit insight_prediction_state",
    },
    "sale.order": {SALES_FINANCE: "credit_request_amount"},
    # retention plans and the insights' prediction state
    "crm.customer.insight": {RECORD: "prediction_state"},
    "crm.retention.plan": {
        RECORD: (
            "active activity_type_id cadence_days company_id contacted_count "
            "contacted_repurchase_rate create_date create_uid due_days holdout_count "
            "holdout_percent holdout_repurchase_rate min_churn_probability min_clv_12m name "
            "outcome_enough segment_ids sequence touch_count touch_ids uplift window_days "
            "write_date write_uid"
        ),
    },
    "crm.retention.touch": {
        RECORD: (
            "activity_id company_id create_date create_uid date_done date_due date_touched "
            "date_window_end is_holdout partner_id plan_id purchased_after state user_id "
            "write_date write_uid"
        ),
    },
    "crm.rfm.segment": {RECORD: "code create_date create_uid name sequence write_date write_uid"},
}
for _model, _audiences in _FIELDS_ADDED.items():
    for _audience, _names in _audiences.items():
        _known = FIELDS.setdefault(_model, {}).get(_audience, "")
        FIELDS[_model][_audience] = f"{_known} {_names}"
# a user is a partner by delegation: res.users shows every field the addon adds
# to res.partner, under the same audiences
FIELDS["res.users"] = dict(FIELDS["res.partner"])
# fmt: on
OPERATIONS = ("read", "write", "create", "unlink")


def _names(value):
    return set(value.split()) if isinstance(value, str) else set("".join(value).split())


@tagged("post_install", "-at_install")
class TestFieldAccessMatrix(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.other_company = env["res.company"].create({"name": "FAM Other Company"})
        cls.users = {}
        for name, groups in USER_TYPES.items():
            if groups is None:
                cls.users[name] = env.ref("base.public_user")
                continue
            company = cls.other_company if name == "other_company" else env.company
            cls.users[name] = new_test_user(
                env,
                login=f"fam_{name}",
                groups=f"{groups},base.group_allow_export",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
        # a held customer, an order and an insight to read
        cls.customer = env["res.partner"].create({"name": "FAM Customer", "is_company": True})
        cls.customer.sudo().write({"credit_hold": True, "credit_hold_reason": "FAM"})
        env["crm.customer.insight"].create(
            {"partner_id": cls.customer.id, "company_id": env.company.id}
        )
        product = env["product.product"].create({"name": "FAM product"})
        cls.order = env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.users["sales_own"].id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        # the portal user is the customer's contact: they read it and its orders
        cls.users["portal"].partner_id.parent_id = cls.customer
        cls.order.message_subscribe(cls.users["portal"].partner_id.ids)

    # ------------------------------------------------------------ helpers
    def _addon_fields(self):
        """{model: {field names}} crm_extended declares (id and display_name aside)."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "ir.model.fields")]
        )
        result = {}
        for field in self.env["ir.model.fields"].browse(data.mapped("res_id")):
            if field.name not in ("id", "display_name"):
                result.setdefault(field.model, set()).add(field.name)
        return result

    def _audience(self, model, fname):
        for audience, names in FIELDS.get(model, {}).items():
            if fname in _names(names):
                return audience
        return None

    def _record_for(self, model, user):
        """A record of ``model`` the user reads, if any."""
        Model = self.env[model].with_user(user)
        if model == "res.partner":
            return (
                self.customer.with_user(user)
                if user.has_group("base.group_user")
                else (user.partner_id.with_user(user))
            )
        if model == "res.users":
            return user.with_user(user)
        if model == "sale.order" and user.has_group("base.group_portal"):
            return self.order.with_user(user)
        try:
            return Model.search([], limit=1)
        except AccessError:
            return Model

    def _try(self, call):
        """'ok', 'refused' (AccessError) or 'n/a' (the operation does not apply to
        the field: not groupable, not searchable). Nothing done is kept."""
        try:
            with mute_logger("odoo.models", "odoo.addons.base.models.ir_rule"):
                with self.env.cr.savepoint():
                    call()
                    self.env.flush_all()
                    raise _Done()
        except _Done:
            return "ok"
        except UserError:  # AccessError, or Odoo's own "no right to export"
            return "refused"
        except (ValueError, TypeError, NotImplementedError):
            return "n/a"
        finally:
            self.env.invalidate_all()

    # ------------------------------------------------------------ the tables
    def test_every_field_is_in_the_matrix(self):
        problems = []
        declared = self._addon_fields()
        for model, names in sorted(declared.items()):
            Model = self.env.get(model)
            if Model is None or Model._abstract:
                continue
            for fname in sorted(names):
                audience = self._audience(model, fname)
                if audience is None:
                    problems.append(
                        f"{model}.{fname} is not in test_field_access_matrix.FIELDS: put it under "
                        "the audience that may read it (and give it those `groups`)"
                    )
                    continue
                groups = Model._fields[fname].groups or RECORD
                if groups != audience:
                    problems.append(f"{model}.{fname}: groups {groups!r}, FIELDS says {audience!r}")
        for model, audiences in FIELDS.items():
            for names in audiences.values():
                for fname in _names(names) - declared.get(model, set()):
                    problems.append(
                        f"FIELDS names {model}.{fname}, which crm_extended does not add"
                    )
        self.assertFalse(problems, "\n" + "\n".join(problems))

    def test_every_model_is_in_the_rights_table(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "ir.model")]
        )
        ours = {
            m.model
            for m in self.env["ir.model"].browse(data.mapped("res_id"))
            if m.model in self.env
            and self.env[m.model]._original_module == "crm_extended"
            and not self.env[m.model]._abstract
        }
        self.assertEqual(set(MODEL_RIGHTS), ours, "MODEL_RIGHTS must list every model of the addon")

    # ------------------------------------------------------------ behaviour
    def test_models_per_user_type(self):
        """create/write/unlink/read rights and name_search, per user type."""
        problems = []
        for model, rights in MODEL_RIGHTS.items():
            for (name, user), allowed in zip(self.users.items(), rights, strict=True):
                Model = self.env[model].with_user(user)
                for operation in OPERATIONS:
                    expected = operation[0] if operation != "unlink" else "u"
                    if Model.has_access(operation) != (expected in allowed):
                        problems.append(
                            f"{model}: {name} {operation} should be {expected in allowed}"
                        )
                outcome = self._try(lambda Model=Model: Model.name_search("", limit=1))
                if outcome != ("ok" if "r" in allowed else "refused"):
                    problems.append(f"{model}: name_search by {name} gave {outcome}")
        self.assertFalse(problems, "\n" + "\n".join(problems))

    def test_restricted_fields_per_user_type(self):
        """Every field narrower than its record, every way of reaching it."""
        problems = []
        checked = 0
        fields_count = 0
        for model, audiences in FIELDS.items():
            Model = self.env[model]
            for audience, names in audiences.items():
                if audience == RECORD:
                    continue
                for fname in sorted(_names(names)):
                    field = Model._fields[fname]
                    fields_count += 1
                    for user_type, user in self.users.items():
                        checked += 1
                        problems += self._check_field(model, field, audience, user_type, user)
        self.assertGreater(checked, 400)
        declared = sum(len(_names(n)) for a in FIELDS.values() for n in a.values())
        _logger.info(
            "field access matrix (issue 23): %s fields declared in FIELDS, %s of them narrower "
            "than their record, x %s user types = %s (field, user) pairs checked; %s models x "
            "%s user types in MODEL_RIGHTS",
            declared,
            fields_count,
            len(USER_TYPES),
            checked,
            len(MODEL_RIGHTS),
            len(USER_TYPES),
        )
        self.assertFalse(problems, "\n" + "\n".join(problems[:80]))

    def _check_field(self, model, field, audience, user_type, user):
        Model = self.env[model].with_user(user)
        fname = field.name
        may_read_model = Model.has_access("read")
        expected = "ok" if may_read_model and user_type in AUDIENCE_READERS[audience] else "refused"
        record = self._record_for(model, user)
        searchable = field.store or field.search or field.related
        sortable = field.store and field.column_type

        def without_record():
            # nothing of the model to read: the rights Odoo checks first
            if not Model.has_access("read"):
                raise AccessError(f"no read access to {model}")
            Model._check_field_access(field, "read")

        calls = {
            "read": lambda: record.read([fname]) if record else without_record(),
            "export": lambda: record.export_data([fname]) if record else without_record(),
        }
        if searchable:
            calls["search"] = lambda: Model.search_count([(fname, "!=", False)])
            calls["name_search"] = lambda: Model.name_search("", [(fname, "!=", False)], limit=1)
        if sortable:
            calls["order"] = lambda: Model.search([], order=fname, limit=1)
            calls["read_group"] = lambda: Model._read_group([], [fname], ["__count"])
        problems = []
        for operation, call in calls.items():
            outcome = self._try(call)
            if outcome == "n/a":
                continue
            if outcome != expected:
                problems.append(
                    f"{model}.{fname} {operation} by {user_type}: {outcome}, expected {expected}"
                )
        writers = FIELD_WRITERS.get((model, fname))
        if writers is not None and record:
            vals = {fname: "FAM changed"}
            if field.type == "boolean":  # a hold needs its reason
                vals = {fname: not record.sudo()[fname], "credit_hold_reason": "FAM"}
            outcome = self._try(lambda: record.write(vals))
            want = "ok" if user_type in writers else "refused"
            if outcome != want:
                problems.append(f"{model}.{fname} write by {user_type}: {outcome}, expected {want}")
        return problems


class _Done(Exception):
    """Raised inside the savepoint to undo what an allowed call did."""
