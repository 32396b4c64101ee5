"""Packaging: the addon builds as the conventional odoo-addon-crm_extended wheel."""

import ast
import os
import subprocess
import sys
import zipfile

from conftest import REPO

ADDON = os.path.join(REPO, "crm_extended")


def test_manifest_conventions():
    with open(os.path.join(ADDON, "__manifest__.py"), encoding="utf-8") as f:
        manifest = ast.literal_eval(f.read())
    assert manifest["version"].startswith("19.0.")
    assert manifest["license"] == "LGPL-3"
    assert set(manifest["depends"]) == {"crm", "sale_management", "sale_crm", "account", "rating"}
    assert "xlsxwriter" in manifest["external_dependencies"]["python"]
    for path in manifest["data"] + manifest.get("demo", []):
        assert os.path.isfile(os.path.join(ADDON, path)), path
    assert os.path.isfile(os.path.join(ADDON, "static", "description", "icon.png"))


def test_wheel_builds(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            ADDON,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    wheels = [name for name in os.listdir(tmp_path) if name.endswith(".whl")]
    assert len(wheels) == 1 and wheels[0].startswith("odoo_addon_crm_extended-19.0."), wheels
    with zipfile.ZipFile(tmp_path / wheels[0]) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith("METADATA"))
        text = wheel.read(metadata).decode()
    assert "Name: odoo-addon-crm_extended" in text
    assert "Requires-Dist: odoo==19.0.*" in text
    assert "Requires-Dist: xlsxwriter" in text
    assert "odoo/addons/crm_extended/__manifest__.py" in names
