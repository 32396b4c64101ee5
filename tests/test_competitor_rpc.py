"""Competitor tracking over JSON-RPC, as an integrator would use it."""

import contextlib

import pytest

from conftest import RpcError


def _competitor(odoo, xmlid):
    return odoo.ref(f"crm_extended.{xmlid}")


def test_demo_competitor_statistics(odoo):
    bluebird = _competitor(odoo, "crm_competitor_demo_bluebird")
    [stats] = odoo.rpc(
        "crm.competitor",
        "read",
        [bluebird],
        ["opportunity_count", "won_count", "lost_count", "win_rate", "lost_revenue"],
    )
    # demo: met on 4 deals, won one, lost the (archived) crm_case_28 to it
    assert stats["opportunity_count"] == 4
    assert stats["won_count"] == 1
    assert stats["lost_count"] == 1
    assert stats["win_rate"] == pytest.approx(50.0)
    assert stats["lost_revenue"] == pytest.approx(7500.0)


def test_duplicate_competitor_name_refused_with_message(odoo):
    with pytest.raises(RpcError) as info:
        odoo.rpc("crm.competitor", "create", {"name": "Bluebird Furnishings"})
    assert "already exists" in info.value.message


def test_negative_price_and_duplicate_line_refused(odoo):
    lead = odoo.ref("crm.crm_case_13")  # Northwind and Bluebird already listed
    northwind = _competitor(odoo, "crm_competitor_demo_northwind")
    with pytest.raises(RpcError) as info:
        odoo.rpc("crm.lead.competitor", "create", {"lead_id": lead, "competitor_id": northwind})
    # refused before the UNIQUE constraint, with a sentence naming both
    assert "Northwind Office Systems is already listed on" in info.value.message
    oakline = _competitor(odoo, "crm_competitor_demo_oakline")
    with pytest.raises(RpcError) as info:
        odoo.rpc(
            "crm.lead.competitor",
            "create",
            {"lead_id": lead, "competitor_id": oakline, "competitor_price": -10},
        )
    assert "cannot be negative" in info.value.message


def test_salesman_marks_deal_lost_to_competitor(odoo):
    uid = odoo.new_user("comp_rpc_salesman", ["sales_team.group_sale_salesman_all_leads"])
    as_sam = {"login": "comp_rpc_salesman", "password": "comp_rpc_salesman"}
    rival = odoo.rpc("crm.competitor", "create", {"name": "RPC Rival", "strategy": "niche"})
    lead = odoo.rpc(
        "crm.lead",
        "create",
        {"name": "RPC lost deal", "type": "opportunity", "expected_revenue": 1234, "user_id": uid},
        **as_sam,
    )
    wizard = odoo.rpc(
        "crm.lead.lost",
        "create",
        {"lead_ids": [(6, 0, [lead])], "competitor_id": rival},
        **as_sam,
    )
    # the method returns None, and JSON-RPC then answers without a "result" key
    with contextlib.suppress(KeyError):
        odoo.rpc("crm.lead.lost", "action_lost_reason_apply", [wizard], **as_sam)
    [deal] = odoo.rpc(
        "crm.lead",
        "read",
        [lead],
        ["active", "won_status", "lost_to_competitor_id", "competitor_line_ids"],
        **as_sam,
    )
    assert deal["won_status"] == "lost" and not deal["active"]
    assert deal["lost_to_competitor_id"][0] == rival
    assert len(deal["competitor_line_ids"]) == 1
    [stats] = odoo.rpc("crm.competitor", "read", [rival], ["lost_count", "lost_revenue"], **as_sam)
    assert stats == {"id": rival, "lost_count": 1, "lost_revenue": 1234.0}
