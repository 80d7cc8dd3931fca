"""Adjust Cost - Item Entries: load items in bulk, run the engine, write the differences.

Per batch of items: lock them (item-number order, as postings do), load their ledgers in a few
queries, let the engine compute, insert the adjustment and rounding value entries in bulk and set
the flags, all in the batch's transaction. Item by item commits after each item instead.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils import timezone

from costing.engine.adjust import adjust_item
from costing.engine.money import ZERO, q_unit_cost
from costing.engine.types import ROUNDING, ItemPlan, NewValue, TraceRecord
from costing.item_filter import item_filter_q
from costing.selectors import item_graphs
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.services.writing import value_entries_write

SOURCE_CODE = "INVTADJMT"


@dataclass
class ItemResult:
    item_no: str
    entries_adjusted: int
    cost_difference: Decimal
    started_at: dt.datetime | None = None
    duration_ms: int = 0
    trace: list[TraceRecord] = field(default_factory=list)


@dataclass
class AdjustmentResult:
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    items: list[ItemResult] = field(default_factory=list)
    status: str = "success"
    error: str = ""
    failed_item_no: str = ""
    traceback: str = ""
    run_id: str | None = None

    @property
    def entries_adjusted(self) -> int:
        return sum(i.entries_adjusted for i in self.items)

    @property
    def cost_difference(self) -> Decimal:
        return sum((i.cost_difference for i in self.items), ZERO)


class ItemAdjustmentFailed(Exception):
    """Adjusting `item_no` raised; the transaction it ran in is rolled back."""

    def __init__(self, item_no: str, error: BaseException):
        super().__init__(f"{item_no}: {error}")
        self.item_no = item_no
        self.error = error


class AdjustmentTimedOut(Exception):
    """The run passed its deadline between two items."""


def items_to_adjust(item_filter: str | None = None) -> QuerySet[Item]:
    """Items of the filter that need adjustment and are not excluded from it."""
    return Item.objects.filter(
        item_filter_q(item_filter), cost_is_adjusted=False, excluded_from_cost_adjustment=False
    ).order_by("no")


def adjust_one_by_one(
    items: Sequence[Item],
    *,
    until: dt.date | None = None,
    trace: bool = False,
    commit_each: bool = False,
    deadline: float | None = None,
    progress: Callable[[int, int], None] | None = None,
    results: list[ItemResult] | None = None,
) -> list[ItemResult]:
    """Adjust the items in item order, one after the other: in the caller's transaction, or
    (commit_each) each in its own. Raises ItemAdjustmentFailed naming the item that failed and
    AdjustmentTimedOut when the deadline (time.monotonic()) passes between two items; what was
    done until then is in `results` (for the tracer, which outlives a rollback)."""
    results = [] if results is None else results
    pause = getattr(settings, "COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS", 0)
    for done, item in enumerate(items):
        if deadline is not None and time.monotonic() > deadline:
            raise AdjustmentTimedOut(f"The run passed its deadline before item {item.no}.")
        started, clock = timezone.now(), time.perf_counter()
        try:
            with transaction.atomic() if commit_each else nullcontext():
                [result] = adjust_items([item.pk], until=until, trace=trace)
        except (AdjustmentTimedOut, ItemAdjustmentFailed):
            raise
        except Exception as error:
            raise ItemAdjustmentFailed(item.no, error) from error
        result.started_at = started
        result.duration_ms = int((time.perf_counter() - clock) * 1000)
        results.append(result)
        if progress:
            progress(done + 1, len(items))
        if pause:
            time.sleep(pause)
    return results


def cost_adjustment_run(
    *,
    item_filter: str | None = None,
    until: dt.date | None = None,
    item_by_item: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> AdjustmentResult:
    """Adjust Cost - Item Entries (spec §6.4): every item of the filter that needs it, in one
    transaction, or item by item (each committed, holding locks briefly). A failure rolls back
    what was not committed and is reported with the item that failed; the run is logged as
    Inventory Setup's Cost Adjustment Logging says."""
    result = AdjustmentResult(started_at=timezone.now())
    items = list(items_to_adjust(item_filter))
    done: list[ItemResult] = []

    def keep(finished: int, total: int) -> None:
        if progress:
            progress(finished, total)

    try:
        with nullcontext() if item_by_item else transaction.atomic():
            done = adjust_one_by_one(items, until=until, commit_each=item_by_item, progress=keep)
    except ItemAdjustmentFailed as failure:
        result.status, result.error, result.failed_item_no = (
            "failed",
            str(failure.error),
            failure.item_no,
        )
    result.items = done
    result.ended_at = timezone.now()
    from costing.services.logs import run_log_write

    run_log_write(result, item_filter=item_filter or "*")
    return result


def adjust_items(
    item_ids: Sequence[int], *, until: dt.date | None = None, trace: bool = False
) -> list[ItemResult]:
    """Adjust these items in the current transaction."""
    if not item_ids:
        return []
    setup = InventorySetup.get()
    items = list(Item.objects.filter(pk__in=item_ids).order_by("no").select_for_update())
    plans = [adjust_item(graph) for graph in item_graphs(items, setup, until=until, trace=trace)]
    _write_values(plans, {item.pk: item for item in items})
    _update_flags(items, plans, until)
    by_id = {item.pk: item for item in items}
    return [
        ItemResult(by_id[p.item_id].no, p.entries_adjusted, p.cost_difference, trace=p.trace)
        for p in plans
    ]


def _first_open_date() -> dt.date | None:
    closed = InventoryPeriod.last_closed_ending_date()
    return closed + dt.timedelta(days=1) if closed else None


