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

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from costing.engine.adjust import adjust_item
from costing.engine.money import ZERO, q_unit_cost
from costing.engine.types import ROUNDING, ItemPlan, NewValue, TraceRecord
from costing.item_filter import item_filter_q
from costing.selectors import item_graphs
from costing.services.entries import SOURCE_CODE, adjustment_entries, first_open_date
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
)
from inventory.services.guards import period_lock
from inventory.services.writing import value_entries_write, value_entries_written
from inventory.sql import array_literal, number_array, update_by_keys, update_instances

CHUNK_ENTRIES = 50_000  # item ledger entries loaded at once: memory stays bounded
CHUNK_ITEMS = 500


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
    orders: list = field(default_factory=list)  # costing.services.orders.OrderResult

    @property
    def entries_adjusted(self) -> int:
        return sum(i.entries_adjusted for i in self.items)

    @property
    def cost_difference(self) -> Decimal:
        return sum((i.cost_difference for i in self.items), ZERO)


class ItemAdjustmentFailed(Exception):
    """Adjusting `item_no` raised; the transaction it ran in is rolled back."""

    def __init__(self, item_no: str, error: BaseException):
        super().__init__(f"{item_no}: {type(error).__name__}: {error}")
        self.item_no = item_no
        self.error = error

    @property
    def reason(self) -> str:
        return f"{type(self.error).__name__}: {self.error}"


class AdjustmentTimedOut(Exception):
    """The run passed its deadline between two items."""


class AdjustmentCanceled(Exception):
    """Someone canceled the run (Stop) while it ran."""


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
    should_stop: Callable[[], bool] | None = None,
) -> list[ItemResult]:
    """Adjust the items in item order: loaded, locked and written a chunk at a time (a few
    statements per chunk, memory bounded by CHUNK_ENTRIES), computed one item after the other.
    All in the caller's transaction, or (commit_each) each item in its own. Raises
    ItemAdjustmentFailed naming the item that failed and AdjustmentTimedOut when the deadline
    (time.monotonic()) passes between two items; what was done until then is in `results` (for
    the tracer, which outlives a rollback)."""
    results = [] if results is None else results
    for chunk in _chunks(items, one_each=commit_each):
        with transaction.atomic() if commit_each else nullcontext():
            _adjust_chunk(
                chunk,
                until=until,
                trace=trace,
                deadline=deadline,
                results=results,
                progress=(lambda done: progress(done, len(items))) if progress else None,
                should_stop=should_stop,
            )
    return results


def _chunks(items: Sequence[Item], *, one_each: bool) -> list[list[Item]]:
    if one_each:
        return [[item] for item in items]
    sizes = dict(
        ItemLedgerEntry.objects.filter(item__in=items)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values_list("item", "n")
    )
    chunks: list[list[Item]] = [[]]
    loaded = 0
    for item in items:
        size = sizes.get(item.pk, 0)
        if chunks[-1] and (loaded + size > CHUNK_ENTRIES or len(chunks[-1]) >= CHUNK_ITEMS):
            chunks.append([])
            loaded = 0
        chunks[-1].append(item)
        loaded += size
    return [chunk for chunk in chunks if chunk]


