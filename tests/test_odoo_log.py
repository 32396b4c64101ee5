"""The runner's log analysis and exit rules (scripts/crmx.py), on small synthetic logs.

Fast unit tests: no Odoo, no database. `make test` applies these functions to the
real logs (Odoo test phase, RPC server, install logs of the fixtures) and fails on
what they report.
"""

import ast
import os
import textwrap

import crmx
from conftest import REPO

T = "2026-01-01 10:00:00,000 42"
MOD = "odoo.addons.crm_extended.tests.test_x"


def log(*lines):
    return [line + "\n" for line in lines]


def started(klass, method, module=MOD, db="db"):
    return f"{T} INFO {db} {module}: Starting {klass}.{method} ... "


def result(failed, errors, total):
    level = "ERROR" if failed or errors else "INFO"
    return f"{T} {level} ? odoo.tests.result: {failed} failed, {errors} error(s) of {total} tests when loading database 'db'"  # noqa: E501


def summary(lines, expected=None, modules=("crm_extended",)):
    parsed = crmx.parse_test_log(lines, modules)
    return dict(parsed, **crmx.count_tests(parsed, expected))


def test_passing_tests_are_counted_once_each():
    s = summary(log(started("A", "test_1"), started("A", "test_2"), result(0, 0, 2)))
    assert (s["passed"], s["failed"], s["skipped"]) == (2, 0, 0)
    assert s["result"] == (0, 0, 2)
    assert not s["level_lines"]


def test_failing_subtests_count_their_test_once():
    # 600 failing subtests of one test, plus a plain failure and an error of two others
    lines = [started("I18n", "test_terms"), started("A", "test_ok"), started("A", "test_f")]
    lines.append(started("A", "test_e"))
    for n in range(600):
        lines += [
            f"{T} INFO db {MOD}: {'=' * 70}",
            f"{T} ERROR db {MOD}: FAIL: Subtest I18n.test_terms (msgid='term {n}')",
            "Traceback (most recent call last):",
            "AssertionError: untranslated",
        ]
    lines += [
        f"{T} ERROR db {MOD}: FAIL: A.test_f",
        "AssertionError: 1 != 2",
        f"{T} ERROR db {MOD}: ERROR: A.test_e",
        "ValueError: boom",
        # an error in the cleanup of an already failed test does not count twice
        f"{T} ERROR db {MOD}: ERROR: A.test_f",
        result(601, 2, 4),
    ]
    s = summary(log(*lines))
    assert (s["passed"], s["failed"]) == (1, 3)
    assert s["failed_ids"] == [f"{MOD}.A.test_e", f"{MOD}.A.test_f", f"{MOD}.I18n.test_terms"]
    assert not s["level_lines"], "test reports are counted as tests, not as log problems"


def test_setupclass_error_fails_every_test_of_the_class():
    expected = {
        f"{MOD}.Broken": ["test_a", "test_b", "test_c"],
        f"{MOD}.Fine": ["test_d"],
    }
    s = summary(
        log(
            f"{T} INFO db odoo.tests.suite: {'=' * 70}",
            f"{T} ERROR db odoo.tests.suite: ERROR: setUpClass ({MOD}.Broken)",
            "Traceback (most recent call last):",
            "KeyError: 'x'",
            started("Fine", "test_d"),
            result(0, 1, 1),
        ),
        expected,
    )
    assert (s["passed"], s["failed"]) == (1, 3)
    assert s["class_failed"] == {f"{MOD}.Broken"}
    assert s["not_run"] == [], "tests of a broken class are failed, not also 'not run'"


def test_setupclass_error_of_unknown_class_still_fails():
    s = summary(
        log(f"{T} ERROR db odoo.tests.suite: ERROR: setUpClass ({MOD}.Gone)", result(0, 1, 0))
    )
    assert s["failed"] == 1 and s["passed"] == 0


def test_teardownclass_error_fails_the_tests_that_ran():
    s = summary(
        log(
            started("A", "test_1"),
            started("A", "test_2"),
            started("B", "test_3"),
            f"{T} ERROR db odoo.tests.suite: ERROR: tearDownClass ({MOD}.A)",
            result(0, 1, 3),
        )
    )
    assert (s["passed"], s["failed"]) == (1, 2)


def test_expected_test_that_never_started_is_failed_and_listed():
    expected = {f"{MOD}.A": ["test_1"], "odoo.addons.crm_extended.tests.test_dropped.D": ["test_9"]}
    s = summary(log(started("A", "test_1"), result(0, 0, 1)), expected)
    assert (s["passed"], s["failed"]) == (1, 1)
    assert s["not_run"] == ["odoo.addons.crm_extended.tests.test_dropped.D.test_9"]


def test_no_result_line_and_nothing_ran():
    s = summary(log(f"{T} CRITICAL db odoo.service.server: Failed to initialize database `db`."))
    assert s["result"] is None
    assert (s["passed"], s["failed"]) == (0, 0)
    assert len(s["level_lines"]) == 1
    assert crmx.verdict(s["passed"], s["failed"]) == 1


