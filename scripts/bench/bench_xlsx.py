"""XLSX export of 100,000 warranty contracts: time, queries and peak memory.

Reuses the 100,000 contracts seeded by bench_warranty (run before this one);
seeds them itself when run alone.

Besides the in-process timings, it starts a real Odoo server (threaded, one
process) on the bench database and downloads the export as a user would: the
streaming route ``/crm_extended/xlsx/<wizard>`` (the Export button), then, on a
fresh server, the in-memory path (``action_export`` over RPC, then
``/web/content``). For each it prints the server's resident memory (RSS) when
idle (after a small warm-up export), its peak during the download (sampled, and
the kernel's high-water mark ``VmHWM`` reset beforehand), and the growth, against
the budget of 60 MiB.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc

ORDER = 60
N_ROWS = 100_000
RSS_BUDGET_MIB = 60
BENCH_PASSWORD = "bench-xlsx"  # noqa: S105  (scratch database)


def run(b):
    Contract = b.env["crm.warranty.contract"]
    have = Contract.search_count([("company_id", "=", b.env.company.id)])
    if have < N_ROWS:
        partner = b.env["res.partner"].create({"name": "Bench xlsx customer"})
        product = b.env["product.product"].create({"name": "Bench xlsx product", "type": "consu"})
        b.env.flush_all()
        b.sql(
            """
            INSERT INTO crm_warranty_contract (
                name, partner_id, product_id, quantity, date_start, date_end, warranty_type,
                state, company_id, currency_id, create_uid, write_uid, create_date, write_date)
            SELECT 'WAR/XLSX/' || i, %s, %s, 1, CURRENT_DATE, CURRENT_DATE + i %% 700,
                   'standard', 'active', %s, %s, 1, 1, now(), now()
              FROM generate_series(1, %s) AS i
            """,
            partner.id,
            product.id,
            b.env.company.id,
            b.env.company.currency_id.id,
            N_ROWS - have,
        )
        b.commit()
    rows = Contract.search_count([("company_id", "=", b.env.company.id)])

    def export():
        wizard = b.env["crm.extended.xlsx.export"].create({"report_type": "warranty_expiry"})
        wizard.action_export()
        return wizard

    b.env.invalidate_all()
    tracemalloc.start()
    start = time.perf_counter()
    export()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    b.cr.rollback()
    b.report(
        f"xlsx export of {rows} warranty rows (one run, traced)",
        elapsed,
        note=f"peak Python memory {peak / 2**20:.1f} MiB (limit 60 MiB)",
    )
    b.repeat = 1
    try:
        b.measure(
            f"xlsx export of {rows} warranty rows (untraced)",
            export,
            "SELECT c.name, p.name, c.serial_number, c.quantity, c.date_start, c.date_end, "
            "c.state, c.amount FROM crm_warranty_contract c JOIN res_partner p "
            "ON p.id = c.partner_id WHERE c.company_id = %s ORDER BY c.date_end, c.id",
            b.env.company.id,
        )
    finally:
        b.repeat = 5
    _server_rss(b, rows)


# ---------------------------------------------------------------- real server
def _free_port():
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _proc_status(pid, key):
    """A memory figure of /proc/<pid>/status (VmRSS, VmHWM), in MiB."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} for process {pid}")


