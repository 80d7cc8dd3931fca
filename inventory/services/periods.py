"""Inventory periods (spec §10.1, §1.12): create, test, close and reopen.

A closed period stops every posting on or before its ending date (PostingGuard). Closing needs
every earlier period closed, no open outbound entry in the period (negative inventory), every
cost in it adjusted and every production and assembly order with entries in it adjusted; the
close test lists what stops it. Only the last closed period may be
reopened, so periods reopen newest first. Each close and reopening writes an Inventory Period
Entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from inventory.errors import InvalidInput
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    CapacityLedgerEntry,
    EntryType,
    InventoryAdjmtEntryOrder,
    InventoryPeriod,
    InventoryPeriodEntry,
    InventoryPeriodEntryType,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    OrderType,
    ProductionOrder,
    ProductionOrderStatus,
)
from inventory.services.guards import period_lock
from inventory.services.hooks import reopen_problem

EARLIER_PERIOD_OPEN = "earlier_period_open"
NEGATIVE_INVENTORY = "negative_inventory"
NOT_ADJUSTED = "not_adjusted"
# Spec §10.1 point 3: a finished production order or an assembly order not adjusted (an
# adjustment run clears it), or a released order whose cost waits (only finishing it and
# adjusting clears it).
ORDER_NOT_ADJUSTED = "order_not_adjusted"
ORDER_IN_PROGRESS = "order_in_progress"
_ORDER_ENTRY_TYPES = {
    EntryType.CONSUMPTION: OrderType.PRODUCTION,
    EntryType.OUTPUT: OrderType.PRODUCTION,
    EntryType.ASSEMBLY_CONSUMPTION: OrderType.ASSEMBLY,
    EntryType.ASSEMBLY_OUTPUT: OrderType.ASSEMBLY,
}
ENTRIES_LISTED = 10  # per blocker; the count says how many there are


@dataclass(frozen=True)
class Blocker:
    """One thing that stops a period from closing: what, which item and entries, and why."""

    kind: str
    message: str
    item_no: str = ""
    entry_nos: tuple[int, ...] = ()
    period_id: int | None = None
    order: str = ""  # "production P1" / "assembly A1": the order that is not adjusted


@dataclass
class CloseTest:
    period: InventoryPeriod
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def can_close(self) -> bool:
        return not self.blockers


def _named(period: InventoryPeriod) -> str:
    return f"{period.name} " if period.name else ""


def _entries_text(entry_nos: list[int]) -> str:
    shown = ", ".join(str(no) for no in entry_nos[:ENTRIES_LISTED])
    more = len(entry_nos) - ENTRIES_LISTED
    return f"{shown} and {more} more" if more > 0 else shown


def inventory_period_create(*, ending_date: dt.date | None, name: str = "") -> InventoryPeriod:
    """A new open period. Its ending date must be free and after the last closed period (a
    period before it would be closed without ever being tested)."""
    if ending_date is None:
        raise InvalidInput.on("ending_date", "An inventory period needs an ending date.")
    if len(name) > 50:
        raise InvalidInput.on("name", "At most 50 characters.")
    with transaction.atomic():
        if InventoryPeriod.objects.filter(ending_date=ending_date).exists():
            raise InvalidInput.on(
                "ending_date", f"An inventory period ending {ending_date} exists already."
            )
        closed = InventoryPeriod.last_closed_ending_date()
        if closed is not None and ending_date <= closed:
            raise InvalidInput.on(
                "ending_date",
                f"Inventory periods are closed up to {closed}; a new period must end later.",
            )
        try:
            with transaction.atomic():
                return InventoryPeriod.objects.create(ending_date=ending_date, name=name)
        except IntegrityError as error:  # created by someone else a moment ago
            raise InvalidInput.on(
                "ending_date", f"An inventory period ending {ending_date} exists already."
            ) from error


def inventory_period_close_test(period: InventoryPeriod) -> CloseTest:
    """Close Inventory Period - Test: everything that stops the period from closing."""
    end = period.ending_date
    test = CloseTest(period)
    for earlier in InventoryPeriod.objects.filter(ending_date__lt=end, closed=False):
        test.blockers.append(
            Blocker(
                EARLIER_PERIOD_OPEN,
                f"The inventory period {_named(earlier)}ending {earlier.ending_date} is still "
                "open; close the earlier periods first.",
                period_id=earlier.pk,
            )
        )
    test.blockers.extend(_negative_inventory(end))
    test.blockers.extend(_not_adjusted(end))
    test.blockers.extend(orders_not_adjusted(end))
    return test


def _negative_inventory(end: dt.date) -> list[Blocker]:
    rows = (
        ItemLedgerEntry.objects.filter(positive=False, open=True, posting_date__lte=end)
        .order_by("item__no", "entry_no")
        .values_list("item__no", "entry_no", "entry_type", "posting_date", "remaining_quantity")
    )
    by_item: dict[str, list[tuple]] = {}
    for row in rows:
        by_item.setdefault(row[0], []).append(row)
    blockers = []
    for item_no, entries in by_item.items():
        short = sum(-row[4] for row in entries)
        details = "; ".join(
            f"entry {no} ({kind.replace('_', ' ')} of {posted}) is short of {-remaining:f}"
            for _, no, kind, posted, remaining in entries[:ENTRIES_LISTED]
        )
        blockers.append(
            Blocker(
                NEGATIVE_INVENTORY,
                f"Item {item_no} has negative inventory in the period: {len(entries)} outbound "
                f"entries are still open, {short.normalize():f} units taken that no receipt "
                f"covers ({details}). Post the receipts that cover them, dated in the period, "
                "then adjust cost.",
                item_no=item_no,
                entry_nos=tuple(row[1] for row in entries),
            )
        )
    return blockers


def _waiting(end: dt.date | None) -> tuple[dict[str, set[int]], dict[str, list[dt.date]]]:
    """Per item, the entries whose costs wait for adjustment (flagged Applied Entry to Adjust,
    or inbound entries with an application whose outbound is not updated) and the average-cost
    periods not adjusted, on or before the date (all, without one)."""
    dated = {} if end is None else {"posting_date__lte": end}
    waiting: dict[str, set[int]] = {}
    flagged = ItemLedgerEntry.objects.filter(applied_entry_to_adjust=True, **dated).values_list(
        "item__no", "entry_no"
    )
    for item_no, no in flagged:
        waiting.setdefault(item_no, set()).add(no)
    # An inbound entry's own application row names no outbound entry: nothing to update.
    links = ItemApplicationEntry.objects.filter(
        outbound_entry_is_updated=False, outbound_item_entry__isnull=False, **dated
    )
    for item_no, no in links.values_list("inbound_item_entry__item__no", "inbound_item_entry_id"):
        waiting.setdefault(item_no, set()).add(no)
    points: dict[str, list[dt.date]] = {}
    valued = {} if end is None else {"valuation_date__lte": end}
    for item_no, valuation_date in AvgCostAdjmtEntryPoint.objects.filter(
        cost_is_adjusted=False, **valued
    ).values_list("item__no", "valuation_date"):
        points.setdefault(item_no, []).append(valuation_date)
    return waiting, points


def items_waiting_for_adjustment(until: dt.date | None) -> set[str]:
    """Numbers of the items whose costs up to the date (all, without one) are not adjusted."""
    waiting, points = _waiting(until)
    return set(waiting) | set(points)


def _not_adjusted(end: dt.date) -> list[Blocker]:
    """Items whose costs in the period still wait for adjustment."""
    waiting, points = _waiting(end)
    excluded = set(
        Item.objects.filter(
            no__in=set(waiting) | set(points), excluded_from_cost_adjustment=True
        ).values_list("no", flat=True)
    )
    blockers = []
    for item_no in sorted(set(waiting) | set(points)):
        reasons = []
        if waiting.get(item_no):
            reasons.append(f"entries {_entries_text(sorted(waiting[item_no]))} wait for adjustment")
        if points.get(item_no):
            dates = ", ".join(str(d) for d in sorted(set(points[item_no]))[:ENTRIES_LISTED])
            reasons.append(f"average cost periods of {dates} are not adjusted")
        advice = (
            "The item is excluded from cost adjustment: include it again and run Adjust Cost - "
            "Item Entries."
            if item_no in excluded
            else "Run Adjust Cost - Item Entries."
        )
        blockers.append(
            Blocker(
                NOT_ADJUSTED,
                f"Item {item_no} is not adjusted up to {end}: {' and '.join(reasons)}. {advice}",
                item_no=item_no,
                entry_nos=tuple(sorted(waiting.get(item_no, ()))),
            )
        )
    return blockers


def orders_not_adjusted(end: dt.date) -> list[Blocker]:
    """Spec §10.1 point 3: production orders (released and finished) and assembly orders with
    item or capacity ledger entries on or before the date whose Inventory Adjmt. Entry (Order)
    is not adjusted. A few bulk queries, whatever the number of orders."""
    waiting = {
        (o.order_type, o.order_no): o
        for o in InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).select_related(
            "item"
        )
    }
    if not waiting:
        return []
    nos = sorted({no for _, no in waiting})
    entries: dict[tuple[str, str], list[int]] = {}
    for no, entry_type, entry_no in (
        ItemLedgerEntry.objects.filter(
            order_no__in=nos, entry_type__in=list(_ORDER_ENTRY_TYPES), posting_date__lte=end
        )
        .order_by("entry_no")
        .values_list("order_no", "entry_type", "entry_no")
    ):
        entries.setdefault((_ORDER_ENTRY_TYPES[entry_type], no), []).append(entry_no)
    capacity: dict[tuple[str, str], list[int]] = {}
    for order_type, no, entry_no in (
        CapacityLedgerEntry.objects.filter(order_no__in=nos, posting_date__lte=end)
        .order_by("entry_no")
        .values_list("order_type", "order_no", "entry_no")
    ):
        capacity.setdefault((order_type, no), []).append(entry_no)
    released = set(
        ProductionOrder.objects.filter(
            no__in=[no for t, no in waiting if t == OrderType.PRODUCTION],
            status=ProductionOrderStatus.RELEASED,
        ).values_list("no", flat=True)
    )
    blockers = []
    for key in sorted(waiting):
        if key not in entries and key not in capacity:
            continue  # nothing of it in the period
        order = waiting[key]
        order_type, no = key
        in_progress = order_type == OrderType.PRODUCTION and no in released
        state = (
            "assembly order"
            if order_type == OrderType.ASSEMBLY
            else ("released production order" if in_progress else "finished production order")
        )
        found = []
        if entries.get(key):
            found.append(f"item ledger entries {_entries_text(entries[key])}")
        if capacity.get(key):
            found.append(f"capacity ledger entries {_entries_text(capacity[key])}")
        if order.item.excluded_from_cost_adjustment:
            advice = (
                f"Its item {order.item.no} is excluded from cost adjustment: include it again "
                "and run Adjust Cost - Item Entries."
            )
        elif in_progress:
            advice = (
                "A released order is adjusted once finished: finish it (or post what it still "
                "needs after the period) and run Adjust Cost - Item Entries, or close an "
                "earlier date."
            )
        else:
            advice = "Run Adjust Cost - Item Entries (or Adjust Cost for Selected Orders)."
        blockers.append(
            Blocker(
                ORDER_IN_PROGRESS if in_progress else ORDER_NOT_ADJUSTED,
                f"The {state} {no} (item {order.item.no}) is not adjusted and has "
                f"{' and '.join(found)} up to {end}. {advice}",
                item_no=order.item.no,
                entry_nos=tuple(entries.get(key, ())),
                order=f"{order_type} {no}",
            )
        )
    return blockers


def _last_entry_no(end: dt.date) -> int | None:
    return ItemLedgerEntry.objects.filter(posting_date__lte=end).aggregate(n=Max("entry_no"))["n"]


def _history(
    period: InventoryPeriod, entry_type: str, user: Any, description: str, user_name: str
) -> None:
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    InventoryPeriodEntry.objects.create(
        period=period,
        ending_date=period.ending_date,
        entry_type=entry_type,
        user=user if authenticated else None,
        user_name=user.get_username() if authenticated else user_name,
        last_item_ledger_entry_no=_last_entry_no(period.ending_date),
        description=description[:100],
    )


def _locked(period: InventoryPeriod) -> InventoryPeriod:
    period_lock(exclusive=True)
    return InventoryPeriod.objects.select_for_update().get(pk=period.pk)


def inventory_period_close(
    *, period: InventoryPeriod, user: Any = None, description: str = "", user_name: str = ""
) -> InventoryPeriod:
    """Close the period when its test finds nothing in the way; refused with every blocker
    otherwise (nothing written). Runs in the caller's transaction when there is one. Without a
    signed-in user (a worker), the history takes `user_name`."""
    with transaction.atomic():
        period = _locked(period)
        if period.closed:
            raise InvalidInput.on("period", f"The period ending {period.ending_date} is closed.")
        test = inventory_period_close_test(period)
        if not test.can_close:
            raise InvalidInput({"period": [b.message for b in test.blockers]})
        period.closed = True
        period.save(update_fields=["closed"])
        _history(period, InventoryPeriodEntryType.CLOSE, user, description, user_name)
        return period


def inventory_period_reopen(
    *, period: InventoryPeriod, user: Any = None, description: str = ""
) -> InventoryPeriod:
    """Reopen the last closed period; an earlier one is refused, since reopening it would leave
    a later period closed over entries that may change."""
    with transaction.atomic():
        period = _locked(period)
        if not period.closed:
            raise InvalidInput.on("period", f"The period ending {period.ending_date} is open.")
        last = InventoryPeriod.last_closed()
        if last is not None and last.pk != period.pk:
            raise InvalidInput.on(
                "period",
                f"Only the last closed period can be reopened: reopen the period "
                f"{_named(last)}ending {last.ending_date} first.",
            )
        problem = reopen_problem(period)
        if problem:
            raise InvalidInput.on("period", problem)
        period.closed = False
        period.save(update_fields=["closed"])
        _history(period, InventoryPeriodEntryType.REOPEN, user, description, "")
        return period


def inventory_period_for_closing(*, ending_date: dt.date, name: str = "") -> InventoryPeriod:
    """The open period ending on the date, created when there is none (month-end close)."""
    period = InventoryPeriod.objects.filter(ending_date=ending_date).first()
    if period is None:
        return inventory_period_create(ending_date=ending_date, name=name)
    return period


__all__ = [
    "Blocker",
    "CloseTest",
    "inventory_period_close",
    "inventory_period_close_test",
    "inventory_period_create",
    "inventory_period_for_closing",
    "inventory_period_reopen",
    "orders_not_adjusted",
]