def _adjust_chunk(
    items: Sequence[Item],
    *,
    until: dt.date | None,
    trace: bool,
    deadline: float | None,
    results: list[ItemResult],
    progress: Callable[[int], None] | None,
    should_stop: Callable[[], bool] | None = None,
) -> list[ItemPlan]:
    pause = getattr(settings, "COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS", 0)
    # Before the item locks, as postings take it: a period closing now waits for this chunk.
    period_lock()
    setup = InventorySetup.get()
    locked = list(
        Item.objects.filter(pk__in=[i.pk for i in items]).order_by("no").select_for_update()
    )
    by_id = {item.pk: item for item in locked}
    plans: list[ItemPlan] = []
    stale_applications: list[int] = []
    flagged_entries: list[int] = []
    # Quantity on hand and value of each item as read, for its unit cost afterwards: the
    # graph holds every entry and value entry of the item (locked), so no second read.
    totals: dict[int, tuple[Decimal, Decimal]] = {}
    graphs = item_graphs(
        locked,
        setup,
        until=until,
        trace=trace,
        stale_applications=stale_applications,
        flagged_entries=flagged_entries,
    )
    for graph in graphs:
        item = by_id[graph.item_id]
        totals[graph.item_id] = (
            sum((e.quantity for e in graph.entries.values()), ZERO),
            sum((v.actual + v.expected for v in graph.values), ZERO),
        )
        # Between two items only: a run that has adjusted nothing yet has nothing to give back,
        # and one slow start (a busy database) must not time out a batch of one item.
        if deadline is not None and results and time.monotonic() > deadline:
            raise AdjustmentTimedOut(f"The run passed its deadline before item {item.no}.")
        started, clock = timezone.now(), time.perf_counter()
        try:
            plan = adjust_item(graph)
        except SoftTimeLimitExceeded as limit:  # the worker's time limit, not the item's fault
            raise AdjustmentTimedOut(
                f"The worker's time limit passed during item {item.no}."
            ) from limit
        except Exception as error:
            raise ItemAdjustmentFailed(item.no, error) from error
        if should_stop is not None and should_stop():
            raise AdjustmentCanceled(f"Canceled after item {item.no}.")
        plans.append(plan)
        results.append(
            ItemResult(
                item.no,
                plan.entries_adjusted,
                plan.cost_difference,
                started_at=started,
                duration_ms=int((time.perf_counter() - clock) * 1000),
                trace=plan.trace,
            )
        )
        if progress:
            progress(len(results))
        if pause:
            time.sleep(pause)
    try:
        _write_values(plans)
        _update_flags(locked, plans, until, stale_applications, flagged_entries, totals)
    except Exception as error:
        if len(locked) == 1:
            raise ItemAdjustmentFailed(locked[0].no, error) from error
        raise  # which item is not known: a batch then splits in halves
    return plans


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
            # -- production and assembly orders, level by level (costing/services/orders.py) --
            from costing.services.orders import item_results_merge, orders_multi_level

            with transaction.atomic():
                levels = orders_multi_level(item_filter=item_filter, until=until)
            done = item_results_merge(done, levels.items)
            result.orders = levels.orders
            # -- end of orders --
    except ItemAdjustmentFailed as failure:
        result.status, result.error, result.failed_item_no = (
            "failed",
            failure.reason,
            failure.item_no,
        )
    except AdjustmentTimedOut as timeout:  # not raised without a deadline; kept for symmetry
        result.status, result.error = "timed_out", str(timeout)
    result.items = done
    result.ended_at = timezone.now()
    from costing.services.hooks import Adjusted, after_adjustment
    from costing.services.logs import run_log_write

    run_log_write(result, item_filter=item_filter or "*")
    after_adjustment(Adjusted(items=done, automatic=False))
    return result


def adjust_items(
    item_ids: Sequence[int], *, until: dt.date | None = None, trace: bool = False
) -> list[ItemResult]:
    """Adjust these items in the current transaction (automatic adjustment after posting)."""
    items = list(Item.objects.filter(pk__in=item_ids).order_by("no"))
    return adjust_one_by_one(items, until=until, trace=trace)


def _write_values(plans: Iterable[ItemPlan]) -> None:
    new = [value for plan in plans for value in plan.new_values]
    if not new:
        return
    if connection.vendor == "postgresql":
        value_entries_written(_insert_copies(new, first_open_date()))
    else:
        value_entries_write(adjustment_entries(new))


