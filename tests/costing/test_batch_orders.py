"""Item batches and production orders: a batch adjusts the orders whose output or components
are among its items (a selection, a split, a blank filter), never every order; and two batches
running at once never wait for each other's items or order rows (no deadlock).

The product (three levels, tests/costing/test_order_adjustment.py): R (10 received at an
expected 2.00) into 5 S1 (P1), S1 into 2 S2 (P2), S2 into 1 TOP (P3), sold; everything adjusted
at 20.00. Then R is invoiced at 3.00: 10.00 more, 30.00 through every level. Beside it an
unrelated finished order Q (OTHER from OC) waits for adjustment.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from costing.models import (
    CostAdjustmentItemBatch,
    CostAdjustmentItemLog,
    CostAdjustmentRun,
    RunStatus,
)
from costing.services import batches as service
from costing.services import cost_adjustment_run
from costing.services.orders import orders_reset_cost_is_adjusted, orders_to_adjust
from inventory.models import InventoryAdjmtEntryOrder
from inventory.services import (
    inventory_setup_update,
    item_ledger_entry_invoice,
    production_order_create,
    production_order_finish,
)
from tests.costing.test_order_adjustment import build_three_levels
from tests.inventory.helpers import cost_actual, day, fresh, line, make_item, post, post_one

D = Decimal


def _waiting() -> set[str]:
    return set(
        InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).values_list(
            "order_no", flat=True
        )
    )


@pytest.fixture
def invoiced_late() -> dict:
    inventory_setup_update(automatic_cost_adjustment="never")
    built = build_three_levels()
    make_item("OC")
    make_item("OTHER")
    post_one("purchase", "OC", 1, day(1, 2), unit_cost=D(4))
    production_order_create(no="Q", item_no="OTHER", quantity=D(1))
    post(line("consumption", "OC", 1, day(1, 5), order_no="Q"))
    (built["Q"],) = post(line("output", "OTHER", 1, day(1, 6), order_no="Q"))
    production_order_finish(no="Q", finished_date=day(1, 7))
    assert cost_adjustment_run().status == "success"
    assert cost_actual(fresh(built["sale"])) == D("-20.00")
    item_ledger_entry_invoice(
        entry_no=built["receipt"].pk, posting_date=day(2, 1), quantity=D(10), unit_cost=D(3)
    )
    orders_reset_cost_is_adjusted(order_keys=[("production", "Q")])
    assert _waiting() == {"Q"}
    return built


def test_a_batch_of_selected_items_adjusts_the_orders_of_its_components_and_outputs(
    invoiced_late,
):
    built = invoiced_late
    batch = service.batch_add(item_nos=["R", "S1"])
    assert service.batch_execute(batch.pk).status == RunStatus.SUCCESS
    # R's 10.00 reaches P1 (component R, output S1): 30.00; S1 is the batch's, so its
    # consumption by P2 is adjusted, and P2 (component S1) carries 30.00 to S2.
    assert cost_actual(fresh(built["P1"])) == D("30.00")
    assert cost_actual(fresh(built["P2"])) == D("30.00")
    # S2 and TOP are not the batch's: P3 and the sale wait for their batch; Q is untouched.
    assert cost_actual(fresh(built["P3"])) == D("20.00")
    assert cost_actual(fresh(built["sale"])) == D("-20.00")
    assert _waiting() == {"Q"}

    # The batch of the rest (a split of the same kind: "S2|TOP") takes it to the sale.
    rest = service.batch_add(item_nos=["S2", "TOP"])
    assert service.batch_execute(rest.pk).status == RunStatus.SUCCESS
    assert cost_actual(fresh(built["P3"])) == D("30.00")
    assert cost_actual(fresh(built["sale"])) == D("-30.00")
    assert _waiting() == {"Q"}


def test_a_split_batch_adjusts_only_the_orders_of_its_items(invoiced_late):
    built = invoiced_late
    parent = service.batch_add(item_nos=["OTHER", "R"])
    # The halves a timed-out batch is split into (batch_split does the same).
    first = service.batch_add(item_nos=["OTHER"], split_from=parent)
    second = service.batch_add(item_nos=["R"], split_from=parent)
    assert service.batch_execute(second.pk).status == RunStatus.SUCCESS
    assert cost_actual(fresh(built["P1"])) == D("30.00")
    assert _waiting() == {"Q"}  # Q makes OTHER: not this half's
    assert service.batch_execute(first.pk).status == RunStatus.SUCCESS
    assert _waiting() == set()
    assert cost_actual(fresh(built["Q"])) == D("4.00")  # 1 OC at 4.00


def test_a_batch_with_a_blank_filter_adjusts_the_orders_of_the_items_it_adjusted(invoiced_late):
    built = invoiced_late
    batch = CostAdjustmentItemBatch.objects.create(item_filter="")
    assert service.batch_execute(batch.pk).status == RunStatus.SUCCESS
    # It adjusted R (the only item waiting): P1 follows, Q (of OC and OTHER) does not.
    assert cost_actual(fresh(built["P1"])) == D("30.00")
    assert "Q" in _waiting()
    assert orders_to_adjust().filter(order_no="Q").exists()


def test_a_batch_logs_what_its_order_levels_adjusted_as_a_plain_run_does(invoiced_late):
    inventory_setup_update(cost_adjustment_logging="all")
    savepoint = transaction.savepoint()
    plain = cost_adjustment_run(item_filter="R|S1")
    transaction.savepoint_rollback(savepoint)
    by_item = {r.item_no: r.entries_adjusted for r in plain.items}
    # R's receipt and consumption, then, through P1, S1's output and its consumption by P2.
    assert by_item["S1"] >= 1

    batch = service.batch_add(item_nos=["R", "S1"])
    assert service.batch_execute(batch.pk).status == RunStatus.SUCCESS
    run = CostAdjustmentRun.objects.get(batch=batch)
    assert run.entries_adjusted == plain.entries_adjusted
    logged = dict(
        CostAdjustmentItemLog.objects.filter(run=run).values_list("item_no", "entries_adjusted")
    )
    assert logged == by_item
