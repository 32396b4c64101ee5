"""`make load`: crm_extended under concurrent users on a multi-process Odoo.

Called by ``scripts/crmx.py load`` (which passes itself, for its database and
process helpers). Steps:

1. a scratch database with the addon (``<prefix>_load_<pid>``) and one without
   it (``<prefix>_loadcore_<pid>``, Odoo's crm, sale and account only), both
   seeded alike by ``seed.py`` (bulk SQL inserts);
2. two Odoo servers in prefork mode (``--workers=2``, one cron worker each) on
   the same database, on 127.0.0.1 and free ports;
3. Locust (headless) drives the simulated users of ``locustfile.py`` through
   the JSON-2 API: first the core mix (pipeline, customer form, quotation
   confirmation, invoice posting), then the full mix of the addon;
4. the invariants, checked with SQL (and the addon's credit figures); any
   violation, unexpected error or server error fails the command;
5. the core mix again on the database without the addon: p50, p95 and
   throughput ratios against the budget (p50 and p95 <= 1.15x, throughput >=
   0.9x).

Settings (environment): CRMX_LOAD_SECONDS (per Locust run, 300),
CRMX_LOAD_USERS (40), CRMX_LOAD_SCALE (1.0 = 10,000 customers, 100,000
leads, 50,000 orders, 200,000 invoice lines, 20,000 warranties),
CRMX_LOAD_WARMUP (seconds of unmeasured core mix on each database's freshly
started servers; a quarter of CRMX_LOAD_SECONDS, at most 30),
CRMX_LOAD_BASELINE (1: also measure Odoo alone), CRMX_LOAD_BUDGET_STRICT (0:
a missed budget is printed; 1: it fails the command), CRMX_LOCUST (the Locust
command; default: ``locust`` on PATH, else a virtualenv of its own,
CRMX_LOCUST_VENV or ~/.cache/crmx/locust-venv, made from PyPI on first use).
"""

import collections
import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORE_OPS = ["pipeline", "customer form", "quotation confirm", "invoice post"]
# p50 and p95 of each core operation, and throughput, against Odoo alone
LATENCY_BUDGET, THROUGHPUT_BUDGET = 1.15, 0.9


def _env_int(name, default):
    return int(os.environ.get(name) or default)