def _write_values(plans: Iterable[ItemPlan], items: dict[int, Item]) -> None:
    new = [(plan.item_id, value) for plan in plans for value in plan.new_values]
    if not new:
        return
    originals = ValueEntry.objects.in_bulk([value.applies_to for _, value in new])
    first_open = _first_open_date()
    rows = []
    for item_id, value in new:
        rows.append(
            _adjustment_entry(items[item_id], value, originals[value.applies_to], first_open)
        )
    value_entries_write(rows)


def _adjustment_entry(
    item: Item, value: NewValue, original: ValueEntry, first_open: dt.date | None
) -> ValueEntry:
    """An adjustment carries the original entry's dates, groups and location (spec §6.5, §16);
    dated in a closed period, it moves to the first open day."""
    posting_date = original.posting_date
    if first_open and posting_date < first_open:
        posting_date = first_open
    rounding = value.entry_type == ROUNDING
    return ValueEntry(
        item=item,
        item_ledger_entry_id=value.ile,
        item_ledger_entry_type=original.item_ledger_entry_type,
        entry_type=value.entry_type,
        posting_date=posting_date,
        valuation_date=original.valuation_date,
        document_no=original.document_no,
        order_no=original.order_no,
        location_id=original.location_id,
        variant_code=original.variant_code,
        valued_quantity=ZERO if rounding else original.valued_quantity,
        cost_amount_actual=value.actual,
        cost_amount_expected=value.expected,
        expected_cost=value.expected != 0,
        adjustment=not rounding,
        applies_to_entry_id=original.entry_no,
        valued_by_average_cost=original.valued_by_average_cost,
        inventory_posting_group=original.inventory_posting_group,
        gen_prod_posting_group=original.gen_prod_posting_group,
        gen_bus_posting_group=original.gen_bus_posting_group,
        dimensions=original.dimensions,
        source_code=SOURCE_CODE,
    )


def _update_flags(items: list[Item], plans: list[ItemPlan], until: dt.date | None) -> None:
    ids = [item.pk for item in items]
    ItemLedgerEntry.objects.filter(item_id__in=ids, applied_entry_to_adjust=True).update(
        applied_entry_to_adjust=False
    )
    ItemApplicationEntry.objects.filter(
        inbound_item_entry__item_id__in=ids, outbound_entry_is_updated=False
    ).update(outbound_entry_is_updated=True)
    points = AvgCostAdjmtEntryPoint.objects.filter(item_id__in=ids, cost_is_adjusted=False)
    if until is not None:
        points = points.filter(valuation_date__lte=until)
    points.update(cost_is_adjusted=True)
    waiting = set(
        AvgCostAdjmtEntryPoint.objects.filter(item_id__in=ids, cost_is_adjusted=False).values_list(
            "item_id", flat=True
        )
    )
    complete = {plan.item_id for plan in plans if plan.complete}
    on_hand = dict(
        ItemLedgerEntry.objects.filter(item_id__in=ids)
        .values("item_id")
        .annotate(q=Sum("quantity"))
        .values_list("item_id", "q")
    )
    value = dict(
        ValueEntry.objects.filter(item_id__in=ids)
        .values("item_id")
        .annotate(v=Sum(F("cost_amount_actual") + F("cost_amount_expected")))
        .values_list("item_id", "v")
    )
    for item in items:
        item.cost_is_adjusted = item.pk in complete and item.pk not in waiting
        quantity = on_hand.get(item.pk) or ZERO
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
        elif quantity > 0:
            # Spec §1.2: cost adjustment recalculates the unit cost; never to zero from non-zero.
            new = q_unit_cost((value.get(item.pk) or ZERO) / quantity)
            if new != 0 or item.unit_cost == 0:
                item.unit_cost = new
    Item.objects.bulk_update(items, ["cost_is_adjusted", "unit_cost"])


def mark_for_adjustment(*, entry_nos: Sequence[int]) -> int:
    """Force re-adjustment of everything linked to these inbound entries (spec §13)."""
    with transaction.atomic():
        entries = ItemLedgerEntry.objects.filter(entry_no__in=entry_nos, positive=True)
        item_ids = set(entries.values_list("item_id", flat=True))
        marked = entries.update(applied_entry_to_adjust=True)
        ItemApplicationEntry.objects.filter(inbound_item_entry_id__in=entry_nos).update(
            outbound_entry_is_updated=False
        )
        Item.objects.filter(pk__in=item_ids).update(cost_is_adjusted=False)
    return marked


def item_exclusion_set(*, item: Item, excluded: bool) -> bool:
    """Exclude an item from cost adjustment (a problem item, so the others keep being adjusted)
    or include it again."""
    Item.objects.filter(pk=item.pk).update(excluded_from_cost_adjustment=excluded)
    return excluded


def reset_cost_is_adjusted(*, item_filter: str | None = None) -> int:
    """Make the items of the filter need adjustment again, every average period included."""
    with transaction.atomic():
        items = Item.objects.filter(item_filter_q(item_filter))
        AvgCostAdjmtEntryPoint.objects.filter(item__in=items).update(cost_is_adjusted=False)
        return items.update(cost_is_adjusted=False)


__all__ = [
    "AdjustmentResult",
    "AdjustmentTimedOut",
    "ItemAdjustmentFailed",
    "ItemResult",
    "adjust_one_by_one",
    "adjust_items",
    "cost_adjustment_run",
    "item_exclusion_set",
    "items_to_adjust",
    "mark_for_adjustment",
    "reset_cost_is_adjusted",
]
