"""Refuse over-long text before it reaches PostgreSQL.

A btree index refuses a row above ~2.7 kB (``ProgramLimitExceeded``), and a
name of thousands of characters is a mistake anyway: the values are checked
in ``create``/``write`` before anything is written.
"""

from odoo.exceptions import ValidationError

NAME_MAX_LENGTH = 256
URL_MAX_LENGTH = 2048


def check_text_lengths(model, vals_list, limits):
    """Raise a translated ``ValidationError`` when a value is too long.

    :param model: the model being written (for its field labels and language)
    :param vals_list: the ``create``/``write`` values
    :param limits: {field name: maximum number of characters}
    """
    for vals in vals_list:
        for fname, limit in limits.items():
            value = vals.get(fname)
            if isinstance(value, str) and len(value) > limit:
                raise ValidationError(
                    model.env._(
                        "%(field)s is too long (%(length)s characters): at most %(limit)s "
                        "characters are allowed.",
                        field=model._fields[fname]._description_string(model.env),
                        length=len(value),
                        limit=limit,
                    )
                )
