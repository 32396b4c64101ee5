#!/usr/bin/env python3
"""Benchmark runner for crm_extended (started by `make bench`, not by hand).

Bootstraps Odoo on a scratch database that already has crm_extended installed,
then runs every ``scripts/bench/bench_*.py`` module (sorted by its ``ORDER``).
Each module defines ``run(b)`` and calls ``b.measure(label, func, reference_sql)``,
which prints one line: the operation's query count, its best-of-5 time, the
raw-SQL reference's best-of-5 time over the same tables, and their ratio.
"""

import argparse
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Bench:
    repeat = 5

    def __init__(self, env):
        self.env = env
        self.cr = env.cr

    def sql(self, query, *params):
        """Run raw SQL (seeding); a str query takes %s params, or pass odoo.tools.SQL."""
        from odoo.tools import SQL  # noqa: PLC0415

        if not isinstance(query, SQL):
            query = SQL(query, *params)
        self.cr.execute(query)
        return self.cr.fetchall() if self.cr.description else None

    def commit(self):
        self.env.flush_all()
        self.cr.commit()
        self.env.invalidate_all()
        self.env.registry.clear_cache()

    def _best(self, func, warm=None):
        from odoo import sql_db  # noqa: PLC0415

        best, queries = None, None
        for _ in range(self.repeat):
            self.env.invalidate_all()
            if warm:
                warm()  # what every request has loaded before (not timed)
            before = sql_db.sql_counter
            start = time.perf_counter()
            func()
            self.env.flush_all()
            elapsed = time.perf_counter() - start
            queries = sql_db.sql_counter - before
            best = elapsed if best is None else min(best, elapsed)
            self.cr.rollback()
        return best, queries

    def measure(self, label, func, reference_sql=None, *params, warm=None):
        """Time func() and the raw SQL reference; print one line. Rolls back after each run.

        ``warm``: called before each timed run of func(), untimed, to load what
        a request has already loaded when it gets there (the user, say).
        """
        self.commit()
        best, queries = self._best(func, warm)
        line = f"{label:<58} queries={queries:<5} best={best * 1000:9.1f} ms"
        if reference_sql is not None:
            ref, _ = self._best(lambda: self.sql(reference_sql, *params))
            line += (
                f"  raw_sql={ref * 1000:9.1f} ms  ratio={best / ref if ref else float('inf'):6.2f}x"
            )
        print(line, flush=True)
        return best, queries

    def report(self, label, seconds, queries=None, note=""):
        """Print a line for an operation that cannot be repeated (e.g. an install)."""
        q = "n/a" if queries is None else queries
        print(f"{label:<58} queries={q!s:<5} best={seconds * 1000:9.1f} ms  {note}", flush=True)


def load_modules():
    folder = os.path.join(HERE, "bench")
    modules = []
    for name in sorted(os.listdir(folder)):
        if name.startswith("bench_") and name.endswith(".py"):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(folder, name))
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def main():
    parser = argparse.ArgumentParser()
    for opt in ("--db", "--db-host", "--db-port", "--db-user", "--addons-path", "--data-dir"):
        parser.add_argument(opt, required=True)
    parser.add_argument("--only", help="run only bench modules whose name contains this")
    args = parser.parse_args()

    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [
            "-d",
            args.db,
            f"--db_host={args.db_host}",
            f"--db_port={args.db_port}",
            f"--db_user={args.db_user}",
            f"--addons-path={args.addons_path}",
            f"--data-dir={args.data_dir}",
            "--log-level=warn",
            "--http-interface=127.0.0.1",
        ]
    )
    registry = Registry(args.db)
    failures = 0
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        bench = Bench(env)
        print(
            f"crm_extended benchmark on {args.db} (best of {Bench.repeat}; "
            "ratio = ORM time / raw SQL time)",
            flush=True,
        )
        for module in load_modules():
            if args.only and args.only not in module.__name__:
                continue
            print(f"-- {module.__name__}", flush=True)
            try:
                module.run(bench)
            except Exception as exc:  # noqa: BLE001  (report and go on with the others)
                failures += 1
                cr.rollback()
                print(f"   FAILED: {type(exc).__name__}: {exc}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
