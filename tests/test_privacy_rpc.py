"""Issue 23 over JSON-RPC, as the lesser users who tried it."""

import pytest

from conftest import RpcError

CREDIT_SEARCHES = [
    [("credit_on_hold", "=", True)],
    [("credit_status", "=", "hold")],
    [("credit_over_limit", "=", True)],
    [("credit_overdue_days", ">", 30)],
]


def test_plain_internal_user_cannot_search_credit_or_insights(odoo):
    odoo.new_user("priv_rpc_internal", ["base.group_user"])
    as_user = {"login": "priv_rpc_internal", "password": "priv_rpc_internal"}
    for domain in [*CREDIT_SEARCHES, [("rfm_segment", "=", "lost")]]:
        with pytest.raises(RpcError) as info:
            odoo.rpc("res.partner", "search_count", domain, **as_user)
        assert info.value.name == "odoo.exceptions.AccessError", domain
    with pytest.raises(RpcError) as info:
        odoo.rpc("res.partner", "read", [odoo.ref("base.res_partner_1")], ["churn_probability"],
                 **as_user)  # fmt: skip
    assert info.value.name == "odoo.exceptions.AccessError"


def test_odd_overdue_day_values_get_a_sentence(odoo):
    odoo.new_user("priv_rpc_sales", ["sales_team.group_sale_salesman"])
    as_user = {"login": "priv_rpc_sales", "password": "priv_rpc_sales"}
    # the salesperson may search the field
    odoo.rpc("res.partner", "search_count", [("credit_overdue_days", ">", 30)], **as_user)
    for value in (None, True):
        with pytest.raises(RpcError) as info:
            odoo.rpc(
                "res.partner", "search_count", [("credit_overdue_days", ">", value)], **as_user
            )
        assert info.value.name == "odoo.exceptions.UserError"
        assert "can only be compared with a number of days" in info.value.message


def test_other_users_workbook_is_private(odoo):
    odoo.new_user(
        "priv_rpc_controller",
        ["crm_extended.group_credit_controller", "sales_team.group_sale_salesman"],
    )
    odoo.new_user("priv_rpc_seller", ["sales_team.group_sale_salesman"])
    as_controller = {"login": "priv_rpc_controller", "password": "priv_rpc_controller"}
    as_seller = {"login": "priv_rpc_seller", "password": "priv_rpc_seller"}
    export = odoo.rpc(
        "crm.extended.xlsx.export", "create", {"report_type": "credit_exposure"}, **as_controller
    )
    odoo.rpc("crm.extended.xlsx.export", "action_export", [export], **as_controller)
    [row] = odoo.rpc("crm.extended.xlsx.export", "read", [export], ["file_data"], **as_controller)
    assert row["file_data"]
    with pytest.raises(RpcError) as info:
        odoo.rpc("crm.extended.xlsx.export", "read", [export], ["file_data"], **as_seller)
    assert info.value.name == "odoo.exceptions.AccessError"
    assert odoo.rpc("crm.extended.xlsx.export", "search", [], **as_seller) == []
