#!/usr/bin/env python3
"""Developer commands for crm_extended: demo server, full test run, benchmark.

    python3 scripts/crmx.py demo    # create the demo database if missing, serve it
    python3 scripts/crmx.py test    # every test (Odoo tests, then out-of-process tests)
    python3 scripts/crmx.py test-host  # Odoo's own crm, sale, sale_crm tests with the addon
    python3 scripts/crmx.py bench   # benchmark on a scratch database
    python3 scripts/crmx.py load    # load test on two prefork servers (scripts/load/run.py)
    python3 scripts/crmx.py test-neighbours  # OCA's credit modules beside the addon
    python3 scripts/crmx.py fuzz    # the gates' stateful fuzzer alone, longer (CRMX_FUZZ_*)

Odoo 19.0 must already be importable by python3: this project never fetches,
copies or builds Odoo. Settings come from the environment:

    CRMX_DB        demo database name             (crm_extended_demo)
    CRMX_PORT      demo HTTP port                 (8069)
    CRMX_DATA_DIR  Odoo data dir (filestore)      (~/.local/share/Odoo)
    PGHOST         PostgreSQL host                (127.0.0.1)
    PGPORT         PostgreSQL port                (5432)
    PGUSER         PostgreSQL role (not postgres) (the current user)
    PGPASSWORD     PostgreSQL password            (none)
    CRMX_SCRATCH_PREFIX  prefix of the scratch databases of test, test-host
                   and bench                      (crmx)
"""

import ast
import contextlib
import getpass
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDON = "crm_extended"
DEPENDS = ("crm", "sale_management", "sale_crm", "account")
LOG_DIR = os.path.join(REPO, ".test-logs")


class CrmxError(Exception):
    """A problem the user can fix; printed as one line."""


def die(message):
    print(f"crm_extended: error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def info(message):
    print(f"crm_extended: {message}", flush=True)


# ---------------------------------------------------------------- settings
def settings():
    user = os.environ.get("PGUSER") or getpass.getuser()
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": int(os.environ.get("PGPORT", "5432")),
        "user": user,
        "password": os.environ.get("PGPASSWORD", ""),
        "data_dir": os.environ.get("CRMX_DATA_DIR") or os.path.expanduser("~/.local/share/Odoo"),
        "prefix": os.environ.get("CRMX_SCRATCH_PREFIX") or "crmx",
    }


def scratch_db(kind):
    """Name of a scratch database of this process (dropped when done, or by the next run)."""
    return f"{settings()['prefix']}_{kind}_{os.getpid()}"


# ---------------------------------------------------------------- checks
def check_odoo():
    """Odoo 19.0 must be importable; return the path of its addons folder."""
    try:
        import odoo.release  # noqa: PLC0415
    except ImportError:
        raise CrmxError(
            "Odoo is not importable by python3. Install Odoo 19.0 (community) "
            "and make it importable for python3 (e.g. a .pth file in "
            "site-packages pointing at the Odoo tree), then check with "
            "'python3 -m odoo --version'."
        ) from None
    if tuple(odoo.release.version_info[:2]) != (19, 0):
        raise CrmxError(
            f"python3 imports Odoo {odoo.release.version} from "
            f"{os.path.dirname(odoo.release.__file__)}, but crm_extended needs "
            "Odoo 19.0: make Odoo 19.0 the one python3 imports."
        )
    root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__)))
    addons = os.path.join(root, "addons")
    if not os.path.isfile(os.path.join(addons, "crm", "__manifest__.py")):
        raise CrmxError(
            f"Odoo 19.0 is importable from {root} but its addons (crm, sale, "
            "account) are not beside it: install the full Odoo 19.0 tree."
        )
    return addons


def pg_connect(dbname="postgres"):
    import psycopg2  # noqa: PLC0415  (installed with Odoo)

    cfg = settings()
    if cfg["user"] == "postgres":
        raise CrmxError(
            "Odoo refuses to run as the PostgreSQL role 'postgres': set PGUSER to "
            "another role that may create databases (e.g. createuser -s $USER)."
        )
    try:
        conn = psycopg2.connect(
            dbname=dbname,
            host=cfg["host"],
            port=cfg["port"],
            user=cfg["user"],
            password=cfg["password"] or None,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc
        raise CrmxError(
            f"PostgreSQL is not reachable at {cfg['host']}:{cfg['port']} as role "
            f"'{cfg['user']}' ({first}). Start PostgreSQL 13+ or set "
            "PGHOST/PGPORT/PGUSER/PGPASSWORD."
        ) from None
    conn.autocommit = True
    return conn


def check_pg():
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT current_setting('server_version_num')::int, rolcreatedb OR rolsuper "
            "FROM pg_roles WHERE rolname = current_user"
        )
        version, can_create = cr.fetchone()
    if version < 130000:
        raise CrmxError(f"PostgreSQL {version // 10000} is too old: crm_extended needs 13+.")
    if not can_create:
        raise CrmxError(
            f"PostgreSQL role '{settings()['user']}' may not create databases: "
            "grant it CREATEDB or set PGUSER to a role that may."
        )


