"""End-to-end tests: a real browser (Debian's Chromium, driven by Playwright) against the app
served by pytest-django's live_server.

- The browser is Debian's /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it):
  Playwright's own browser download does not work here. Without it the tests are skipped.
- live_server runs the app in a thread of this process on a transactional test database, so
  what a test writes is committed and the server sees it. Celery tasks run in-process (eager),
  whatever the environment says: "Add batch and run" and posting to the G/L finish inside the
  request.
- Screenshots of the main pages are saved to artifacts/screenshots/ (ignored by git).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections
from rest_framework.authtoken.models import Token

from costing.services import cost_adjustment_run
from inventory.models import Item, ItemLedgerEntry
from inventory.services import JournalLine, inventory_setup_update, item_create, item_journal_post
from tests.ledger.conftest import create_gl_setup

# Each test module marks itself with this (the modules' pytestmark): the e2e marker, and a
# transactional database (live_server) whose migrated rows are put back before each test.
E2E_MARKS = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root in a container
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 15_000  # for any one page action or expectation

PASSWORD = "e2e-Secret-42"
D = Decimal

# The ledger of the journey (hand-checked):
#   3 March 2025  receipt of 10 @ 9.50, not invoiced: expected cost +95.00
#   4 March 2025  sale of 4, applied to the receipt (FIFO): cost -38.00 (4 x 9.50)
#   adjusted then, so that the item starts with "Cost is adjusted" = Yes
#  10 March 2025  late purchase invoice of the 10 @ 10.00 (through the API): actual cost +100.00,
#                 the expected 95.00 reversed; the sale now needs adjustment by -2.00 to -40.00.
# After the adjustment: inventory value 6 x 10.00 = 60.00 (= 100.00 - 40.00).
ITEM_NO = "E2E-CHAIR"
RECEIPT_DAY = dt.date(2025, 3, 3)
SALE_DAY = dt.date(2025, 3, 4)
INVOICE_DAY = dt.date(2025, 3, 10)


# -- the browser -----------------------------------------------------------------------------------


@pytest.fixture
def playwright_sync(live_server) -> Iterator[object]:
    """Playwright, started for one test only: after the test database is set up, and stopped
    before it is emptied again.

    Playwright's sync API keeps an asyncio event loop running in this (the main) thread for as
    long as it is started. Meanwhile Django takes this thread for an async one: it refuses ORM
    calls (SynchronousOnlyOperation), and its per-thread database connections become
    per-context ones, i.e. other connection objects than pytest-django's, which carry what the
    serialized rollback needs. So: allow the ORM while Playwright runs (there is no coroutine to
    protect here; the known Playwright + Django testing need), close the connections opened in
    that context before stopping it, and never keep Playwright across tests (pytest-django's
    set-up and teardown of the transactional database then run on its own connection).
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            yield playwright
        finally:
            connections.close_all()  # the connections of the async context
            playwright.stop()


@pytest.fixture
def browser(playwright_sync) -> Iterator[object]:
    browser = playwright_sync.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Iterator[object]:
    """A fresh browser context (no cookies) per test, on the live server."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def api(playwright_sync, live_server, accountant) -> Iterator[object]:
    """An integration's HTTP client: the accountant's DRF token, no browser session."""
    token = Token.objects.create(user=accountant)
    request = playwright_sync.request.new_context(
        base_url=live_server.url,
        extra_http_headers={"Authorization": f"Token {token.key}", "Accept": "application/json"},
        timeout=TIMEOUT_MS,
    )
    try:
        yield request
    finally:
        request.dispose()


# -- the database and the task queue ---------------------------------------------------------------


@pytest.fixture(scope="module")
def restore_migrated_data(django_db_blocker) -> Iterator[None]:
    """A transactional test ends by emptying the database, the rows of the data migrations
    (roles, schedules) included. Put them back once the module is done, for the tests that run
    after it (as tests/costing/conftest.py does)."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _e2e_database(restore_migrated_data, live_server) -> None:
    """live_server makes the test transactional (see the modules' django_db marks)."""


@pytest.fixture(autouse=True)
def eager_celery() -> Iterator[object]:
    """Tasks run in-process whatever CELERY_BROKER_URL says, so a batch queued from the page
    runs inside the request (the embedded default)."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


# -- users -----------------------------------------------------------------------------------------


def _user(username: str, role: str | None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def accountant() -> User:
    return _user("anna", "accountant")


@pytest.fixture
def viewer() -> User:
    return _user("vera", "viewer")


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the login page, with the keyboard: user name, Tab, password, Enter."""
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))


# What only an accountant may press, as the pages label them.
ACTION_BUTTONS = [
    "Run now for selected",
    "Add batch",
    "Add batch and run",
    "Exclude from adjustment",
    "Include in adjustment",
    "Reset cost is adjusted",
    "Add Missing Items",
    "Run",
    "Stop",
    "OK",
    "Save",
    "Run Tests",
    "Snooze 30 days",
    "Reset Cost Is Adjusted",
    "Import",
    "Delete item data",
    "Create",
    "Close",
    "Close period",
    "Reopen",
    "Reverse",
    "Reverse this close",
]


def action_buttons(page) -> list[str]:
    """The accountant's buttons present on the page (the sign-out button is everyone's)."""
    main = page.locator("main")
    return [
        name for name in ACTION_BUTTONS if main.get_by_role("button", name=name, exact=True).count()
    ]


def screenshot(page, name: str) -> Path:
    """A full-page PNG under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# -- the ledger ------------------------------------------------------------------------------------


@dataclass
class Ledger:
    item: Item
    receipt: ItemLedgerEntry
    sale: ItemLedgerEntry


@pytest.fixture
def ledger() -> Ledger:
    """G/L accounts and posting setups; month-end Inventory Setup (nothing posts or adjusts by
    itself); item E2E-CHAIR with a receipt not yet invoiced and a sale applied to it, adjusted
    (see the figures above)."""
    create_gl_setup()
    inventory_setup_update(
        automatic_cost_posting=False,
        automatic_cost_adjustment="never",
        expected_cost_posting_to_gl=False,
    )
    item = item_create(
        no=ITEM_NO,
        description="Office chair",
        costing_method="fifo",
        inventory_posting_group="RESALE",
        gen_prod_posting_group="RETAIL",
    )
    (receipt,) = item_journal_post(
        lines=[
            JournalLine(
                "purchase",
                ITEM_NO,
                RECEIPT_DAY,
                D(10),
                unit_cost=D("9.50"),
                invoiced=False,
                document_no="RCPT-1001",
            )
        ]
    )
    (sale,) = item_journal_post(
        lines=[
            JournalLine(
                "sale",
                ITEM_NO,
                SALE_DAY,
                D(4),
                unit_price=D("25.00"),
                applies_to_entry=receipt.pk,
                document_no="SHIP-2001",
            )
        ]
    )
    cost_adjustment_run(item_filter=ITEM_NO)
    item.refresh_from_db()
    assert item.cost_is_adjusted, "the journey starts from an adjusted item"
    return Ledger(item=item, receipt=receipt, sale=sale)
