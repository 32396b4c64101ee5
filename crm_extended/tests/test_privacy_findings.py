"""Issue 23: what lesser users still got through, tried as those users.

Each test is one finding of the issue, as the user who found it (plain internal
user, portal user, own-documents salesperson, a user with only Credit
Controller), with the same call succeeding for a user who may do it, so that
the refusal is shown to come from the rule and not from a missing right.
"""

import base64
import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..tools.xlsx_writer import MONEY, Column

CREDIT_SEARCHES = [
    [("credit_on_hold", "=", True)],
    [("credit_status", "=", "hold")],
    [("credit_status", "in", ["hold", "exceeded"])],
    [("credit_over_limit", "=", True)],
    [("credit_overdue_days", ">", 30)],
    [("credit_overdue_days", "in", [40])],
    [("credit_reported", "=", True)],
]
INSIGHT_FIELDS = ("rfm_segment", "churn_probability", "clv_12m", "insight_id")


class PrivacyCommon(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.company = env.company
        cls.internal = new_test_user(
            env, "p23_internal", groups="base.group_user,base.group_allow_export"
        )
        cls.portal = new_test_user(env, "p23_portal", groups="base.group_portal")
        cls.salesman = new_test_user(
            env, "p23_sales_own", groups="sales_team.group_sale_salesman,base.group_allow_export"
        )
        cls.other_salesman = new_test_user(
            env, "p23_sales_other", groups="sales_team.group_sale_salesman"
        )
        # only Credit Controller: no Sales, no Invoicing of their own
        cls.controller_only = new_test_user(
            env, "p23_controller_only", groups="crm_extended.group_credit_controller"
        )
        cls.customer = env["res.partner"].create(
            {"name": "P23 Held Customer", "is_company": True, "credit_limit": 100.0}
        )
        cls.customer.sudo().write({"credit_hold": True, "credit_hold_reason": "P23 secret"})
        # the portal user is this customer's contact: they read their own partner
        cls.portal.partner_id.parent_id = cls.customer


@tagged("post_install", "-at_install")
class TestPrivacyFindings(PrivacyCommon):
    # 1. searching on fields one cannot read --------------------------------
    def test_credit_searches_refused_outside_the_fields_groups(self):
        for domain in CREDIT_SEARCHES:
            # the salesperson may: the domain itself is fine
            self.env["res.partner"].with_user(self.salesman).search_count(domain)
            for user in (self.internal, self.portal):
                with self.subTest(domain=domain, user=user.login):
                    with self.assertRaises(AccessError), mute_logger("odoo.models"):
                        self.env["res.partner"].with_user(user).search_count(domain)
        self.assertIn(
            self.customer,
            self.env["res.partner"]
            .with_user(self.salesman)
            .search([("credit_on_hold", "=", True)]),
        )

    def test_credit_fields_not_grouped_ordered_or_exported_by_outsiders(self):
        Partner = self.env["res.partner"].with_user(self.internal)
        with mute_logger("odoo.models"):
            with self.assertRaises(AccessError):
                Partner.search([], order="credit_hold")
            with self.assertRaises(AccessError):
                Partner._read_group([], ["credit_hold"], ["__count"])
            with self.assertRaises(AccessError):
                Partner.search([("id", "=", self.customer.id)]).export_data(["credit_hold_reason"])
        # the same export by a salesperson works
        rows = (
            self.env["res.partner"]
            .with_user(self.salesman)
            .browse(self.customer.id)
            .export_data(["credit_hold_reason"])
        )
        self.assertEqual(rows["datas"], [["P23 secret"]])

    # 3. insights for everyone ---------------------------------------------
    def test_insights_hidden_from_plain_internal_and_portal_users(self):
        insight = self.env["crm.customer.insight"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "rfm_segment": "at_risk",
                "churn_probability": 80.0,
            }
        )
        self.customer.sudo().write({"rfm_segment": "at_risk", "churn_probability": 80.0})
        seen = self.customer.with_user(self.salesman)
        self.assertEqual(seen.rfm_segment, "at_risk")
        self.assertEqual(seen.insight_id, insight)
        for user in (self.internal, self.portal):
            partner = self.customer.with_user(user)
            for fname in INSIGHT_FIELDS:
                with self.subTest(user=user.login, field=fname), mute_logger("odoo.models"):
                    with self.assertRaises(AccessError):
                        partner.read([fname])
                    with self.assertRaises(AccessError):
                        partner.search_count([(fname, "!=", False)])
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                partner._read_group([], ["rfm_segment"], ["__count"])

    # 4. leaks through refusals -------------------------------------------
    def test_duplicate_competitor_refusal_does_not_describe_anothers_deal(self):
        rival = self.env["crm.competitor"].create({"name": "P23 Rival"})
        theirs = self.env["crm.lead"].create(
            {
                "name": "P23 Secret Deal of Another",
                "type": "opportunity",
                "user_id": self.other_salesman.id,
                "competitor_line_ids": [Command.create({"competitor_id": rival.id})],
            }
        )
        mine = self.env["crm.lead"].create(
            {"name": "P23 My Deal", "type": "opportunity", "user_id": self.salesman.id}
        )
        Line = self.env["crm.lead.competitor"].with_user(self.salesman)
        # the salesperson may list competitors on their own deals
        Line.create({"lead_id": mine.id, "competitor_id": rival.id})
        with self.assertRaises(AccessError) as caught, mute_logger("odoo.models"):
            Line.create({"lead_id": theirs.id, "competitor_id": rival.id})
        message = str(caught.exception)
        self.assertNotIn("P23 Secret Deal", message)
        self.assertNotIn("P23 Rival", message)
        # on their own deal, the duplicate gets the friendly sentence
        with self.assertRaises(ValidationError) as caught:
            Line.create({"lead_id": mine.id, "competitor_id": rival.id})
        self.assertIn("already listed on P23 My Deal", str(caught.exception))

    # 5. raw errors -------------------------------------------------------
    def test_overdue_days_search_with_none_or_true(self):
        for value in (None, True, False, float("nan"), "30", [30]):
            with self.subTest(value=value):
                with self.assertRaises(AccessError), mute_logger("odoo.models"):
                    self.env["res.partner"].with_user(self.portal).search_count(
                        [("credit_overdue_days", ">", value)]
                    )
                with self.assertRaises(UserError) as caught:
                    self.env["res.partner"].with_user(self.salesman).search_count(
                        [("credit_overdue_days", ">", value)]
                    )
                self.assertNotIsInstance(caught.exception, AccessError)
        # numbers still work, huge ones included
        Partner = self.env["res.partner"].with_user(self.salesman)
        self.assertEqual(Partner.search_count([("credit_overdue_days", ">", 1e308)]), 0)
        self.assertGreater(Partner.search_count([("credit_overdue_days", ">=", 0)]), 0)

    def test_funnel_export_far_dates_and_huge_amounts(self):
        manager = new_test_user(self.env, "p23_manager", groups="sales_team.group_sale_manager")
        Export = self.env["crm.extended.xlsx.export"].with_user(manager)
        # the last day of year 9999 has no next day: a sentence, not an OverflowError
        with self.assertRaises(ValidationError) as caught:
            Export.create({"report_type": "sales_funnel", "date_to": "9999-12-31"})
        self.assertIn("dates from 1000-01-01 to 9998-12-31", str(caught.exception))
        wizard = Export.create(
            {
                "report_type": "sales_funnel",
                "date_from": datetime.date(2000, 1, 1),
                "date_to": datetime.date(9998, 12, 31),
            }
        )
        wizard.action_export()
        self.assertTrue(wizard.file_data)
        # amounts of 1e308: one is written as it is (no rounding to overflow),
        # a total that is no float any more is a sentence, not an OverflowError
        columns = [Column("name", "Name"), Column("amount", "Amount", MONEY, total=True)]
        writer = wizard._xlsx_writer()[0]
        writer.columns = columns
        book = writer.write([[{"name": "a", "amount": 1e308}]])
        self.assertTrue(book.startswith(b"PK"))
        with self.assertRaises(UserError) as caught:
            writer.write([[{"name": "a", "amount": 1e308}, {"name": "b", "amount": 1e308}]])
        self.assertIn("Amount holds a figure too large", str(caught.exception))
        with self.assertRaises(UserError):
            writer.write([[{"name": "a", "amount": float("nan")}]])

    def test_hold_reason_has_a_sane_maximum_length(self):
        # a controller who may edit contacts anyway (finding 6 aside)
        controller = new_test_user(
            self.env,
            "p23_controller_editor",
            groups="crm_extended.group_credit_controller,base.group_partner_manager",
        )
        partner = self.customer.with_user(controller)
        with self.assertRaises(ValidationError) as caught:
            partner.write({"credit_hold_reason": "x" * 1_000_000})
        self.assertIn("too long", str(caught.exception))
        self.assertNotIn("xxxxxxxxxx", str(caught.exception))
        partner.write({"credit_hold_reason": "y" * 500})
        self.assertEqual(len(self.customer.sudo().credit_hold_reason), 500)

    def test_competitor_names_must_be_text(self):
        Competitor = self.env["crm.competitor"].with_user(self.salesman)
        for name in ("", "   ", "\t\n", ["P23"], {"en_US": "P23"}, 42, None, False):
            with self.subTest(name=name), self.assertRaises(ValidationError):
                Competitor.create({"name": name})
        rival = Competitor.create({"name": "  P23 Trimmed  "})
        self.assertEqual(rival.name, "P23 Trimmed")
        for name in ("  ", ["x"], {"a": 1}):
            with self.subTest(rename=name), self.assertRaises(ValidationError):
                rival.write({"name": name})
        self.assertEqual(rival.name, "P23 Trimmed")

    # 6. a role that does not work alone ---------------------------------------
    def test_credit_controller_alone_sets_limits_and_holds(self):
        customer = self.env["res.partner"].create({"name": "P23 Fresh", "is_company": True})
        as_controller = customer.with_user(self.controller_only)
        as_controller.write({"credit_limit": 500.0})
        as_controller.write({"credit_hold": True, "credit_hold_reason": "P23 unpaid"})
        customer.invalidate_recordset()
        self.assertEqual(customer.credit_limit, 500.0)
        self.assertTrue(customer.credit_hold)
        note = customer.message_ids[:1]
        self.assertIn("P23 unpaid", note.body)
        self.assertEqual(note.author_id, self.controller_only.partner_id)
        # a plain internal user still may not
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            customer.with_user(self.internal).write({"credit_hold": False})