def port_is_free(port, host="127.0.0.1"):
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def check_browser():
    missing = []
    if not (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    ):
        missing.append("Chromium (Debian package 'chromium')")
    try:
        import websocket  # noqa: F401, PLC0415
    except ImportError:
        missing.append("the Python package 'websocket-client'")
    if missing:
        raise CrmxError(
            "browser tests need "
            + " and ".join(missing)
            + "; without them Odoo silently skips tours. Install them "
            "(bash .ci/run does) and run again."
        )


# ---------------------------------------------------------------- databases
def db_exists(name):
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return bool(cr.fetchone())


def drop_stale_dbs():
    """Drop scratch databases left by an interrupted run (their process is gone)."""
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT datname FROM pg_database WHERE datname ~ %s",
            [f"^{re.escape(settings()['prefix'])}_(test|rpc|life|demo|bench|host|fuzz)_[0-9]+$"],
        )
        names = [row[0] for row in cr.fetchall()]
    for name in names:
        pid = int(name.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            drop_db(name)
        except PermissionError:
            pass


def filestore(name):
    return os.path.join(settings()["data_dir"], "filestore", name)


def drop_db(name):
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cr.execute(f'DROP DATABASE IF EXISTS "{name}"')
    shutil.rmtree(filestore(name), ignore_errors=True)


def copy_db(template, name):
    drop_db(name)
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    if os.path.isdir(filestore(template)):
        shutil.copytree(filestore(template), filestore(name))


def module_state(dbname, module=ADDON):
    with contextlib.closing(pg_connect(dbname)) as conn, conn.cursor() as cr:
        cr.execute("SELECT to_regclass('ir_module_module')")
        if not cr.fetchone()[0]:
            return None
        cr.execute("SELECT state FROM ir_module_module WHERE name = %s", [module])
        row = cr.fetchone()
        return row and row[0]


# ---------------------------------------------------------------- odoo processes
def odoo_cmd(dbname, *args, http_port=None):
    addons = check_odoo()
    cfg = settings()
    cmd = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        dbname,
        f"--db_host={cfg['host']}",
        f"--db_port={cfg['port']}",
        f"--db_user={cfg['user']}",
        f"--addons-path={addons},{REPO}",
        f"--data-dir={cfg['data_dir']}",
        "--http-interface=127.0.0.1",
        f"--http-port={http_port or free_port()}",
        "--no-database-list",
    ]
    if cfg["password"]:
        cmd.append(f"--db_password={cfg['password']}")
    return cmd + list(args)


def run_odoo(dbname, *args, log_path=None, echo=None, http_port=None):
    """Run Odoo to completion; return (returncode, log_path)."""
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = log_path or os.path.join(LOG_DIR, f"odoo-{dbname}.log")
    cmd = odoo_cmd(dbname, *args, http_port=http_port)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        for line in proc.stdout:
            log.write(line)
            if echo and echo(line):
                sys.stdout.write(line)
                sys.stdout.flush()
        return proc.wait(), log_path


def template_name():
    addons = check_odoo()
    import odoo.release  # noqa: PLC0415

    key = "|".join([odoo.release.version, addons, ",".join(DEPENDS), "demo"])
    return "crmx_tmpl_" + hashlib.sha1(key.encode()).hexdigest()[:10]


def ensure_template():
    """A database holding crm_extended's dependencies with demo data, built once."""
    name = template_name()
    if db_exists(name):
        return name
    building = name + "_building"
    info(f"building template database {name} (Odoo dependencies with demo data; once)...")
    drop_db(building)
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute(f"CREATE DATABASE \"{building}\" TEMPLATE template0 ENCODING 'UTF8'")
    rc, log = run_odoo(
        building, "-i", ",".join(DEPENDS), "--with-demo", "--stop-after-init", "--log-level=warn"
    )
    if rc != 0:
        drop_db(building)
        raise CrmxError(f"installing Odoo's {', '.join(DEPENDS)} failed: see {log}")
    with contextlib.closing(pg_connect()) as conn, conn.cursor() as cr:
        cr.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    if os.path.isdir(filestore(building)):
        shutil.rmtree(filestore(name), ignore_errors=True)
        os.rename(filestore(building), filestore(name))
    return name


def new_addon_db(name, *, tests=False, log_path=None, echo=None):
    """Fresh database from the template with crm_extended installed (and tested)."""
    copy_db(ensure_template(), name)
    args = ["-i", ADDON, "--stop-after-init"]
    if tests:
        args += ["--test-enable", f"--test-tags=/{ADDON}", "--log-level=info"]
    else:
        args += ["--log-level=warn"]
    return run_odoo(name, *args, log_path=log_path, echo=echo)


