"""Two item batches running at once over the same orders (committed data, one connection per
thread, so their transactions really meet).

X and Y: 10 each received at an expected 2.00 on 1 January. O1 consumes 2 X into 1 Y, O2
consumes 2 Y into 1 X (2 January), output on 3 January at 4.00 expected, both finished and not
adjusted. Then both receipts are invoiced at 3.00. Batch A holds X, batch B holds Y; each
batch's orders are O1 and O2 (the output of one, a component of the other). Both reach their
order step while holding their item: waiting for the other's item would be a deadlock.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from costing.models import RunStatus
from costing.services import batches as service
from costing.services import cost_adjustment_run
from costing.services import orders as order_service
from inventory.models import InventoryAdjmtEntryOrder
from inventory.services import (
    inventory_setup_update,
    item_ledger_entry_invoice,
    production_order_create,
    production_order_finish,
)
from tests.inventory.helpers import cost_actual, day, fresh, line, make_item, post, post_one

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="module", autouse=True)
def _restore_migrated_data(django_db_blocker):
    """Put back the data migrations' rows that a transactional test's flush removes."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


def _crossed_orders() -> dict:
    inventory_setup_update(automatic_cost_adjustment="never", cost_adjustment_logging="all")
    make_item("X", unit_cost=D(2))
    make_item("Y", unit_cost=D(2))
    receipts = {
        no: post_one("purchase", no, 10, day(1, 1), unit_cost=D(2), invoiced=False)
        for no in ("X", "Y")
    }
    outputs = {}
    for order, component, made in (("O1", "X", "Y"), ("O2", "Y", "X")):
        production_order_create(no=order, item_no=made, quantity=D(1))
        post(line("consumption", component, 2, day(1, 2), order_no=order))
        (outputs[order],) = post(line("output", made, 1, day(1, 3), order_no=order))
        production_order_finish(no=order, finished_date=day(1, 4))
    for receipt in receipts.values():
        item_ledger_entry_invoice(
            entry_no=receipt.pk, posting_date=day(1, 10), quantity=D(10), unit_cost=D(3)
        )
    return outputs


def test_two_batches_over_crossed_orders_never_deadlock(monkeypatch):
    outputs = _crossed_orders()
    a = service.batch_add(item_nos=["X"])
    b = service.batch_add(item_nos=["Y"])
    both_hold_their_items = threading.Barrier(2, timeout=30)
    real = order_service.orders_multi_level

    def meeting(**kw):
        both_hold_their_items.wait()  # each batch has adjusted (and locked) its item
        return real(**kw)

    monkeypatch.setattr(order_service, "orders_multi_level", meeting)
    results: dict = {}

    def run(batch):
        try:
            results[batch.pk] = service.batch_execute(batch.pk)
        except BaseException as error:  # noqa: BLE001 (looked at below)
            results[batch.pk] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(batch,)) for batch in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    for batch in (a, b):
        outcome = results[batch.pk]
        assert not isinstance(outcome, BaseException), outcome
        assert outcome.status == RunStatus.SUCCESS, outcome.last_error

    # Each batch left the orders the other held: they wait, marked, for the next run, which
    # carries the invoiced cost: 2 x 3.00 = 6.00 for each output.
    monkeypatch.setattr(order_service, "orders_multi_level", real)
    assert cost_adjustment_run().status == "success"
    assert not InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).exists()
    assert cost_actual(fresh(outputs["O1"])) == D("6.00")
    assert cost_actual(fresh(outputs["O2"])) == D("6.00")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_adjusting_an_order_outside_batches_holds_its_components_until_it_commits():
    """A run outside batches waits for the output and the component items, so no posting of a
    component lands while the order's cost is read from it."""
    from django.db import OperationalError, transaction

    inventory_setup_update(automatic_cost_adjustment="never")
    make_item("COMP", unit_cost=D(2))
    make_item("MADE", unit_cost=D(2))
    post_one("purchase", "COMP", 10, day(1, 1), unit_cost=D(2))
    production_order_create(no="O9", item_no="MADE", quantity=D(1))
    post(line("consumption", "COMP", 2, day(1, 2), order_no="O9"))
    post(line("output", "MADE", 1, day(1, 3), order_no="O9"))
    production_order_finish(no="O9", finished_date=day(1, 4))
    locked: dict[str, bool] = {}

    def try_lock() -> None:
        try:
            for no in ("COMP", "MADE"):
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT 1 FROM inventory_item WHERE no = %s FOR UPDATE NOWAIT", [no]
                        )
                    locked[no] = False
                except OperationalError:
                    locked[no] = True
        finally:
            connection.close()

    with transaction.atomic():
        orders = list(InventoryAdjmtEntryOrder.objects.filter(order_no="O9").select_related("item"))
        assert order_service.orders_adjust(orders)
        other = threading.Thread(target=try_lock)
        other.start()
        other.join(30)
    assert locked == {"COMP": True, "MADE": True}
