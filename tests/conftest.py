"""Out-of-process tests: a real Odoo server, talked to as an integrator would.

The session fixture ``odoo`` installs crm_extended (with demo data) on a fresh
database copied from the dependencies' template, starts Odoo on a free port of
127.0.0.1, and stops it and drops the database at the end.
"""

import contextlib
import itertools
import os
import subprocess
import sys
import time

import pytest
import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))

import crmx  # noqa: E402


class RpcError(Exception):
    """An error answered by the Odoo server; ``message`` is Odoo's own text."""

    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


class OdooServer:
    def __init__(self, db, port, proc, log_path):
        self.db = db
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.proc = proc
        self.log_path = log_path
        self._uids = {}
        self._ids = itertools.count(1)
        self.session = requests.Session()

    def call(self, service, method, *args, timeout=120):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self._ids),
            "params": {"service": service, "method": method, "args": list(args)},
        }
        response = requests.post(f"{self.url}/jsonrpc", json=payload, timeout=timeout)
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RpcError(body["error"])
        return body.get("result")

    def uid(self, login, password):
        key = (login, password)
        if key not in self._uids:
            uid = self.call("common", "login", self.db, login, password)
            if not uid:
                raise RpcError({"message": f"login {login!r} refused"})
            self._uids[key] = uid
        return self._uids[key]

    def rpc(self, model, method, *args, login="admin", password="admin", **kwargs):
        uid = self.uid(login, password or login)
        return self.call(
            "object",
            "execute_kw",
            self.db,
            uid,
            password or login,
            model,
            method,
            list(args),
            kwargs,
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".", 1)
        rows = self.rpc(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            ["res_id"],
        )
        if not rows:
            raise KeyError(xmlid)
        return rows[0]["res_id"]

    def new_user(self, login, group_xmlids=(), **values):
        """Create an internal user (password = login) in the given groups; return its uid."""
        group_ids = [self.ref(x) for x in group_xmlids]
        vals = {
            "name": login.replace("_", " ").title(),
            "login": login,
            "password": login,
            "group_ids": [(6, 0, group_ids)],
        }
        vals.update(values)
        return self.rpc("res.users", "create", vals)


def _wait_for_http(url, proc, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=5).status_code == 200:
                return True
        time.sleep(1)
    return False


@pytest.fixture(scope="session")
def odoo():
    try:
        crmx.check_odoo()
        crmx.check_pg()
    except crmx.CrmxError as exc:
        pytest.fail(str(exc))
    db = crmx.scratch_db("rpc")
    rc, log = crmx.new_addon_db(db)
    if rc != 0:
        crmx.drop_db(db)
        pytest.fail(f"installing crm_extended failed, see {log}")
    port = crmx.free_port()
    log_path = os.path.join(crmx.LOG_DIR, "odoo-rpc-server.log")
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            # no scheduled jobs: they would run at random moments of the tests
            # (and be cut off at shutdown), logging what no test asked for
            crmx.odoo_cmd(
                db,
                f"--db-filter=^{db}$",
                "--log-level=warn",
                "--max-cron-threads=0",
                http_port=port,
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    server = OdooServer(db, port, proc, log_path)
    try:
        if not _wait_for_http(f"{server.url}/web/login", proc):
            pytest.fail(f"Odoo did not answer on {server.url}; see {log_path}")
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        crmx.drop_db(db)
