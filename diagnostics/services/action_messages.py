"""Action messages: the self-diagnostics of cost adjustment (DOMAIN §13, BC-IMPLEMENTATION §3).

Eight checks, each with Business Central's condition and threshold. Each writes one row per type:
active (an issue, with the threshold in its text) or inactive ("No issues found"), and is not
run again for CHECK_INTERVAL, so that running them during postings costs one indexed read:

- after every posting (not adjustments): Cost adjustment not running (10);
- after a cost adjustment run (manual, batch, scheduled): 30, 40, 50 and 60;
- after any adjustment, automatic ones included: Items excluded (70), and Running long (20)
  from the run's own item durations;
- Run Tests: deletes every message and runs every check, Data discrepancy (100) included.

A message can be snoozed for 30 days (never disabled): its check still runs and its row is
kept up to date, but the notification leaves it out until the snooze ends.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from costing.engine.money import AMOUNT_PLACES, MAX_DIGITS, QUANTITY_PLACES
from costing.models import CostAdjustmentItemLog, CostAdjustmentRun, RunStatus
from costing.services.entries import SOURCE_CODE as ADJUSTMENT_SOURCE_CODE
from costing.services.hooks import Adjusted
from diagnostics.models import ActionMessage, ActionMessageSnooze, ActionMessageType
from inventory.models import (
    AutomaticCostAdjustment,
    AverageCostCalcType,
    AverageCostPeriod,
    AvgCostAdjmtEntryPoint,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.services.hooks import Posted

log = logging.getLogger(__name__)

T = ActionMessageType
CHECK_INTERVAL = dt.timedelta(days=7)
SNOOZE = dt.timedelta(days=30)
LONG_ITEM_MS = 300_000  # 5 minutes
NOT_RUNNING_RECENT_DAYS = 30
ORDERS_LIMIT = 500
ITEMS_LISTED = 20
# Non-adjusted entry-point valuation dates that raise message 50, per average cost period.
# BC: Day 30, Week 8, Month 3, Quarter or Year 2; an accounting period is taken as a month.
ENTRY_POINT_LIMITS = {
    AverageCostPeriod.DAY: 30,
    AverageCostPeriod.WEEK: 8,
    AverageCostPeriod.MONTH: 3,
    AverageCostPeriod.ACCOUNTING_PERIOD: 3,
    AverageCostPeriod.QUARTER: 2,
    AverageCostPeriod.YEAR: 2,
}
# The scheduled tasks that adjust cost (django-celery-beat): the nightly Post Inventory Cost to
# G/L adjusts first when Inventory Setup says so.
ADJUSTING_TASKS = ("ledger.post_inventory_cost_to_gl",)

IMPORTANCE = {
    T.COST_ADJUSTMENT_NOT_RUNNING: 2,
    T.COST_ADJUSTMENT_RUNNING_LONG: 4,
    T.SUBOPTIMAL_AVG_COST_SETTINGS: 4,
    T.INVENTORY_PERIODS_UNUSED: 4,
    T.MANY_NON_ADJUSTED_ENTRY_POINTS: 3,
    T.MANY_NON_ADJUSTED_ORDERS: 3,
    T.ITEM_EXCLUDED: 4,
    T.DATA_DISCREPANCY: 2,
}
NO_ISSUES_IMPORTANCE = 5

OrderCounter = Callable[[], int]
_order_counters: list[OrderCounter] = []


def register_order_counter(counter: OrderCounter) -> None:
    """Production and assembly register how many of their orders wait for cost adjustment
    (Inventory Adjmt. Entry (Order) rows with Cost Is Adjusted off), for message 60."""
    if counter not in _order_counters:
        _order_counters.append(counter)


def unregister_order_counter(counter: OrderCounter) -> None:
    if counter in _order_counters:
        _order_counters.remove(counter)


@dataclass
class Outcome:
    """What one check found: an issue (active) or none."""

    type: int
    active: bool
    message: str
    threshold: str
    details: dict[str, Any] = field(default_factory=dict)


def _ok(type_: int, threshold: str, **details: Any) -> Outcome:
    return Outcome(type_, False, "No issues found.", threshold, details)


# -- the checks --------------------------------------------------------------------------------


def check_cost_adjustment_not_running(setup: InventorySetup, now: dt.datetime) -> Outcome:
    threshold = (
        "Automatic Cost Adjustment is Never, no scheduled task adjusts cost, and cost has never "
        "been adjusted."
    )
    if setup.automatic_cost_adjustment != AutomaticCostAdjustment.NEVER:
        return _ok(T.COST_ADJUSTMENT_NOT_RUNNING, threshold)
    if setup.adjust_cost_before_posting_to_gl:
        from django_celery_beat.models import PeriodicTask

        if PeriodicTask.objects.filter(task__in=ADJUSTING_TASKS, enabled=True).exists():
            return _ok(T.COST_ADJUSTMENT_NOT_RUNNING, threshold)
    last_run = (
        CostAdjustmentRun.objects.filter(status=RunStatus.SUCCESS)
        .order_by("-ended_at")
        .values_list("ended_at", flat=True)
        .first()
    )
    adjusted = last_run is not None or (
        ValueEntry.objects.filter(source_code=ADJUSTMENT_SOURCE_CODE).exists()
    )
    details = {}
    if last_run is not None:
        details = {
            "last_run_at": last_run.isoformat(),
            "older_than_30_days": last_run < now - dt.timedelta(days=NOT_RUNNING_RECENT_DAYS),
        }
    if adjusted:
        return _ok(T.COST_ADJUSTMENT_NOT_RUNNING, threshold, **details)
    return Outcome(
        T.COST_ADJUSTMENT_NOT_RUNNING,
        True,
        "Cost adjustment is not running: Automatic Cost Adjustment is Never, no scheduled task "
        "adjusts cost and cost has never been adjusted, so costs of sales stay at their posting "
        "cost. Set Automatic Cost Adjustment, let the scheduled Post Inventory Cost to G/L "
        "adjust cost first, or run the cost adjustment.",
        threshold,
        details,
    )


def check_running_long(durations: dict[str, int]) -> Outcome:
    """durations: item no. -> milliseconds the adjustment of the item took."""
    threshold = f"An item takes more than 5 minutes ({LONG_ITEM_MS:,} ms) to adjust."
    long = {no: ms for no, ms in durations.items() if ms > LONG_ITEM_MS}
    if not long:
        return _ok(T.COST_ADJUSTMENT_RUNNING_LONG, threshold)
    worst = max(long, key=lambda no: long[no])
    minutes, seconds = divmod(long[worst] // 1000, 60)
    others = f" ({len(long) - 1} more items too)" if len(long) > 1 else ""
    return Outcome(
        T.COST_ADJUSTMENT_RUNNING_LONG,
        True,
        f"Adjusting item {worst} took {minutes} min {seconds} s, more than 5 minutes{others}. "
        "Use item batches (each in its own task) or item-by-item adjustment, and the tracer to "
        "see where the time goes.",
        threshold,
        {"items_ms": dict(sorted(long.items(), key=lambda kv: -kv[1])[:20])},
    )


def check_average_cost_settings(setup: InventorySetup) -> Outcome:
    threshold = (
        "Average cost is calculated per Item, or the Average Cost Period is Quarter or Year."
    )
    problems = []
    if setup.average_cost_calc_type == AverageCostCalcType.ITEM:
        problems.append(
            "Average cost is calculated per Item; Item & Location & Variant is recommended."
        )
    if setup.average_cost_period in (AverageCostPeriod.QUARTER, AverageCostPeriod.YEAR):
        problems.append(
            f"The Average Cost Period is {setup.get_average_cost_period_display()}; it should "
            "not be longer than a month."
        )
    if not problems:
        return _ok(T.SUBOPTIMAL_AVG_COST_SETTINGS, threshold)
    return Outcome(
        T.SUBOPTIMAL_AVG_COST_SETTINGS,
        True,
        "Average cost settings slow cost adjustment down: " + " ".join(problems),
        threshold,
        {
            "average_cost_calc_type": setup.average_cost_calc_type,
            "average_cost_period": setup.average_cost_period,
        },
    )


def check_inventory_periods(today: dt.date) -> Outcome:
    threshold = (
        "No open inventory period ends on or after the work date, or no closed period ends "
        "before it."
    )
    open_ahead = InventoryPeriod.objects.filter(closed=False, ending_date__gte=today).exists()
    closed_before = InventoryPeriod.objects.filter(closed=True, ending_date__lt=today).exists()
    if open_ahead and closed_before:
        return _ok(T.INVENTORY_PERIODS_UNUSED, threshold)
    problems = []
    if not open_ahead:
        problems.append(f"no open inventory period ends on or after {today:%Y-%m-%d}")
    if not closed_before:
        problems.append(f"no closed inventory period ends before {today:%Y-%m-%d}")
    return Outcome(
        T.INVENTORY_PERIODS_UNUSED,
        True,
        "Inventory periods are not used: "
        + " and ".join(problems)
        + ". Closing periods keeps cost adjustment from going back over settled months.",
        threshold,
        {"open_ahead": open_ahead, "closed_before": closed_before},
    )


def check_entry_points(setup: InventorySetup) -> Outcome:
    limit = ENTRY_POINT_LIMITS[setup.average_cost_period]
    period = setup.get_average_cost_period_display()
    threshold = (
        f"{limit} or more valuation dates wait for adjustment (Average Cost Period {period})."
    )
    waiting = (
        AvgCostAdjmtEntryPoint.objects.filter(
            cost_is_adjusted=False, item__excluded_from_cost_adjustment=False
        )
        .order_by()
        .values("valuation_date")
        .distinct()
        .count()
    )
    if waiting < limit:
        return _ok(T.MANY_NON_ADJUSTED_ENTRY_POINTS, threshold, waiting=waiting, limit=limit)
    return Outcome(
        T.MANY_NON_ADJUSTED_ENTRY_POINTS,
        True,
        f"{waiting} average-cost valuation dates wait for cost adjustment, the limit for "
        f"Average Cost Period {period} being {limit}. Run the cost adjustment more often.",
        threshold,
        {"waiting": waiting, "limit": limit},
    )


def check_orders() -> Outcome:
    threshold = f"More than {ORDERS_LIMIT} production or assembly orders wait for adjustment."
    waiting = sum(counter() for counter in _order_counters)
    if waiting <= ORDERS_LIMIT:
        return _ok(T.MANY_NON_ADJUSTED_ORDERS, threshold, waiting=waiting)
    return Outcome(
        T.MANY_NON_ADJUSTED_ORDERS,
        True,
        f"{waiting} production or assembly orders wait for cost adjustment, more than "
        f"{ORDERS_LIMIT}. Run the cost adjustment for orders more often.",
        threshold,
        {"waiting": waiting},
    )


def check_excluded_items() -> Outcome:
    threshold = "One or more items are excluded from cost adjustment and not adjusted."
    nos = list(
        Item.objects.filter(cost_is_adjusted=False, excluded_from_cost_adjustment=True)
        .order_by("no")
        .values_list("no", flat=True)[:ITEMS_LISTED]
    )
    count = (
        len(nos)
        if len(nos) < ITEMS_LISTED
        else Item.objects.filter(cost_is_adjusted=False, excluded_from_cost_adjustment=True).count()
    )
    if count == 0:
        return _ok(T.ITEM_EXCLUDED, threshold)
    subject = "One item is" if count == 1 else f"{count} items are"
    return Outcome(
        T.ITEM_EXCLUDED,
        True,
        f"{subject} excluded from cost adjustment and not adjusted ({', '.join(nos)}"
        f"{', …' if count > len(nos) else ''}). Include them again once their problem is "
        "solved.",
        threshold,
        {"items": nos, "count": count},
    )


_QTY = DecimalField(max_digits=MAX_DIGITS, decimal_places=QUANTITY_PLACES)
_AMOUNT = DecimalField(max_digits=MAX_DIGITS, decimal_places=AMOUNT_PLACES)


def _summed(queryset: QuerySet, expression, output) -> Coalesce:
    sub = queryset.order_by().values("item").annotate(t=Sum(expression)).values("t")
    return Coalesce(Subquery(sub, output_field=output), Value(Decimal(0)), output_field=output)


def check_data_discrepancy() -> Outcome:
    threshold = "An adjusted item has no inventory but a cost amount (actual or expected) left."
    values = ValueEntry.objects.filter(item=OuterRef("pk"))
    rows = list(
        Item.objects.filter(cost_is_adjusted=True)
        .annotate(
            inventory=_summed(
                ItemLedgerEntry.objects.filter(item=OuterRef("pk")), F("quantity"), _QTY
            ),
            actual=_summed(values, F("cost_amount_actual"), _AMOUNT),
            expected=_summed(values, F("cost_amount_expected"), _AMOUNT),
        )
        .filter(Q(inventory=0) & (~Q(actual=0) | ~Q(expected=0)))
        .order_by("no")
        .values_list("no", "actual", "expected")[: ITEMS_LISTED + 1]
    )
    if not rows:
        return _ok(T.DATA_DISCREPANCY, threshold)
    listed = rows[:ITEMS_LISTED]
    more = "more than " if len(rows) > ITEMS_LISTED else ""
    text = ", ".join(f"{no} ({actual + expected:,.2f})" for no, actual, expected in listed)
    return Outcome(
        T.DATA_DISCREPANCY,
        True,
        f"{more}{len(listed)} adjusted items have no inventory but a value left: {text}. "
        "Run Costing Issues Detection for them.",
        threshold,
        {
            "items": [
                {"item_no": no, "actual": str(actual), "expected": str(expected)}
                for no, actual, expected in listed
            ]
        },
    )


# -- writing and scheduling --------------------------------------------------------------------


def _write(outcome: Outcome, now: dt.datetime) -> ActionMessage:
    message, _ = ActionMessage.objects.update_or_create(
        type=outcome.type,
        defaults={
            "active": outcome.active,
            "message": outcome.message,
            "threshold": outcome.threshold,
            "importance": IMPORTANCE[outcome.type] if outcome.active else NO_ISSUES_IMPORTANCE,
            "checked_at": now,
            "next_check_at": now + CHECK_INTERVAL,
            "details": outcome.details,
        },
    )
    return message


def _due(types: list[int], now: dt.datetime) -> list[int]:
    """The types whose check has no unexpired row."""
    fresh = set(
        ActionMessage.objects.filter(type__in=types, next_check_at__gt=now).values_list(
            "type", flat=True
        )
    )
    return [t for t in types if t not in fresh]


def _run(type_: int, setup: InventorySetup, now: dt.datetime) -> Outcome:
    today = timezone.localdate(now)
    if type_ == T.COST_ADJUSTMENT_NOT_RUNNING:
        return check_cost_adjustment_not_running(setup, now)
    if type_ == T.COST_ADJUSTMENT_RUNNING_LONG:
        since = now - dt.timedelta(days=NOT_RUNNING_RECENT_DAYS)
        durations: dict[str, int] = {}
        for no, ms in CostAdjustmentItemLog.objects.filter(
            started_at__gte=since, duration_ms__gt=LONG_ITEM_MS
        ).values_list("item_no", "duration_ms"):
            durations[no] = max(ms, durations.get(no, 0))
        return check_running_long(durations)
    if type_ == T.SUBOPTIMAL_AVG_COST_SETTINGS:
        return check_average_cost_settings(setup)
    if type_ == T.INVENTORY_PERIODS_UNUSED:
        return check_inventory_periods(today)
    if type_ == T.MANY_NON_ADJUSTED_ENTRY_POINTS:
        return check_entry_points(setup)
    if type_ == T.MANY_NON_ADJUSTED_ORDERS:
        return check_orders()
    if type_ == T.ITEM_EXCLUDED:
        return check_excluded_items()
    if type_ == T.DATA_DISCREPANCY:
        return check_data_discrepancy()
    raise ValueError(type_)


def action_messages_run_all(*, now: dt.datetime | None = None) -> list[ActionMessage]:
    """Run Tests: delete every message, run every check, write each result."""
    now = now or timezone.now()
    setup = InventorySetup.get()
    with transaction.atomic():
        ActionMessage.objects.all().delete()
        return [_write(_run(t, setup, now), now) for t in ActionMessageType.values]


def _run_due(types: list[int], setup: InventorySetup | None, now: dt.datetime) -> None:
    """Run the checks that are due; most of the time none is, and this is one read."""
    due = _due(types, now)
    if due and setup is None:
        setup = InventorySetup.get()
    for type_ in due:
        _write(_run(type_, setup, now), now)


def _safely(work: Callable[[], None]) -> None:
    """Diagnostics never stop a posting or an adjustment: a failing check is logged."""
    try:
        with transaction.atomic():  # a savepoint: what failed leaves nothing
            work()
    except Exception:  # e.g. two sessions writing the same type at once
        log.warning("An action message check failed", exc_info=True)


def after_posting(posted: Posted) -> None:
    _safely(lambda: _run_due([T.COST_ADJUSTMENT_NOT_RUNNING], posted.setup, timezone.now()))


def after_adjustment(adjusted: Adjusted) -> None:
    now = timezone.now()

    def work() -> None:
        types = [T.ITEM_EXCLUDED]
        if not adjusted.automatic:
            types = [
                T.SUBOPTIMAL_AVG_COST_SETTINGS,
                T.INVENTORY_PERIODS_UNUSED,
                T.MANY_NON_ADJUSTED_ENTRY_POINTS,
                T.MANY_NON_ADJUSTED_ORDERS,
                *types,
            ]
        _run_due(types, None, now)
        durations = {i.item_no: i.duration_ms for i in adjusted.items}
        if any(ms > LONG_ITEM_MS for ms in durations.values()):
            # Raised as the item's duration is known, whatever the schedule says.
            _write(check_running_long(durations), now)

    _safely(work)


# -- reading and snoozing ----------------------------------------------------------------------


def snoozed_types(now: dt.datetime | None = None) -> dict[int, dt.datetime]:
    now = now or timezone.now()
    return dict(
        ActionMessageSnooze.objects.filter(snoozed_until__gt=now).values_list(
            "type", "snoozed_until"
        )
    )


def action_messages_to_notify(now: dt.datetime | None = None) -> QuerySet[ActionMessage]:
    """Active messages still current (next check not passed) and not snoozed."""
    now = now or timezone.now()
    return ActionMessage.objects.filter(active=True, next_check_at__gte=now).exclude(
        type__in=list(snoozed_types(now))
    )


def action_message_snooze(
    *, type: int, by: str = "", now: dt.datetime | None = None
) -> ActionMessageSnooze:
    """Snooze a type of message for 30 days from now (again: 30 days from the new now)."""
    from inventory.errors import InvalidInput

    if type not in ActionMessageType.values:
        raise InvalidInput.on("type", f"{type!r} is not a type of action message.")
    now = now or timezone.now()
    snooze, _ = ActionMessageSnooze.objects.update_or_create(
        type=type, defaults={"snoozed_until": now + SNOOZE, "snoozed_by": by}
    )
    return snooze


__all__ = [
    "action_message_snooze",
    "action_messages_run_all",
    "action_messages_to_notify",
    "after_adjustment",
    "after_posting",
    "register_order_counter",
    "snoozed_types",
]
