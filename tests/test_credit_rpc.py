"""Credit control over JSON-RPC: concurrent confirmations, holds and approvals."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import RpcError

SALES_GROUPS = ["sales_team.group_sale_salesman", "base.group_partner_manager"]


@pytest.fixture(scope="module")
def credit_users(odoo):
    logins = ["crmx_credit_rpc_sales1", "crmx_credit_rpc_sales2"]
    for login in logins:
        odoo.new_user(login, SALES_GROUPS)
        odoo.uid(login, login)  # log in now, not inside the race
    odoo.new_user(
        "crmx_credit_rpc_controller",
        SALES_GROUPS + ["crm_extended.group_credit_controller"],
    )
    return logins


def _product(odoo, price):
    return odoo.rpc(
        "product.product",
        "create",
        {"name": f"RPC credit product {price}", "list_price": price, "taxes_id": [(5, 0, 0)]},
    )


def _quotation(odoo, partner, product, login):
    return odoo.rpc(
        "sale.order",
        "create",
        {
            "partner_id": partner,
            "order_line": [(0, 0, {"product_id": product, "tax_ids": [(5, 0, 0)]})],
        },
        login=login,
        password=login,
    )


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_confirmations_never_exceed_limit(odoo, credit_users, attempt):
    partner = odoo.rpc(
        "res.partner",
        "create",
        {"name": f"RPC Race Customer {attempt}", "is_company": True, "credit_limit": 100.0},
    )
    product = _product(odoo, 60.0)
    orders = [_quotation(odoo, partner, product, login) for login in credit_users]
    barrier = threading.Barrier(len(orders))

    def confirm(index):
        login = credit_users[index]
        barrier.wait(timeout=30)
        try:
            odoo.rpc("sale.order", "action_confirm", [orders[index]], login=login, password=login)
        except RpcError as error:
            return error
        return None

    with ThreadPoolExecutor(max_workers=len(orders)) as pool:
        results = list(pool.map(confirm, range(len(orders))))

    states = {row["id"]: row["state"] for row in odoo.rpc("sale.order", "read", orders, ["state"])}
    assert sorted(states.values()) == ["draft", "sale"], "60 + 60 must not pass a limit of 100"
    errors = [error for error in results if error is not None]
    assert len(errors) == 1
    assert errors[0].name == "odoo.exceptions.UserError"
    assert f"RPC Race Customer {attempt}" in errors[0].message
    assert "credit limit" in errors[0].message
    # the refused order left nothing behind: the exposure holds the confirmed one only
    [figures] = odoo.rpc("res.partner", "read", [partner], ["credit_exposure", "credit_status"])
    assert figures["credit_exposure"] == pytest.approx(60.0)


def test_hold_blocks_admin_and_approval_unblocks(odoo, credit_users):
    salesman = credit_users[0]
    controller = "crmx_credit_rpc_controller"
    partner = odoo.rpc(
        "res.partner",
        "create",
        {
            "name": "RPC Held Customer",
            "is_company": True,
            "credit_hold": True,
            "credit_hold_reason": "Legal dispute",
        },
    )
    order = _quotation(odoo, partner, _product(odoo, 30.0), salesman)
    [row] = odoo.rpc("sale.order", "read", [order], ["credit_block_reason"])
    assert "Legal dispute" in row["credit_block_reason"]
    for login in ("admin", salesman):
        with pytest.raises(RpcError) as info:
            odoo.rpc(
                "sale.order",
                "action_confirm",
                [order],
                login=login,
                password=login,
                context={"skip_credit_check": True},
            )
        assert "Legal dispute" in info.value.message
    # a salesperson can neither lift the hold nor approve the order
    with pytest.raises(RpcError) as info:
        odoo.rpc(
            "res.partner",
            "write",
            [partner],
            {"credit_hold": False},
            login=salesman,
            password=salesman,
        )
    assert info.value.name == "odoo.exceptions.AccessError"
    odoo.rpc(
        "sale.order", "action_request_credit_approval", [order], login=salesman, password=salesman
    )
    for method, values in (
        ("action_approve_credit", None),
        ("write", {"credit_approval_state": "approved"}),
    ):
        args = [[order]] + ([values] if values else [])
        with pytest.raises(RpcError) as info:
            odoo.rpc("sale.order", method, *args, login=salesman, password=salesman)
        assert info.value.name == "odoo.exceptions.AccessError"
    odoo.rpc("sale.order", "action_approve_credit", [order], login=controller, password=controller)
    odoo.rpc("sale.order", "action_confirm", [order], login=salesman, password=salesman)
    [row] = odoo.rpc("sale.order", "read", [order], ["state", "credit_approval_state"])
    assert row == {"id": order, "state": "sale", "credit_approval_state": "approved"}


def test_bad_credit_input_refused(odoo):
    partner = odoo.rpc("res.partner", "create", {"name": "RPC Bad Input Customer"})
    for values in ({"credit_limit": -10.0}, {"credit_hold": True}):
        with pytest.raises(RpcError) as info:
            odoo.rpc("res.partner", "write", [partner], values)
        assert info.value.name == "odoo.exceptions.ValidationError"
    company = odoo.rpc("res.users", "read", [odoo.uid("admin", "admin")], ["company_id"])[0][
        "company_id"
    ][0]
    for values in (
        {"credit_hold_warning_percent": 0.0},
        {"credit_hold_warning_percent": 150.0},
        {"credit_hold_overdue_days": -1},
    ):
        with pytest.raises(RpcError) as info:
            odoo.rpc("res.company", "write", [company], values)
        assert info.value.name == "odoo.exceptions.ValidationError"


def _error(call):
    with pytest.raises(RpcError) as info:
        call()
    return info.value


def test_salesperson_side_doors_closed(odoo, credit_users):
    """An "own documents" salesperson over JSON-RPC: every side door to a confirmed
    order of a held customer, or to a forged approval, is refused."""
    salesman = credit_users[0]
    as_salesman = {"login": salesman, "password": salesman}
    controller = odoo.uid("crmx_credit_rpc_controller", "crmx_credit_rpc_controller")
    held = odoo.rpc(
        "res.partner",
        "create",
        {
            "name": "RPC Side Door Held",
            "is_company": True,
            "credit_hold": True,
            "credit_hold_reason": "Side door",
        },
    )
    clean = odoo.rpc("res.partner", "create", {"name": "RPC Side Door Clean", "is_company": True})
    product = _product(odoo, 40.0)
    line = [(0, 0, {"product_id": product, "tax_ids": [(5, 0, 0)]})]
    # the same calls work for a clean customer: the refusals below are credit control
    ok = odoo.rpc("sale.order", "create", {"partner_id": clean, "order_line": line}, **as_salesman)
    odoo.rpc("sale.order", "write", [ok], {"state": "sale"}, **as_salesman)
    forged = {
        "default_credit_approval_state": "approved",
        "default_credit_approval_amount": 1000000,
        "default_credit_approved_by_id": controller,
    }
    error = _error(
        lambda: odoo.rpc(
            "sale.order",
            "create",
            {"partner_id": held, "order_line": line},
            context=forged,
            **as_salesman,
        )
    )
    assert error.name == "odoo.exceptions.AccessError"
    quotation = _quotation(odoo, held, product, salesman)
    for call in (
        lambda: odoo.rpc("sale.order", "write", [quotation], {"state": "sale"}, **as_salesman),
        lambda: odoo.rpc(
            "sale.order",
            "create",
            {"partner_id": held, "order_line": line, "state": "sale"},
            **as_salesman,
        ),
        lambda: odoo.rpc(
            "sale.order",
            "create",
            {"partner_id": held, "order_line": line},
            context={"default_state": "sale"},
            **as_salesman,
        ),
    ):
        error = _error(call)
        assert error.name == "odoo.exceptions.UserError"
        assert "Side door" in error.message
    # an approval does not follow the order to another held customer
    other = odoo.rpc(
        "res.partner",
        "create",
        {
            "name": "RPC Side Door Other",
            "is_company": True,
            "credit_hold": True,
            "credit_hold_reason": "Other hold",
        },
    )
    odoo.rpc(
        "sale.order",
        "action_approve_credit",
        [quotation],
        login="crmx_credit_rpc_controller",
        password="crmx_credit_rpc_controller",
    )
    odoo.rpc("sale.order", "write", [quotation], {"partner_id": other}, **as_salesman)
    error = _error(lambda: odoo.rpc("sale.order", "action_confirm", [quotation], **as_salesman))
    assert "Other hold" in error.message
    # holds are neither dodged by re-parenting nor set on contacts
    contact = odoo.rpc("res.partner", "create", {"name": "RPC Buyer", "parent_id": clean})
    for model_call in (
        lambda: odoo.rpc(
            "res.partner", "write", [held], {"parent_id": clean, "is_company": False}, **as_salesman
        ),
        lambda: odoo.rpc(
            "res.partner",
            "write",
            [contact],
            {"credit_hold": True, "credit_hold_reason": "x"},
            **as_salesman,
        ),
    ):
        assert _error(model_call).name == "odoo.exceptions.AccessError"
    states = odoo.rpc("sale.order", "search_read", [("partner_id", "in", [held, other])], ["state"])
    assert {row["state"] for row in states} <= {"draft", "sent"}


def test_confirmed_order_of_held_customer_does_not_grow(odoo, credit_users):
    """Lines added to a confirmed order, over JSON-RPC, once its customer is on hold."""
    salesman = credit_users[0]
    as_salesman = {"login": salesman, "password": salesman}
    customer = odoo.rpc("res.partner", "create", {"name": "RPC Growing", "is_company": True})
    product = _product(odoo, 30.0)
    order = _quotation(odoo, customer, product, salesman)
    odoo.rpc("sale.order", "action_confirm", [order], **as_salesman)
    line = {"order_id": order, "product_id": product, "tax_ids": [(5, 0, 0)]}
    # before the hold the salesperson adds a line; after it, nobody does
    odoo.rpc("sale.order.line", "create", line, **as_salesman)
    odoo.rpc(
        "res.partner",
        "write",
        [customer],
        {"credit_hold": True, "credit_hold_reason": "Grown too much"},
        login="crmx_credit_rpc_controller",
        password="crmx_credit_rpc_controller",
    )
    for call in (
        lambda: odoo.rpc("sale.order.line", "create", line, **as_salesman),
        lambda: odoo.rpc("sale.order.line", "create", line),  # the administrator
        lambda: odoo.rpc(
            "sale.order", "write", [order], {"order_line": [(0, 0, line)]}, **as_salesman
        ),
    ):
        error = _error(call)
        assert error.name == "odoo.exceptions.UserError"
        assert "Grown too much" in error.message
    [row] = odoo.rpc("sale.order", "read", [order], ["amount_total", "order_line"])
    assert (row["amount_total"], len(row["order_line"])) == (60.0, 2)


def test_portal_and_plain_users_read_no_credit_data(odoo):
    held = odoo.rpc(
        "res.partner",
        "create",
        {
            "name": "RPC Portal Held",
            "is_company": True,
            "email": "held@example.com",
            "credit_hold": True,
            "credit_hold_reason": "Internal reason",
        },
    )
    odoo.new_user("crmx_rpc_portal", ["base.group_portal"], partner_id=held)
    odoo.new_user("crmx_rpc_plain", ["base.group_user"])
    order = _quotation(odoo, held, _product(odoo, 20.0), "admin")
    odoo.rpc("sale.order", "message_subscribe", [order], partner_ids=[held])
    portal = {"login": "crmx_rpc_portal", "password": "crmx_rpc_portal"}
    plain = {"login": "crmx_rpc_plain", "password": "crmx_rpc_plain"}
    # the records themselves are readable...
    assert odoo.rpc("res.partner", "read", [held], ["name"], **portal)[0]["id"] == held
    assert odoo.rpc("sale.order", "read", [order], ["name"], **portal)
    assert odoo.rpc("res.partner", "read", [held], ["name"], **plain)
    # ... their credit data is not
    for field in (
        "credit_hold",
        "credit_hold_reason",
        "credit_exposure",
        "credit_available",
        "credit_status",
    ):
        for user in (portal, plain):
            error = _error(
                lambda f=field, u=user: odoo.rpc("res.partner", "read", [held], [f], **u)
            )
            assert error.name == "odoo.exceptions.AccessError", field
    for field in ("credit_block_reason", "credit_warning", "credit_approval_state"):
        error = _error(lambda f=field: odoo.rpc("sale.order", "read", [order], [f], **portal))
        assert error.name == "odoo.exceptions.AccessError", field
        assert "Internal reason" not in error.message


def test_invariant_holds_over_json_rpc(odoo, credit_users):
    """The last round's findings, tried over JSON-RPC: the invariant is checked
    when the request commits (the pre-commit check), whatever the call."""
    salesman = credit_users[0]
    as_salesman = {"login": salesman, "password": salesman}
    held = odoo.rpc(
        "res.partner",
        "create",
        {
            "name": "RPC Invariant Held",
            "is_company": True,
            "credit_hold": True,
            "credit_hold_reason": "Invariant hold",
        },
    )
    clean = odoo.rpc("res.partner", "create", {"name": "RPC Invariant Clean", "is_company": True})
    product = _product(odoo, 25.0)
    # 1. the commercial entity is written by its computation only
    error = _error(
        lambda: odoo.rpc(
            "res.partner", "write", [held], {"commercial_partner_id": clean}, **as_salesman
        )
    )
    assert error.name == "odoo.exceptions.UserError"
    # 2. state and customer in one write, as the salesperson and as the administrator
    for credentials in (as_salesman, {}):
        quotation = _quotation(odoo, clean, product, salesman)
        error = _error(
            lambda quotation=quotation, credentials=credentials: odoo.rpc(
                "sale.order",
                "write",
                [quotation],
                {"state": "sale", "partner_id": held, "partner_invoice_id": held},
                **credentials,
            )
        )
        assert error.name == "odoo.exceptions.UserError"
        assert "Invariant hold" in error.message
        [row] = odoo.rpc("sale.order", "read", [quotation], ["state", "partner_id"])
        assert (row["state"], row["partner_id"][0]) == ("draft", clean)
    # 9. a direct invoice of the held customer is not posted by the administrator's
    # accountant without a credit controller
    invoice = odoo.rpc(
        "account.move",
        "create",
        {
            "move_type": "out_invoice",
            "partner_id": held,
            "invoice_line_ids": [(0, 0, {"product_id": product, "price_unit": 500.0})],
        },
    )
    odoo.new_user("crmx_credit_rpc_accountant", ["account.group_account_invoice"])
    error = _error(
        lambda: odoo.rpc(
            "account.move",
            "action_post",
            [invoice],
            login="crmx_credit_rpc_accountant",
            password="crmx_credit_rpc_accountant",
        )
    )
    assert error.name == "odoo.exceptions.UserError"
    [row] = odoo.rpc("account.move", "read", [invoice], ["state"])
    assert row["state"] == "draft"