@tagged("post_install", "-at_install")
class TestWizardOwnership(PrivacyCommon):
    """2 and 4. Transient records belong to whoever made them."""

    def test_other_users_export_is_not_readable_or_writable(self):
        controller = new_test_user(
            self.env,
            "p23_controller",
            groups="crm_extended.group_credit_controller,sales_team.group_sale_salesman",
        )
        export = (
            self.env["crm.extended.xlsx.export"]
            .with_user(controller)
            .create({"report_type": "credit_exposure"})
        )
        export.action_export()
        self.assertTrue(export.file_data)
        # the controller reads their own workbook
        export.read(["file_data"])
        theirs = export.with_user(self.salesman)
        with mute_logger("odoo.models", "odoo.addons.base.models.ir_rule"):
            with self.assertRaises(AccessError):
                theirs.read(["file_data"])
            with self.assertRaises(AccessError):
                theirs.write({"report_type": "warranty_expiry"})
            with self.assertRaises(AccessError):
                theirs.action_export()
        self.assertFalse(self.env["crm.extended.xlsx.export"].with_user(self.salesman).search([]))

    def test_every_wizard_of_the_addon_has_a_creator_rule(self):
        """A transient model added later without its rule fails here."""
        Data = self.env["ir.model.data"]
        models = self.env["ir.model"].browse(
            Data.search([("module", "=", "crm_extended"), ("model", "=", "ir.model")]).mapped(
                "res_id"
            )
        )
        # its own wizards and the core wizards it extends (crm.lead.lost)
        wizards = models.filtered("transient")
        self.assertIn("crm.extended.xlsx.export", wizards.mapped("model"))
        self.assertIn("crm.lead.lost", wizards.mapped("model"))
        system = self.env.ref("base.group_system")
        for wizard in wizards:
            if wizard.access_ids and set(wizard.access_ids.group_id) <= {system}:
                continue  # settings: administrators only, who may read everything anyway
            with self.subTest(wizard=wizard.model):
                rules = self.env["ir.rule"].search(
                    [("model_id", "=", wizard.id), ("groups", "=", False)]
                )
                self.assertIn(
                    "[('create_uid', '=', user.id)]",
                    rules.mapped("domain_force"),
                    f"{wizard.model}: add a global record rule create_uid = user.id",
                )

    def test_gate_override_wizard_belongs_to_its_creator(self):
        managers = [
            new_test_user(self.env, f"p23_mgr{i}", groups="sales_team.group_sale_manager")
            for i in range(2)
        ]
        cycle = self.env.ref("crm_extended.crm_sales_cycle_b2c")
        lead = self.env["crm.lead"].create({"name": "P23 gated", "sales_cycle_id": cycle.id})
        wizard = (
            self.env["crm.lead.gate.override"]
            .with_user(managers[0])
            .create({"lead_id": lead.id, "stage_id": lead.stage_id.id, "reason": "P23"})
        )
        wizard.read(["reason"])
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_rule"):
            wizard.with_user(managers[1]).read(["reason"])