def test_failures_odoo_counted_but_log_does_not_name_still_fail():
    s = summary(log(started("A", "test_1"), result(1, 0, 1)))
    assert s["failed"] == 1


def test_skipped_tests_and_classes():
    expected = {f"{MOD}.Tour": ["test_tour"], f"{MOD}.Skip": ["test_a", "test_b"]}
    s = summary(
        log(
            started("Tour", "test_tour"),
            f"{T} INFO db {MOD}: skipped Tour.test_tour : Chrome not found",
            f"{T} INFO db odoo.tests.suite: skipped setUpClass ({MOD}.Skip) : no demo",
            result(0, 0, 1),
        ),
        expected,
    )
    assert (s["passed"], s["failed"], s["skipped"]) == (0, 0, 3)


def test_warnings_and_errors_are_log_problems_but_test_reports_are_not():
    s = summary(
        log(
            f"{T} WARNING db py.warnings: /x/crm_extended/models/a.py:3: DeprecationWarning: old",
            f"{T} WARNING db odoo.addons.base.models.ir_model: Two fields (c360_x, credit_x) "
            "of res.users() have the same label: X.",
            f"{T} INFO db odoo.modules.loading: Modules loaded.",
            started("A", "test_1"),
            f"{T} ERROR db {MOD}: FAIL: A.test_1",
            f"{T} ERROR db odoo.modules.loading: At least one test failed when loading the modules.",
            result(1, 0, 1),
        )
    )
    assert len(s["level_lines"]) == 2
    assert s["failed"] == 1


def test_other_addons_tests_are_not_counted():
    other = "odoo.addons.sale.tests.test_y"
    s = summary(
        log(
            started("A", "test_1"),
            started("S", "test_s", module=other),
            f"{T} ERROR db {other}: FAIL: S.test_s",
        )
    )
    assert (s["passed"], s["failed"]) == (1, 0)
    host = summary(
        log(started("S", "test_s", module=other), f"{T} ERROR db {other}: FAIL: S.test_s"),
        modules=("crm", "sale", "sale_crm"),
    )
    assert (host["passed"], host["failed"]) == (0, 1)


def test_rpc_server_log_allows_only_refusals_logged_by_odoo_http():
    lines = log(
        f"{T} WARNING db odoo.http: The operation cannot be completed: on hold",
        f"{T} WARNING db odoo.http: You are not allowed to access 'Credit' (res.partner) records.",
        f"{T} ERROR db odoo.http: Exception during request handling.",
        "Traceback (most recent call last):",
        f"{T} WARNING db odoo.addons.crm_extended.models.res_partner: odd value",
        f"{T} WARNING db odoo.models: crm.lead.read() with unknown field 'x'",
        f"{T} INFO db werkzeug: 127.0.0.1 - - POST /jsonrpc 200",
    )
    problems = crmx.log_problems(lines, crmx.RPC_SERVER_ALLOWED)
    assert [p.split(" ", 5)[5] for p in problems] == [
        "odoo.http: Exception during request handling.",
        "odoo.addons.crm_extended.models.res_partner: odd value",
        "odoo.models: crm.lead.read() with unknown field 'x'",
    ]
    # install logs allow nothing
    assert len(crmx.log_problems(lines)) == 5


def test_rpc_server_log_allows_what_the_tests_provoke_and_nothing_else():
    lines = log(
        f"{T} ERROR db odoo.sql_db: bad query: b'INSERT INTO \"crm_competitor\" ...'",
        'ERROR: duplicate key value violates unique constraint "crm_competitor_name_uniq"',
        "DETAIL:  Key (name)=(x) already exists.",
        f"{T} ERROR db odoo.sql_db: bad query: b'UPDATE crm_credit_guard ...'",
        "ERROR:  could not serialize access due to concurrent update",
        f"{T} WARNING db odoo.addons.rpc.controllers.jsonrpc: The /xmlrpc, /xmlrpc/2 and "
        "/jsonrpc endpoints are deprecated in Odoo 19",
        f"{T} ERROR db odoo.http: Exception during request handling.",
        "Traceback (most recent call last):",
        "AttributeError: The method 'res.partner.no_such_method' does not exist",
        # not provoked by a test: each is a problem
        f"{T} ERROR db odoo.sql_db: bad query: b'SELECT broken'",
        'ERROR:  column "credit_x" does not exist',
        f"{T} ERROR db odoo.http: Exception during request handling.",
        "Traceback (most recent call last):",
        "AttributeError: 'NoneType' object has no attribute 'id'",
    )
    problems = crmx.log_problems(lines, crmx.RPC_SERVER_ALLOWED)
    assert [p.split(" ", 5)[5] for p in problems] == [
        "odoo.sql_db: bad query: b'SELECT broken'",
        "odoo.http: Exception during request handling.",
    ]


