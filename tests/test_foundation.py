"""Foundation: install / upgrade / uninstall, the demo command, clear refusals."""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import pytest
import requests

import crmx
from conftest import REPO, _wait_for_http

CRMX = os.path.join(REPO, "scripts", "crmx.py")


def _run(args, env=None, timeout=120):
    return subprocess.run(
        args,
        cwd=REPO,
        env=dict(os.environ, **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_install_upgrade_uninstall(tmp_path):
    db = crmx.scratch_db("life")
    try:
        rc, log = crmx.new_addon_db(db)
        assert rc == 0, f"install failed, see {log}"
        assert crmx.module_state(db) == "installed"

        rc, log = crmx.run_odoo(
            db,
            "-u",
            "crm_extended",
            "--stop-after-init",
            "--log-level=warn",
            log_path=str(tmp_path / "upgrade.log"),
        )
        text = open(log, encoding="utf-8").read()
        assert rc == 0, text[-3000:]
        assert not [line for line in text.splitlines() if crmx.LEVEL_RE.match(line)], text[-3000:]

        script = textwrap.dedent("""
            module = env["ir.module.module"].search([("name", "=", "crm_extended")])
            module.button_immediate_uninstall()
            env.cr.commit()
        """)
        cmd = crmx.odoo_cmd(db, "--log-level=warn")
        cmd.insert(3, "shell")  # python3 -m odoo shell -d db ...
        proc = subprocess.run(
            cmd, input=script, capture_output=True, text=True, cwd=REPO, timeout=600
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        assert not crmx.log_problems((proc.stdout + proc.stderr).splitlines()), proc.stdout[-3000:]
        assert crmx.module_state(db) == "uninstalled"
        with crmx.pg_connect(db) as conn, conn.cursor() as cr:
            cr.execute("SELECT count(*) FROM ir_model_data WHERE module = 'crm_extended'")
            assert cr.fetchone()[0] == 0
            cr.execute("SELECT count(*) FROM res_groups WHERE name->>'en_US' = 'Credit Controller'")
            assert cr.fetchone()[0] == 0
    finally:
        crmx.drop_db(db)


def _start_demo(db, port):
    return subprocess.Popen(
        ["make", "-s", "demo"],
        cwd=REPO,
        env=dict(os.environ, CRMX_DB=db, CRMX_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _stop_demo(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out


def test_demo_command_serves_login_page():
    db = crmx.scratch_db("demo")
    port = crmx.free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        # first run: creates the database with crm_extended and demo data
        proc = _start_demo(db, port)
        try:
            assert _wait_for_http(f"{url}/web/login", proc, timeout=600), "no answer"
            response = requests.get(f"{url}/web/login", timeout=30)
            assert response.status_code == 200
            assert "login" in response.text
            uid = requests.post(
                f"{url}/jsonrpc",
                timeout=60,
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "service": "common",
                        "method": "login",
                        "args": [db, "admin", "admin"],
                    },
                },
            ).json()["result"]
            assert uid, "admin / admin must log in"
        finally:
            first = _stop_demo(proc)
        assert "creating demo database" in first, first[-2000:]
        time.sleep(1)
        # second run: reuses the database, updating the addon in it first
        proc = _start_demo(db, port)
        try:
            assert _wait_for_http(f"{url}/web/login", proc, timeout=600), "no answer"
        finally:
            second = _stop_demo(proc)
        assert "updating crm_extended" in second and "creating" not in second, second[-2000:]
    finally:
        time.sleep(1)
        crmx.drop_db(db)


def test_demo_refuses_taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = _run([sys.executable, CRMX, "demo"], env={"CRMX_PORT": str(port)})
    assert proc.returncode == 2
    assert f"port {port}" in proc.stderr and "already in use" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["demo", "test", "bench"])
def test_refuses_unreachable_postgresql(command):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    proc = _run([sys.executable, CRMX, command], env={"PGPORT": str(closed_port)})
    assert proc.returncode == 2
    assert "PostgreSQL is not reachable" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_refuses_missing_odoo():
    # -S: no site-packages, hence no Odoo on the path
    proc = _run([sys.executable, "-S", CRMX, "test"])
    assert proc.returncode == 2
    assert "Odoo is not importable" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_refuses_other_odoo_version(tmp_path):
    fake = tmp_path / "odoo"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "release.py").write_text("version_info = (18, 0, 0, 'final', 0)\nversion = '18.0'\n")
    proc = _run([sys.executable, "-S", CRMX, "demo"], env={"PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 2
    assert "Odoo 18.0" in proc.stderr and "needs Odoo 19.0" in proc.stderr


def test_ci_script_refuses_missing_odoo(tmp_path):
    # .ci/run must stop at once, before installing anything, when Odoo is missing
    fakebin = tmp_path / "bin"
    fakebin.mkdir()
    (fakebin / "python3").write_text(f'#!/bin/sh\nexec {sys.executable} -S "$@"\n')
    (fakebin / "python3").chmod(0o755)
    env = {"PATH": f"{fakebin}:{os.environ['PATH']}"}
    proc = _run(["bash", os.path.join(REPO, ".ci", "run")], env=env)
    assert proc.returncode == 2
    assert "Odoo 19.0 is not importable" in proc.stdout + proc.stderr