# ---------------------------------------------------------------- log analysis
# An Odoo log line: "<date> <time> <pid> <LEVEL> <db> <logger>: <message>"
LINE_RE = re.compile(r"^\S+ \S+ \d+ (?P<level>[A-Z]+) (?P<db>\S+) (?P<logger>[\w.]+): (?P<msg>.*)$")
LEVEL_RE = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")
RESULT_RE = re.compile(r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests")
# how odoo.tests.result reports a test: "Starting Class.method ...", "FAIL: Class.method",
# "ERROR: Subtest Class.method (params)", "skipped Class.method : reason"
STARTING_RE = re.compile(r"^Starting (\w+)\.(\w+) \.\.\.")
PROBLEM_RE = re.compile(r"^(FAIL|ERROR): (?:Subtest )?(\w+)\.(\w+)(?:\s|$)")
SKIPPED_RE = re.compile(r"^skipped (\w+)\.(\w+) : ")
# a class-level error or skip, logged by odoo.tests.suite with the class's dotted path
CLASS_PROBLEM_RE = re.compile(
    r"^(?:(FAIL|ERROR): |skipped )(setUpClass|tearDownClass) \(([\w.]+)\)"
)
TEST_MODULE_RE = re.compile(r"^odoo\.addons\.(\w+)\.tests\.")


def _test_id(logger, klass, method):
    return f"{logger}.{klass}.{method}"


def parse_test_log(lines, modules=None):
    """What an Odoo test log says about each test, by test id (module.path.Class.method).

    ``modules``: the addons whose tests count (None: any addon). Returns a dict:
    started/failed/skipped (sets of test ids), class_failed/class_skipped (sets of
    class paths whose setUpClass or tearDownClass failed or skipped), other_failures
    (FAIL/ERROR reports naming no test), result (Odoo's closing counts or None) and
    level_lines (every WARNING/ERROR/CRITICAL line that is not a test report).
    """
    info = {
        "started": set(),
        "failed": set(),
        "skipped": set(),
        "class_failed": set(),
        "class_skipped": set(),
        "other_failures": [],
        "result": None,
        "level_lines": [],
    }

    def ours(logger):
        match = TEST_MODULE_RE.match(logger)
        return bool(match) and (modules is None or match.group(1) in modules)

    for raw in lines:
        line = raw.rstrip("\n")
        result = RESULT_RE.search(line)
        if result:
            info["result"] = tuple(map(int, result.groups()))
            continue
        match = LINE_RE.match(line)
        if not match:
            continue  # a traceback or other continuation line
        level, logger, msg = match["level"], match["logger"], match["msg"].rstrip()
        klass = CLASS_PROBLEM_RE.match(msg)
        if klass:
            path = klass.group(3)
            if modules is None or any(f"odoo.addons.{m}.tests." in path for m in modules):
                key = "class_skipped" if msg.startswith("skipped") else "class_failed"
                info[key].add(path)
            continue
        if ours(logger):
            started = STARTING_RE.match(msg)
            if started:
                info["started"].add(_test_id(logger, *started.groups()))
                continue
            skipped = SKIPPED_RE.match(msg)
            if skipped:
                info["skipped"].add(_test_id(logger, *skipped.groups()))
                continue
            problem = PROBLEM_RE.match(msg)
            if problem and level == "ERROR":
                info["failed"].add(_test_id(logger, *problem.groups()[1:]))
                continue
        elif TEST_MODULE_RE.match(logger):
            continue  # a test of another addon: not counted here
        if level == "ERROR" and re.match(r"^(FAIL|ERROR): ", msg):
            info["other_failures"].append(line)
            continue
        if level in ("WARNING", "ERROR", "CRITICAL"):
            if logger == "odoo.modules.loading" and msg.startswith("At least one test failed"):
                continue  # the consequence of a failed test, counted as such
            info["level_lines"].append(line)
    return info


def _tagged_out(node):
    """Whether a class's @tagged(...) removes it from the standard tests."""
    for deco in node.decorator_list:
        if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "tagged":
            tags = [a.value for a in deco.args if isinstance(a, ast.Constant)]
            if "-standard" in tags:
                return True
    return False


def expected_tests(tests_dir, module=ADDON):
    """Test ids (path.Class.method) that the test files of ``tests_dir`` define.

    Read from the files themselves, not from ``tests/__init__.py``: a test module
    left out of the package's imports still counts, so its tests show as not run.
    Like Odoo's loader, only methods named test* defined in the class body count.
    """
    found = {}
    for name in sorted(os.listdir(tests_dir)):
        if not (name.startswith("test") and name.endswith(".py")):
            continue
        path = os.path.join(tests_dir, name)
        with open(path, encoding="utf-8") as source:
            tree = ast.parse(source.read(), filename=path)
        dotted = f"odoo.addons.{module}.tests.{name[:-3]}"
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or _tagged_out(node):
                continue
            methods = [
                item.name
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                and item.name.startswith("test")
            ]
            if methods:
                found[f"{dotted}.{node.name}"] = methods
    return found


def count_tests(parsed, expected=None, class_methods=None):
    """Exact per-test counts from ``parse_test_log``.

    ``expected``: test ids by class path (``expected_tests``) that must have run;
    ``class_methods``: the same map used only to name the tests of a class whose
    setUpClass failed (defaults to ``expected``). A test counts once however many
    of its subtests failed. Every test of a class whose setUpClass (or
    tearDownClass) failed counts as failed, and so does every expected test that
    never started. Returns passed, failed and skipped counts and the sorted ids of
    the failed and of the not-run tests.
    """
    expected = expected or {}
    class_methods = class_methods if class_methods is not None else expected
    failed = set(parsed["failed"])
    unknown_classes = 0
    for path in parsed["class_failed"]:
        tests = {f"{path}.{m}" for m in class_methods.get(path, ())}
        tests |= {t for t in parsed["started"] if t.rsplit(".", 1)[0] == path}
        if tests:
            failed |= tests
        else:
            unknown_classes += 1  # its tests are unknown here: at least one failed
    skipped = set(parsed["skipped"]) - failed
    for path in parsed["class_skipped"]:
        skipped.update(f"{path}.{m}" for m in class_methods.get(path, ()))
    expected_ids = {f"{path}.{m}" for path, methods in expected.items() for m in methods}
    not_run = expected_ids - parsed["started"] - failed - skipped
    failed |= not_run
    passed = parsed["started"] - failed - skipped
    # a failure report naming no known test still is a failure
    failed_count = len(failed) + len(parsed["other_failures"]) + unknown_classes
    result = parsed["result"]
    if result and (result[0] or result[1]) and not failed_count:
        failed_count = result[0] + result[1]  # Odoo saw failures this log does not name
    return {
        "passed": len(passed),
        "failed": failed_count,
        "skipped": len(skipped),
        "failed_ids": sorted(failed),
        "not_run": sorted(not_run),
    }


def log_records(lines):
    """Group a log's lines into records: a header line and its continuation lines."""
    records = []
    for raw in lines:
        line = raw.rstrip("\n")
        if LINE_RE.match(line) or not records:
            records.append([line])
        else:
            records[-1].append(line)
    return ["\n".join(record) for record in records]


def log_problems(lines, allow=()):
    """WARNING/ERROR/CRITICAL lines of a log, except records matching a regex of ``allow``.

    Each regex is searched in the whole record (the line and its traceback or
    detail lines); the problem reported is the record's first line.
    """
    problems = []
    for record in log_records(lines):
        first = record.split("\n", 1)[0]
        if LEVEL_RE.match(first) and not any(re.search(rx, record) for rx in allow):
            problems.append(first)
    return problems


# What the RPC tests provoke on purpose and assert, as Odoo logs it; any other
# warning or error of the RPC server is a problem.
RPC_SERVER_ALLOWED = (
    # a refused request (AccessError / UserError / ValidationError): one line by odoo.http
    r"^\S+ \S+ \d+ WARNING \S+ odoo\.http: (?!Exception during)",
    # the database refusing a duplicate or a negative price (then refused as above),
    # and the serialization failure that makes concurrent confirmations wait and retry
    r"^\S+ \S+ \d+ ERROR \S+ odoo\.sql_db: bad query: .*\nERROR:  ?(duplicate key value "
    r"violates unique constraint|new row for relation \S+ violates check constraint|"
    r"could not serialize access due to concurrent update)",
    # the harness talks Odoo's deprecated /jsonrpc (kept for integrators until Odoo 20)
    r"^\S+ \S+ \d+ WARNING \S+ odoo\.addons\.rpc\.controllers\.jsonrpc: The /xmlrpc, "
    r"/xmlrpc/2 and /jsonrpc endpoints are deprecated",
    # a client calling a method that does not exist: Odoo logs its traceback
    r"^\S+ \S+ \d+ ERROR \S+ odoo\.http: Exception during request handling\.(.|\n)*"
    r"\nAttributeError: The method '[\w.]+' does not exist\s*$",
)


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        return log.readlines()


def analyse_test_log(path, modules=(ADDON,), expected=None, class_methods=None):
    """Counts and problems of an Odoo test log (see parse_test_log, count_tests)."""
    parsed = parse_test_log(read_lines(path), modules)
    counts = count_tests(parsed, expected, class_methods)
    return dict(parsed, **counts)


def pytest_counts(junit_path):
    """Per-test counts of a pytest JUnit XML report: a test counts once."""
    import xml.etree.ElementTree as ET  # noqa: PLC0415

    status = {}
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        key = (case.get("classname"), case.get("name"))
        tags = {child.tag for child in case}
        if tags & {"failure", "error"}:
            state = "failed"
        elif "skipped" in tags:
            state = "skipped"
        else:
            state = "passed"
        # a teardown error adds a second entry for a passed test: the worst wins
        order = ("passed", "skipped", "failed")
        if order.index(state) >= order.index(status.get(key, "passed")):
            status[key] = state
    states = list(status.values())
    return {s: states.count(s) for s in ("passed", "failed", "skipped")}


def total_line(label, passed, failed, skipped=0, log_lines=0):
    line = f"{label}: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    if log_lines:
        line += f", {log_lines} log problems"
    return line


def verdict(passed, failed, skipped=0, log_lines=0, problems=()):
    """Exit code of a test run: 0 only when tests passed and nothing else went wrong.

    A failed (or not run) test, a skipped test (a skipped tour is not a pass), a
    WARNING/ERROR line in a log, no test at all, or any other problem fails the run.
    """
    return 0 if passed and not (failed or skipped or log_lines or problems) else 1


# ---------------------------------------------------------------- commands
def cmd_demo():
    addons = check_odoo()  # noqa: F841
    check_pg()
    dbname = os.environ.get("CRMX_DB", "crm_extended_demo")
    port = int(os.environ.get("CRMX_PORT", "8069"))
    if not port_is_free(port):
        raise CrmxError(
            f"port {port} on 127.0.0.1 is already in use: stop what runs there "
            "or choose another port, e.g. CRMX_PORT=8070 make demo."
        )
    state = db_exists(dbname) and module_state(dbname)
    if state != "installed":
        if db_exists(dbname) and state is None:
            raise CrmxError(
                f"database '{dbname}' exists but is not an Odoo database: "
                "drop it or choose another name with CRMX_DB."
            )
        if db_exists(dbname):
            info(f"installing crm_extended into existing database '{dbname}'...")
            rc, log = run_odoo(dbname, "-i", ADDON, "--stop-after-init", "--log-level=warn")
        else:
            info(f"creating demo database '{dbname}' with crm_extended and demo data...")
            rc, log = new_addon_db(dbname)
        if rc != 0:
            raise CrmxError(f"installing crm_extended into '{dbname}' failed: see {log}")
    else:
        # an existing demo database follows the code it is served with
        info(f"updating crm_extended in '{dbname}'...")
        rc, log = run_odoo(dbname, "-u", ADDON, "--stop-after-init", "--log-level=warn")
        if rc != 0:
            raise CrmxError(f"updating crm_extended in '{dbname}' failed: see {log}")
    info(
        f"serving '{dbname}' on http://127.0.0.1:{port}/odoo (login admin / admin); Ctrl-C stops it"
    )
    cmd = odoo_cmd(dbname, f"--db-filter=^{re.escape(dbname)}$", http_port=port)
    os.execv(sys.executable, cmd)


def _echo_test_line(line):
    return bool(
        LEVEL_RE.match(line)
        and "security risk" not in line
        or RESULT_RE.search(line)
        or re.search(r"odoo\.modules\.loading: .*(tests|post-tests) in", line)
        or re.search(r"Starting (\w+)\.test_\w+", line)
    )


def _report_odoo_phase(label, summary, rc, *, max_lines=20):
    """Print what went wrong in an Odoo test phase; return the non-test problems."""
    problems = []
    for test_id in summary["failed_ids"][:max_lines]:
        state = "did not run" if test_id in summary["not_run"] else "failed"
        info(f"{label}: {state}: {test_id}")
    for line in summary["other_failures"][:max_lines]:
        info(f"{label}: failure not tied to a test: {line}")
    if summary["not_run"]:
        info(
            f"{label}: {len(summary['not_run'])} test(s) defined in the test files never ran "
            "(a test module missing from tests/__init__.py? an install failure?)"
        )
    if summary["result"] is None:
        problems.append(f"{label}: Odoo printed no test result line (install failed?)")
    elif summary["result"][2] != len(summary["started"]):
        problems.append(
            f"{label}: Odoo counted {summary['result'][2]} tests but the log shows "
            f"{len(summary['started'])} starting"
        )
    if rc != 0 and not summary["failed"]:
        problems.append(f"{label}: Odoo exited with {rc}")
    for line in summary["level_lines"][:max_lines]:
        info(f"{label}: log problem: {line}")
    return problems


def _phase2_logs(prefix):
    """Logs written by the out-of-process tests: RPC server, installs, demo runs."""
    names = re.compile(rf"^odoo-{re.escape(prefix)}_(rpc|life|demo)_\d+\.log$")
    found = [os.path.join(LOG_DIR, n) for n in os.listdir(LOG_DIR) if names.match(n)]
    return sorted(found)


def cmd_test(pytest_args=()):
    check_odoo()
    check_pg()
    check_browser()
    drop_stale_dbs()
    ensure_template()
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, "odoo-tests.log")
    dbname = scratch_db("test")
    info(f"phase 1: Odoo tests of crm_extended on a fresh database '{dbname}'")
    started = time.time()
    try:
        rc, _ = new_addon_db(dbname, tests=True, log_path=log_path, echo=_echo_test_line)
    finally:
        drop_db(dbname)
    expected = expected_tests(os.path.join(REPO, ADDON, "tests"))
    odoo = analyse_test_log(log_path, expected=expected)
    info(f"phase 1 done in {time.time() - started:.0f}s (exit {rc}); log: {log_path}")
    problems = _report_odoo_phase("phase 1", odoo, rc)
    log_lines = len(odoo["level_lines"])
    n_expected = sum(map(len, expected.values()))
    info(
        f"Odoo tests: {odoo['passed']} passed, {odoo['failed']} failed, "
        f"{odoo['skipped']} skipped ({n_expected} defined in {ADDON}/tests)"
    )

    info("phase 2: out-of-process tests (pytest tests/)")
    prefix = settings()["prefix"]
    server_log = os.path.join(LOG_DIR, "odoo-rpc-server.log")
    for stale in [server_log, *_phase2_logs(prefix)]:
        with contextlib.suppress(FileNotFoundError):
            os.remove(stale)
    junit = os.path.join(LOG_DIR, "pytest.xml")
    with contextlib.suppress(FileNotFoundError):
        os.remove(junit)
    prc = subprocess.call(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-rfEs",
            f"--junitxml={junit}",
            os.path.join(REPO, "tests"),
            *pytest_args,
        ],
        cwd=REPO,
    )
    py = {"passed": 0, "failed": 0, "skipped": 0}
    if os.path.exists(junit):
        py = pytest_counts(junit)
    if prc != 0 and not py["failed"]:
        problems.append(f"pytest exited with {prc} but reported no failed test")
    for path in [server_log, *_phase2_logs(prefix)]:
        if not os.path.exists(path):
            continue
        allow = RPC_SERVER_ALLOWED if path == server_log else ()
        lines = log_problems(read_lines(path), allow)
        log_lines += len(lines)
        for line in lines[:20]:
            info(f"phase 2: log problem in {os.path.relpath(path, REPO)}: {line}")
    info(f"pytest: {py['passed']} passed, {py['failed']} failed, {py['skipped']} skipped")
    passed = odoo["passed"] + py["passed"]
    failed = odoo["failed"] + py["failed"]
    skipped = odoo["skipped"] + py["skipped"]
    if not passed:
        info("problem: no test ran")
    if skipped:
        info(
            f"problem: {skipped} test(s) skipped: a skipped test is not a pass (a tour "
            "needs Chromium and websocket-client)"
        )
    if log_lines:
        info(f"problem: {log_lines} WARNING/ERROR line(s) in the logs")
    for problem in problems:
        info(f"problem: {problem}")
    print(total_line("total", passed, failed, skipped, log_lines), flush=True)
    return verdict(passed, failed, skipped, log_lines, problems)


