"""Browser tests drive Debian's Chromium (never a downloaded browser) through Playwright."""

import os

import pytest
from playwright.sync_api import expect

from tests.waiting import PATIENCE

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# Every wait of a browser test (an action, a navigation, an expectation) is for a condition
# within the suite's generous bound, not Playwright's few seconds: a busy machine only
# makes these tests slower.
expect.set_options(timeout=PATIENCE * 1000)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def context(context):
    context.set_default_timeout(PATIENCE * 1000)
    context.set_default_navigation_timeout(PATIENCE * 1000)
    return context


@pytest.fixture
def page(page, transactional_db):
    """The test's page; when the test ends, the requests the page still has in flight
    (a section htmx loads after the page, such as a release's conflicts) are waited for
    before the database is flushed, which they would otherwise hold up."""
    yield page
    page.wait_for_load_state("networkidle")


@pytest.fixture
def log_in(page, live_server):
    def log_in_as(username, password="pw"):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")

    return log_in_as
