"""Bad input gets a clear answer: generated from the models themselves (issue 23).

For every model the addon adds that users write (found in ``ir.model.data``)
and every field the addon declares on it (``ir.model.fields`` of the module),
values of the wrong type, empty, blank, over-long (one character past the
field's declared limit), negative, out of range (year 9999, 1e308, NaN,
2**40), with NUL bytes or SQL-looking are written by a user who may write the
model, and created where the field is required. Every search method of the
addon's computed fields gets the same values with each operator. Each attempt
must end in a ``UserError`` (``ValidationError``, ``AccessError``) with a
sentence, or be accepted; never a database error, ``OverflowError`` or
``TypeError``; and a refused attempt leaves nothing written. The counts are
logged as a table (INFO).
"""

import logging
import math
import traceback

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .query_count import count_queries

_logger = logging.getLogger(__name__)

MAGIC = {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}
SQL_LIKE = "x'); DROP TABLE res_partner; --"
OPERATORS = ("=", "!=", ">", "<", "in", "not in")


def bad_values(field, limit):
    """The values tried on ``field``: (label, value)."""
    values = [
        ("None", None),
        ("True", True),
        ("empty text", ""),
        ("blank text", "   \t"),
        ("list", [1, 2]),
        ("dict", {"a": 1}),
        ("negative", -1),
        ("2**40", 2**40),
        ("1e308", 1e308),
        ("-1e308", -1e308),
        ("NaN", float("nan")),
        ("NUL byte", "a\x00b"),
        ("SQL-looking", SQL_LIKE),
        ("year 9999", "9999-12-31"),
        ("year 0", "0000-01-01"),
        ("bad date", "2024-13-45"),
        ("number as text", "12"),
    ]
    if limit:
        values.append((f"{limit + 1} characters", "x" * (limit + 1)))
    return values