HOST_MODULES = ("crm", "sale", "sale_crm")
# A browser tour of Odoo's own suites that fails runs again alone, at most this
# many times: crm's forecast tour races its own menu clicks against the loading
# pipeline and fails on Odoo alone too (README, "Odoo's own tests").
HOST_TOUR_RETRIES = 8
HOST_TOUR_RETRY_LIMIT = 3  # more failed tours than this is not a flake: no retry


def _failed_tours(log_path, failed_ids):
    """The failed test ids whose failure is a browser tour step (none when too many)."""
    text = "".join(read_lines(log_path))
    tours = [tid for tid in failed_ids if f"{tid}.browser: FAILED: [" in text]
    return tours if len(tours) == len(failed_ids) <= HOST_TOUR_RETRY_LIMIT else []


def _rerun_host_tours(dbname, tours):
    """Run each failed tour again alone on ``dbname``; return the ids that passed."""
    passed = []
    for test_id in tours:
        module = test_id.split(".")[2]
        klass, method = test_id.rsplit(".", 2)[1:]
        for attempt in range(1, HOST_TOUR_RETRIES + 1):
            log_path = os.path.join(LOG_DIR, f"odoo-host-retry-{method}-{attempt}.log")
            run_odoo(
                dbname,
                "--test-enable",
                f"--test-tags=/{module}:{klass}.{method}",
                "--stop-after-init",
                "--log-level=info",
                log_path=log_path,
            )
            retry = analyse_test_log(log_path, modules=(module,))
            ok = retry["passed"] == 1 and not retry["failed"]
            info(
                f"host: {test_id} run again alone ({attempt}/{HOST_TOUR_RETRIES}): "
                f"{'passed' if ok else 'failed'}; log: {log_path}"
            )
            if ok:
                passed.append(test_id)
                break
    return passed


