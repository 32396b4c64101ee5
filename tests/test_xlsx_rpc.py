"""XLSX exports over JSON-RPC, as an integrator would call them."""

import base64
import datetime
import io

import openpyxl
import pytest

from conftest import RpcError


def test_unknown_report_type_refused_clearly(odoo):
    with pytest.raises(RpcError) as info:
        odoo.rpc("crm.extended.xlsx.export", "create", {"report_type": "everything"})
    assert "Unknown report type" in info.value.message
    assert "credit_exposure" in info.value.message
    assert odoo.rpc("crm.extended.xlsx.export", "search_count", []) == 0


def test_dates_in_wrong_order_refused(odoo):
    with pytest.raises(RpcError) as info:
        odoo.rpc(
            "crm.extended.xlsx.export",
            "create",
            {"report_type": "warranty_expiry", "date_from": "2026-02-01", "date_to": "2026-01-01"},
        )
    assert info.value.name == "odoo.exceptions.ValidationError"
    assert "before the start date" in info.value.message


def test_export_over_rpc_gives_a_typed_workbook(odoo):
    wizard_id = odoo.rpc("crm.extended.xlsx.export", "create", {"report_type": "warranty_expiry"})
    action = odoo.rpc("crm.extended.xlsx.export", "action_export", [wizard_id])
    assert action["type"] == "ir.actions.act_url"
    [wizard] = odoo.rpc("crm.extended.xlsx.export", "read", [wizard_id], ["file_data", "file_name"])
    assert wizard["file_name"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(wizard["file_data"])))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Contract", "Customer")
    # the demo data has warranty contracts: one row each, then the totals row
    count = odoo.rpc("crm.warranty.contract", "search_count", [])
    assert count > 0
    assert len(rows) == 1 + count + 1
    assert all(isinstance(row[7], datetime.datetime) for row in rows[1:-1])
    assert rows[-1][0] == "Total"