# One statement for any number of adjustment entries: each one copies the dates, groups,
# order, location and dimensions of the value entry it adjusts (the rules of adjustment_entries).
_INSERT_COPIES = """
INSERT INTO inventory_valueentry (
    item_id, item_ledger_entry_id, item_ledger_entry_type, entry_type, variance_type,
    posting_date, valuation_date, document_no, order_no, order_type, location_code, variant_code,
    valued_quantity, item_ledger_entry_quantity, invoiced_quantity, cost_per_unit,
    cost_amount_actual, cost_amount_expected, cost_posted_to_gl, expected_cost_posted_to_gl,
    sales_amount_actual, sales_amount_expected, expected_cost, adjustment, applies_to_entry_id,
    valued_by_average_cost, item_charge_no, inventory_posting_group, gen_prod_posting_group,
    gen_bus_posting_group, source_code, dimensions
)
SELECT o.item_id, n.ile, o.item_ledger_entry_type, n.entry_type, '',
       GREATEST(o.posting_date, COALESCE(%(first_open)s::date, o.posting_date)),
       o.valuation_date, o.document_no, o.order_no, o.order_type, o.location_code, o.variant_code,
       CASE WHEN n.entry_type = %(rounding)s THEN 0 ELSE o.valued_quantity END, 0, 0, 0,
       n.actual, n.expected, 0, 0, 0, 0, n.actual = 0 AND n.expected <> 0,
       n.entry_type <> %(rounding)s,
       o.entry_no, o.valued_by_average_cost, '', o.inventory_posting_group,
       o.gen_prod_posting_group, o.gen_bus_posting_group, %(source)s, o.dimensions
FROM unnest(%(applies_to)s::bigint[], %(ile)s::bigint[], %(types)s::varchar[],
            %(actual)s::numeric[], %(expected)s::numeric[])
     WITH ORDINALITY AS n(applies_to, ile, entry_type, actual, expected, ord)
JOIN inventory_valueentry o ON o.entry_no = n.applies_to
ORDER BY n.ord
RETURNING entry_no
"""


def _insert_copies(values: list[NewValue], first_open: dt.date | None) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_COPIES,
            {
                "first_open": first_open,
                "rounding": ROUNDING,
                "source": SOURCE_CODE,
                "applies_to": number_array(v.applies_to for v in values),
                "ile": number_array(v.ile for v in values),
                "types": array_literal(v.entry_type for v in values),
                "actual": number_array(v.actual for v in values),
                "expected": number_array(v.expected for v in values),
            },
        )
        return [row[0] for row in cursor.fetchall()]


def _update_flags(
    items: list[Item],
    plans: list[ItemPlan],
    until: dt.date | None,
    stale_applications: list[int],
    flagged_entries: list[int],
    totals: dict[int, tuple[Decimal, Decimal]],
) -> None:
    """Flags and unit costs of the chunk's items, all set by key from what the graphs read
    (the items are locked: nothing changed since). `totals` are the items' quantity and value
    as read, to which the plans' new values are added."""
    ids = [item.pk for item in items]
    update_by_keys(ItemLedgerEntry, "applied_entry_to_adjust = false", flagged_entries)
    # The applications the graphs were built from (an outbound's use of an inbound): by key,
    # only those still off, so a rerun over adjusted items writes nothing here.
    update_by_keys(ItemApplicationEntry, "outbound_entry_is_updated = true", stale_applications)
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
    added = {plan.item_id: plan.cost_difference for plan in plans}
    for item in items:
        item.cost_is_adjusted = item.pk in complete and item.pk not in waiting
        quantity, value = totals.get(item.pk, (ZERO, ZERO))
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
        elif quantity > 0:
            # Spec §1.2: cost adjustment recalculates the unit cost; never to zero from non-zero.
            new = q_unit_cost((value + added.get(item.pk, ZERO)) / quantity)
            if new != 0 or item.unit_cost == 0:
                item.unit_cost = new
    update_instances(Item, items, ["cost_is_adjusted", "unit_cost"])


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
    "AdjustmentCanceled",
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