@tagged("post_install", "-at_install")
class TestWorkbookDownload(HttpCase):
    def test_stored_workbook_of_another_user_is_refused(self):
        env = self.env
        new_test_user(
            env,
            "p23_dl_controller",
            password="p23_dl_controller",
            groups="crm_extended.group_credit_controller,sales_team.group_sale_salesman",
        )
        new_test_user(
            env,
            "p23_dl_sales",
            password="p23_dl_sales",
            groups="sales_team.group_sale_salesman",
        )
        controller = env["res.users"].search([("login", "=", "p23_dl_controller")])
        export = (
            env["crm.extended.xlsx.export"]
            .with_user(controller)
            .create({"report_type": "credit_exposure"})
        )
        export.action_export()
        self.assertTrue(base64.b64decode(export.file_data).startswith(b"PK"))
        url = f"/web/content/crm.extended.xlsx.export/{export.id}/file_data"
        self.authenticate("p23_dl_controller", "p23_dl_controller")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"))
        self.authenticate("p23_dl_sales", "p23_dl_sales")
        with mute_logger("odoo.addons.base.models.ir_rule", "odoo.http"):
            response = self.url_open(url)
        self.assertIn(response.status_code, (403, 404))
        self.assertFalse(response.content.startswith(b"PK"))


@tagged("post_install", "-at_install")
class TestRefusalsTellNothing(PrivacyCommon):
    """4, for every model: a record copied onto another salesperson's deal is refused
    with Odoo's access error, which names neither the deal nor the record."""

    def test_copies_onto_anothers_deal(self):
        env = self.env
        rival = env["crm.competitor"].create({"name": "P23 Hidden Rival"})
        questionnaire = env["crm.qualification.questionnaire"].create(
            {
                "name": "P23 Hidden Questionnaire",
                "question_ids": [
                    Command.create(
                        {"name": "P23 Q", "option_ids": [Command.create({"name": "P23 O"})]}
                    )
                ],
            }
        )
        deal = env["crm.lead"].create(
            {
                "name": "P23 Hidden Deal",
                "type": "opportunity",
                "user_id": self.other_salesman.id,
                "competitor_line_ids": [Command.create({"competitor_id": rival.id})],
            }
        )
        qualification = env["crm.lead.qualification"].create(
            {"lead_id": deal.id, "questionnaire_id": questionnaire.id}
        )
        samples = {
            "crm.lead.competitor": deal.competitor_line_ids,
            "crm.lead.qualification": qualification,
            "crm.lead.qualification.answer": qualification.answer_ids,
        }
        # every model of the addon tied to a deal that salespeople create
        data = env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "ir.model")]
        )
        tied = [
            m.model
            for m in env["ir.model"].browse(data.mapped("res_id"))
            if m.model in env
            and not env[m.model]._abstract
            and env[m.model]._auto
            and not env[m.model]._transient
            and ("lead_id" in env[m.model]._fields or "qualification_id" in env[m.model]._fields)
            and env[m.model].with_user(self.salesman).has_access("create")
        ]
        self.assertIn("crm.lead.competitor", tied)
        self.assertFalse(set(tied) - set(samples), "add a sample record of the new model")
        for model in tied:
            record = samples[model]
            vals = record.copy_data()[0]
            with self.subTest(model=model):
                with self.assertRaises(AccessError) as caught:
                    with mute_logger("odoo.models", "odoo.addons.base.models.ir_rule"):
                        with self.env.cr.savepoint():
                            env[model].with_user(self.salesman).create(vals)
                message = str(caught.exception)
                for secret in ("P23 Hidden", record.display_name):
                    self.assertNotIn(secret, message)
