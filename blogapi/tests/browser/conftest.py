"""Real-browser tests: Playwright drives Debian's Chromium (never a browser of its own)
against gunicorn serving the app as deployed, on the test database and Redis.

Without /usr/bin/chromium (or CHROMIUM_BIN) every test here is skipped, and the run
ends with one line saying so. Screenshots go to test-output/browser/<test name>/ at
the repository root (git-ignored), one per page visited, replaced by every run.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ..processes import ROOT, Gunicorn

CHROMIUM = Path(os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium"))
# A host name that is not loopback: Swagger UI (and any page) behaves differently on
# localhost, e.g. its online validator stays quiet there. `.test` never resolves on the
# internet (RFC 6761); Chromium maps it to the test server, and the test settings allow it.
SERVED_NAME = "blogapi.test"
CHROMIUM_ARGS = [
    f"--host-resolver-rules=MAP {SERVED_NAME} 127.0.0.1",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
OUTPUT = ROOT / "test-output" / "browser"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
HERE = Path(__file__).resolve().parent
NODE_PREFIX = HERE.relative_to(ROOT).as_posix() + "/"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found (Debian: apt-get install chromium; .ci/run installs it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


SKIP_REASON = _missing()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid.startswith(NODE_PREFIX):
            item.add_marker(pytest.mark.slow)
            if SKIP_REASON:
                item.add_marker(pytest.mark.skip(reason=f"browser test: {SKIP_REASON}"))


def pytest_terminal_summary(terminalreporter):
    if not SKIP_REASON:
        return
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if report.nodeid.startswith(NODE_PREFIX)]
    if skipped:
        terminalreporter.write_line(f"{len(skipped)} browser tests skipped: {SKIP_REASON}", yellow=True)


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop marked as running in this thread, which
    # Django takes for async code and refuses the ORM (factories, the test database's
    # flush). Nothing here is async: allowed while Playwright runs, and only then.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def web(django_db_setup, django_db_blocker):
    """One gunicorn, as deployed (WhiteNoise serves the admin and Swagger UI assets)."""
    with django_db_blocker.unblock():
        server = Gunicorn(GUNICORN_ACCESS_LOG="")
    yield server
    server.stop()


class Screens:
    """Numbered screenshots of the pages a test visits."""

    def __init__(self, page, directory: Path) -> None:
        self.page, self.directory, self.taken = page, directory, []

    def take(self, name: str, focus=None) -> Path:
        """The whole page, or the window scrolled to `focus` (a locator) on long pages."""
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        if focus is not None:
            focus.scroll_into_view_if_needed()
        self.page.screenshot(path=str(path), full_page=focus is None)
        self.taken.append(path)
        return path


@pytest.fixture
def page(browser, request):
    """A fresh browser context; every request the page makes is in `page.requests`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda sent: page.requests.append(sent.url))
    yield page
    context.close()


@pytest.fixture
def screens(page, request) -> Screens:
    directory = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return Screens(page, directory)


def named_url(web) -> str:
    """The test server's address under SERVED_NAME, as a deployment's users would see it."""
    return f"http://{SERVED_NAME}:{web.port}"


def left_origin(urls: list[str], origin: str) -> list[str]:
    """The requests that went anywhere but `origin` (scheme, host and port; data: and blob:
    never leave the page)."""
    expected = urlsplit(origin)
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in ("data", "blob")
        and (urlsplit(url).scheme, urlsplit(url).netloc) != (expected.scheme, expected.netloc)
    ]


def left_localhost(urls: list[str]) -> list[str]:
    """The requests that went anywhere but this machine (data: and blob: never leave it)."""
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