def cmd_test_host():
    """Odoo's own test suites of crm, sale and sale_crm on a database with crm_extended."""
    addons = check_odoo()
    check_pg()
    check_browser()
    drop_stale_dbs()
    template = ensure_template()
    os.makedirs(LOG_DIR, exist_ok=True)
    dbname = scratch_db("host")
    install_log = os.path.join(LOG_DIR, "odoo-host-install.log")
    log_path = os.path.join(LOG_DIR, "odoo-host-tests.log")
    started = time.time()
    try:
        info(f"installing crm_extended on a fresh database '{dbname}'")
        copy_db(template, dbname)
        rc, _ = run_odoo(
            dbname, "-i", ADDON, "--stop-after-init", "--log-level=warn", log_path=install_log
        )
        if rc != 0:
            raise CrmxError(f"installing crm_extended failed: see {install_log}")
        # No -i/-u: every installed module is loaded as is (crm_extended included)
        # and the at_install and post_install tests of the tagged modules run.
        tags = ",".join(f"/{m}" for m in HOST_MODULES)
        info(f"running Odoo's tests {tags} with crm_extended installed; log: {log_path}")
        rc, _ = run_odoo(
            dbname,
            "--test-enable",
            f"--test-tags={tags}",
            "--stop-after-init",
            "--log-level=info",
            log_path=log_path,
            echo=lambda line: bool(RESULT_RE.search(line) or PROBLEM_RE.search(line)),
        )
        class_methods = {}
        for module in HOST_MODULES:
            class_methods.update(expected_tests(os.path.join(addons, module, "tests"), module))
        info(f"{sum(map(len, class_methods.values()))} tests defined in {', '.join(HOST_MODULES)}")
        # every test their files define must run (363 on Odoo 19.0 community)
        summary = analyse_test_log(log_path, modules=HOST_MODULES, expected=class_methods)
        tours = _failed_tours(log_path, summary["failed_ids"])
        if tours and summary["failed"] == len(tours) and not summary["not_run"]:
            flaky = _rerun_host_tours(dbname, tours)
            if flaky:
                info(
                    f"host: {len(flaky)} tour(s) failed in the full run, passed alone: "
                    + ", ".join(flaky)
                )
            summary["failed_ids"] = [t for t in summary["failed_ids"] if t not in flaky]
            summary["failed"] -= len(flaky)
            summary["passed"] += len(flaky)
            if not summary["failed"]:
                rc = 0
    finally:
        drop_db(dbname)
    # core tests log warnings on purpose; those naming crm_extended are ours
    summary["level_lines"] = [line for line in summary["level_lines"] if ADDON in line]
    problems = _report_odoo_phase("host", summary, rc)
    log_lines = len(summary["level_lines"])
    if not summary["passed"]:
        info("problem: no host test ran")
    for problem in problems:
        info(f"problem: {problem}")
    info(f"host suites done in {time.time() - started:.0f}s")
    passed, failed = summary["passed"], summary["failed"]
    print(total_line("host", passed, failed, summary["skipped"], log_lines), flush=True)
    # Odoo's own suites skip some tests on purpose (optional features): not a failure here
    return verdict(passed, failed, 0, log_lines, problems)


