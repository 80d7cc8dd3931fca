"""Order-level cost adjustment through the levels of a product (DOMAIN §6.3, §6.6, §13).

Raw material R goes into S1 (order P1), S1 into S2 (P2), S2 into the top item TOP (P3), which is
sold. A late invoice of R must reach P1's output, then S2 and TOP through their orders, and
finally the sale of TOP.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from costing.services import cost_adjustment_run
from costing.services.orders import (
    orders_adjust_selected,
    orders_reset_cost_is_adjusted,
    orders_to_adjust,
)
from inventory.errors import InvalidInput
from inventory.models import InventoryAdjmtEntryOrder, ValueEntry
from inventory.services import (
    inventory_setup_update,
    item_ledger_entry_invoice,
    production_order_create,
    production_order_finish,
)
from tests.inventory.helpers import cost_actual, day, fresh, line, make_item, post, post_one

D = Decimal


def build_three_levels() -> dict:
    """R: 10 received at an expected 2.00 (20.00). P1 consumes them into 5 S1, P2 the 5 S1 into
    2 S2, P3 the 2 S2 into 1 TOP; each order is finished; TOP is sold."""
    for no in ("R", "S1", "S2", "TOP"):
        make_item(no)
    receipt = post_one("purchase", "R", 10, day(1, 2), unit_cost=D(2), invoiced=False)
    levels = [("P1", "R", 10, "S1", 5), ("P2", "S1", 5, "S2", 2), ("P3", "S2", 2, "TOP", 1)]
    outputs = {}
    for order, component, used, made, quantity in levels:
        production_order_create(no=order, item_no=made, quantity=D(quantity))
        post(line("consumption", component, used, day(1, 5), order_no=order))
        (outputs[order],) = post(line("output", made, quantity, day(1, 6), order_no=order))
        production_order_finish(no=order, finished_date=day(1, 7))
    (sale,) = post(line("sale", "TOP", 1, day(1, 9), unit_price=D(100)))
    return {"receipt": receipt, "sale": sale, **outputs}


def test_a_late_component_invoice_reaches_the_sale_of_the_top_item_at_once():
    """Automatic cost adjustment Always: the invoice's posting adjusts R, and the orders it
    marked are carried up level by level in the same transaction."""
    inventory_setup_update(automatic_cost_adjustment="always")
    built = build_three_levels()
    # Everything at 20.00 so far: 10 x 2.00 expected, passed on unchanged by each order.
    for order in ("P1", "P2", "P3"):
        assert cost_actual(fresh(built[order])) == D("20.00")
    assert cost_actual(fresh(built["sale"])) == D("-20.00")

    # The receipt is invoiced at 3.00: 30.00, 10.00 more than expected.
    item_ledger_entry_invoice(
        entry_no=built["receipt"].pk, posting_date=day(2, 1), quantity=D(10), unit_cost=D(3)
    )

    # P1's consumption -30, its output 30; S1 consumed whole into P2: 30; S2 into P3: 30; the
    # one TOP sold costs 30.00.
    for order in ("P1", "P2", "P3"):
        assert cost_actual(fresh(built[order])) == D("30.00"), order
    assert cost_actual(fresh(built["sale"])) == D("-30.00")
    assert not orders_to_adjust().exists()


def test_the_cost_adjustment_run_carries_the_late_invoice_through_all_levels():
    inventory_setup_update(automatic_cost_adjustment="never")
    built = build_three_levels()
    # Nothing adjusts without a run: the finished orders wait, their output is expected cost.
    assert sorted(orders_to_adjust().values_list("order_no", flat=True)) == ["P1", "P2", "P3"]
    cost_adjustment_run()
    assert cost_actual(fresh(built["sale"])) == D("-20.00")

    item_ledger_entry_invoice(
        entry_no=built["receipt"].pk, posting_date=day(2, 1), quantity=D(10), unit_cost=D(3)
    )
    result = cost_adjustment_run()
    assert result.status == "success"
    assert cost_actual(fresh(built["P3"])) == D("30.00")
    assert cost_actual(fresh(built["sale"])) == D("-30.00")
    # Each order got its difference once (one level at a time): +10 on each output.
    assert [(o.order_no, o.cost_difference) for o in result.orders] == [
        ("P1", D("10.00")),
        ("P2", D("10.00")),
        ("P3", D("10.00")),
    ]
    # The adjustments of the consumptions (item by item) and of the outputs (order by order)
    # carry the order of the entry they adjust, and its dates.
    adjustments = ValueEntry.objects.filter(adjustment=True).select_related(
        "item_ledger_entry", "applies_to_entry"
    )
    assert {
        (v.item_ledger_entry.entry_type, v.order_no)
        for v in adjustments
        if v.item_ledger_entry.entry_type != "sale"
    } == {(kind, order) for kind in ("consumption", "output") for order in ("P1", "P2", "P3")}
    for v in adjustments:
        original = v.applies_to_entry
        assert (v.order_type, v.order_no, v.posting_date, v.valuation_date) == (
            original.order_type,
            original.order_no,
            original.posting_date,
            original.valuation_date,
        )
    before = ValueEntry.objects.count()
    cost_adjustment_run()
    assert ValueEntry.objects.count() == before  # nothing left to adjust


def test_adjust_cost_for_selected_orders_adjusts_those_and_what_follows():
    inventory_setup_update(automatic_cost_adjustment="never")
    built = build_three_levels()
    cost_adjustment_run()
    item_ledger_entry_invoice(
        entry_no=built["receipt"].pk, posting_date=day(2, 1), quantity=D(10), unit_cost=D(3)
    )
    cost_adjustment_run(item_filter="R")  # R's consumption becomes -30: P1 is marked
    assert list(orders_to_adjust().values_list("order_no", flat=True)) == ["P1"]

    result = orders_adjust_selected(order_keys=[("production", "P1")])

    # P1, then S1's consumption in P2, then P2, then P3, then the sale.
    assert [o.order_no for o in result.orders] == ["P1", "P2", "P3"]
    assert cost_actual(fresh(built["sale"])) == D("-30.00")
    assert InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).count() == 0


def test_selected_orders_must_exist_and_be_finished():
    make_item("X")
    production_order_create(no="P9", item_no="X", quantity=D(1))
    with pytest.raises(InvalidInput) as error:
        orders_adjust_selected(order_keys=[("production", "P9")])
    assert "finished" in error.value.detail["orders"][0]
    with pytest.raises(InvalidInput) as error:
        orders_adjust_selected(order_keys=[("production", "NOPE")])
    assert "NOPE" in error.value.detail["orders"][0]


def test_reset_cost_is_adjusted_for_orders_makes_the_next_run_recompute_them():
    inventory_setup_update(automatic_cost_adjustment="never")
    build_three_levels()
    cost_adjustment_run()
    assert orders_reset_cost_is_adjusted(order_keys=[("production", "P2")]) == 1
    assert list(orders_to_adjust().values_list("order_no", flat=True)) == ["P2"]
    before = ValueEntry.objects.count()
    cost_adjustment_run()
    # Recomputed, and already right: no new entries, and the order is adjusted again.
    assert ValueEntry.objects.count() == before
    assert not orders_to_adjust().exists()


def test_subcontracting_gets_its_own_variance_on_a_standard_item():
    """FG (Standard 50.00, of which subcontracting 20.00): 10 C @ 3.00 = 30 material and 2 x
    13.00 = 26 subcontracting. Variances: material 30 - 30 = 0, subcontracted 20 - 26 = -6; the
    output stays at 50 (direct 56, variance -6)."""
    from inventory.models import WorkCenter
    from inventory.services import CapacityLine, capacity_journal_post

    inventory_setup_update(automatic_cost_adjustment="always")
    make_item("C")
    make_item("FG", "standard", standard_cost=D("50"), single_level_subcontracted_cost=D("20"))
    WorkCenter.objects.create(code="SUB", unit_cost=D("13"), subcontracted=True)
    post_one("purchase", "C", 10, day(1, 1), unit_cost=D(3))
    production_order_create(no="P1", item_no="FG", quantity=D(1))
    post(line("consumption", "C", 10, day(1, 2), order_no="P1"))
    capacity_journal_post(lines=[CapacityLine("P1", day(1, 3), "SUB", D(2))])
    (output,) = post(line("output", "FG", 1, day(1, 4), order_no="P1"))
    production_order_finish(no="P1", finished_date=day(1, 5))

    values = ValueEntry.objects.filter(item_ledger_entry=output, adjustment=True)
    assert {(v.entry_type, v.variance_type): v.cost_amount_actual for v in values} == {
        ("direct_cost", ""): D("56.00"),
        ("variance", "subcontracted"): D("-6.00"),
    }
    assert cost_actual(fresh(output)) == D("50.00")
    row = InventoryAdjmtEntryOrder.objects.get(order_no="P1")
    assert (row.material_cost, row.subcontracted_cost, row.capacity_cost) == (30, 26, 0)


def test_an_average_output_items_sales_follow_the_finished_orders_cost():
    """FG (Average): 2 output at an expected 5.00 = 10.00, one sold at 5.00. The order consumed
    10 C @ 3.00 = 30.00, so the output is 30.00 and the sale, at the period's average, 15.00."""
    inventory_setup_update(automatic_cost_adjustment="always")
    make_item("C")
    make_item("FG", "average")
    post_one("purchase", "C", 10, day(1, 1), unit_cost=D(3))
    production_order_create(no="P1", item_no="FG", quantity=D(2))
    post(line("consumption", "C", 10, day(1, 2), order_no="P1"))
    (output,) = post(line("output", "FG", 2, day(1, 3), order_no="P1", unit_cost=D(5)))
    (sale,) = post(line("sale", "FG", 1, day(1, 4), unit_price=D(40)))
    assert cost_actual(fresh(sale)) == D("-5.00")

    production_order_finish(no="P1", finished_date=day(1, 5))

    assert cost_actual(fresh(output)) == D("30.00")
    assert cost_actual(fresh(sale)) == D("-15.00")