def settings():
    return {
        "seconds": _env_int("CRMX_LOAD_SECONDS", 300),
        "users": _env_int("CRMX_LOAD_USERS", 40),
        "scale": float(os.environ.get("CRMX_LOAD_SCALE") or 1.0),
        "baseline": os.environ.get("CRMX_LOAD_BASELINE", "1") != "0",
        "strict": os.environ.get("CRMX_LOAD_BUDGET_STRICT", "0") == "1",
        # an unmeasured core mix on freshly started servers, before measuring
        "warmup": _env_int("CRMX_LOAD_WARMUP", min(30, _env_int("CRMX_LOAD_SECONDS", 300) // 4)),
    }


LOCUST_VENV = os.environ.get("CRMX_LOCUST_VENV") or os.path.expanduser("~/.cache/crmx/locust-venv")


def locust_command(crmx):
    """The Locust command: CRMX_LOCUST, else `locust` on PATH, else a virtualenv
    of its own made from PyPI (requirements-load.txt), since Locust wants newer
    Werkzeug and gevent than Odoo 19 pins and must not replace them."""
    if os.environ.get("CRMX_LOCUST"):
        return os.environ["CRMX_LOCUST"].split()
    if shutil.which("locust"):
        return [shutil.which("locust")]
    locust = os.path.join(LOCUST_VENV, "bin", "locust")
    requirements = os.path.join(crmx.REPO, "requirements-load.txt")
    if not os.path.exists(locust):
        crmx.info(f"installing Locust from PyPI into its own virtualenv {LOCUST_VENV}")
        steps = (
            [sys.executable, "-m", "venv", LOCUST_VENV],
            [
                os.path.join(LOCUST_VENV, "bin", "python"),
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "-r",
                requirements,
            ],
        )
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                shutil.rmtree(LOCUST_VENV, ignore_errors=True)
                raise crmx.CrmxError(
                    "the load test needs Locust and installing it failed "
                    f"({' '.join(step[:3])}): {(done.stderr or done.stdout).strip()[-500:]}; "
                    "install it yourself and set CRMX_LOCUST to its command."
                )
    return [locust]


# ---------------------------------------------------------------- odoo servers
class Servers:
    """Two prefork Odoo servers on one database; stopped (process groups killed) on exit."""

    def __init__(self, crmx, dbname, count=2):
        self.crmx, self.dbname, self.count = crmx, dbname, count
        self.procs, self.urls, self.logs = [], [], []

    def __enter__(self):
        os.makedirs(self.crmx.LOG_DIR, exist_ok=True)
        try:
            for index in range(self.count):
                port = self.crmx.free_port()
                cmd = self.crmx.odoo_cmd(
                    self.dbname,
                    "--workers=2",
                    "--max-cron-threads=1",
                    f"--gevent-port={self.crmx.free_port()}",
                    "--log-level=warn",
                    # which cron job ran when (a job killed by its time limit is named)
                    "--log-handler=odoo.addons.base.models.ir_cron:INFO",
                    http_port=port,
                )
                # not `python3 -m odoo`: see odoo_server.py
                cmd[1:3] = [os.path.join(HERE, "odoo_server.py")]
                log_path = os.path.join(self.crmx.LOG_DIR, f"load-{self.dbname}-{index}.log")
                log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115
                self.logs.append(log_path)
                self.procs.append(
                    subprocess.Popen(
                        cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
                self.urls.append(f"http://127.0.0.1:{port}")
            for proc, url in zip(self.procs, self.urls, strict=True):
                self._wait(proc, url)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait(self, proc, url):
        import requests  # noqa: PLC0415

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise self.crmx.CrmxError(f"an Odoo server stopped at start: see {self.logs}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/web/login", timeout=10).status_code == 200:
                    return
            time.sleep(1)
        raise self.crmx.CrmxError(f"an Odoo server did not answer within 180 s: see {self.logs}")

    def __exit__(self, *exc):
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def problems(self):
        """ERROR/CRITICAL lines of the servers' logs, and any of the addon's own
        warnings; the other warnings counted per logger (e.g. Odoo's notices)."""
        errors, warnings = [], collections.Counter()
        for path in self.logs:
            for line in self.crmx.read_lines(path):
                level = self.crmx.LEVEL_RE.match(line)
                if not level:
                    continue
                parsed = self.crmx.LINE_RE.match(line)
                logger = parsed.group("logger") if parsed else "?"
                if level.group(1) == "WARNING" and not logger.startswith(
                    "odoo.addons.crm_extended"
                ):
                    warnings[logger] += 1
                else:
                    errors.append(line.rstrip())
        return errors, warnings


# ---------------------------------------------------------------- seeding and checks
def odoo_script(crmx, dbname, *args):
    cfg = crmx.settings()
    cmd = [
        sys.executable,
        os.path.join(HERE, "seed.py"),
        *args,
        "--db",
        dbname,
        "--db-host",
        cfg["host"],
        "--db-port",
        str(cfg["port"]),
        "--db-user",
        cfg["user"],
        "--addons-path",
        f"{crmx.check_odoo()},{crmx.REPO}",
        "--data-dir",
        cfg["data_dir"],
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=crmx.REPO)
    if result.returncode != 0:
        raise crmx.CrmxError(f"{' '.join(args[:1])} on {dbname} failed:\n{result.stderr[-3000:]}")


def seed(crmx, dbname, addon, scale, workdir):
    out = os.path.join(workdir, f"{dbname}.json")
    started = time.time()
    odoo_script(
        crmx, dbname, "seed", "--addon", str(int(addon)), "--scale", str(scale), "--out", out
    )
    with open(out, encoding="utf-8") as config:
        data = json.load(config)
    vol = data["volumes"]
    crmx.info(
        f"seeded {dbname} in {time.time() - started:.0f}s: {vol['customers']} customers, "
        f"{vol['leads']} leads, {vol['orders']} orders, {vol['invoice_lines']} invoice lines"
        + (f", {vol['warranties']} warranties" if addon else "")
    )
    return out


def warranty_job_due(crmx, dbname):
    """Make the nightly warranty job due now: the full mix runs beside it."""
    with contextlib.closing(crmx.pg_connect(dbname)) as conn, conn.cursor() as cr:
        cr.execute(
            """UPDATE ir_cron SET nextcall = now() AT TIME ZONE 'UTC'
                WHERE id = (SELECT res_id FROM ir_model_data
                             WHERE module = 'crm_extended'
                               AND name = 'ir_cron_process_warranties')"""
        )
    # the cron workers listen on the `postgres` database
    with contextlib.closing(crmx.pg_connect()) as conn, conn.cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", (dbname,))


def db_now(crmx, dbname):
    with contextlib.closing(crmx.pg_connect(dbname)) as conn, conn.cursor() as cr:
        cr.execute("SELECT (now() AT TIME ZONE 'UTC')::timestamp")
        return cr.fetchone()[0].isoformat(sep=" ")


def invariants(crmx, dbname, since, outcomes, workdir):
    """Violations of the invariants of issue 15 point 2 (empty when they hold)."""
    problems = []
    # 1. no exposure above the limit through orders that were not approved
    out = os.path.join(workdir, "credit_check.json")
    odoo_script(crmx, dbname, "check", "--since", since, "--out", out)
    with open(out, encoding="utf-8") as rows:
        for row in json.load(rows):
            if not row["approved"] and row["exposure"] > row["limit"] + row["currency"]:
                problems.append(
                    f"customer {row['name']} (#{row['partner']}): exposure {row['exposure']:.2f} "
                    f"above its limit {row['limit']:.2f} through orders not approved"
                )
    # 2. refusals: only the credit message, no error reaching a user
    for message in outcomes.get("unexpected", []):
        problems.append(f"a user got an unexpected error: {' '.join(message.split())[:300]}")
    queries = {
        "stage history: overlapping stays of a lead": """
            SELECT a.lead_id, a.id, b.id
              FROM crm_lead_stage_history a
              JOIN crm_lead_stage_history b ON b.lead_id = a.lead_id AND b.id > a.id
             WHERE tsrange(a.date_in, GREATEST(COALESCE(a.date_out, 'infinity'), a.date_in), '[)')
                && tsrange(b.date_in, GREATEST(COALESCE(b.date_out, 'infinity'), b.date_in), '[)')
             LIMIT 5""",
        "stage history: more than one open stay for a lead": """
            SELECT lead_id, count(*) FROM crm_lead_stage_history
             WHERE date_out IS NULL GROUP BY lead_id HAVING count(*) > 1 LIMIT 5""",
        "warranty: more than one live contract for an order line": """
            SELECT sale_line_id, count(*) FROM crm_warranty_contract
             WHERE sale_line_id IS NOT NULL AND state <> 'cancelled'
             GROUP BY sale_line_id HAVING count(*) > 1 LIMIT 5""",
        "warranty: a confirmed warranted order line without its contract": """
            SELECT sol.id FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id AND so.state = 'sale'
              JOIN product_product pp ON pp.id = sol.product_id
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE pt.warranty_months > 0 AND so.date_order >= %(since)s
               AND NOT EXISTS (SELECT 1 FROM crm_warranty_contract c WHERE c.sale_line_id = sol.id)
             LIMIT 5""",
        "warranty: duplicate renewal activity": """
            SELECT a.res_id, count(*) FROM mail_activity a
              JOIN ir_model_data d ON d.model = 'mail.activity.type' AND d.res_id = a.activity_type_id
                   AND d.module = 'crm_extended' AND d.name = 'mail_activity_type_warranty_renewal'
             WHERE a.res_model = 'crm.warranty.contract'
             GROUP BY a.res_id HAVING count(*) > 1 LIMIT 5""",
    }
    facts = {}
    with contextlib.closing(crmx.pg_connect(dbname)) as conn, conn.cursor() as cr:
        for label, query in queries.items():
            cr.execute(query, {"since": since})
            rows = cr.fetchall()
            if rows:
                problems.append(f"{label}: {rows}")
        cr.execute(
            """SELECT count(*) FROM mail_activity a
                 JOIN ir_model_data d ON d.model = 'mail.activity.type'
                  AND d.res_id = a.activity_type_id AND d.module = 'crm_extended'
                  AND d.name = 'mail_activity_type_warranty_renewal'"""
        )
        facts["renewal activities"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM crm_lead_stage_history WHERE create_date >= %s", [since])
        facts["stage stays recorded"] = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM crm_warranty_contract WHERE sale_line_id IS NOT NULL"
            " AND create_date >= %s",
            [since],
        )
        facts["warranty contracts from orders"] = cr.fetchone()[0]
    return problems, facts


# ---------------------------------------------------------------- locust
def run_locust(crmx, locust, label, dbname, urls, config, mix, cfg, workdir):
    prefix = os.path.join(workdir, label.replace(" ", "_"))
    outcomes_path = prefix + "_outcomes.json"
    classes = ["Salesperson", "Accountant"] + (["Controller"] if mix == "full" else [])
    users = max(cfg["users"], len(classes))
    cmd = [
        *locust,
        "-f",
        os.path.join(HERE, "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 10)),
        "--run-time",
        f"{cfg['seconds']}s",
        "--host",
        urls[0],
        "--csv",
        prefix,
        "--only-summary",
        "--stop-timeout",
        "60",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
        *classes,
    ]
    env = dict(
        os.environ,
        CRMX_LOAD_CONFIG=config,
        CRMX_LOAD_HOSTS=",".join(urls),
        CRMX_LOAD_DB=dbname,
        CRMX_LOAD_MIX=mix,
        CRMX_LOAD_OUT=outcomes_path,
    )
    crmx.info(f"{label}: {users} users for {cfg['seconds']}s on {len(urls)} servers ({mix} mix)")
    log_path = prefix + "_locust.log"
    with open(log_path, "w", encoding="utf-8") as log:
        rc = subprocess.call(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=HERE)
    stats_path = prefix + "_stats.csv"
    if rc != 0 or not os.path.exists(stats_path):
        with open(log_path, encoding="utf-8") as log:
            tail = log.read()[-3000:]
        raise crmx.CrmxError(f"Locust failed (exit {rc}):\n{tail}")
    ops = {}
    with open(stats_path, encoding="utf-8") as stats:
        for row in csv.DictReader(stats):
            if row["Type"] == "OP":
                ops[row["Name"]] = {
                    "count": int(row["Request Count"]),
                    "errors": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "rps": float(row["Requests/s"] or 0),
                }
    outcomes = {}
    if os.path.exists(outcomes_path):
        with open(outcomes_path, encoding="utf-8") as out:
            outcomes = json.load(out)
    return {"ops": ops, "outcomes": outcomes, "seconds": cfg["seconds"], "users": users}


def print_table(title, result):
    ops = result["ops"]
    print(f"\n{title} ({result['users']} users, {result['seconds']}s)", flush=True)
    print(f"  {'operation':<24}{'count':>8}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'ops/s':>9}")
    for name in sorted(ops):
        op = ops[name]
        print(
            f"  {name:<24}{op['count']:>8}{op['errors']:>8}{op['p50']:>10.0f}"
            f"{op['p95']:>10.0f}{op['rps']:>9.2f}"
        )
    total = sum(op["count"] for op in ops.values())
    errors = sum(op["errors"] for op in ops.values())
    print(
        f"  {'all operations':<24}{total:>8}{errors:>8}{'':>20}{total / result['seconds']:>9.2f}"
        f"   (throughput, operations per second)",
        flush=True,
    )
    outcomes = result["outcomes"]
    if outcomes.get("refused") or outcomes.get("approved"):
        print(
            f"  credit control: {outcomes.get('confirmed', 0)} quotations confirmed, "
            f"{outcomes.get('refused', 0)} refused with the credit message, "
            f"{outcomes.get('approved', 0)} approved by a controller and confirmed",
            flush=True,
        )


def print_ratios(with_addon, alone):
    """Core operations with the addon against Odoo alone, at the median and at
    p95 (at saturation p95 is mostly queueing; the median says what each request
    costs); return the misses."""
    misses = []
    print("\nOverhead of crm_extended on core operations (same seed, same core mix)")
    print(
        f"  {'operation':<24}{'p50 addon':>11}{'p50 alone':>11}{'ratio':>8}"
        f"{'p95 addon':>11}{'p95 alone':>11}{'ratio':>8}   budget <= {LATENCY_BUDGET}x"
    )
    for name in CORE_OPS:
        a, b = with_addon["ops"].get(name), alone["ops"].get(name)
        if not a or not b or not b["p95"] or not b["p50"]:
            print(f"  {name:<24}{'n/a':>11}")
            continue
        cells = []
        verdict = "ok"
        for key in ("p50", "p95"):
            ratio = a[key] / b[key]
            if ratio > LATENCY_BUDGET:
                verdict = "OVER"
                misses.append(f"{key} of {name}: {ratio:.2f}x")
            cells.append(f"{a[key]:>11.0f}{b[key]:>11.0f}{ratio:>7.2f}x")
        print(f"  {name:<24}{''.join(cells)}   {verdict}")

    def throughput(result):
        return sum(op["count"] for op in result["ops"].values()) / result["seconds"]

    ratio = throughput(with_addon) / throughput(alone) if throughput(alone) else 0.0
    verdict = "ok" if ratio >= THROUGHPUT_BUDGET else "UNDER"
    if verdict != "ok":
        misses.append(f"throughput: {ratio:.2f}x")
    print(
        f"  {'throughput (ops/s)':<24}{throughput(with_addon):>11.2f}{throughput(alone):>11.2f}"
        f"{ratio:>7.2f}x   budget >= {THROUGHPUT_BUDGET}x: {verdict}",
        flush=True,
    )
    return misses


def checkpoint(crmx, dbname):
    """Write every dirty page of the cluster out now (needs a superuser or pg_checkpoint)."""
    with contextlib.closing(crmx.pg_connect(dbname)) as conn, conn.cursor() as cr:
        try:
            cr.execute("CHECKPOINT")
        except Exception as exc:  # noqa: BLE001  (a role without the right: say so, go on)
            crmx.info(f"no CHECKPOINT before measuring ({exc}".strip() + ")")


# ---------------------------------------------------------------- main
def main(crmx):
    crmx.check_odoo()
    crmx.check_pg()
    cfg = settings()
    locust = locust_command(crmx)
    addon_db, core_db = crmx.scratch_db("load"), crmx.scratch_db("loadcore")
    workdir = tempfile.mkdtemp(prefix="crmx_load_")
    failures = []
    try:
        template = crmx.ensure_template()
        crmx.info(f"load databases '{addon_db}' (with crm_extended) and '{core_db}' (without)")
        rc, log = crmx.new_addon_db(addon_db)
        if rc != 0:
            raise crmx.CrmxError(f"installing crm_extended failed: see {log}")
        addon_config = seed(crmx, addon_db, True, cfg["scale"], workdir)
        if cfg["baseline"]:
            crmx.copy_db(template, core_db)
            core_config = seed(crmx, core_db, False, cfg["scale"], workdir)

        # as on a live database: vacuumed and analysed, so that no autovacuum of
        # the fresh seed runs during one measurement and not the other
        # and a working day: every scheduled job is next due tonight (a fresh
        # database has them all due at once, Odoo's IAP enrichment of new leads
        # included); the warranty job is made due when the full mix starts
        for dbname in (addon_db, core_db) if cfg["baseline"] else (addon_db,):
            with contextlib.closing(crmx.pg_connect(dbname)) as conn, conn.cursor() as cr:
                cr.execute("VACUUM ANALYZE")
                cr.execute(
                    """UPDATE ir_cron
                          SET nextcall = (now() AT TIME ZONE 'UTC')::date + interval '1 day 2 hours'
                        WHERE active"""
                )
        # the seed's pages written out now, not by a checkpoint during one
        # measurement and not the other
        checkpoint(crmx, addon_db)

        def warm_up(dbname, urls, config):
            # each prefork worker loads the registry and fills its caches on its
            # first requests: not measured, for either database
            if cfg["warmup"]:
                run_locust(
                    crmx,
                    locust,
                    f"warm-up of {dbname}",
                    dbname,
                    urls,
                    config,
                    "core",
                    dict(cfg, seconds=cfg["warmup"]),
                    workdir,
                )

        with Servers(crmx, addon_db) as servers:
            warm_up(addon_db, servers.urls, addon_config)
            addon_core = run_locust(
                crmx,
                locust,
                "addon core mix",
                addon_db,
                servers.urls,
                addon_config,
                "core",
                cfg,
                workdir,
            )
            since = db_now(crmx, addon_db)
            warranty_job_due(crmx, addon_db)
            full = run_locust(
                crmx,
                locust,
                "addon full mix",
                addon_db,
                servers.urls,
                addon_config,
                "full",
                cfg,
                workdir,
            )
            errors, warnings = servers.problems()
        print_table("crm_extended, full mix", full)
        print_table("crm_extended, core mix", addon_core)
        problems, facts = invariants(crmx, addon_db, since, full["outcomes"], workdir)
        problems += [
            f"{name}: {op['errors']} failed" for name, op in full["ops"].items() if op["errors"]
        ]
        problems += [f"server log: {line}" for line in errors[:10]]
        print(
            "\nInvariants after the full mix ("
            + ", ".join(f"{k}: {v}" for k, v in facts.items())
            + "; other server log warnings: "
            + (", ".join(f"{name} {count}" for name, count in warnings.most_common()) or "none")
            + ")"
        )
        if problems:
            for problem in problems:
                print(f"  VIOLATED {problem}")
            failures.append(f"{len(problems)} invariant violations or errors")
        else:
            print(
                "  all hold: no exposure above a limit without approval, only credit refusals, "
                "no overlapping stage stays, one contract per warranted line, no duplicate "
                "renewal activity, no server error"
            )

        if cfg["baseline"]:
            with Servers(crmx, core_db) as servers:
                warm_up(core_db, servers.urls, core_config)
                alone = run_locust(
                    crmx,
                    locust,
                    "odoo alone core mix",
                    core_db,
                    servers.urls,
                    core_config,
                    "core",
                    cfg,
                    workdir,
                )
                errors, _warnings = servers.problems()
            print_table("Odoo alone (no crm_extended), core mix", alone)
            if errors:
                failures.append(f"{len(errors)} errors in the logs of Odoo alone")
            misses = print_ratios(addon_core, alone)
            if misses and cfg["strict"]:
                failures.append("budget missed: " + ", ".join(misses))
    finally:
        crmx.drop_db(addon_db)
        crmx.drop_db(core_db)
        shutil.rmtree(workdir, ignore_errors=True)
    if failures:
        print("\nload: FAILED (" + "; ".join(failures) + ")", flush=True)
        return 1
    print("\nload: OK", flush=True)
    return 0
