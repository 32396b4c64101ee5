"""Field-level privacy of search methods, and the numbers search methods accept."""

import math


def check_search_access(records, fname):
    """Refuse a search on ``fname`` to users outside the field's ``groups``.

    Field ``groups`` stop reading a field, and Odoo checks them when a domain
    term becomes SQL on the field's own column; a computed field's ``search=``
    method replaces that term by another domain, so Odoo never checks it: every
    such method of the addon calls this first (the same ``AccessError`` as a
    read of the field; ``sudo()`` and the field's groups pass).
    """
    records._check_field_access(records._fields[fname], "read")


def is_finite_number(value):
    """An int or float an SQL comparison can take: not a bool, None, NaN or infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)
