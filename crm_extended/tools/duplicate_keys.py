"""Find the record whose key another row already uses (friendly uniqueness messages)."""

from odoo.tools import SQL


def first_duplicate(records, key_of, key_sql, filter_column):
    """The first of ``records`` whose key is used twice, or already used in the table.

    :param key_of: record -> key tuple, as ``key_sql`` reads it from the table
    :param key_sql: SQL selecting the key columns from the records' table
    :param filter_column: column narrowing the query to the keys' first element
    Reads without flushing ``records``: a unique index on the key would refuse
    the flush before the caller could explain the problem.
    """
    keys = {}
    for record in records:
        key = key_of(record)
        if key in keys:
            return record
        keys[key] = record
    if not keys:
        return None
    records.env.cr.execute(
        SQL(
            "SELECT %s FROM %s WHERE %s IN %s AND id NOT IN %s",
            key_sql,
            SQL.identifier(records._table),
            SQL.identifier(filter_column),
            tuple({key[0] for key in keys}),
            tuple(records.ids) or (0,),
        )
    )
    for row in records.env.cr.fetchall():
        if tuple(row) in keys:
            return keys[tuple(row)]
    return None
