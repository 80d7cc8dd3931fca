"""Post Inventory Cost to G/L under concurrency: two runs at once, and a run beside ongoing
postings. Each thread has its own database connection (closed when the thread ends), and the
data is committed (transactional test), so the threads really see each other's work.

What must hold afterwards: no value entry is posted twice (the G/L amounts linked to each value
entry add up to its cost, once), none is missed, and the Inventory accounts carry exactly the
inventory value.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from inventory.models import ValueEntry
from inventory.services import inventory_setup_update
from ledger.models import GLEntry, GLItemLedgerRelation
from tests.ledger.conftest import (
    INVENTORY,
    D,
    assert_every_transaction_balances,
    day,
    inventory_gl_balance,
    inventory_value,
    jline,
    make_item,
    post,
    post_lines,
    post_per_entry,
    post_per_group,
    queued,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("gl_setup", "batch_posting"),
]


@pytest.fixture(scope="module", autouse=True)
def _restore_migrated_data(django_db_blocker):
    """A transactional test ends by emptying the database (flush), the rows of the data
    migrations included (roles, the Post Inventory Cost to G/L schedule). Tests that run after
    this module in the same session expect them, so put them back once the module is done."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


def run_together(*functions: Callable[[], object]) -> list[object]:
    """Start the functions in threads at the same moment; return their results in order and
    re-raise the first error of any thread."""
    results: list[object] = [None] * len(functions)
    errors: list[BaseException] = []
    start = threading.Barrier(len(functions))

    def runner(index: int, function: Callable[[], object]) -> None:
        try:
            start.wait(timeout=30)
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 (reported to the test below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=pair) for pair in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def _busy_ledger(items: int = 5, purchases: int = 20, sales: int = 10) -> int:
    """Per item: `purchases` receipts of 1 @ (item no. + line no.) and `sales` sales of 1, in one
    journal per item. Returns the number of value entries."""
    for i in range(items):
        item = make_item(f"I{i}")
        lines = [
            jline("purchase", item, 1, day(1, 1 + n % 28), unit_cost=i + n + 1)
            for n in range(purchases)
        ]
        lines += [jline("sale", item, 1, day(2, 1 + n % 28)) for n in range(sales)]
        post_lines(*lines)
    count = ValueEntry.objects.count()
    assert count == items * (purchases + sales)
    return count


def _assert_each_value_entry_posted_once() -> None:
    for value in ValueEntry.objects.all():
        links = GLItemLedgerRelation.objects.filter(value_entry=value)
        on_inventory = GLEntry.objects.filter(
            value_links__value_entry=value, account_id=INVENTORY
        ).aggregate(s=Sum("amount"))["s"]
        assert on_inventory == value.cost_amount_actual, f"VE {value.pk}"
        assert links.count() == 2, f"VE {value.pk} has {links.count()} G/L entries"
        assert value.cost_posted_to_gl == value.cost_amount_actual, f"VE {value.pk}"


def test_two_runs_at_once_never_post_a_value_entry_twice():
    count = _busy_ledger()
    single_run_lines = len(post_per_entry(post=False).lines)
    assert single_run_lines == 2 * count  # one pair per value entry

    first, second = run_together(post_per_entry, post_per_entry)

    assert first.value_entries_posted + second.value_entries_posted == count
    assert GLEntry.objects.count() == single_run_lines
    _assert_each_value_entry_posted_once()
    assert queued() == set()
    assert_every_transaction_balances()
    assert inventory_gl_balance() == inventory_value()


def test_two_runs_per_posting_group_at_once_write_what_a_single_run_would():
    count = _busy_ledger()
    single_run_lines = len(post_per_group("ONE", post=False).lines)

    first, second = run_together(lambda: post_per_group("RUN-1"), lambda: post_per_group("RUN-2"))

    assert first.value_entries_posted + second.value_entries_posted == count
    assert GLEntry.objects.count() == single_run_lines
    for value in ValueEntry.objects.all():
        assert value.cost_posted_to_gl == value.cost_amount_actual
        on_inventory = GLItemLedgerRelation.objects.filter(
            value_entry=value, gl_entry__account_id=INVENTORY
        ).count()
        assert on_inventory == 1  # in exactly one Inventory line of one document
    assert queued() == set()
    assert_every_transaction_balances()
    assert inventory_gl_balance() == inventory_value()


@pytest.mark.parametrize("automatic", [False, True], ids=["batch only", "automatic posting"])
def test_a_run_beside_ongoing_postings_neither_double_posts_nor_misses_one(automatic):
    inventory_setup_update(automatic_cost_posting=automatic)
    a, b = make_item("A"), make_item("B")
    done = threading.Event()
    runs: list = []

    def keep_posting() -> int:
        try:
            for n in range(30):
                item = a if n % 2 else b
                post("purchase", item, 2, day(1, 1 + n % 28), unit_cost=n + 1)
                if n % 3 == 2:
                    post("sale", item, 1, day(2, 1 + n % 28))
            return 30
        finally:
            done.set()

    def keep_running() -> int:
        while not done.is_set():
            runs.append(post_per_entry())
            time.sleep(0.005)
        return len(runs)

    run_together(keep_posting, keep_running)
    post_per_entry()  # the final run picks up whatever came after the last one

    assert ValueEntry.objects.count() == 40  # 30 receipts + 10 sales
    _assert_each_value_entry_posted_once()
    assert queued() == set()
    assert_every_transaction_balances()
    assert inventory_gl_balance() == inventory_value()
    total = ValueEntry.objects.aggregate(s=Sum("cost_amount_actual"))["s"]
    assert GLEntry.objects.filter(account_id=INVENTORY).aggregate(s=Sum("amount"))["s"] == total
    assert isinstance(total, Decimal) and total > D(0)
