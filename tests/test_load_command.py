"""`make load`: the pieces that decide its verdict, without servers (the run itself is CI's)."""

import importlib.util
import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))

import crmx  # noqa: E402


def _load(name):
    path = os.path.join(REPO, "scripts", "load", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"crmx_load_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load("run")
seed = _load("seed")


def test_full_volumes_are_the_issues_and_scale_down_for_ci():
    full = seed.volumes(1.0)
    assert full["customers"] >= 10_000
    assert full["leads"] >= 100_000
    assert full["orders"] >= 50_000
    assert full["invoice_lines"] >= 200_000
    small = seed.volumes(0.01)
    assert small["customers"] == 100
    assert small["leads"] == 1000
    # never so small that a third with limits and a few holds would be empty
    assert seed.volumes(0.0001)["customers"] >= 60


def test_defaults_are_the_full_run(monkeypatch):
    for name in ("CRMX_LOAD_SECONDS", "CRMX_LOAD_USERS", "CRMX_LOAD_SCALE"):
        monkeypatch.delenv(name, raising=False)
    cfg = run.settings()
    assert cfg["users"] >= 40
    assert cfg["scale"] == 1.0
    monkeypatch.setenv("CRMX_LOAD_SECONDS", "20")
    monkeypatch.setenv("CRMX_LOAD_USERS", "5")
    assert (run.settings()["seconds"], run.settings()["users"]) == (20, 5)


def test_warm_up_before_measuring_both_databases(monkeypatch):
    monkeypatch.delenv("CRMX_LOAD_WARMUP", raising=False)
    monkeypatch.delenv("CRMX_LOAD_SECONDS", raising=False)
    assert run.settings()["warmup"] == 30
    monkeypatch.setenv("CRMX_LOAD_SECONDS", "30")  # the short run of CI
    assert run.settings()["warmup"] == 7
    monkeypatch.setenv("CRMX_LOAD_WARMUP", "0")
    assert run.settings()["warmup"] == 0
    # the same warm-up on the servers of each database, before its measured run
    source = open(run.__file__, encoding="utf-8").read()
    assert source.count("warm_up(") == 3  # defined once, called for each database


def _result(p95, count, seconds=10):
    return {
        "ops": {
            name: {"count": count, "errors": 0, "p50": p95 / 2, "p95": p95, "rps": 0}
            for name in run.CORE_OPS
        },  # fmt: skip
        "seconds": seconds,
        "users": 5,
        "outcomes": {},
    }


def test_ratios_flag_a_missed_budget(capsys):
    assert run.print_ratios(_result(110, 100), _result(100, 100)) == []
    misses = run.print_ratios(_result(130, 80), _result(100, 100))
    assert misses == [
        f"{key} of {name}: 1.30x"
        for name in ("pipeline", "customer form", "quotation confirm", "invoice post")
        for key in ("p50", "p95")
    ] + ["throughput: 0.80x"]
    out = capsys.readouterr().out
    assert "OVER" in out and "p50 addon" in out


def test_ratios_flag_a_slow_median_hidden_by_queueing():
    """At saturation p95 is mostly queueing: a median 1.6x slower is a miss even
    when p95 is within the budget."""
    with_addon = _result(100, 100)
    for op in with_addon["ops"].values():
        op["p50"] = 80  # Odoo alone: 50 (_result's p95 / 2)
    assert run.print_ratios(with_addon, _result(100, 100)) == [
        f"p50 of {name}: 1.60x"
        for name in ("pipeline", "customer form", "quotation confirm", "invoice post")
    ]


def test_locust_comes_from_its_own_virtualenv(monkeypatch, tmp_path):
    """Without Locust, the command makes a virtualenv of its own from PyPI (never in
    Odoo's Python); a failed install is one clear message naming CRMX_LOCUST."""
    monkeypatch.delenv("CRMX_LOCUST", raising=False)
    monkeypatch.setattr(run.shutil, "which", lambda name: None)
    venv = tmp_path / "locust-venv"
    monkeypatch.setattr(run, "LOCUST_VENV", str(venv))
    steps = []

    class Done:
        def __init__(self, returncode):
            self.returncode, self.stdout, self.stderr = returncode, "", "no network"

    def fails(cmd, **kwargs):
        steps.append(cmd)
        return Done(1)

    monkeypatch.setattr(run.subprocess, "run", fails)
    with pytest.raises(crmx.CrmxError, match="CRMX_LOCUST"):
        run.locust_command(crmx)
    assert steps[0][1:3] == ["-m", "venv"] and steps[0][3] == str(venv)

    def installs(cmd, **kwargs):
        steps.append(cmd)
        if "pip" in cmd:
            assert cmd[0] == str(venv / "bin" / "python"), "Locust must not go into Odoo's Python"
            assert cmd[-1].endswith("requirements-load.txt")
            (venv / "bin").mkdir(parents=True)
            (venv / "bin" / "locust").write_text("")
        return Done(0)

    monkeypatch.setattr(run.subprocess, "run", installs)
    assert run.locust_command(crmx) == [str(venv / "bin" / "locust")]
    steps.clear()
    assert run.locust_command(crmx) == [str(venv / "bin" / "locust")]
    assert steps == [], "an existing virtualenv is reused"
    monkeypatch.setenv("CRMX_LOCUST", "/opt/venv/bin/locust")
    assert run.locust_command(crmx) == ["/opt/venv/bin/locust"]


def test_locust_is_pinned_for_the_load_command():
    with open(os.path.join(REPO, "requirements-load.txt"), encoding="utf-8") as reqs:
        pins = [line.strip() for line in reqs if line.strip() and not line.startswith("#")]
    assert pins and all("==" in pin for pin in pins)
    assert any(pin.startswith("locust==") for pin in pins)


def test_server_logs_fail_on_errors_and_on_the_addons_own_warnings(tmp_path):
    log = tmp_path / "server.log"
    log.write_text(
        "2026-11-30 07:00:00,000 11 WARNING db odoo.tools.config: a notice of Odoo\n"
        "2026-11-30 07:00:01,000 12 WARNING db odoo.addons.crm_extended.models.x: ours\n"
        "2026-11-30 07:00:02,000 13 ERROR db odoo.sql_db: bad query\n"
        "2026-11-30 07:00:03,000 14 INFO db odoo.modules.loading: fine\n",
        encoding="utf-8",
    )
    servers = run.Servers.__new__(run.Servers)
    servers.crmx, servers.logs = crmx, [str(log)]
    errors, warnings = servers.problems()
    assert [line.split(" ", 4)[3] for line in errors] == ["WARNING", "ERROR"]
    assert "ours" in errors[0] and "bad query" in errors[1]
    assert dict(warnings) == {"odoo.tools.config": 1}