def cmd_bench():
    check_odoo()
    check_pg()
    dbname = scratch_db("bench")
    info(f"benchmark database '{dbname}'")
    try:
        ensure_template()
        started = time.time()
        rc, log = new_addon_db(dbname)
        install_s = time.time() - started
        if rc != 0:
            raise CrmxError(f"installing crm_extended failed: see {log}")
        env = dict(os.environ, CRMX_BENCH_INSTALL_SECONDS=f"{install_s:.3f}")
        cfg = settings()
        cmd = [
            sys.executable,
            os.path.join(REPO, "scripts", "bench.py"),
            "--db",
            dbname,
            "--db-host",
            cfg["host"],
            "--db-port",
            str(cfg["port"]),
            "--db-user",
            cfg["user"],
            "--addons-path",
            f"{check_odoo()},{REPO}",
            "--data-dir",
            cfg["data_dir"],
        ]
        if os.environ.get("CRMX_BENCH_ONLY"):
            cmd += ["--only", os.environ["CRMX_BENCH_ONLY"]]
        return subprocess.call(cmd, cwd=REPO, env=env)
    finally:
        drop_db(dbname)


# OCA's credit modules, the addon's neighbours (make test-neighbours): from PyPI,
# without their dependencies (Odoo's own addons are already installed)
NEIGHBOURS = {
    "account_financial_risk": "odoo-addon-account-financial-risk>=19.0,<19.1",
    "sale_financial_risk": "odoo-addon-sale-financial-risk>=19.0,<19.1",
}
# the addon's credit tests that run beside them
NEIGHBOUR_CREDIT_CLASSES = (
    "TestCreditExposure",
    "TestCreditSettingsAndHolds",
    "TestCreditConfirmation",
    "TestCreditApproval",
    "TestCreditSideDoors",
    "TestCreditInvariant",
    "TestCreditExposureList",
    "TestCreditApprovalLoop",
    "TestCreditCompanyTree",
)


