"""Action messages (DOMAIN §13, BC-IMPLEMENTATION §3): each check fires at its threshold and not
below, says its threshold, runs from the posting and adjustment hooks at most once per 7 days,
all at once with Run Tests, and can be snoozed for 30 days (never switched off)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from costing.services import cost_adjustment_run, item_exclusion_set
from costing.services.adjustment import ItemResult
from costing.services.hooks import Adjusted, after_adjustment
from diagnostics.models import ActionMessage, ActionMessageSnooze
from diagnostics.models import ActionMessageType as T
from diagnostics.services import action_messages as am
from inventory.errors import InvalidInput
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    InventoryPeriod,
    InventorySetup,
    Item,
    ValueEntry,
)
from inventory.services import JournalLine, inventory_setup_update, item_create, item_journal_post

D = Decimal
DAY = dt.date(2025, 3, 3)
NOW = timezone.make_aware(dt.datetime(2025, 6, 15, 12, 0))


def make_item(no: str, method: str = "fifo") -> Item:
    return item_create(
        no=no,
        costing_method=method,
        inventory_posting_group="RESALE",
        gen_prod_posting_group="RETAIL",
    )


def buy(no: str, quantity, unit_cost, on: dt.date = DAY):
    return item_journal_post(
        lines=[JournalLine("purchase", no, on, D(quantity), unit_cost=D(unit_cost))]
    )[0]


def sell(no: str, quantity, on: dt.date = DAY):
    return item_journal_post(lines=[JournalLine("sale", no, on, D(quantity))])[0]


def message(type_: int) -> ActionMessage:
    return ActionMessage.objects.get(type=type_)


@pytest.fixture(autouse=True)
def manual_setup(db):
    inventory_setup_update(automatic_cost_posting=False, automatic_cost_adjustment="never")


# -- 10: cost adjustment not running -----------------------------------------------------------


def test_not_running_fires_when_nothing_adjusts_cost():
    PeriodicTask.objects.update(enabled=False)
    outcome = am.check_cost_adjustment_not_running(InventorySetup.get(), NOW)
    assert outcome.active
    assert "Automatic Cost Adjustment is Never" in outcome.message
    assert outcome.threshold.startswith("Automatic Cost Adjustment is Never")


@pytest.mark.parametrize("case", ["automatic", "scheduled", "adjusted_once"])
def test_not_running_is_quiet_when_anything_adjusts_cost(case):
    PeriodicTask.objects.update(enabled=False)
    if case == "automatic":
        inventory_setup_update(automatic_cost_adjustment="month")
    elif case == "scheduled":
        PeriodicTask.objects.filter(task="ledger.post_inventory_cost_to_gl").update(enabled=True)
    else:
        make_item("A")
        receipt = buy("A", 2, 10)
        sell("A", 1)
        from inventory.services import item_charge_assign

        item_charge_assign(entry_no=receipt.pk, posting_date=DAY, amount=D(4))
        cost_adjustment_run()
        assert ValueEntry.objects.filter(source_code="INVTADJMT").exists()
    assert not am.check_cost_adjustment_not_running(InventorySetup.get(), NOW).active


def test_the_schedule_counts_only_when_it_adjusts_first():
    inventory_setup_update(adjust_cost_before_posting_to_gl=False)
    assert PeriodicTask.objects.filter(enabled=True).exists()
    assert am.check_cost_adjustment_not_running(InventorySetup.get(), NOW).active


def test_a_posting_raises_not_running_once_and_not_again_within_7_days():
    PeriodicTask.objects.update(enabled=False)
    make_item("A")
    buy("A", 1, 10)
    first = message(T.COST_ADJUSTMENT_NOT_RUNNING)
    assert first.active and first.importance == 2
    assert first.next_check_at - first.checked_at == dt.timedelta(days=7)
    # Fixed meanwhile, but the check is not due yet: the next posting does not run it.
    inventory_setup_update(automatic_cost_adjustment="always")
    buy("A", 1, 10)
    assert message(T.COST_ADJUSTMENT_NOT_RUNNING).checked_at == first.checked_at
    # Once due (7 days on), the next posting runs it again.
    ActionMessage.objects.update(next_check_at=timezone.now() - dt.timedelta(seconds=1))
    buy("A", 1, 10)
    again = message(T.COST_ADJUSTMENT_NOT_RUNNING)
    assert not again.active and again.message == "No issues found." and again.importance == 5
    # Only check 10 runs after a posting.
    assert set(ActionMessage.objects.values_list("type", flat=True)) == {10, 70}  # 70: auto adj.


# -- 20: running long --------------------------------------------------------------------------


def test_running_long_fires_above_5_minutes_and_not_at_them():
    assert not am.check_running_long({"A": 300_000}).active
    outcome = am.check_running_long({"A": 300_000, "B": 400_000})
    assert outcome.active
    assert "Adjusting item B took 6 min 40 s, more than 5 minutes" in outcome.message
    assert "300,000 ms" in outcome.threshold
    assert outcome.details["items_ms"] == {"B": 400_000}


def test_an_adjustment_raises_running_long_with_the_item_durations():
    long = ItemResult("A", 1, D(0), duration_ms=300_001)
    after_adjustment(
        Adjusted(items=[ItemResult("B", 0, D(0), duration_ms=300_000)], automatic=True)
    )
    assert not ActionMessage.objects.filter(type=T.COST_ADJUSTMENT_RUNNING_LONG).exists()
    after_adjustment(Adjusted(items=[long], automatic=True))
    assert message(T.COST_ADJUSTMENT_RUNNING_LONG).active
    assert message(T.COST_ADJUSTMENT_RUNNING_LONG).importance == 4


# -- 30: average cost settings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calc_type", "period", "fires"),
    [
        ("item_location_variant", "day", False),
        ("item_location_variant", "month", False),  # "not longer than a month"
        ("item_location_variant", "accounting_period", False),
        ("item_location_variant", "quarter", True),
        ("item_location_variant", "year", True),
        ("item", "day", True),
    ],
)
def test_average_cost_settings(calc_type, period, fires):
    setup = inventory_setup_update(average_cost_calc_type=calc_type, average_cost_period=period)
    outcome = am.check_average_cost_settings(setup)
    assert outcome.active is fires
    assert "Quarter or Year" in outcome.threshold
    if fires and calc_type == "item":
        assert "Item & Location & Variant is recommended" in outcome.message
    if fires and period in ("quarter", "year"):
        assert "should not be longer than a month" in outcome.message


# -- 40: inventory periods ---------------------------------------------------------------------


def test_inventory_periods_need_an_open_one_ahead_and_a_closed_one_behind():
    today = dt.date(2025, 6, 15)
    assert am.check_inventory_periods(today).active  # none at all
    InventoryPeriod.objects.create(ending_date=dt.date(2025, 5, 31), closed=True)
    outcome = am.check_inventory_periods(today)
    assert outcome.active and "no open inventory period ends on or after 2025-06-15" in (
        outcome.message
    )
    InventoryPeriod.objects.create(ending_date=dt.date(2025, 6, 15), closed=False)  # on the day
    assert not am.check_inventory_periods(today).active
    InventoryPeriod.objects.filter(closed=False).update(ending_date=dt.date(2025, 6, 30))
    InventoryPeriod.objects.filter(closed=True).update(ending_date=dt.date(2025, 6, 15))
    outcome = am.check_inventory_periods(today)  # closed on the work date is not "before" it
    assert outcome.active and "no closed inventory period ends before 2025-06-15" in (
        outcome.message
    )


# -- 50: many non-adjusted entry points --------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "limit"),
    [("day", 30), ("week", 8), ("month", 3), ("quarter", 2), ("year", 2), ("accounting_period", 3)],
)
def test_entry_points_fire_at_the_limit_of_the_period_and_not_below(period, limit):
    setup = inventory_setup_update(average_cost_period=period)
    item = make_item("AV", "average")
    excluded = make_item("EX", "average")
    excluded.excluded_from_cost_adjustment = True
    excluded.save()
    dates = [DAY + dt.timedelta(days=n) for n in range(limit)]
    for date in dates[:-1]:
        AvgCostAdjmtEntryPoint.objects.create(item=item, valuation_date=date)
    # Not counted: an adjusted period, an excluded item's periods, a second location's row of
    # a date already counted.
    AvgCostAdjmtEntryPoint.objects.create(
        item=item, valuation_date=dates[-1], cost_is_adjusted=True
    )
    AvgCostAdjmtEntryPoint.objects.create(item=excluded, valuation_date=dates[-1])
    AvgCostAdjmtEntryPoint.objects.create(item=item, valuation_date=dates[0], location_code="X")
    below = am.check_entry_points(setup)
    assert not below.active and below.details == {"waiting": limit - 1, "limit": limit}
    AvgCostAdjmtEntryPoint.objects.filter(item=item, valuation_date=dates[-1]).update(
        cost_is_adjusted=False
    )
    at = am.check_entry_points(setup)
    assert at.active
    assert f"{limit} average-cost valuation dates wait" in at.message
    assert at.threshold.startswith(f"{limit} or more valuation dates")


# -- 60: many non-adjusted orders --------------------------------------------------------------


def test_orders_fire_above_500_and_not_at_500():
    assert not am.check_orders().active  # no orders
    waiting = {"n": 500}

    def counter() -> int:
        return waiting["n"]

    am.register_order_counter(counter)
    try:
        assert not am.check_orders().active
        waiting["n"] = 501
        outcome = am.check_orders()
        assert outcome.active and "501 production or assembly orders" in outcome.message
        assert "More than 500" in outcome.threshold
    finally:
        am.unregister_order_counter(counter)


def test_the_orders_waiting_for_adjustment_are_counted_and_fire_above_500():
    """Production orders counted as BC counts them: Inventory Adjmt. Entry (Order) rows with
    Cost Is Adjusted off. 501 new orders are adjusted (nothing posted): 0 waiting. Reset Cost Is
    Adjusted for 500 of them: 500 waiting, not more than 500, no message; for the 501st: 501."""
    from costing.services.orders import orders_reset_cost_is_adjusted
    from inventory.services import production_order_create

    item_create(no="FG", inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
    nos = [f"P{n:04d}" for n in range(1, 502)]
    for no in nos:
        production_order_create(no=no, item_no="FG", quantity=Decimal(1))
    outcome = am.check_orders()
    assert not outcome.active and outcome.details["waiting"] == 0

    orders_reset_cost_is_adjusted(order_keys=[("production", no) for no in nos[:500]])
    outcome = am.check_orders()
    assert not outcome.active and outcome.details["waiting"] == 500

    orders_reset_cost_is_adjusted(order_keys=[("production", nos[500])])
    outcome = am.check_orders()
    assert outcome.active and "501 production or assembly orders" in outcome.message
    # Run Tests writes it as an active message of type 60.
    am.action_messages_run_all()
    assert ActionMessage.objects.get(type=T.MANY_NON_ADJUSTED_ORDERS).active


# -- 70: items excluded ------------------------------------------------------------------------


def test_excluded_items_fire_from_one_not_adjusted_item():
    a, b = make_item("A"), make_item("B")
    assert not am.check_excluded_items().active
    item_exclusion_set(item=a, excluded=True)  # excluded, but adjusted: nothing left out
    assert not am.check_excluded_items().active
    Item.objects.filter(pk=a.pk).update(cost_is_adjusted=False)
    one = am.check_excluded_items()
    assert one.active and one.message.startswith("One item is excluded") and "(A)" in one.message
    item_exclusion_set(item=b, excluded=True)
    Item.objects.filter(pk=b.pk).update(cost_is_adjusted=False)
    two = am.check_excluded_items()
    assert two.message.startswith("2 items are excluded") and "(A, B)" in two.message


def test_an_adjustment_run_runs_its_checks():
    make_item("A")
    inventory_setup_update(average_cost_period="year")
    cost_adjustment_run()
    types = set(ActionMessage.objects.values_list("type", flat=True))
    assert types == {30, 40, 50, 60, 70}
    assert message(T.SUBOPTIMAL_AVG_COST_SETTINGS).active


# -- 100: data discrepancy ---------------------------------------------------------------------


def test_data_discrepancy_fires_for_an_adjusted_item_with_no_inventory_but_value():
    make_item("A")
    buy("A", 2, 10)
    sale = sell("A", 2)
    cost_adjustment_run()
    assert not am.check_data_discrepancy().active  # 20 in, 20 out: nothing left
    # One cent left behind on the sale: -19.99 out of 20.00 in.
    ValueEntry.objects.filter(item_ledger_entry=sale).update(cost_amount_actual=D("-19.99"))
    outcome = am.check_data_discrepancy()
    assert outcome.active and "1 adjusted items have no inventory but a value left: A (0.01)" in (
        outcome.message
    )
    assert outcome.details["items"] == [{"item_no": "A", "actual": "0.01", "expected": "0.00"}]
    Item.objects.filter(no="A").update(cost_is_adjusted=False)  # not adjusted: not a finding
    assert not am.check_data_discrepancy().active


def test_data_discrepancy_lists_at_most_20_items():
    for n in range(21):
        no = f"I{n:02d}"
        make_item(no)
        buy(no, 1, 10)
        sale = sell(no, 1)
        ValueEntry.objects.filter(item_ledger_entry=sale).update(cost_amount_actual=D("-9"))
    Item.objects.update(cost_is_adjusted=True)
    outcome = am.check_data_discrepancy()
    assert outcome.message.startswith("more than 20 adjusted items")
    assert len(outcome.details["items"]) == 20


# -- Run Tests, snooze, the notification -------------------------------------------------------


def test_run_tests_deletes_every_message_and_runs_every_check():
    ActionMessage.objects.create(
        type=T.DATA_DISCREPANCY,
        message="old",
        importance=2,
        checked_at=NOW,
        next_check_at=NOW + dt.timedelta(days=300),
    )
    written = am.action_messages_run_all()
    assert sorted(m.type for m in written) == sorted(T.values)
    assert message(T.DATA_DISCREPANCY).message == "No issues found."
    assert all(m.threshold for m in ActionMessage.objects.all())


def test_snooze_hides_a_message_from_the_notification_for_30_days():
    make_item("A")
    Item.objects.filter(no="A").update(excluded_from_cost_adjustment=True, cost_is_adjusted=False)
    am.action_messages_run_all()
    assert T.ITEM_EXCLUDED in set(am.action_messages_to_notify().values_list("type", flat=True))
    now = timezone.now()
    snooze = am.action_message_snooze(type=T.ITEM_EXCLUDED, by="anna", now=now)
    assert snooze.snoozed_until == now + dt.timedelta(days=30)
    assert T.ITEM_EXCLUDED not in set(am.action_messages_to_notify().values_list("type", flat=True))
    # The check still runs (a snooze is not a switch-off) and comes back after 30 days.
    am.action_messages_run_all()
    assert message(T.ITEM_EXCLUDED).active
    later = now + dt.timedelta(days=30, seconds=1)
    ActionMessage.objects.update(next_check_at=later + dt.timedelta(days=1))
    assert T.ITEM_EXCLUDED in set(
        am.action_messages_to_notify(later).values_list("type", flat=True)
    )
    assert ActionMessageSnooze.objects.count() == 1


def test_snoozing_an_unknown_type_is_refused():
    with pytest.raises(InvalidInput) as problem:
        am.action_message_snooze(type=11)
    assert "type" in problem.value.detail


def test_a_failing_check_never_stops_a_posting(monkeypatch):
    PeriodicTask.objects.update(enabled=False)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(am, "check_cost_adjustment_not_running", broken)
    make_item("A")
    buy("A", 1, 10)
    assert Item.objects.get(no="A").ledger_entries.count() == 1
    assert not ActionMessage.objects.filter(type=T.COST_ADJUSTMENT_NOT_RUNNING).exists()


def test_a_posting_pays_one_read_per_hook_when_no_check_is_due():
    inventory_setup_update(automatic_cost_adjustment="always")
    make_item("A")
    buy("A", 1, 10)  # the first posting runs checks 10 and 70 and writes their rows
    assert set(ActionMessage.objects.values_list("type", flat=True)) == {10, 70}
    line = JournalLine("purchase", "A", DAY, D(1), unit_cost=D(10))
    with CaptureQueriesContext(connection) as queries:
        item_journal_post(lines=[line])
    reads = [q["sql"] for q in queries if "diagnostics_actionmessage" in q["sql"]]
    assert len(reads) == 2  # one after the posting (10), one after its adjustment (70)
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in reads)
