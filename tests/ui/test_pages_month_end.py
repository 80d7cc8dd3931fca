"""The month-end pages: Inventory Periods (list, close test, close, reopen, history) and the
Month-End Close (pre-run list, run with live status, close log, reverse), through the
browser's path (session login, CSRF, forms).

The ledger (hand-checked): item A (FIFO) bought 5 @ 10 on 5 Jan 2025 (invoiced) and 2 sold on
20 Jan; item B bought 4 @ 10 on 6 Jan, not invoiced, and 1 sold on 21 Jan. A close at 31 Jan
settles A's sale against its receipt, 2 for 20.00, and logs B's sale: its receipt is not yet
invoiced.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection

from inventory.models import InventoryPeriod, InventoryPeriodEntry
from inventory.services import JournalLine, inventory_setup_update, item_create, item_journal_post
from inventory.services.periods import inventory_period_close, inventory_period_create
from ledger.models import GLEntry, InventoryClose, InventoryCloseSettlement
from ledger.services.closing import inventory_close_execute, inventory_close_start
from tests.ledger.conftest import create_gl_setup
from tests.ui.conftest import page_client

D = Decimal
JAN_31 = dt.date(2025, 1, 31)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(db):
    create_gl_setup()
    inventory_setup_update(
        automatic_cost_posting=False,
        automatic_cost_adjustment="never",
        expected_cost_posting_to_gl=False,
    )


@pytest.fixture
def eager_celery():
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def make_item(no: str) -> None:
    item_create(
        no=no,
        costing_method="fifo",
        inventory_posting_group="RESALE",
        gen_prod_posting_group="RETAIL",
    )


def post(entry_type: str, no: str, quantity, day: int, **kw) -> int:
    line = JournalLine(entry_type, no, dt.date(2025, 1, day), D(quantity), **kw)
    return item_journal_post(lines=[line])[0].pk


@pytest.fixture
def january():
    make_item("A")
    make_item("B")
    post("purchase", "A", 5, 5, unit_cost=D(10))
    post("sale", "A", 2, 20)
    post("purchase", "B", 4, 6, unit_cost=D(10), invoiced=False)
    post("sale", "B", 1, 21)


def text(response) -> str:
    return response.content.decode()


def main(response) -> str:
    return text(response).split('<main id="main"')[-1]


def done_close() -> InventoryClose:
    close = inventory_close_start(kind="close", closing_date=JAN_31, enqueue=False)
    return inventory_close_execute(close.pk)


READ_PAGES = [
    "/inventory-periods/",
    "/month-end-close/",
    "/month-end-close/?closing_date=2025-01-31",
]


@pytest.mark.parametrize("path", READ_PAGES)
def test_the_pages_open_for_the_viewer_and_the_accountant(
    january, viewer_page, accountant_page, path
):
    assert viewer_page.get(path).status_code == 200
    assert accountant_page.get(path).status_code == 200


# -- inventory periods -------------------------------------------------------------------------


def test_an_accountant_creates_tests_closes_and_reopens_a_period(january, accountant_page):
    response = accountant_page.post(
        "/inventory-periods/", {"ending_date": "2025-01-31", "name": "January"}
    )
    assert response.status_code == 302
    period = InventoryPeriod.objects.get()
    # Nothing is adjusted yet (automatic adjustment is off): the test says so, per item.
    test = text(accountant_page.get(f"/inventory-periods/{period.pk}/test/"))
    assert "Item A is not adjusted up to 2025-01-31" in test
    assert "Close period" not in test
    refused = accountant_page.post(f"/inventory-periods/{period.pk}/close/", follow=True)
    assert "The period was not closed." in text(refused)
    assert not InventoryPeriod.objects.get().closed

    from costing.services import cost_adjustment_run

    cost_adjustment_run()
    test = text(accountant_page.get(f"/inventory-periods/{period.pk}/test/"))
    assert "Nothing stops the period from closing." in test
    closed = accountant_page.post(f"/inventory-periods/{period.pk}/close/", follow=True)
    assert "is closed: nothing can be posted on or before that date" in text(closed)
    assert InventoryPeriod.objects.get().closed
    page = text(accountant_page.get("/inventory-periods/"))
    assert f'id="period-{period.pk}-reopen"' in page
    assert "Inventory is closed up to 2025-01-31" in page
    accountant_page.post(f"/inventory-periods/{period.pk}/reopen/")
    assert not InventoryPeriod.objects.get().closed
    history = list(InventoryPeriodEntry.objects.values_list("entry_type", "user_name"))
    assert history == [("close", "anna"), ("reopen", "anna")]
    assert "Re-open" in text(accountant_page.get("/inventory-periods/"))


def test_a_bad_ending_date_is_shown_at_the_field_and_nothing_created(accountant_page):
    response = accountant_page.post("/inventory-periods/", {"ending_date": "", "name": "X"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "ending_date": ["An inventory period needs an ending date."]
    }
    assert not InventoryPeriod.objects.exists()


def test_only_the_last_closed_period_has_a_reopen_button(accountant_page):
    jan = inventory_period_close(period=inventory_period_create(ending_date=JAN_31))
    feb = inventory_period_close(period=inventory_period_create(ending_date=dt.date(2025, 2, 28)))
    page = text(accountant_page.get("/inventory-periods/"))
    assert f'id="period-{feb.pk}-reopen"' in page
    assert f'id="period-{jan.pk}-reopen"' not in page
    refused = accountant_page.post(f"/inventory-periods/{jan.pk}/reopen/", follow=True)
    assert "Only the last closed period can be reopened" in text(refused)
    assert InventoryPeriod.objects.get(pk=jan.pk).closed


def test_the_viewer_sees_no_buttons_and_is_refused_every_action(january, viewer_page):
    period = inventory_period_create(ending_date=JAN_31)
    for path in ("/inventory-periods/", f"/inventory-periods/{period.pk}/test/"):
        assert "<button" not in main(viewer_page.get(path))
    for path in (
        "/inventory-periods/",
        f"/inventory-periods/{period.pk}/close/",
        f"/inventory-periods/{period.pk}/reopen/",
    ):
        assert viewer_page.post(path, {"ending_date": "2025-02-28"}).status_code == 403
    assert list(InventoryPeriod.objects.values_list("closed", flat=True)) == [False]
    assert not InventoryPeriodEntry.objects.exists()


# -- the month-end close -----------------------------------------------------------------------


def test_the_prerun_list_names_the_items_that_cannot_be_fully_settled(january, accountant_page):
    html = text(
        accountant_page.get("/month-end-close/", {"closing_date": "2025-01-31", "kind": "close"})
    )
    assert "Items that cannot be fully settled:" in html
    assert re.search(r'<a href="[^"]*/B/entries/">B</a>\.', html)
    assert "<td>Sale 2025-01-21</td>" in html
    assert '<td class="num">1 of 1</td>' in html
    assert re.search(r"<td>Receipt \d+ is not yet invoiced.</td>", html)
    assert "Invoice the receipts, or move the closing date." in html


def test_an_accountant_runs_a_close_and_reads_its_log(
    january, accountant_page, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = accountant_page.post(
            "/month-end-close/", {"kind": "close", "closing_date": "2025-01-31"}
        )
    close = InventoryClose.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/month-end-close/{close.pk}/"
    html = text(accountant_page.get(response["Location"]))
    assert "Close done up to 2025-01-31." in html
    assert "hx-trigger" not in html  # finished: no more polling
    assert "is not yet invoiced." in html and "Invoice the receipts" in html
    assert list(
        InventoryCloseSettlement.objects.values_list("item__no", "quantity", "cost_amount")
    ) == [("A", D("2"), D("20.00"))]
    assert 'id="close-reverse"' in html
    assert InventoryPeriod.objects.get(ending_date=JAN_31).closed
    # The worker closed the period for her: the history names her.
    assert list(InventoryPeriodEntry.objects.values_list("entry_type", "user_name")) == [
        ("close", "anna")
    ]
    periods_page = text(accountant_page.get("/inventory-periods/"))
    assert f"The month-end close {close.document_no} closed this period" in periods_page
    assert "-reopen" not in periods_page


def test_a_running_close_refreshes_itself_with_its_progress(january, accountant_page):
    close = inventory_close_start(kind="close", closing_date=JAN_31, enqueue=False)
    InventoryClose.objects.filter(pk=close.pk).update(
        status="running", phase="adjusting", items_total=4, items_done=1
    )
    url = f"/month-end-close/{close.pk}/status/"
    worker = connection.copy()  # a worker running it holds its run lock on its own connection
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(5812, %s)", [close.pk])
        html = text(accountant_page.get(url, HTTP_HX_REQUEST="true"))
    finally:
        worker.close()
    assert 'hx-trigger="every 2s"' in html
    assert "Adjusting cost: 1 of 4 items." in html
    assert '<progress max="4" value="1"' in html
    # The worker is gone: the page says so, and still follows the close.
    html = text(accountant_page.get(url, HTTP_HX_REQUEST="true"))
    assert "Its worker stopped answering before it finished" in html
    assert 'hx-trigger="every 2s"' in html


def test_a_refused_close_is_shown_at_the_field(accountant_page):
    make_item("N")
    post("purchase", "N", 2, 5, unit_cost=D(10))
    post("sale", "N", 3, 20)
    response = accountant_page.post(
        "/month-end-close/", {"kind": "close", "closing_date": "2025-01-31"}
    )
    assert response.status_code == 200
    assert "Item N has negative inventory" in response.context["form"].errors["closing_date"][0]
    assert not InventoryClose.objects.exists()


def test_an_accountant_reverses_the_latest_close(january, accountant_page):
    close = done_close()
    gl_entries = GLEntry.objects.count()
    page = text(accountant_page.get("/month-end-close/"))
    assert f'id="close-{close.pk}-reverse"' in page
    response = accountant_page.post(f"/month-end-close/{close.pk}/reverse/", follow=True)
    assert "is reversed" in text(response)
    assert InventoryClose.objects.get().status == "reversed"
    assert GLEntry.objects.count() == 2 * gl_entries
    assert not InventoryPeriod.objects.get().closed


def test_the_viewer_sees_no_run_or_reverse_button_and_is_refused(january, viewer_page):
    close = done_close()
    overview = main(viewer_page.get("/month-end-close/"))
    assert 'method="post"' not in overview
    assert f'id="close-{close.pk}-reverse"' not in overview
    assert ">Run</button>" not in overview  # the pre-run list (a read) is all it may ask for
    detail = main(viewer_page.get(f"/month-end-close/{close.pk}/"))
    assert "<button" not in detail
    assert viewer_page.post("/month-end-close/", {"kind": "recalculation"}).status_code == 403
    assert viewer_page.post(f"/month-end-close/{close.pk}/reverse/").status_code == 403
    assert InventoryClose.objects.get().status == "done"


def test_a_post_without_the_csrf_token_is_refused(january):
    client = page_client("carl", "accountant", enforce_csrf_checks=True)
    response = client.post("/month-end-close/", {"kind": "close", "closing_date": "2025-01-31"})
    assert response.status_code == 403
    assert not InventoryClose.objects.exists()