@pytest.mark.usefixtures("eager_celery")
def test_an_item_batch_adjusts_the_finished_orders_of_its_items(django_capture_on_commit_callbacks):
    """Cost Adjustment - Item Batches run the multi-level adjustment too (BC's batch runner
    adjusts cost for its item filter, orders included)."""
    from costing.models import RunStatus
    from costing.services import batches

    inventory_setup_update(automatic_cost_adjustment="never")
    built = build_three_levels()
    item_ledger_entry_invoice(
        entry_no=built["receipt"].pk, posting_date=day(2, 1), quantity=D(10), unit_cost=D(3)
    )
    batch = batches.batch_add()
    with django_capture_on_commit_callbacks(execute=True):
        batches.batch_queue(batch)
    batch.refresh_from_db()

    assert batch.status == RunStatus.SUCCESS
    # 10 x 3.00 = 30.00 through the three levels to the sale of TOP.
    assert cost_actual(fresh(built["sale"])) == D("-30.00")
    assert not orders_to_adjust().exists()


def test_a_logged_run_has_one_item_log_per_item_even_when_a_level_adjusts_it_again():
    """With Cost Adjustment Logging All, S1 is adjusted on the first pass (its consumption by P2)
    and again once P1 is adjusted: the log keeps one row for it, with both visits added up."""
    from costing.models import CostAdjustmentItemLog

    inventory_setup_update(automatic_cost_adjustment="never", cost_adjustment_logging="all")
    built = build_three_levels()
    item_ledger_entry_invoice(
        entry_no=built["receipt"].pk, posting_date=day(2, 1), quantity=D(10), unit_cost=D(3)
    )
    result = cost_adjustment_run()
    assert result.status == "success"
    logged = list(CostAdjustmentItemLog.objects.values_list("item_no", flat=True))
    assert len(logged) == len(set(logged))
    assert {"R", "S1", "S2", "TOP"} <= set(logged)
    assert cost_actual(fresh(built["sale"])) == D("-30.00")
