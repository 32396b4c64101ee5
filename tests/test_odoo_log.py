"""The Odoo test phase of `make test`: tests ran, none skipped, no warning of ours."""

import os

import pytest

import crmx

LOG = os.environ.get("CRMX_ODOO_TEST_LOG")


@pytest.fixture(scope="module")
def summary():
    if not LOG:
        pytest.skip("run through `make test`, which passes the Odoo test log")
    return crmx.analyse_test_log(LOG)


def test_odoo_tests_ran_and_passed(summary):
    assert summary["total"], "no Odoo test ran"
    assert summary["failed"] == 0 and summary["errors"] == 0, summary


def test_no_odoo_test_skipped(summary):
    assert not summary["skipped"], "\n".join(summary["skipped"])


def test_no_warning_or_error_from_crm_extended(summary):
    assert not summary["ours"], "\n".join(summary["ours"][:20])


def test_log_analysis_catches_problems(tmp_path):
    log = tmp_path / "odoo.log"
    log.write_text(
        "2026-01-01 10:00:00,000 1 INFO db odoo.addons.crm_extended.tests.test_x: "
        "skipped test_tour (odoo.addons.crm_extended.tests.test_x.T) : Chrome not found\n"
        "2026-01-01 10:00:00,000 1 WARNING db py.warnings: /x/crm_extended/models/a.py:3: "
        "DeprecationWarning: old\n"
        "2026-01-01 10:00:00,000 1 WARNING db odoo.addons.base.models.ir_model: Two fields "
        "(c360_x, credit_x) of res.users() have the same label: X. [Modules: None and None]\n"
        "2026-01-01 10:00:01,000 1 INFO ? odoo.tests.result: 0 failed, 1 error(s) of 7 tests "
        "when loading database 'db'\n"
    )
    result = crmx.analyse_test_log(str(log))
    assert (result["failed"], result["errors"], result["total"]) == (0, 1, 7)
    assert len(result["skipped"]) == 1
    assert len(result["ours"]) == 2