def neighbours_path():
    """OCA's credit modules installed from PyPI into .neighbours/ (once); their addons path."""
    target = os.path.join(REPO, ".neighbours")
    addons = os.path.join(target, "odoo", "addons")
    if not all(os.path.isdir(os.path.join(addons, name)) for name in NEIGHBOURS):
        info("installing OCA's account_financial_risk and sale_financial_risk into .neighbours/")
        rc = subprocess.call(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--disable-pip-version-check",
                "--upgrade",
                "--target",
                target,
                *NEIGHBOURS.values(),
            ]
        )
        if rc != 0:
            raise CrmxError("pip could not install OCA's credit modules from PyPI")
    return addons


def cmd_test_neighbours():
    """OCA's account_financial_risk and sale_financial_risk beside the addon: both
    sides' tests in one database."""
    addons = check_odoo()
    check_pg()
    neighbours = neighbours_path()
    ensure_template()
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, "odoo-neighbours.log")
    dbname = scratch_db("test")
    copy_db(ensure_template(), dbname)
    tags = [f"/{name}" for name in NEIGHBOURS]
    tags += [f"/{ADDON}:{klass}" for klass in NEIGHBOUR_CREDIT_CLASSES]
    info(f"neighbours: {', '.join(NEIGHBOURS)} and {ADDON}'s credit tests on '{dbname}'")
    try:
        cmd = odoo_cmd(
            dbname,
            "-i",
            ",".join([ADDON, *NEIGHBOURS]),
            "--stop-after-init",
            "--test-enable",
            f"--test-tags={','.join(tags)}",
            "--log-level=info",
        )
        # the neighbours' folder after Odoo's and the addon's
        cmd = [
            arg.replace(
                f"--addons-path={addons},{REPO}", f"--addons-path={addons},{REPO},{neighbours}"
            )
            for arg in cmd
        ]
        with open(log_path, "w", encoding="utf-8") as log:
            rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    finally:
        drop_db(dbname)
    summary = analyse_test_log(log_path, modules=(ADDON, *NEIGHBOURS))
    for test_id in summary.get("failed_ids", [])[:20]:
        info(f"neighbours: failed {test_id}")
    problems = [] if rc == 0 else [f"Odoo exited {rc}: see {log_path}"]
    print(
        total_line("neighbours", summary["passed"], summary["failed"], summary["skipped"]),
        flush=True,
    )
    return verdict(summary["passed"], summary["failed"], summary["skipped"], 0, problems)


