import datetime
import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.text_limits import NAME_MAX_LENGTH, URL_MAX_LENGTH

# the widest values a column takes (PostgreSQL int4; amounts with cents left)
INTEGER_MAX = 2**31 - 1
NUMBER_MAX = 1e15
# a date one day after or before stays a date (9999-12-31 + 1 day does not)
DATE_MIN = datetime.date(1000, 1, 1)
DATE_MAX = datetime.date(9998, 12, 31)
# characters per text field kind, unless the model declares its own limit
TEXT_KIND_LIMITS = {"char": NAME_MAX_LENGTH, "text": 10_000, "html": 100_000}
URL_FIELD_NAMES = ("website", "url")


class CrmExtendedInputGuard(models.AbstractModel):
    """Values of the wrong type or out of range get a sentence, not a database error.

    Mixed into every model of the addon that users write: ``create`` and
    ``write`` check each value against its field's type before the ORM converts
    it or PostgreSQL refuses it (``TypeError``, ``OverflowError``, "integer out
    of range", "NUL characters", a foreign key to nothing), and refuse it with
    a ``ValidationError`` naming the field. Nothing is written when one value is
    refused. Text limits: ``TEXT_KIND_LIMITS`` per kind of field (URLs
    ``URL_MAX_LENGTH``); a model adds its own in ``_input_text_limits``.
    """

    _name = "crm.extended.input.guard"
    _description = "CRM Extended: checks of written values"

    # {field name: maximum characters}, over the defaults of TEXT_KIND_LIMITS
    _input_text_limits = {}

    @api.model_create_multi
    def create(self, vals_list):
        context_defaults = {
            key[8:]: value
            for key, value in self.env.context.items()
            if key.startswith("default_") and key[8:] in self._fields
        }
        self._input_check([{**context_defaults, **vals} for vals in vals_list])
        return super().create(vals_list)

    def write(self, vals):
        if self:  # nothing is written on no record (merges write empty sets)
            self._input_check([vals])
        return super().write(vals)

    @api.model
    def _input_text_limit(self, field):
        if field.name in self._input_text_limits:
            return self._input_text_limits[field.name]
        if field.type == "char" and field.name in URL_FIELD_NAMES:
            return URL_MAX_LENGTH
        return TEXT_KIND_LIMITS.get(field.type)

    @api.model
    def _input_check(self, vals_list):
        """Refuse the first wrong value of ``vals_list``; the records that
        many2one values name are looked up once per model, for all values."""
        wanted = {}  # comodel -> {id: field}
        for vals in vals_list:
            for fname, value in vals.items():
                field = self._fields.get(fname)
                if field is None:
                    continue
                if field.type in ("one2many", "many2many"):
                    if not (value is False or value is None or isinstance(value, list | tuple)):
                        self._input_refuse(field, self.env._("a list of records is expected"))
                    continue
                problem = self._input_problem(field, value)
                if problem:
                    self._input_refuse(field, problem)
                if field.type == "many2one" and isinstance(value, int) and value:
                    wanted.setdefault(field.comodel_name, {})[value] = field
        for comodel, by_id in wanted.items():
            found = set(self.env[comodel].sudo().browse(list(by_id)).exists().ids)
            for record_id, field in by_id.items():
                if record_id not in found:
                    self._input_refuse(
                        field, self.env._("there is no record with id %(id)s", id=record_id)
                    )

    @api.model
    def _input_refuse(self, field, problem):
        raise ValidationError(
            self.env._(
                "%(field)s: %(problem)s.",
                field=field._description_string(self.env),
                problem=problem,
            )
        )

    @api.model
    def _input_problem(self, field, value):  # noqa: C901 (one case per field type)
        """What is wrong with ``value`` for ``field`` (a sentence), or None."""
        _ = self.env._
        kind = field.type
        if value is None or value is False:
            if kind in ("integer", "float", "monetary", "boolean"):
                return None  # Odoo's empty number (0) or False
            if field.required and not field.compute:
                return _("a value is required")
            return None
        if kind in ("char", "text", "html", "selection"):
            if not isinstance(value, str):
                return _("a text is expected, not %(type)s", type=type(value).__name__)
            if "\x00" in value:
                return _("the text contains a NUL character")
            if field.required and not value.strip():
                return _("a value is required, not blank text")
            if kind == "selection":
                allowed = [key for key, _label in field._description_selection(self.env)]
                if value not in allowed:
                    return _(
                        "%(value)r is not one of %(allowed)s",
                        value=value[:50],
                        allowed=", ".join(allowed),
                    )
                return None
            limit = self._input_text_limit(field)
            if limit and len(value) > limit:
                return _(
                    "too long (%(length)s characters): at most %(limit)s characters are allowed",
                    length=len(value),
                    limit=limit,
                )
            return None
        if kind == "boolean":
            if not isinstance(value, bool) and value not in (0, 1):
                return _("yes or no is expected")
            return None
        if kind in ("integer", "float", "monetary"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                return _("a number is expected, not %(type)s", type=type(value).__name__)
            if not math.isfinite(value):
                return _("a finite number is expected")
            if kind == "integer":
                if isinstance(value, float) and not value.is_integer():
                    return _("a whole number is expected")
                if abs(value) > INTEGER_MAX:
                    return _("at most %(max)s in absolute value", max=INTEGER_MAX)
            elif abs(value) >= NUMBER_MAX:
                return _("at most %(max)s in absolute value", max=f"{NUMBER_MAX:,.0f}")
            return None
        if kind in ("date", "datetime"):
            return self._input_date_problem(field, value)
        if kind == "many2one":
            if isinstance(value, models.BaseModel):
                return None
            if isinstance(value, bool) or not isinstance(value, int):
                return _("a record id is expected, not %(type)s", type=type(value).__name__)
            if value <= 0 or value > INTEGER_MAX:
                return _("there is no record with id %(id)s", id=value)
            return None  # whether it exists: one query for all values (_input_check)
        if kind == "binary":
            if not isinstance(value, str | bytes):
                return _("file contents are expected")
            return None
        return None

    @api.model
    def _input_date_problem(self, field, value):
        _ = self.env._
        converter = fields.Datetime if field.type == "datetime" else fields.Date
        if not isinstance(value, str | datetime.date):
            return _("a date is expected, not %(type)s", type=type(value).__name__)
        if value == "":
            return _("a value is required") if field.required else None  # Odoo's empty date
        if isinstance(value, str) and not value.strip():
            return _("a date is expected, not blank text")
        if isinstance(value, str) and "\x00" in value:
            return _("the text contains a NUL character")
        try:
            parsed = (
                converter.to_date(value) if field.type == "date" else converter.to_datetime(value)
            )
        except (ValueError, TypeError, OverflowError):
            return _("%(value)r is not a date", value=str(value)[:50])
        if not parsed:
            return _("%(value)r is not a date", value=str(value)[:50])
        day = parsed.date() if isinstance(parsed, datetime.datetime) else parsed
        if not DATE_MIN <= day <= DATE_MAX:
            return _(
                "dates from %(first)s to %(last)s are allowed",
                first=DATE_MIN.isoformat(),
                last=DATE_MAX.isoformat(),
            )
        return None
