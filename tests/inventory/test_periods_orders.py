"""Inventory periods and production and assembly orders (DOMAIN §10.1 point 3): a period with
entries of an order that is not adjusted (released or finished production order, assembly
order) cannot close; the close test names the order and says what to do."""

from __future__ import annotations

import pytest

from costing.services import cost_adjustment_run
from costing.services.orders import orders_reset_cost_is_adjusted
from inventory.errors import InvalidInput
from inventory.models import InventoryAdjmtEntryOrder
from inventory.services import (
    CapacityLine,
    capacity_journal_post,
    production_order_create,
    production_order_finish,
)
from inventory.services.assembly import AssemblyComponent, assembly_order_post
from inventory.services.periods import (
    ORDER_IN_PROGRESS,
    ORDER_NOT_ADJUSTED,
    inventory_period_close,
    inventory_period_close_test,
    inventory_period_create,
)
from tests.inventory.helpers import (
    D,
    cost_actual,
    day,
    fresh,
    line,
    make_item,
    post,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
)


def _order_blockers(period):
    return [
        (b.kind, b.order, b.item_no)
        for b in inventory_period_close_test(period).blockers
        if b.order
    ]


def _bike_order(finish: bool = True):
    """C: 4 bought at 3.00 on 10 January; P1 consumes them (12.00) on 12 January, 1 hour on WC
    at 8.00, output 2 FG on 14 January (expected 0), finished on 15 January."""
    from inventory.models import WorkCenter

    make_item("C")
    make_item("FG")
    WorkCenter.objects.create(code="WC", unit_cost=D(8))
    purchase("C", 4, 3, day(1, 10))
    production_order_create(no="P1", item_no="FG", quantity=D(2))
    (consumed,) = post(line("consumption", "C", 4, day(1, 12), order_no="P1"))
    capacity_journal_post(lines=[CapacityLine("P1", day(1, 13), "WC", D(1))])
    (output,) = post(line("output", "FG", 2, day(1, 14), order_no="P1"))
    if finish:
        production_order_finish(no="P1", finished_date=day(1, 15))
    return consumed, output


def test_a_finished_order_not_adjusted_stops_the_close_and_adjusting_clears_it():
    consumed, output = _bike_order()
    january = inventory_period_create(ending_date=day(1, 31), name="January")
    test = inventory_period_close_test(january)
    (blocker,) = [b for b in test.blockers if b.order]
    assert (blocker.kind, blocker.order, blocker.item_no) == (
        ORDER_NOT_ADJUSTED,
        "production P1",
        "FG",
    )
    assert set(blocker.entry_nos) == {consumed.pk, output.pk}
    assert "finished production order P1" in blocker.message
    assert "capacity ledger entries" in blocker.message
    assert "Run Adjust Cost" in blocker.message
    with pytest.raises(InvalidInput) as refused:
        inventory_period_close(period=january)
    assert any("P1" in m for m in refused.value.detail["period"])

    assert cost_adjustment_run().status == "success"
    # The output carries what went in: 4 x 3.00 + 1 h x 8.00 = 20.00.
    assert cost_actual(fresh(output)) == D("20.00")
    assert _order_blockers(january) == []
    assert inventory_period_close(period=january).closed


def test_a_released_order_with_consumption_in_the_period_stops_the_close():
    _bike_order(finish=False)
    january = inventory_period_create(ending_date=day(1, 31), name="January")
    (blocker,) = [b for b in inventory_period_close_test(january).blockers if b.order]
    assert blocker.kind == ORDER_IN_PROGRESS
    assert "released production order P1" in blocker.message
    assert "finish it" in blocker.message
    # A period that ends before the order's first entry (12 January) is not concerned.
    assert _order_blockers(inventory_period_create(ending_date=day(1, 11))) == []


def test_a_released_order_with_output_only_is_adjusted_and_stops_nothing():
    make_item("FG")
    production_order_create(no="P2", item_no="FG", quantity=D(1))
    post(line("output", "FG", 1, day(1, 14), order_no="P2"))
    assert InventoryAdjmtEntryOrder.objects.get(order_no="P2").cost_is_adjusted
    assert _order_blockers(inventory_period_create(ending_date=day(1, 31))) == []


def test_an_assembly_order_not_adjusted_stops_the_close():
    make_item("C")
    make_item("KIT")
    purchase("C", 2, 3, day(1, 5))
    assembly_order_post(
        no="A1",
        item_no="KIT",
        posting_date=day(1, 6),
        quantity=D(1),
        components=[AssemblyComponent("C", D(2))],
    )
    january = inventory_period_create(ending_date=day(1, 31))
    assert _order_blockers(january) == []  # posted adjusted
    orders_reset_cost_is_adjusted(order_keys=[("assembly", "A1")])
    assert _order_blockers(january) == [(ORDER_NOT_ADJUSTED, "assembly A1", "KIT")]
    cost_adjustment_run()
    assert _order_blockers(january) == []
