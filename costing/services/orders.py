"""Order-level cost adjustment and the multi-level loop (spec §6.2 point 3, §6.3, §6.6, §9).

For each order to adjust (a finished production order, or an assembly order, whose Inventory
Adjmt. Entry (Order) is not adjusted) the order's consumption, capacity and output values are
loaded in a few bulk queries, `costing.engine.orders.adjust_order` says what the output must
carry, and the differences are written as adjustment value entries of the output entries. The
output items then need item-level adjustment (their sales and the next level's consumption),
which may mark further orders: the loop repeats until nothing is left (BC MakeMultiLevelAdjmt).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from costing.engine.money import ZERO
from costing.engine.orders import (
    OrderCosts,
    OrderGraph,
    OrderPlan,
    OutputEntry,
    OutputValue,
    adjust_order,
)
from costing.item_filter import item_filter_q
from costing.services.entries import adjustment_entries
from inventory.errors import InvalidInput
from inventory.models import (
    EntryType,
    InventoryAdjmtEntryOrder,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    OrderType,
    ProductionOrder,
    ProductionOrderStatus,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.context import entries_bookkeeping_update
from inventory.services.guards import period_lock
from inventory.services.production import output_item
from inventory.services.writing import value_entries_write

log = logging.getLogger(__name__)

MAX_LEVELS = 100  # BC's limit on the multi-level loop
_CONSUMPTION = {
    OrderType.PRODUCTION: EntryType.CONSUMPTION,
    OrderType.ASSEMBLY: EntryType.ASSEMBLY_CONSUMPTION,
}
_OUTPUT = {OrderType.PRODUCTION: EntryType.OUTPUT, OrderType.ASSEMBLY: EntryType.ASSEMBLY_OUTPUT}


@dataclass
class OrderResult:
    order_type: str
    order_no: str
    item_no: str
    entries_adjusted: int
    cost_difference: Decimal


@dataclass
class OrdersRunResult:
    orders: list[OrderResult] = field(default_factory=list)
    items: list = field(default_factory=list)  # costing.services.adjustment.ItemResult
    levels: int = 0

    @property
    def cost_difference(self) -> Decimal:
        return sum((o.cost_difference for o in self.orders), ZERO)


# -- which orders ------------------------------------------------------------------------------


def orders_to_adjust(
    item_filter: str | None = None, *, items: QuerySet[Item] | None = None
) -> QuerySet[InventoryAdjmtEntryOrder]:
    """Spec §6.3: assembly orders and *finished* production orders that are not adjusted, of
    output items in the filter that are not excluded from adjustment. With `items` (an item
    batch): the orders whose output or one of whose components is among those items."""
    finished = ProductionOrder.objects.filter(status=ProductionOrderStatus.FINISHED).values("no")
    rows = (
        InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False)
        .filter(
            Q(order_type=OrderType.ASSEMBLY)
            | Q(order_type=OrderType.PRODUCTION, order_no__in=finished)
        )
        .filter(item__excluded_from_cost_adjustment=False)
        .filter(item_filter_q(item_filter, field="item__no"))
    )
    if items is not None:
        consumed = Q(item__in=items)
        for order_type, entry_type in _CONSUMPTION.items():
            using = ItemLedgerEntry.objects.filter(entry_type=entry_type, item__in=items)
            consumed |= Q(order_type=order_type, order_no__in=using.values("order_no"))
        rows = rows.filter(consumed)
    return rows.select_related("item").order_by("order_type", "order_no")


def orders_waiting() -> QuerySet[InventoryAdjmtEntryOrder]:
    """Every order marked not adjusted (released ones wait for their finish)."""
    return InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).select_related("item")


def orders_waiting_count() -> int:
    """How many production and assembly orders wait for adjustment (BC's Many Non-Adjusted
    Orders counts the Inventory Adjmt. Entry (Order) rows with Cost Is Adjusted off)."""
    return InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).count()


# -- loading -----------------------------------------------------------------------------------


def order_graphs(orders: Sequence[InventoryAdjmtEntryOrder]) -> list[OrderGraph]:
    """The engine's view of the orders: three bulk queries for any number of orders."""
    if not orders:
        return []
    key_of = {(o.order_type, o.order_no) for o in orders}
    nos = sorted({o.order_no for o in orders})
    material: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    capacity: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    by_ile_type = {v: k for k, v in _CONSUMPTION.items()}
    rows = (
        ValueEntry.objects.filter(order_no__in=nos)
        .filter(
            Q(item_ledger_entry_type__in=list(_CONSUMPTION.values()))
            | Q(capacity_ledger_entry__isnull=False)
        )
        .exclude(entry_type__in=[ValueEntryType.REVALUATION, ValueEntryType.ROUNDING])
        .order_by()
        .values_list(
            "order_no",
            "item_ledger_entry_type",
            "order_type",
            "entry_type",
            "capacity_ledger_entry__subcontracted",
            "cost_amount_actual",
            "cost_amount_expected",
        )
    )
    for no, ile_type, order_type, entry_type, subcontracted, actual, expected in rows:
        kind = by_ile_type.get(ile_type, order_type)
        key = (kind, no)
        if key not in key_of:
            continue
        if ile_type:
            material[key] -= actual + expected  # consumption is negative
        elif entry_type == ValueEntryType.INDIRECT_COST:
            capacity[key]["capacity_overhead"] += actual
        elif subcontracted:
            capacity[key]["subcontracted"] += actual
        else:
            capacity[key]["capacity"] += actual
    outputs: dict[tuple[str, str], dict[int, tuple[Decimal, list[OutputValue]]]] = defaultdict(dict)
    output_types = {v: k for k, v in _OUTPUT.items()}
    for ile, no, ile_type, quantity in (
        ItemLedgerEntry.objects.filter(order_no__in=nos, entry_type__in=list(_OUTPUT.values()))
        .order_by("entry_no")
        .values_list("entry_no", "order_no", "entry_type", "quantity")
    ):
        key = (output_types[ile_type], no)
        if key in key_of:
            outputs[key][ile] = (quantity, [])
    output_nos = {ile: key for key, entries in outputs.items() for ile in entries}
    for ile, no, entry_type, variance_type, actual, expected in (
        ValueEntry.objects.filter(item_ledger_entry_id__in=list(output_nos))
        .exclude(entry_type__in=[ValueEntryType.REVALUATION, ValueEntryType.ROUNDING])
        .order_by("entry_no")
        .values_list(
            "item_ledger_entry_id",
            "entry_no",
            "entry_type",
            "variance_type",
            "cost_amount_actual",
            "cost_amount_expected",
        )
    ):
        outputs[output_nos[ile]][ile][1].append(
            OutputValue(no, entry_type, variance_type, actual, expected)
        )
    graphs = []
    for order in orders:
        key = (order.order_type, order.order_no)
        shares = capacity[key]
        graphs.append(
            OrderGraph(
                order.order_type,
                order.order_no,
                output_item(order.item),
                OrderCosts(
                    material=material[key],
                    capacity=shares["capacity"],
                    subcontracted=shares["subcontracted"],
                    capacity_overhead=shares["capacity_overhead"],
                ),
                tuple(
                    OutputEntry(ile, quantity, tuple(values))
                    for ile, (quantity, values) in sorted(outputs[key].items())
                ),
            )
        )
    return graphs


