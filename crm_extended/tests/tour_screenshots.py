"""Screenshots of the main screens, taken by the tours themselves.

A tour step logs ``crmx_screenshot:<name>`` to the console (see
``screenshot`` in ``static/tests/tours/pipeline_cycle_tour.js``); inside
``tour_screenshots()`` the browser then saves what the user sees as
``.test-logs/screenshots/<name>.png`` at the repository's root (not committed),
to be looked at after a test run.
"""

import base64
import contextlib
import pathlib
import re
from unittest.mock import patch

from odoo.tests.common import ChromeBrowser

SCREENSHOT_DIR = pathlib.Path(__file__).resolve().parents[2] / ".test-logs" / "screenshots"
_PREFIX = "crmx_screenshot:"


@contextlib.contextmanager
def tour_screenshots():
    original = ChromeBrowser._handle_console

    def handle_console(browser, type, args=None, stackTrace=None, **kw):  # noqa: A002
        first = str(browser._from_remoteobject(args[0])) if args else ""
        if not first.startswith(_PREFIX):
            return original(browser, type, args=args, stackTrace=stackTrace, **kw)
        name = re.sub(r"[^\w-]", "_", first[len(_PREFIX) :])[:80] or "screen"

        def save(future):
            with contextlib.suppress(Exception):
                data = future.result(timeout=0)["data"]
                SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
                (SCREENSHOT_DIR / f"{name}.png").write_bytes(base64.b64decode(data))

        future = browser._websocket_send("Page.captureScreenshot", with_future=True)
        if future:
            future.add_done_callback(save)
        return None

    with patch.object(ChromeBrowser, "_handle_console", handle_console):
        yield
