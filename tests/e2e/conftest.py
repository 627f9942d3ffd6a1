"""Playwright driving Debian's chromium (never a downloaded browser)."""
import os
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, NO_CHROMIUM  # without it tests/conftest.py leaves the journeys out

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import expect, sync_playwright

    # A loaded two-core CI machine answers slower than a laptop: the assertions wait as long
    # as the page's actions (15 s), not Playwright's default 5 s.
    expect.set_options(timeout=15000)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


def _close_quietly(context):
    """Close the browser context and give the live server a moment to finish requests that
    were in flight (autosave, progress polling), so the database flush after the test does
    not race them."""
    import time

    context.close()
    time.sleep(0.3)


def _open(context):
    pg = context.new_page()
    pg.set_default_timeout(15000)
    # An uncaught script error fails the journey where it happened, not as a timeout further on
    # (two branches' scoring.js merged into one scope once declared `typed` twice).
    pg.script_errors = []
    pg.on("pageerror", lambda error: pg.script_errors.append(f"{pg.url}: {error}"))
    return pg


# The journeys' contexts bypass the Content-Security-Policy: Playwright's string predicates
# (wait_for_function) are evaluated with eval, which the policy refuses. strict_page keeps it.
@pytest.fixture
def page(browser, transactional_db, live_server):
    # Set up after the database and the server, so torn down (closed) before the flush.
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True)
    pg = _open(context)
    yield pg
    _close_quietly(context)
    assert pg.script_errors == []


@pytest.fixture
def phone_page(browser, transactional_db, live_server):
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", bypass_csp=True,
                                  viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = _open(context)
    yield pg
    _close_quietly(context)
    assert pg.script_errors == []


@pytest.fixture
def strict_page(browser, transactional_db, live_server):
    """A page under the portal's Content-Security-Policy, noting what it refused (the test
    fails on any refusal it did not clear)."""
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    pg = _open(context)
    pg.csp_refusals = []
    pg.on("console", lambda msg: "Content Security Policy" in msg.text and pg.csp_refusals.append(msg.text))
    yield pg
    _close_quietly(context)
    assert pg.csp_refusals == []
    assert pg.script_errors == []


def log_in(page, live_server, username, password="Pass-1234"):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/")