# -- writing -----------------------------------------------------------------------------------


def _write_plans(plans: list[OrderPlan], orders: Sequence[InventoryAdjmtEntryOrder]) -> None:
    """The plans' value entries (copies of the output's first value entry: dates, groups,
    location, dimensions; spec §6.5, §16), the outputs made actual (completely invoiced), the
    output items to adjust again, the orders adjusted."""
    new = [value for plan in plans for value in plan.new_values]
    values = adjustment_entries(new)
    value_entries_write(values)
    keys = {(o.order_type, o.order_no) for o in orders}
    outputs = list(
        ItemLedgerEntry.objects.filter(
            order_no__in={no for _, no in keys}, entry_type__in=list(_OUTPUT.values())
        )
    )
    outputs = [
        e
        for e in outputs
        if (
            OrderType.PRODUCTION if e.entry_type == EntryType.OUTPUT else OrderType.ASSEMBLY,
            e.order_no,
        )
        in keys
    ]
    changed = {v.item_ledger_entry_id for v in values}
    for entry in outputs:
        entry.invoiced_quantity = entry.quantity
        entry.completely_invoiced = True
        if entry.entry_no in changed:
            entry.applied_entry_to_adjust = True
    if outputs:
        entries_bookkeeping_update(outputs)
    Item.objects.filter(pk__in={e.item_id for e in outputs if e.entry_no in changed}).update(
        cost_is_adjusted=False
    )
    by_key = {(p.order_type, p.order_no): p for p in plans}
    for order in orders:
        plan = by_key[(order.order_type, order.order_no)]
        order.cost_is_adjusted = True
        order.material_cost = plan.material
        order.capacity_cost = plan.capacity
        order.subcontracted_cost = plan.subcontracted
        order.capacity_overhead_cost = plan.capacity_overhead
        order.manufacturing_overhead_cost = plan.manufacturing_overhead
    InventoryAdjmtEntryOrder.objects.bulk_update(
        list(orders),
        [
            "cost_is_adjusted",
            "material_cost",
            "capacity_cost",
            "subcontracted_cost",
            "capacity_overhead_cost",
            "manufacturing_overhead_cost",
        ],
    )