def cmd_fuzz():
    """The gates' stateful fuzzer alone, longer than in `make test` (CRMX_FUZZ_EXAMPLES)."""
    check_odoo()
    check_pg()
    ensure_template()
    os.environ.setdefault("CRMX_FUZZ_EXAMPLES", "3000")
    os.environ.setdefault("CRMX_FUZZ_STEPS", "12")
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, "odoo-fuzz.log")
    dbname = scratch_db("fuzz")
    info(
        f"gate fuzzer: {os.environ['CRMX_FUZZ_EXAMPLES']} examples of up to "
        f"{os.environ['CRMX_FUZZ_STEPS']} steps on '{dbname}'"
    )
    copy_db(ensure_template(), dbname)
    try:
        rc, _ = run_odoo(
            dbname,
            "-i",
            ADDON,
            "--stop-after-init",
            "--test-enable",
            f"--test-tags=/{ADDON}:TestGateFuzzer",
            "--log-level=info",
            log_path=log_path,
            echo=lambda line: "gate fuzzer:" in line or " FAIL" in line or "ERROR" in line,
        )
    finally:
        drop_db(dbname)
    summary = analyse_test_log(log_path)
    print(
        total_line("fuzz", summary["passed"], summary["failed"], summary["skipped"], 0), flush=True
    )
    return verdict(
        summary["passed"],
        summary["failed"],
        summary["skipped"],
        0,
        [] if rc == 0 else [f"exit {rc}"],
    )


def cmd_load():
    """Load test: see scripts/load/run.py (settings CRMX_LOAD_*)."""
    sys.path.insert(0, os.path.join(REPO, "scripts", "load"))
    import run as load_run  # noqa: PLC0415

    return load_run.main(sys.modules[__name__])


def main(argv):
    commands = ("demo", "test", "test-host", "test-neighbours", "bench", "load", "fuzz")
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__.strip())
        return 2
    try:
        if argv[1] == "demo":
            return cmd_demo()
        if argv[1] == "test":
            return cmd_test(argv[2:])
        if argv[1] == "test-host":
            return cmd_test_host()
        if argv[1] == "load":
            return cmd_load()
        if argv[1] == "fuzz":
            return cmd_fuzz()
        if argv[1] == "test-neighbours":
            return cmd_test_neighbours()
        return cmd_bench()
    except CrmxError as exc:
        die(str(exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv))
