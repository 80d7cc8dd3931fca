"""Posting the item journal (spec §1–§3, §5): all lines in one transaction, or none.

Quantity application per costing method: an outbound line uses open inbound entries of the same
item, location and variant, earliest first (FIFO, Average, Standard) or latest first (LIFO), or
exactly the entry it names (applies_to_entry; required for Specific). What finds nothing to use
stays open with negative remaining quantity, and the next inbound entry there applies to it.

The cost an outbound entry gets at posting is the cost of what it used, pro rata, and the item's
unit cost for any part it could not apply; cost adjustment corrects it later when that cost moves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from costing.engine.money import ZERO, q_amount
from inventory.errors import InvalidInput
from inventory.models import (
    CostingMethod,
    EntryType,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ItemVariant,
    Location,
    ProductionOrder,
    ValueEntryType,
)
from inventory.services.context import PostingContext
from inventory.services.guards import PostingGuard
from inventory.services.values import (
    PostingGroups,
    expected_purchase_cost,
    purchase_parts,
    value_entry,
)
from inventory.sql import new_instance

INBOUND_TYPES = {EntryType.POSITIVE_ADJMT, EntryType.OUTPUT, EntryType.ASSEMBLY_OUTPUT}
ORDER_TYPES = {EntryType.CONSUMPTION, EntryType.OUTPUT}
# Only documents with a separate invoice can post quantity now and value later (spec §2).
INVOICEABLE_TYPES = {EntryType.PURCHASE, EntryType.SALE}
ENTRY_TYPES = frozenset(EntryType.values)  # the enum builds that list at every access


@dataclass(frozen=True)
class JournalLine:
    entry_type: str
    item_no: str
    posting_date: dt.date
    quantity: Decimal
    location_code: str = ""
    new_location_code: str = ""
    variant_code: str = ""
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None
    gen_bus_posting_group: str = ""
    invoiced: bool = True
    is_return: bool = False
    applies_to_entry: int | None = None
    applies_from_entry: int | None = None
    document_no: str = ""
    order_no: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    # An inbound line's whole cost instead of quantity x unit cost (an assembly order's output,
    # which costs exactly what went into it).
    cost_amount: Decimal | None = None

    @property
    def inbound(self) -> bool:
        """Whether the line increases inventory (a transfer does both: out, then in)."""
        if self.entry_type == EntryType.PURCHASE:
            return not self.is_return
        if self.entry_type == EntryType.SALE:
            return self.is_return
        return self.entry_type in INBOUND_TYPES


class _LineError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def item_journal_post(*, lines: list[JournalLine]) -> list[ItemLedgerEntry]:
    """Post the lines in order; returns the item ledger entries created, in line order (a
    transfer line gives two: the outbound entry, then the inbound one)."""
    if not lines:
        raise InvalidInput.on("lines", "A journal needs at least one line.")
    with transaction.atomic():
        setup = InventorySetup.get()
        ctx = PostingContext(setup, PostingGuard.load(setup))
        ctx.lock_items(line.item_no for line in lines)
        _check_lines(ctx, ctx.guard, lines)
        ctx.reserve_entry_numbers(
            sum(2 if line.entry_type == EntryType.TRANSFER else 1 for line in lines)
        )
        ctx.load_entries(
            no
            for line in lines
            for no in (line.applies_to_entry, line.applies_from_entry)
            if no is not None
        )
        ctx.preload_open_entries(
            (ctx.items[line.item_no].item.pk, code or None, line.variant_code)
            for line in lines
            for code in (line.location_code, line.new_location_code)[
                : 2 if line.entry_type == EntryType.TRANSFER else 1
            ]
        )
        created: list[ItemLedgerEntry] = []
        for index, line in enumerate(lines):
            try:
                created.extend(_post_line(ctx, line))
            except _LineError as error:
                raise InvalidInput.on_lines({index: {error.field: [error.message]}}) from None
        ctx.flush()
    return created


# -- checks before anything is posted ----------------------------------------------------------


def _check_lines(ctx: PostingContext, guard: PostingGuard, lines: list[JournalLine]) -> None:
    locations = set(
        Location.objects.filter(
            code__in={
                c for line in lines for c in (line.location_code, line.new_location_code) if c
            }
        ).values_list("code", flat=True)
    )
    variants = set(
        ItemVariant.objects.filter(
            item__no__in={line.item_no for line in lines if line.variant_code}
        ).values_list("item__no", "code")
    )
    # Locked: a consumption or output line and the order's finishing never cross.
    order_nos = {line.order_no for line in lines if line.entry_type in ORDER_TYPES}
    orders = (
        {
            o.no: o
            for o in ProductionOrder.objects.select_for_update()
            .select_related("item")
            .filter(no__in=order_nos)
        }
        if order_nos
        else {}
    )
    errors: dict[int, dict[str, list[str]]] = {}
    for index, line in enumerate(lines):
        problems = _line_problems(ctx, guard, line, locations, variants)
        if line.entry_type in ORDER_TYPES and line.order_no:
            problems.update(_order_problems(line, orders.get(line.order_no)))
        if problems:
            errors[index] = {name: [message] for name, message in problems.items()}
    if errors:
        raise InvalidInput.on_lines(errors)


def _order_problems(line: JournalLine, order: ProductionOrder | None) -> dict[str, str]:
    """Consumption and output go to a released production order; output is its item."""
    if order is None:
        return {"order_no": f"Production order {line.order_no!r} does not exist."}
    if not order.is_released:
        return {"order_no": f"Production order {order.no} is finished; post nothing more to it."}
    if line.entry_type == EntryType.OUTPUT and line.item_no != order.item.no:
        return {"item_no": f"Production order {order.no} makes item {order.item.no}, not this."}
    if line.entry_type == EntryType.OUTPUT and line.location_code != order.location_code:
        where = order.location_code or "no location"
        return {"location_code": f"Production order {order.no} puts its output at {where}."}
    return {}


def _line_problems(
    ctx: PostingContext,
    guard: PostingGuard,
    line: JournalLine,
    locations: set[str],
    variants: set[tuple[str, str]],
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if line.entry_type not in ENTRY_TYPES:
        problems["entry_type"] = f"{line.entry_type!r} is not an entry type."
        return problems
    state = ctx.items.get(line.item_no)
    if state is None:
        problems["item_no"] = f"Item {line.item_no!r} does not exist."
    if line.quantity is None or line.quantity <= 0:
        problems["quantity"] = "Must be greater than zero; the entry type gives the direction."
    if line.location_code and line.location_code not in locations:
        problems["location_code"] = f"Location {line.location_code!r} does not exist."
    if line.entry_type == EntryType.TRANSFER:
        if not line.new_location_code:
            problems["new_location_code"] = "A transfer needs the location it goes to."
        elif line.new_location_code not in locations:
            problems["new_location_code"] = f"Location {line.new_location_code!r} does not exist."
        elif line.new_location_code == line.location_code:
            problems["new_location_code"] = "A transfer must go to another location."
    elif line.new_location_code:
        problems["new_location_code"] = "Only a transfer goes to a new location."
    if line.variant_code and (line.item_no, line.variant_code) not in variants:
        problems["variant_code"] = f"Item {line.item_no!r} has no variant {line.variant_code!r}."
    problem = guard.posting_date_problem(line.posting_date)
    if problem:
        problems["posting_date"] = problem
    if line.is_return and line.entry_type not in INVOICEABLE_TYPES:
        problems["is_return"] = "Only a purchase or a sale can be a return."
    if not line.invoiced and line.entry_type not in INVOICEABLE_TYPES:
        problems["invoiced"] = "Only purchases and sales can be posted now and invoiced later."
    if line.entry_type in ORDER_TYPES and not line.order_no:
        problems["order_no"] = "Consumption and output are posted against an order no."
    if line.unit_cost is not None and line.unit_cost < 0:
        problems["unit_cost"] = "Must not be negative."
    if line.unit_price is not None and line.unit_price < 0:
        problems["unit_price"] = "Must not be negative."
    inbound = line.inbound and line.entry_type != EntryType.TRANSFER
    if line.applies_from_entry is not None and not inbound:
        problems["applies_from_entry"] = (
            "Only an inbound line (a return, a positive adjustment) takes its cost from an entry."
        )
    if state is not None:
        item = state.item
        needs_cost = (
            inbound
            and not line.is_return
            and line.applies_from_entry is None
            and line.cost_amount is None
            # Output is valued at the item's unit cost until its order is finished (spec §6.6).
            and line.entry_type != EntryType.OUTPUT
        )
        if needs_cost and not item.is_standard and line.unit_cost is None:
            problems["unit_cost"] = "An inbound line needs a unit cost."
        specific_outbound = not inbound and item.costing_method == CostingMethod.SPECIFIC
        if specific_outbound and line.applies_to_entry is None:
            problems["applies_to_entry"] = (
                "Item uses Specific costing: every outbound line must name the inbound entry "
                "it takes (applies_to_entry)."
            )
    return problems


# -- posting one line ----------------------------------------------------------------------------


def _post_line(ctx: PostingContext, line: JournalLine) -> list[ItemLedgerEntry]:
    item = ctx.items[line.item_no].item
    if line.entry_type == EntryType.OUTPUT:
        # Spec §2, §6.6: output is expected cost until its finished order is adjusted.
        line = dataclasses.replace(line, invoiced=False)
    if line.entry_type == EntryType.TRANSFER:
        outbound, cost, valuation_date = _post_outbound(ctx, line, item, line.location_code)
        inbound = _post_inbound(
            ctx,
            line,
            item,
            line.new_location_code,
            source=outbound,
            transferred=(cost, valuation_date),
        )
        created = [outbound, inbound]
    elif line.inbound:
        source = _applies_from(ctx, line, item) if line.applies_from_entry is not None else None
        created = [_post_inbound(ctx, line, item, line.location_code, source=source)]
    else:
        created = [_post_outbound(ctx, line, item, line.location_code)[0]]
    # The next line of the journal sees the unit cost this one left.
    ctx.refresh_unit_cost(item)
    return created


def _new_entry(
    line: JournalLine, item: Item, location_code: str, *, inbound: bool
) -> ItemLedgerEntry:
    quantity = line.quantity if inbound else -line.quantity
    return new_instance(
        ItemLedgerEntry,
        item=item,
        posting_date=line.posting_date,
        entry_type=line.entry_type,
        location_id=location_code or None,
        variant_code=line.variant_code,
        quantity=quantity,
        remaining_quantity=quantity,
        invoiced_quantity=quantity if line.invoiced else ZERO,
        completely_invoiced=line.invoiced,
        positive=inbound,
        open=True,
        document_no=line.document_no,
        order_no=line.order_no,
        gen_bus_posting_group=line.gen_bus_posting_group,
        is_return=line.is_return,
    )


def _post_outbound(
    ctx: PostingContext, line: JournalLine, item: Item, location_code: str
) -> tuple[ItemLedgerEntry, Decimal, dt.date]:
    entry = ctx.add_entry(_new_entry(line, item, location_code, inbound=False))
    if line.applies_to_entry is not None:
        entry.applies_to_entry_id = line.applies_to_entry
        used = _use_fixed_inbound(ctx, line, entry)
    else:
        used = _use_open_inbound(ctx, item, entry)

    cost = ZERO
    valuation_date = line.posting_date
    for inbound, quantity in used:
        source_cost = ctx.costs[inbound.entry_no]
        cost += quantity * source_cost.unit_cost(inbound.quantity)
        # Spec §4.3 case 3: never valued before what it used was valued (e.g. revalued).
        if source_cost.valuation_date and source_cost.valuation_date > valuation_date:
            valuation_date = source_cost.valuation_date
    cost += -entry.remaining_quantity * item.unit_cost  # negative inventory: the item's unit cost
    amount = q_amount(cost)

    invoiced_quantity = entry.quantity if line.invoiced else ZERO
    sales = q_amount(line.quantity * line.unit_price) if line.unit_price else ZERO
    ctx.add_value(
        value_entry(
            entry,
            item,
            PostingGroups.of_item(item, line.gen_bus_posting_group, line.dimensions),
            entry_type=ValueEntryType.DIRECT_COST,
            posting_date=line.posting_date,
            valuation_date=valuation_date,
            valued_quantity=entry.quantity,
            item_ledger_entry_quantity=entry.quantity,
            invoiced_quantity=invoiced_quantity,
            actual=-amount if line.invoiced else ZERO,
            expected=ZERO if line.invoiced else -amount,
            expected_cost=not line.invoiced,
            valued_by_average_cost=(
                item.costing_method == CostingMethod.AVERAGE and line.applies_to_entry is None
            ),
            # With negative inventory, the cost per unit is the unit cost the part it could not
            # apply was valued at: what that part keeps until an inbound entry covers it.
            cost_per_unit=item.unit_cost if entry.remaining_quantity else None,
            sales_amount_actual=sales if line.invoiced else ZERO,
            sales_amount_expected=ZERO if line.invoiced else sales,
        )
    )
    ctx.add_quantity(item, entry.quantity)
    return entry, amount, valuation_date


def _use_fixed_inbound(
    ctx: PostingContext, line: JournalLine, entry: ItemLedgerEntry
) -> list[tuple[ItemLedgerEntry, Decimal]]:
    target = _applies_to_target(ctx, line, entry, positive=True)
    if target.remaining_quantity < line.quantity:
        raise _LineError(
            "applies_to_entry",
            f"Entry {target.entry_no} has only {target.remaining_quantity.normalize():f} "
            f"remaining; the line needs {line.quantity.normalize():f}.",
        )
    _link(ctx, entry, inbound=target, outbound=entry, quantity=line.quantity)
    return [(target, line.quantity)]


def _use_open_inbound(
    ctx: PostingContext, item: Item, entry: ItemLedgerEntry
) -> list[tuple[ItemLedgerEntry, Decimal]]:
    candidates = ctx.open_entries(item, entry.location_id, entry.variant_code, positive=True)
    if item.costing_method == CostingMethod.LIFO:
        candidates = list(reversed(candidates))
    used = []
    for inbound in list(candidates):
        need = -entry.remaining_quantity
        if need <= 0:
            break
        quantity = min(need, inbound.remaining_quantity)
        _link(ctx, entry, inbound=inbound, outbound=entry, quantity=quantity)
        used.append((inbound, quantity))
    return used


def _post_inbound(
    ctx: PostingContext,
    line: JournalLine,
    item: Item,
    location_code: str,
    *,
    source: ItemLedgerEntry | None,
    transferred: tuple[Decimal, dt.date] | None = None,
) -> ItemLedgerEntry:
    entry = ctx.add_entry(_new_entry(line, item, location_code, inbound=True))
    entry.applies_from_entry_id = source.entry_no if source else None
    ctx.add_application(
        entry=entry,
        inbound=entry,
        outbound=source,
        quantity=entry.quantity,
        cost_application=source is not None,
    )
    groups = PostingGroups.of_item(item, line.gen_bus_posting_group, line.dimensions)
    values = dict(
        posting_date=line.posting_date,
        valuation_date=line.posting_date,
        valued_quantity=entry.quantity,
        item_ledger_entry_quantity=entry.quantity,
        invoiced_quantity=entry.quantity if line.invoiced else ZERO,
    )
    if transferred is not None:
        # A transfer receipt carries exactly the cost (and valuation date) of what left.
        amount, values["valuation_date"] = transferred
        parts = [(ValueEntryType.DIRECT_COST, "", amount)]
    elif source is not None:
        source_cost = ctx.costs[source.entry_no]
        amount = q_amount(line.quantity * source_cost.unit_cost(source.quantity))
        parts = [(ValueEntryType.DIRECT_COST, "", amount)]
    elif line.entry_type == EntryType.PURCHASE:
        parts = [
            (p.entry_type, p.variance_type, p.amount)
            for p in purchase_parts(item, line.quantity, line.unit_cost)
        ]
        if line.invoiced:
            item.last_direct_cost = line.unit_cost
        else:
            parts = [
                (
                    ValueEntryType.DIRECT_COST,
                    "",
                    expected_purchase_cost(item, line.quantity, line.unit_cost),
                )
            ]
    elif line.cost_amount is not None:
        parts = [(ValueEntryType.DIRECT_COST, "", line.cost_amount)]
    else:
        unit_cost = item.standard_cost if item.is_standard else line.unit_cost
        if unit_cost is None:  # a sales return with no cost source comes back at the unit cost
            unit_cost = item.unit_cost
        parts = [(ValueEntryType.DIRECT_COST, "", q_amount(line.quantity * unit_cost))]

    for entry_type, variance_type, amount in parts:
        ctx.add_value(
            value_entry(
                entry,
                item,
                groups,
                entry_type=entry_type,
                variance_type=variance_type,
                actual=amount if line.invoiced else ZERO,
                expected=ZERO if line.invoiced else amount,
                expected_cost=not line.invoiced,
                **values,
            )
        )
        # Only the first value entry carries the entry's quantity and invoiced quantity.
        values["item_ledger_entry_quantity"] = ZERO
        values["invoiced_quantity"] = ZERO
    ctx.add_quantity(item, entry.quantity)

    if line.applies_to_entry is not None and transferred is None:
        entry.applies_to_entry_id = line.applies_to_entry
        target = _applies_to_target(ctx, line, entry, positive=False)
        _link(
            ctx,
            entry,
            inbound=entry,
            outbound=target,
            quantity=min(line.quantity, -target.remaining_quantity),
        )
    else:
        # Negative inventory: this entry covers outbound entries still waiting, oldest first.
        # Not a return that takes its cost from an outbound entry (cost application, spec §5):
        # covering another outbound could close a cost loop (that outbound's cost would depend
        # on a return whose cost depends on it), so it stays open until a receipt covers it.
        waiting = ctx.open_entries(item, entry.location_id, entry.variant_code, positive=False)
        if source is not None and transferred is None:
            waiting = []
        # A transfer receipt carries the cost of what left: it must not cover an outbound entry
        # that cost comes from (negative stock sent on and back), that outbound stays open.
        loop: set[int] = set()
        if transferred is not None and source is not None and waiting:
            loop = ctx.cost_ancestors(source)
        for outbound in [w for w in waiting if w.entry_no not in loop]:
            if entry.remaining_quantity <= 0:
                break
            quantity = min(entry.remaining_quantity, -outbound.remaining_quantity)
            _link(ctx, entry, inbound=entry, outbound=outbound, quantity=quantity)
    return entry


def _link(
    ctx: PostingContext,
    entry: ItemLedgerEntry,
    *,
    inbound: ItemLedgerEntry,
    outbound: ItemLedgerEntry,
    quantity: Decimal,
) -> None:
    """`outbound` uses `quantity` of `inbound`; `entry` is the one being posted."""
    inbound.remaining_quantity -= quantity
    inbound.open = inbound.remaining_quantity != 0
    outbound.remaining_quantity += quantity
    outbound.open = outbound.remaining_quantity != 0
    # The inbound entry's cost now reaches another outbound entry: cost adjustment must look.
    inbound.applied_entry_to_adjust = True
    ctx.touch(inbound)
    ctx.touch(outbound)
    ctx.add_application(entry=entry, inbound=inbound, outbound=outbound, quantity=-quantity)


def _applies_to_target(
    ctx: PostingContext, line: JournalLine, entry: ItemLedgerEntry, *, positive: bool
) -> ItemLedgerEntry:
    target = ctx.entry(line.applies_to_entry)
    no = line.applies_to_entry
    if target is None:
        raise _LineError("applies_to_entry", f"Item ledger entry {no} does not exist.")
    if target.item_id != entry.item_id:
        raise _LineError("applies_to_entry", f"Entry {no} is for another item, not {line.item_no}.")
    if target.positive != positive:
        wanted = "an inbound" if positive else "an outbound"
        raise _LineError("applies_to_entry", f"Entry {no} is not {wanted} entry.")
    if not target.open:
        raise _LineError("applies_to_entry", f"Entry {no} is closed: nothing remains to apply.")
    if (target.location_id, target.variant_code) != (entry.location_id, entry.variant_code):
        raise _LineError(
            "applies_to_entry", f"Entry {no} is at another location or variant than the line."
        )
    # Spec §10.3: only automatic application may reach behind the earliest valuation date.
    problem = ctx.guard.valuation_date_problem(target.posting_date) if ctx.guard else None
    if problem:
        raise _LineError("applies_to_entry", f"Entry {no} is dated {problem}")
    return target


def _applies_from(ctx: PostingContext, line: JournalLine, item: Item) -> ItemLedgerEntry:
    no = line.applies_from_entry
    source = ctx.entry(no)
    if source is None:
        raise _LineError("applies_from_entry", f"Item ledger entry {no} does not exist.")
    if source.item_id != item.pk:
        raise _LineError("applies_from_entry", f"Entry {no} is for another item.")
    if source.positive:
        raise _LineError(
            "applies_from_entry",
            f"Entry {no} is inbound; a return takes its cost from an outbound entry.",
        )
    if line.quantity > -source.quantity:
        raise _LineError(
            "applies_from_entry",
            f"Entry {no} took out {(-source.quantity).normalize():f}; "
            f"{line.quantity.normalize():f} cannot come back from it.",
        )
    return source
