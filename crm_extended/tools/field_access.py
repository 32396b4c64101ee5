"""Field-level privacy and sane values for the search methods of computed fields."""

import math
from collections.abc import Collection

from odoo.exceptions import UserError
from odoo.fields import Domain


def check_search(records, fname, operator, value):
    """The one check every ``search=`` method of the addon makes first.

    Field ``groups`` stop reading a field, and Odoo checks them when a domain
    term becomes SQL on the field's own column; a computed field's ``search=``
    method replaces that term by another domain, so Odoo never checks it. This
    refuses users outside the field's ``groups`` (the same ``AccessError`` as a
    read of the field; ``sudo()`` passes), then values an RPC caller may send
    that cannot reach a query (a dict, a NUL character, NaN, ``True`` for a
    record id) with a ``UserError`` naming the field, before PostgreSQL sees them.
    """
    field = records._fields[fname]
    records._check_field_access(field, "read")
    if operator in ("any", "not any", "any!", "not any!"):
        # a domain on the comodel (a name typed in a filter): Odoo builds it, but
        # its texts reach the query as they are
        if isinstance(value, Domain):
            for condition in value.iter_conditions():
                texts = condition.value
                if isinstance(texts, str) or not isinstance(texts, Collection):
                    texts = [texts]
                for text in texts:
                    if isinstance(text, str) and "\x00" in text:
                        _refuse(records, field, text)
        return
    is_collection = isinstance(value, Collection) and not isinstance(value, str | dict)
    values = value if operator in ("in", "not in") and is_collection else [value]
    for item in values:
        if not _fits(field, item):
            _refuse(records, field, item)


def _refuse(records, field, item):
    raise UserError(
        records.env._(
            "%(field)s cannot be searched with %(value)s.",
            field=field._description_string(records.env),
            value=repr(item)[:60].replace("\x00", "\\x00"),
        )
    )


def _fits(field, item):
    """Whether a value can reach a query at all. Values of another type that
    can (``"yes"`` for a boolean) are the search method's business: they match
    what their cast matches, or nothing."""
    if isinstance(item, Collection) and not isinstance(item, str):
        return False
    if isinstance(item, str):
        return "\x00" not in item
    if isinstance(item, float):
        return math.isfinite(item)
    if field.type in ("many2one", "many2many", "one2many") and item is True:
        return False  # True is no record id
    return True


def is_finite_number(value):
    """An int or float an SQL comparison can take: not a bool, None, NaN or infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)