def test_pytest_junit_counts_each_test_once(tmp_path):
    junit = tmp_path / "pytest.xml"
    junit.write_text(
        textwrap.dedent("""\
        <?xml version="1.0" encoding="utf-8"?>
        <testsuites><testsuite name="pytest" errors="2" failures="1" skipped="1" tests="6">
          <testcase classname="tests.test_a" name="test_ok"/>
          <testcase classname="tests.test_a" name="test_fail"><failure message="x"/></testcase>
          <testcase classname="tests.test_a" name="test_teardown"/>
          <testcase classname="tests.test_a" name="test_teardown"><error message="t"/></testcase>
          <testcase classname="tests.test_a" name="test_skip"><skipped message="s"/></testcase>
          <testcase classname="tests" name="tests.test_b"><error message="collection"/></testcase>
        </testsuite></testsuites>
        """)
    )
    assert crmx.pytest_counts(str(junit)) == {"passed": 1, "failed": 3, "skipped": 1}


def test_closing_line_and_exit_rules():
    assert crmx.total_line("total", 250, 0) == "total: 250 passed, 0 failed"
    assert crmx.total_line("total", 9, 1, 2, 3) == (
        "total: 9 passed, 1 failed, 2 skipped, 3 log problems"
    )
    assert crmx.verdict(250, 0) == 0
    assert crmx.verdict(0, 0) == 1, "no test ran"
    assert crmx.verdict(250, 1) == 1
    assert crmx.verdict(250, 0, skipped=1) == 1, "a skipped tour is not a pass"
    assert crmx.verdict(250, 0, log_lines=1) == 1
    assert crmx.verdict(250, 0, problems=["Odoo exited with 1"]) == 1


def test_expected_tests_read_from_the_files(tmp_path):
    (tmp_path / "__init__.py").write_text("from . import test_a\n")
    (tmp_path / "common.py").write_text("class Base:\n    def test_not_here(self): pass\n")
    (tmp_path / "test_a.py").write_text(
        textwrap.dedent("""\
        from odoo.tests import TransactionCase, tagged

        class Common(TransactionCase):
            def helper(self): pass

        @tagged("post_install", "-at_install")
        class TestA(Common):
            def test_1(self): pass
            def test_2(self): pass
            def _test_private(self): pass

        @tagged("-standard", "bench")
        class TestBench(Common):
            def test_slow(self): pass
        """)
    )
    (tmp_path / "test_dropped.py").write_text("class TestD:\n    def test_9(self): pass\n")
    found = crmx.expected_tests(str(tmp_path))
    assert found == {
        "odoo.addons.crm_extended.tests.test_a.TestA": ["test_1", "test_2"],
        "odoo.addons.crm_extended.tests.test_dropped.TestD": ["test_9"],
    }


def test_every_test_file_of_the_addon_is_imported():
    # the runner fails on tests that never ran; this says which import is missing
    tests_dir = os.path.join(REPO, "crm_extended", "tests")
    with open(os.path.join(tests_dir, "__init__.py"), encoding="utf-8") as init:
        imported = {
            alias.name
            for node in ast.parse(init.read()).body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
    files = {path.rsplit(".", 2)[-2] for path in crmx.expected_tests(tests_dir)}
    assert files, "no test found in crm_extended/tests"
    assert files <= imported, f"not imported in tests/__init__.py: {sorted(files - imported)}"


def test_only_a_few_failed_browser_tours_run_again(tmp_path):
    ui = "odoo.addons.crm.tests.test_crm_ui"
    tour = f"{ui}.TestUi.test_03_crm_tour_forecast"
    other = f"{ui}.TestUi.test_email_and_phone_propagation_edit_save"
    path = tmp_path / "host.log"
    path.write_text(
        "".join(
            log(
                f"{T} ERROR db {tour}.browser: FAILED: [7/21] Tour crm_forecast → Step x",
                f"{T} ERROR db {ui}: FAIL: TestUi.test_03_crm_tour_forecast",
                f"{T} ERROR db {ui}: FAIL: TestUi.test_email_and_phone_propagation_edit_save",
            )
        ),
        encoding="utf-8",
    )
    # a tour step failure is retried; a failed assertion of a Python test is not
    assert crmx._failed_tours(str(path), [tour]) == [tour]
    assert crmx._failed_tours(str(path), [tour, other]) == []
    # many failed tours are a regression, not a flake
    many = [f"{ui}.TestUi.test_{n}" for n in range(crmx.HOST_TOUR_RETRY_LIMIT + 1)]
    path.write_text(
        "".join(log(*(f"{T} ERROR db {t}.browser: FAILED: [1/2] Tour t" for t in many))),
        encoding="utf-8",
    )
    assert crmx._failed_tours(str(path), many) == []
    assert crmx._failed_tours(str(path), many[:2]) == many[:2]
