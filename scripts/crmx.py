#!/usr/bin/env python3
"""Developer commands for crm_extended: demo server, full test run, benchmark.

    python3 scripts/crmx.py demo    # create the demo database if missing, serve it
    python3 scripts/crmx.py test    # every test (Odoo tests, then out-of-process tests)
    python3 scripts/crmx.py bench   # benchmark on a scratch database

Odoo 19.0 must already be importable by python3: this project never fetches,
copies or builds Odoo. Settings come from the environment:

    CRMX_DB        demo database name             (crm_extended_demo)
    CRMX_PORT      demo HTTP port                 (8069)
    CRMX_DATA_DIR  Odoo data dir (filestore)      (~/.local/share/Odoo)
    PGHOST         PostgreSQL host                (127.0.0.1)
    PGPORT         PostgreSQL port                (5432)
    PGUSER         PostgreSQL role (not postgres) (the current user)
    PGPASSWORD     PostgreSQL password            (none)
"""

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
    }


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
            "SELECT datname FROM pg_database "
            "WHERE datname ~ '^crmx_(test|rpc|life|demo|bench)_[0-9]+$'"
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
RESULT_RE = re.compile(r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests")
LEVEL_RE = re.compile(r"^\S+ \S+ \d+ (WARNING|ERROR|CRITICAL) ")


def analyse_test_log(path):
    """Summary of an Odoo test log: counts, skipped tests, warnings of ours."""
    failed = errors = total = None
    skipped, ours = [], []
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = RESULT_RE.search(line)
            if match:
                failed, errors, total = map(int, match.groups())
            if ADDON in line and " skipped " in line and " : " in line:
                skipped.append(line.rstrip())
            # only crm_extended is installed and tested here: every warning is ours
            if LEVEL_RE.match(line) and not RESULT_RE.search(line):
                ours.append(line.rstrip())
    return {"failed": failed, "errors": errors, "total": total, "skipped": skipped, "ours": ours}


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


def cmd_test(pytest_args=()):
    check_odoo()
    check_pg()
    check_browser()
    drop_stale_dbs()
    ensure_template()
    os.makedirs(LOG_DIR, exist_ok=True)
    log_path = os.path.join(LOG_DIR, "odoo-tests.log")
    dbname = f"crmx_test_{os.getpid()}"
    info(f"phase 1: Odoo tests of crm_extended on a fresh database '{dbname}'")
    started = time.time()
    try:
        rc, _ = new_addon_db(dbname, tests=True, log_path=log_path, echo=_echo_test_line)
    finally:
        drop_db(dbname)
    summary = analyse_test_log(log_path)
    info(f"phase 1 done in {time.time() - started:.0f}s (exit {rc}); log: {log_path}")
    odoo_total = summary["total"] or 0
    odoo_bad = (summary["failed"] or 0) + (summary["errors"] or 0)
    problems = []
    if summary["total"] is None:
        problems.append("Odoo printed no test result line (install failed?)")
    elif odoo_total == 0:
        problems.append("no Odoo test ran")
    if summary["skipped"]:
        problems.append(
            f"{len(summary['skipped'])} Odoo test(s) skipped (a tour needs Chromium "
            "and websocket-client)"
        )
    if summary["ours"]:
        problems.append(f"{len(summary['ours'])} WARNING/ERROR line(s) from crm_extended")
    if rc != 0 and not odoo_bad:
        odoo_bad = 1
        problems.append(f"Odoo exited with {rc}")
    for problem in problems:
        info(f"phase 1 problem: {problem}")

    info("phase 2: out-of-process tests (pytest tests/)")
    junit = os.path.join(LOG_DIR, "pytest.xml")
    env = dict(os.environ, CRMX_ODOO_TEST_LOG=log_path)
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
        env=env,
    )
    py_passed = py_failed = py_skipped = 0
    if os.path.exists(junit):
        import xml.etree.ElementTree as ET  # noqa: PLC0415

        for suite in ET.parse(junit).getroot().iter("testsuite"):
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            py_failed += bad
            py_skipped += skip
            py_passed += tests - bad - skip
    if prc != 0 and not py_failed:
        py_failed = 1
    passed = (odoo_total - odoo_bad) + py_passed
    failed = odoo_bad + py_failed + (len(problems) if not odoo_bad else 0)
    ok = not problems and prc == 0 and passed > 0 and not py_skipped
    if py_skipped:
        info(f"{py_skipped} pytest test(s) skipped: a skipped test is not a pass")
    info(
        f"Odoo tests: {odoo_total - odoo_bad} passed, {odoo_bad} failed; "
        f"pytest: {py_passed} passed, {py_failed} failed, {py_skipped} skipped"
    )
    suffix = f", {py_skipped} skipped" if py_skipped else ""
    failed = 0 if ok else max(failed, 1)
    print(f"total: {passed} passed, {failed} failed{suffix}", flush=True)
    return 0 if ok else 1


def cmd_bench():
    check_odoo()
    check_pg()
    dbname = f"crmx_bench_{os.getpid()}"
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


def main(argv):
    if len(argv) < 2 or argv[1] not in ("demo", "test", "bench"):
        print(__doc__.strip())
        return 2
    try:
        if argv[1] == "demo":
            return cmd_demo()
        if argv[1] == "test":
            return cmd_test(argv[2:])
        return cmd_bench()
    except CrmxError as exc:
        die(str(exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv))