def _order_items(orders: Sequence[InventoryAdjmtEntryOrder]) -> dict[tuple[str, str], set[int]]:
    """Per order (type, no), its output item and the items it consumed."""
    keys = {(o.order_type, o.order_no) for o in orders}
    needed: dict[tuple[str, str], set[int]] = {key: set() for key in keys}
    for order in orders:
        needed[(order.order_type, order.order_no)].add(order.item_id)
    kinds = {v: k for k, v in _CONSUMPTION.items()}
    for entry_type, no, item_id in (
        ItemLedgerEntry.objects.filter(
            order_no__in={no for _, no in keys}, entry_type__in=list(_CONSUMPTION.values())
        )
        .order_by()
        .values_list("entry_type", "order_no", "item_id")
        .distinct()
    ):
        key = (kinds[entry_type], no)
        if key in needed:
            needed[key].add(item_id)
    return needed


def _lockable(orders: Sequence[InventoryAdjmtEntryOrder]) -> list[InventoryAdjmtEntryOrder]:
    """The orders whose output item, component items and order row this transaction can lock
    without waiting (those it holds already, or nobody holds). An item batch runs in one
    transaction beside other batches: waiting there for another batch's items or order rows
    while it waits for ours is a deadlock. An order skipped stays marked not adjusted, and the
    batch holding its items, or the next run, adjusts it."""
    needed = _order_items(orders)
    wanted = set().union(*needed.values())
    got = set(
        Item.objects.filter(pk__in=wanted)
        .order_by("no")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    ready = [o for o in orders if needed[(o.order_type, o.order_no)] <= got]
    rows = set(
        InventoryAdjmtEntryOrder.objects.filter(pk__in=[o.pk for o in ready])
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    return [o for o in ready if o.pk in rows]


def orders_adjust(
    orders: Sequence[InventoryAdjmtEntryOrder], *, skip_locked: bool = False
) -> list[OrderResult]:
    """Adjust these orders in the current transaction (output and component items locked
    first, in item order, as postings and item adjustment lock them). `skip_locked` (item
    batches, PostgreSQL): adjust only the orders whose items and row can be locked without
    waiting."""
    if not orders:
        return []
    # Before the item locks, as postings and item adjustment take it: a period closing now
    # waits for this adjustment.
    period_lock()
    if skip_locked and connection.features.has_select_for_update_skip_locked:
        orders = _lockable(orders)
        if not orders:
            return []
    else:
        # The output items and the components, in item order as postings lock them: nothing
        # posts to a component while its order's cost is read from it.
        list(
            Item.objects.filter(pk__in=set().union(*_order_items(orders).values()))
            .order_by("no")
            .select_for_update()
        )
        # Then the order rows, and only then read their values: a concurrent adjustment of a
        # component marks the row (values_written) while holding that component's lock;
        # waiting for the row here means reading its committed cost, never losing its mark.
        list(
            InventoryAdjmtEntryOrder.objects.filter(pk__in=[o.pk for o in orders])
            .order_by("pk")
            .select_for_update()
            .values_list("pk", flat=True)
        )
    plans = [adjust_order(graph) for graph in order_graphs(orders)]
    _write_plans(plans, orders)
    items = {o.order_no: o.item.no for o in orders}
    return [
        OrderResult(
            p.order_type,
            p.order_no,
            items[p.order_no],
            len({v.ile for v in p.new_values}),
            p.cost_difference,
        )
        for p in plans
    ]


# -- the multi-level loop --------------------------------------------------------------------


def _ready(orders: list[InventoryAdjmtEntryOrder]) -> list[InventoryAdjmtEntryOrder]:
    """Orders none of whose components still wait for item adjustment: adjusting them now
    would use a cost that is about to change (one level at a time, so each order is adjusted
    once per change). When nothing is ready (an excluded or failing component), all go."""
    keys = {(o.order_type, o.order_no) for o in orders}
    waiting = set(
        ItemLedgerEntry.objects.filter(
            order_no__in={no for _, no in keys},
            entry_type__in=list(_CONSUMPTION.values()),
            item__cost_is_adjusted=False,
            item__excluded_from_cost_adjustment=False,
        )
        .order_by()
        .values_list("entry_type", "order_no")
        .distinct()
    )
    kinds = {v: k for k, v in _CONSUMPTION.items()}
    blocked = {(kinds[t], no) for t, no in waiting}
    ready = [o for o in orders if (o.order_type, o.order_no) not in blocked]
    return ready or orders


def orders_multi_level(
    *,
    item_filter: str | None = None,
    until: dt.date | None = None,
    orders: Sequence[InventoryAdjmtEntryOrder] | None = None,
    items: QuerySet[Item] | None = None,
    skip_locked: bool = False,
) -> OrdersRunResult:
    """Spec §6.3: order adjustment, then item adjustment of the output items (their sales, the
    next level's consumption), again and again until nothing is left to adjust. In the caller's
    transaction. `orders` limits the first level to those orders (Adjust Cost for Selected
    Orders); later levels take every order the loop marked. `items` (an item batch) limits the
    orders to those whose output or components are among the items, and the item adjustment
    to those items; `skip_locked` leaves the orders another transaction holds (orders_adjust)."""
    from costing.services.adjustment import adjust_one_by_one, items_to_adjust

    result = OrdersRunResult()
    selected = list(orders) if orders is not None else None
    skipped: set[int] = set()
    for level in range(MAX_LEVELS):
        pending = (
            selected
            if selected is not None
            else list(orders_to_adjust(item_filter, items=items).exclude(pk__in=skipped))
        )
        selected = None
        if not pending:
            break
        result.levels = level + 1
        chosen = _ready(pending)
        adjusted = orders_adjust(chosen, skip_locked=skip_locked)
        done = {(o.order_type, o.order_no) for o in adjusted}
        skipped |= {o.pk for o in chosen if (o.order_type, o.order_no) not in done}
        result.orders.extend(adjusted)
        outputs = items_to_adjust(item_filter).filter(no__in={o.item_no for o in adjusted})
        if items is not None:
            outputs = outputs.filter(pk__in=items.values("pk"))
        to_adjust = list(outputs)
        if to_adjust:
            result.items.extend(adjust_one_by_one(to_adjust, until=until))
        if not adjusted and len(chosen) == len(pending):
            break  # everything left is held by others
    return result


def item_results_merge(first: list, more: list) -> list:
    """One result per item (the run log has one row per item and run): an item adjusted again
    on a later level adds its entries, cost difference and time to its first visit, as BC's
    detailed log adds up the durations of repeated visits."""
    merged = {result.item_no: result for result in first}
    order = [result.item_no for result in first]
    for result in more:
        seen = merged.get(result.item_no)
        if seen is None:
            merged[result.item_no] = result
            order.append(result.item_no)
            continue
        seen.entries_adjusted += result.entries_adjusted
        seen.cost_difference += result.cost_difference
        seen.duration_ms += result.duration_ms
        seen.trace.extend(result.trace)
    return [merged[no] for no in order]


def orders_adjust_selected(*, order_keys: Iterable[tuple[str, str]]) -> OrdersRunResult:
    """Adjust Cost for Selected Orders (spec §13): these orders (finished production orders and
    assembly orders), then whatever their adjustment makes necessary, in one transaction."""
    keys = list(order_keys)
    if not keys:
        raise InvalidInput.on("orders", "Select at least one order.")
    condition = Q(pk__in=[])
    for order_type, order_no in keys:
        condition |= Q(order_type=order_type, order_no=order_no)
    with transaction.atomic():
        found = list(
            InventoryAdjmtEntryOrder.objects.filter(condition)
            .select_related("item")
            .order_by("order_type", "order_no")
        )
        known = {(o.order_type, o.order_no) for o in found}
        missing = [f"{t} {no}" for t, no in keys if (t, no) not in known]
        if missing:
            raise InvalidInput.on("orders", f"No such order: {', '.join(missing)}.")
        released = set(
            ProductionOrder.objects.filter(
                no__in=[o.order_no for o in found if o.order_type == OrderType.PRODUCTION],
                status=ProductionOrderStatus.RELEASED,
            ).values_list("no", flat=True)
        )
        if released:
            raise InvalidInput.on(
                "orders",
                "Production orders must be finished to be adjusted: "
                f"{', '.join(sorted(released))}.",
            )
        return orders_multi_level(orders=found)


def orders_reset_cost_is_adjusted(*, order_keys: Iterable[tuple[str, str]] | None = None) -> int:
    """Reset Cost Is Adjusted for orders (spec §13 diagnostics): they are adjusted again by the
    next run (all orders when no keys are given)."""
    rows = InventoryAdjmtEntryOrder.objects.all()
    if order_keys is not None:
        condition = Q(pk__in=[])
        for order_type, order_no in order_keys:
            condition |= Q(order_type=order_type, order_no=order_no)
        rows = rows.filter(condition)
    with transaction.atomic():
        return rows.update(cost_is_adjusted=False)


# -- triggers ----------------------------------------------------------------------------------


def adjust_after_finish(order_no: str) -> None:
    """Finishing a production order triggers its adjustment when automatic cost adjustment is
    on for today's postings (spec §1.1), in the finishing transaction; a failure leaves the
    order finished and waiting for the next run."""
    from costing.services.automatic import earliest_date_adjusted_at_once

    setup = InventorySetup.get()
    floor = earliest_date_adjusted_at_once(setup.automatic_cost_adjustment, timezone.localdate())
    if floor is None:
        return
    order = (
        InventoryAdjmtEntryOrder.objects.filter(order_type=OrderType.PRODUCTION, order_no=order_no)
        .select_related("item")
        .first()
    )
    if order is None or order.item.excluded_from_cost_adjustment:
        return
    finished = ProductionOrder.objects.filter(no=order_no).values_list("finished_date", flat=True)
    if finished and finished[0] and finished[0] < floor:
        return  # finished further back than the setup adjusts at once: the next run does it
    try:
        with transaction.atomic():
            orders_multi_level(orders=[order])
    except Exception as error:  # the finish stands; the next run shows the problem
        log.warning("Adjustment of finished order %s failed: %s", order_no, error)


def orders_after_posting(posted) -> None:
    """After item adjustment at posting: orders the posting's adjustments marked (a late
    invoice of a component of a finished order) are carried up the levels at once too."""
    from costing.services.automatic import earliest_date_adjusted_at_once

    floor = earliest_date_adjusted_at_once(
        posted.setup.automatic_cost_adjustment, timezone.localdate()
    )
    if floor is None or posted.earliest_valuation_date < floor:
        return
    pending = list(orders_to_adjust())
    if not pending:
        return
    try:
        with transaction.atomic():
            orders_multi_level(orders=pending)
    except Exception as error:
        log.warning("Automatic order adjustment failed: %s", error)
