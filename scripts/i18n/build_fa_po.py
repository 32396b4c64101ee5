"""Build crm_extended/i18n/fa.po from the exported template and scripts/i18n/fa_terms.py.

Usage (from the repository root): python3 scripts/i18n/build_fa_po.py
Fails when a msgid of the template has no Persian translation, or when a
translation does not keep the placeholders and markup of its source.
"""

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fa_terms import TERMS  # noqa: E402

POT = ROOT / "crm_extended/i18n/crm_extended.pot"
PO = ROOT / "crm_extended/i18n/fa.po"

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%[sdfr]|\{\{.*?\}\}|\{[a-z_]*\}")
TAG = re.compile(r"<(/?[a-zA-Z][\w-]*)|(/>)")
ATTR = re.compile(r'\s([\w:-]+)="([^"]*)"')


def norm(text):
    return " ".join(text.split())


def signature(text):
    return (
        sorted(PLACEHOLDER.findall(text)),
        [m.group(0) for m in TAG.finditer(text)],
        sorted(ATTR.findall(text)),
    )


def translate(msgid):
    if msgid in TERMS:
        return TERMS[msgid]
    matches = [
        v for k, v in TERMS.items() if k.startswith("^") and norm(msgid).startswith(norm(k[1:]))
    ]
    return matches[0] if len(matches) == 1 else None


def main():
    pot = polib.pofile(str(POT))
    po = polib.POFile(wrapwidth=78)
    po.header = "Translation of Odoo Server.\nThis file contains the translation of the following modules:\n\t* crm_extended\n"
    po.metadata = {
        "Project-Id-Version": "Odoo Server 19.0",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": pot.metadata.get("POT-Creation-Date", ""),
        "PO-Revision-Date": pot.metadata.get("POT-Creation-Date", ""),
        "Last-Translator": "",
        "Language-Team": "Persian",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "",
        "Language": "fa",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    errors = []
    for entry in pot:
        msgstr = translate(entry.msgid)
        if not msgstr:
            errors.append(f"missing: {entry.msgid!r}")
            continue
        if signature(entry.msgid) != signature(msgstr):
            errors.append(f"placeholders/markup differ: {entry.msgid!r} -> {msgstr!r}")
        po.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgstr=msgstr,
                occurrences=entry.occurrences,
                comment=entry.comment,
                tcomment=entry.tcomment,
                flags=entry.flags,
            )
        )
    unused = [k for k in TERMS if not k.startswith("^") and not pot.find(k)]
    errors += [f"unused: {k!r}" for k in unused]
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    po.save(str(PO))
    print(f"{PO}: {len(po)} entries")


if __name__ == "__main__":
    main()
