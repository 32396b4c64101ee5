"""The out-of-process harness: a real server with crm_extended, used over JSON-RPC."""

import pytest

from conftest import RpcError


def test_addon_installed_with_demo_data(odoo):
    modules = odoo.rpc(
        "ir.module.module", "search_read", [("name", "=", "crm_extended")], ["state", "demo"]
    )
    assert modules == [{"id": modules[0]["id"], "state": "installed", "demo": True}]


def test_new_user_logs_in_with_given_groups(odoo):
    uid = odoo.new_user("smoke_salesman", ["sales_team.group_sale_salesman"])
    me = odoo.rpc(
        "res.users", "read", [uid], ["login"], login="smoke_salesman", password="smoke_salesman"
    )
    assert me[0]["login"] == "smoke_salesman"
    assert odoo.rpc(
        "res.users",
        "has_group",
        [uid],
        "sales_team.group_sale_salesman",
        login="smoke_salesman",
        password="smoke_salesman",
    )


def test_server_errors_carry_odoo_message(odoo):
    with pytest.raises(RpcError) as info:
        odoo.rpc("res.partner", "no_such_method")
    assert "no_such_method" in info.value.message
