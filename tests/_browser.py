"""What every browser test shares: Debian's Chromium driven by Playwright (never Playwright's
own browser download), its flags, a page that records console problems and every request,
the screenshots folder, and the dashboard served on a free local port."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from dashboard.serve import quiet_request_logs

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
#: Headless on a machine without display, GPU or internet (../shared/reference/
#: testing-ble-and-browser.md: without the background-networking flags Chromium keeps
#: trying to reach Google's hosts).
FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run")
#: Mark a module's tests with this: they need Debian's chromium.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (scripts/test.sh installs it "
    "when run as root)")


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """The Dash ``app`` on a free 127.0.0.1 port (werkzeug, threaded); its base URL."""
    from werkzeug.serving import make_server

    quiet_request_logs()
    server = make_server("127.0.0.1", 0, app.server if hasattr(app, "server") else app,
                         threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def chromium(profile_dir: Path, *, width: int = 1100, height: int = 900) -> Iterator[Any]:
    """A headless Chromium browser context with its own fresh profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile_dir), executable_path=CHROMIUM, headless=True, args=list(FLAGS),
            viewport={"width": width, "height": height})
        try:
            yield context
        finally:
            context.close()


def checked_page(browser: Any, timeout_ms: int) -> Any:
    """A new page that records console errors and warnings (``page.console_problems``) and
    every URL it requests (``page.requested``)."""
    page = browser.new_page()
    page.set_default_timeout(timeout_ms)
    page.console_problems = []
    page.on("console", lambda m: m.type in ("error", "warning")
            and page.console_problems.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.console_problems.append(f"pageerror: {e}"))
    page.requested = []
    page.on("request", lambda r: page.requested.append(r.url))
    return page