@tagged("post_install", "-at_install")
class TestBadInput(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # may write every model of the addon that users write
        cls.writer = new_test_user(
            env,
            "bi_writer",
            groups="sales_team.group_sale_manager,crm_extended.group_credit_controller",
        )
        cls.records = cls._fixtures()

    @classmethod
    def _fixtures(cls):
        """One record per model users write, made by the writer where they may."""
        env = cls.env
        W = env(user=cls.writer)
        customer = env["res.partner"].create({"name": "BI Customer", "is_company": True})
        product = env["product.product"].create({"name": "BI Product"})
        cycle = env.ref("crm_extended.crm_sales_cycle_b2c")
        questionnaire = env["crm.qualification.questionnaire"].create(
            {
                "name": "BI questionnaire",
                "question_ids": [
                    Command.create(
                        {"name": "BI question", "option_ids": [Command.create({"name": "BI yes"})]}
                    )
                ],
            }
        )
        lead = env["crm.lead"].create(
            {
                "name": "BI lead",
                "type": "opportunity",
                "user_id": cls.writer.id,
                "sales_cycle_id": cycle.id,
            }
        )
        competitor = env["crm.competitor"].create({"name": "BI rival"})
        qualification = env["crm.lead.qualification"].create(
            {"lead_id": lead.id, "questionnaire_id": questionnaire.id}
        )
        plan = env["crm.retention.plan"].create({"name": "BI plan"})
        return {
            "crm.competitor": competitor,
            "crm.lead.competitor": env["crm.lead.competitor"].create(
                {"lead_id": lead.id, "competitor_id": competitor.id}
            ),
            "crm.sales.cycle": cycle,
            "crm.sales.cycle.stage": cycle.stage_line_ids[:1],
            "crm.qualification.questionnaire": questionnaire,
            "crm.qualification.question": questionnaire.question_ids,
            "crm.qualification.option": questionnaire.question_ids.option_ids,
            "crm.lead.qualification": qualification,
            "crm.lead.qualification.answer": qualification.answer_ids[:1],
            "crm.warranty.contract": env["crm.warranty.contract"].create(
                {
                    "partner_id": customer.id,
                    "product_id": product.id,
                    "user_id": cls.writer.id,
                    "date_end": "2030-01-01",
                }
            ),
            "crm.extended.xlsx.export": W["crm.extended.xlsx.export"].create(
                {"report_type": "credit_exposure"}
            ),
            "crm.lead.gate.override": W["crm.lead.gate.override"].create(
                {"lead_id": lead.id, "stage_id": lead.stage_id.id, "reason": "BI"}
            ),
            "crm.rfm.segment": env.ref("crm_extended.rfm_segment_champions"),
            "crm.retention.plan": plan,
            "crm.retention.touch": env["crm.retention.touch"].create(
                {"plan_id": plan.id, "partner_id": customer.id, "company_id": env.company.id}
            ),
            "crm.service.case": env["crm.service.case"].create(
                {
                    "partner_id": customer.id,
                    "subject": "BI case",
                    "case_type": "complaint",
                    "user_id": cls.writer.id,
                }
            ),
        }

    # ------------------------------------------------------------ discovery
    def _addon_fields(self):
        """{model: [field names]} of the fields crm_extended declares."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "ir.model.fields")]
        )
        result = {}
        for field in self.env["ir.model.fields"].browse(data.mapped("res_id")):
            result.setdefault(field.model, []).append(field.name)
        return result

    def _user_written_models(self):
        """The addon's own models that some non-administrator may create or write."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "crm_extended"), ("model", "=", "ir.model")]
        )
        result = []
        for ir_model in self.env["ir.model"].browse(data.mapped("res_id")):
            Model = self.env.get(ir_model.model)
            if Model is None or Model._abstract or not Model._auto:
                continue
            if Model._original_module != "crm_extended":
                continue
            writers = ir_model.access_ids.filtered(
                lambda a: (
                    (a.perm_write or a.perm_create)
                    and a.group_id != self.env.ref("base.group_system")
                )
            )
            if writers:
                result.append(ir_model.model)
        return result

    @staticmethod
    def _is_clean(error):
        message = str(error.args[0] if error.args else "")
        return isinstance(error, UserError) and len(message.strip()) >= 10

    @staticmethod
    def _is_odoo_domain_error(error):
        """Odoo's own refusal of a malformed domain term (``ValueError``, a dict
        where a value is expected), raised by the ORM before the addon's search
        method is called: not the addon's code, and no query was made."""
        if not isinstance(error, ValueError | TypeError) or "NUL" in str(error):
            return False
        frames = traceback.extract_tb(error.__traceback__)
        return not any(
            "/crm_extended/" in frame.filename and "/tests/" not in frame.filename
            for frame in frames
        )

    def _snapshot(self, record, fname):
        record.invalidate_recordset()
        value = record.sudo()[fname]
        return value.ids if hasattr(value, "ids") else value

    @staticmethod
    def _same(a, b):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b

    # ------------------------------------------------------------ tests
    def test_a_write_on_no_record_checks_nothing(self):
        """Odoo's lead merge writes the competitor lines of the merged deals, an
        empty set for most: the guard must not query for it (crm's assignment
        merges hundreds of duplicates and counts its queries)."""
        lead = self.records["crm.lead.competitor"].lead_id
        Line = self.env["crm.lead.competitor"]
        self.env.invalidate_all()
        self.assertEqual(count_queries(self.env, lambda: Line.write({"lead_id": lead.id})), 0)

    def test_every_user_written_model_has_a_fixture(self):
        missing = sorted(set(self._user_written_models()) - set(self.records))
        self.assertFalse(
            missing,
            f"{missing}: add a record to TestBadInput._fixtures so that its fields get bad input",
        )

    def test_bad_values_get_clear_answers(self):
        fields_by_model = self._addon_fields()
        table = {}
        raw, half_written = [], []
        for model in self._user_written_models():
            record = self.records.get(model)
            if not record:
                continue  # reported by test_every_user_written_model_has_a_fixture
            guard = self.env[model]
            for fname in sorted(fields_by_model.get(model, [])):
                field = record._fields.get(fname)
                if (
                    not field
                    or fname in MAGIC
                    or (field.compute and not field.store and not field.inverse)
                ):
                    continue
                limit = (
                    guard._input_text_limit(field) if hasattr(guard, "_input_text_limit") else None
                )
                for label, value in bad_values(field, limit):
                    before = self._snapshot(record, fname)
                    outcome = self._attempt(
                        lambda record=record, fname=fname, value=value: record.with_user(
                            self.writer
                        ).write({fname: value})
                    )
                    counts = table.setdefault(
                        model, {"tried": 0, "clean": 0, "accepted": 0, "odoo_domain": 0}
                    )
                    counts["tried"] += 1
                    if isinstance(outcome, Exception):
                        if self._is_clean(outcome):
                            counts["clean"] += 1
                            if not self._same(self._snapshot(record, fname), before):
                                half_written.append(f"{model}.{fname} = {label}")
                        else:
                            raw.append(
                                f"{model}.{fname} = {label}: {type(outcome).__name__}: "
                                f"{str(outcome)[:120]}"
                            )
                    else:
                        counts["accepted"] += 1
        searches = self._search_methods()
        for model, fname in searches:
            Model = self.env[model].with_user(self.writer)
            counts = table.setdefault(
                f"{model}.{fname} (search)",
                {"tried": 0, "clean": 0, "accepted": 0, "odoo_domain": 0},
            )
            for operator in OPERATORS:
                for label, value in bad_values(Model._fields[fname], None):
                    counts["tried"] += 1
                    outcome = self._attempt(
                        lambda Model=Model, fname=fname, operator=operator, value=value: (
                            Model.search_count([(fname, operator, value)])
                        ),
                        flush=False,
                    )
                    if isinstance(outcome, Exception):
                        if self._is_clean(outcome):
                            counts["clean"] += 1
                        elif self._is_odoo_domain_error(outcome):
                            counts["odoo_domain"] += 1
                        else:
                            raw.append(
                                f"search {model}.{fname} {operator} {label}: "
                                f"{type(outcome).__name__}: {str(outcome)[:120]}"
                            )
                    else:
                        counts["accepted"] += 1
        self._log_table(table, len(raw))
        self.assertGreater(sum(c["tried"] for c in table.values()), 1000)
        self.assertIn(("res.partner", "credit_overdue_days"), searches)
        self.assertFalse(raw, "raw errors:\n" + "\n".join(raw[:80]))
        self.assertFalse(half_written, "written despite the refusal:\n" + "\n".join(half_written))

    def test_required_fields_refused_on_create(self):
        """Creating with a bad required value: refused, and no record made."""
        fields_by_model = self._addon_fields()
        raw = []
        for model in self._user_written_models():
            record = self.records.get(model)
            if not record:
                continue
            Model = self.env[model].with_user(self.writer)
            base = record.sudo().copy_data()[0] if not Model._transient else {}
            if Model._transient:
                base = {
                    name: record._fields[name].convert_to_write(record[name], record)
                    for name in fields_by_model.get(model, [])
                    if record._fields[name].store and record._fields[name].required
                }
            for fname in fields_by_model.get(model, []):
                field = Model._fields.get(fname)
                if not field or not field.required or fname in MAGIC or field.compute:
                    continue
                for label, value in (
                    ("None", None),
                    ("blank", " "),
                    ("list", [1]),
                    ("NUL", "\x00"),
                ):
                    count = Model.sudo().with_context(active_test=False).search_count([])
                    outcome = self._attempt(
                        lambda Model=Model, base=base, fname=fname, value=value: Model.create(
                            {**base, fname: value}
                        )
                    )
                    if isinstance(outcome, Exception) and not self._is_clean(outcome):
                        raw.append(f"create {model} {fname}={label}: {type(outcome).__name__}")
                    elif isinstance(outcome, Exception):
                        self.assertEqual(
                            Model.sudo().with_context(active_test=False).search_count([]), count
                        )
        self.assertFalse(raw, "\n".join(raw))

    # ------------------------------------------------------------ helpers
    def _search_methods(self):
        """(model, field) of every computed field with a search method of the addon."""
        found = []
        for model, names in self._addon_fields().items():
            Model = self.env.get(model)
            if Model is None or model == "res.users":  # res.partner's, by delegation
                continue
            for fname in names:
                field = Model._fields.get(fname)
                if not field or not isinstance(field.search, str) or field.store:
                    continue
                method = getattr(type(Model), field.search)
                if method.__module__.startswith("odoo.addons.crm_extended."):
                    found.append((model, fname))
        return sorted(found)

    def _attempt(self, call, flush=True):
        try:
            with (
                mute_logger("odoo.sql_db", "odoo.models", "odoo.addons.base.models.ir_rule"),
                self.env.cr.savepoint(flush=flush),
            ):
                call()
                if flush:
                    self.env.flush_all()
                # accepted: roll the value back for the next attempt
                raise _Accepted()
        except _Accepted:
            return None
        except Exception as error:  # noqa: BLE001 (every error is classified)
            return error
        finally:
            self.env.invalidate_all()

    def _log_table(self, table, raw_count):
        width = max(len(name) for name in table) + 2
        keys = ("tried", "clean", "accepted", "odoo_domain")
        heads = ("tried", "refused", "accepted", "odoo-domain")
        lines = [f"{'model / search':<{width}}" + "".join(f"{h:>12}" for h in heads)]
        total = dict.fromkeys(keys, 0)
        for name in sorted(table):
            for key in keys:
                total[key] += table[name][key]
            lines.append(f"{name:<{width}}" + "".join(f"{table[name][k]:>12}" for k in keys))
        lines.append(
            f"{'total':<{width}}"
            + "".join(f"{total[k]:>12}" for k in keys)
            + f"   raw errors: {raw_count}"
        )
        _logger.info("bad input (issue 23):\n%s", "\n".join(lines))


class _Accepted(Exception):
    """Raised inside the savepoint to undo an accepted value."""
