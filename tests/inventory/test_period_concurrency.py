"""Closing a period beside postings: a posting under way when the close starts is waited for
(and seen by the close test), a posting that starts while the close runs waits for it (and is
then refused). Each thread has its own database connection and the data is committed
(transactional test), so they really meet.

Item A: 2 received on 5 Jan 2025, adjusted.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from costing.services import cost_adjustment_run
from inventory.errors import InvalidInput
from inventory.models import InventoryPeriod, ItemLedgerEntry
from inventory.services import item_journal_post
from inventory.services.periods import inventory_period_close, inventory_period_create
from tests.inventory.helpers import (
    day,
    line,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
HOLD = 1.0  # seconds the first transaction stays open after its work


@pytest.fixture(scope="module", autouse=True)
def _restore_migrated_data(django_db_blocker):
    """Put back the data migrations' rows (roles, schedules) that a transactional test's flush
    removes, for the tests that run after this module."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


def in_thread(function, results: dict, key: str) -> threading.Thread:
    def run():
        try:
            results[key] = function()
        except BaseException as error:  # noqa: BLE001 (looked at by the test)
            results[key] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.fixture
def period() -> InventoryPeriod:
    item = make_item("A")
    purchase(item, 2, 10, day(1, 5))
    cost_adjustment_run()
    return inventory_period_create(ending_date=day(1, 31), name="January")


def test_a_close_waits_for_a_posting_under_way_and_sees_it(period):
    posted = threading.Event()
    results: dict = {}

    def short_sale():  # 3 sold of 2 on hand: negative inventory in January
        with transaction.atomic():
            item_journal_post(lines=[line("sale", "A", 3, day(1, 20))])
            posted.set()
            time.sleep(HOLD)

    def close():
        posted.wait(timeout=30)
        started = time.monotonic()
        try:
            inventory_period_close(period=period)
        finally:
            results["waited"] = time.monotonic() - started

    threads = [in_thread(short_sale, results, "sale"), in_thread(close, results, "close")]
    for thread in threads:
        thread.join(timeout=60)
    assert results["sale"] is None
    assert isinstance(results["close"], InvalidInput)
    assert "Item A has negative inventory" in results["close"].detail["period"][0]
    assert results["waited"] >= HOLD * 0.8
    assert InventoryPeriod.objects.get().closed is False


def test_a_posting_that_starts_during_a_close_waits_and_is_refused(period):
    closing = threading.Event()
    results: dict = {}

    def close():
        with transaction.atomic():
            inventory_period_close(period=period)
            closing.set()
            time.sleep(HOLD)

    def late_purchase():
        closing.wait(timeout=30)
        started = time.monotonic()
        try:
            item_journal_post(lines=[line("purchase", "A", 1, day(1, 25), unit_cost=10)])
        finally:
            results["waited"] = time.monotonic() - started

    threads = [in_thread(close, results, "close"), in_thread(late_purchase, results, "purchase")]
    for thread in threads:
        thread.join(timeout=60)
    assert results["close"] is None
    assert isinstance(results["purchase"], InvalidInput)
    assert "ending 2025-01-31 is closed" in str(results["purchase"].detail)
    assert results["waited"] >= HOLD * 0.8
    assert ItemLedgerEntry.objects.count() == 1
