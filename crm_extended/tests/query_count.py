"""Query counts for "constant cost" claims: measure small and large data, compare.

Odoo's ``assertQueryCount(N)`` fails above N but only logs below it, so two
ceilings say nothing about growth. ``count_queries`` measures exactly what one
call costs (flushes included) on warm caches; a test of a constant cost runs it
once to warm up, then asserts the SAME count for small and for large data.
"""

from unittest.mock import patch


def count_queries(env, func):
    """Number of SQL queries ``func()`` runs on ``env.cr``, including its flush."""
    # as assertQueryCount does: no random bus garbage collection in the middle
    with patch("random.random", lambda: 1):
        env.flush_all()
        env.cr.flush()
        start = env.cr.sql_log_count
        func()
        env.flush_all()
        env.cr.flush()
        return env.cr.sql_log_count - start