def _reset_peak(pid):
    """Reset the kernel's RSS high-water mark (VmHWM) of the process (Linux)."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/clear_refs", "w") as refs:
        refs.write("5")


class _Server:
    """One threaded Odoo server on the bench database, on 127.0.0.1 and a free port."""

    def __init__(self, dbname):
        from odoo.tools import config  # noqa: PLC0415

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        addons = config["addons_path"]
        cmd = [
            sys.executable,
            "-m",
            "odoo",
            "-d",
            dbname,
            f"--addons-path={','.join(addons) if isinstance(addons, list) else addons}",
            f"--data-dir={config['data_dir']}",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            "--workers=0",
            "--max-cron-threads=0",
            "--no-database-list",
            "--log-level=warn",
        ]
        for key in ("db_host", "db_port", "db_user", "db_password"):
            if config.get(key):
                cmd.append(f"--{key}={config[key]}")
        self.log = tempfile.TemporaryFile(prefix="crmx_bench_xlsx_")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self):
        import requests  # noqa: PLC0415

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Odoo server stopped: {self.tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/web/login", timeout=5).status_code == 200:
                    return self
            time.sleep(0.5)
        raise RuntimeError("the Odoo server did not answer within 180 s")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def tail(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def session(self, dbname, login, password):
        import requests  # noqa: PLC0415

        session = requests.Session()
        response = session.post(
            self.url + "/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": dbname, "login": login, "password": password}},
            timeout=60,
        )
        response.raise_for_status()
        if response.json().get("error") or not response.json().get("result"):
            raise RuntimeError(f"login refused: {response.text[:300]}")
        return session

    def download(self, session, url, rpc=None):
        """GET url (after the optional RPC call): (seconds, bytes, peak RSS in MiB)."""
        pid = self.proc.pid
        peak = [_proc_status(pid, "VmRSS")]
        done = threading.Event()

        def sample():
            while not done.wait(0.02):
                with contextlib.suppress(OSError, RuntimeError):
                    peak.append(_proc_status(pid, "VmRSS"))

        _reset_peak(pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        size = 0
        try:
            if rpc:
                model, method, ids = rpc
                response = session.post(
                    f"{self.url}/web/dataset/call_kw/{model}/{method}",
                    json={
                        "jsonrpc": "2.0",
                        "params": {"model": model, "method": method, "args": [ids], "kwargs": {}},
                    },
                    timeout=1800,
                )
                response.raise_for_status()
                if response.json().get("error"):
                    raise RuntimeError(response.text[:500])
                url = response.json()["result"]["url"]
            with session.get(self.url + url, stream=True, timeout=1800) as response:
                response.raise_for_status()
                for block in response.iter_content(1 << 16):
                    size += len(block)
        finally:
            done.set()
            sampler.join()
        elapsed = time.perf_counter() - start
        with contextlib.suppress(OSError, RuntimeError):
            peak.append(_proc_status(pid, "VmHWM"))
        return elapsed, size, max(peak)


def _server_rss(b, rows):
    """RSS of a real Odoo server process around a download of the whole export."""
    if not os.path.exists("/proc/self/status"):
        print("   server memory: skipped (needs Linux /proc)", flush=True)
        return
    env = b.env
    admin = env.ref("base.user_admin")
    admin.password = BENCH_PASSWORD
    Export = env["crm.extended.xlsx.export"].with_user(admin)
    warm = Export.create(
        {"report_type": "warranty_expiry", "date_from": "2000-01-01", "date_to": "2000-01-02"}
    )
    full = Export.create({"report_type": "warranty_expiry"})
    b.commit()
    dbname = env.cr.dbname
    results = []
    paths = [
        ("streamed (/crm_extended/xlsx, the Export button)", f"/crm_extended/xlsx/{full.id}", None),
        (
            "in memory (action_export + /web/content)",
            None,
            ("crm.extended.xlsx.export", "action_export", [full.id]),
        ),
    ]
    for label, url, rpc in paths:
        with _Server(dbname) as server:
            session = server.session(dbname, admin.login, BENCH_PASSWORD)
            # warm-up: the same code paths on an empty range, twice
            for _ in range(2):
                server.download(session, f"/crm_extended/xlsx/{warm.id}")
            time.sleep(1)
            idle = _proc_status(server.proc.pid, "VmRSS")
            elapsed, size, peak = server.download(session, url, rpc)
            growth = peak - idle
            results.append((label, growth))
            verdict = "OK" if growth <= RSS_BUDGET_MIB else "OVER"
            b.report(
                f"server download of {rows} rows, {label[:22]}",
                elapsed,
                note=(
                    f"{size / 2**20:.1f} MiB file; server RSS idle {idle:.0f} MiB, "
                    f"peak {peak:.0f} MiB, +{growth:.1f} MiB (budget {RSS_BUDGET_MIB} MiB: "
                    f"{verdict}) [{label}]"
                ),
            )
