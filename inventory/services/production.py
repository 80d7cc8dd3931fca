"""Production orders and the capacity journal (spec §1.7, §6.6, §11.2, §14).

A released order takes consumption and output lines of the item journal (journal.py checks the
order) and capacity lines of the capacity journal (here). Finishing it lets cost adjustment turn
its output into actual cost. Every value posted against an order marks its Inventory Adjmt.
Entry (Order) as not adjusted; so does any later change of what it consumed, because cost
adjustment writes its value entries through the same hook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from costing.engine.money import ZERO, q_amount, q_unit_cost
from costing.engine.orders import OutputItem
from inventory.errors import InvalidInput
from inventory.models import (
    CapacityLedgerEntry,
    CapacityType,
    EntryType,
    InventoryAdjmtEntryOrder,
    InventorySetup,
    Item,
    Location,
    OrderType,
    ProductionOrder,
    ProductionOrderStatus,
    ValueEntry,
    ValueEntryType,
    WorkCenter,
)
from inventory.services.guards import PostingGuard
from inventory.services.hooks import order_finished
from inventory.services.writing import value_entries_write
from inventory.sql import number_array

HUNDRED = Decimal(100)
CAPACITY_SOURCE_CODE = "CAPJNL"
# Value entries that put cost into an order (spec §6.2 point 3); output entries take it out.
_ORDER_INPUT_TYPES = {
    EntryType.CONSUMPTION: OrderType.PRODUCTION,
    EntryType.ASSEMBLY_CONSUMPTION: OrderType.ASSEMBLY,
}


# -- production orders ---------------------------------------------------------------------------


def production_order_create(
    *,
    no: str,
    item_no: str,
    quantity: Decimal,
    location_code: str = "",
    description: str = "",
    status: str = ProductionOrderStatus.RELEASED,
) -> ProductionOrder:
    """A released production order, with its (adjusted, nothing posted yet) Inventory Adjmt.
    Entry (Order)."""
    errors: dict[str, list[str]] = {}
    if not no:
        errors["no"] = ["A production order needs a number."]
    elif ProductionOrder.objects.filter(no=no).exists():
        errors["no"] = [f"Production order {no!r} already exists."]
    item = Item.objects.filter(no=item_no).first()
    if item is None:
        errors["item_no"] = [f"Item {item_no!r} does not exist."]
    if quantity is None or quantity <= 0:
        errors["quantity"] = ["Must be greater than zero."]
    if location_code and not Location.objects.filter(code=location_code).exists():
        errors["location_code"] = [f"Location {location_code!r} does not exist."]
    if status != ProductionOrderStatus.RELEASED:
        errors["status"] = ["A new production order is released; finish it with …/finish/."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        order = ProductionOrder.objects.create(
            no=no,
            item=item,
            quantity=quantity,
            location_id=location_code or None,
            description=description,
        )
        InventoryAdjmtEntryOrder.objects.create(
            order_type=OrderType.PRODUCTION, order_no=no, item=item, cost_is_adjusted=True
        )
    return order


def production_order_finish(*, no: str, finished_date: dt.date | None = None) -> ProductionOrder:
    """Spec §14: a finished order takes no more postings; cost adjustment (at once, as the setup's
    Automatic Cost Adjustment says, or in the next run) turns its output into actual cost, moves
    WIP to inventory and, for a Standard item, posts the variances."""
    with transaction.atomic():
        found = ProductionOrder.objects.filter(no=no).values_list("pk", "item_id").first()
        if found is None:
            raise InvalidInput.on("no", f"Production order {no!r} does not exist.")
        # The item first, then the order: the order postings lock them (journal.py), so the
        # finish and a posting to the order never wait on each other in a circle.
        list(Item.objects.filter(pk=found[1]).select_for_update().values_list("pk", flat=True))
        order = ProductionOrder.objects.select_for_update().get(pk=found[0])
        if not order.is_released:
            raise InvalidInput.on("status", f"Production order {no} is already finished.")
        day = finished_date or timezone.localdate()
        problem = PostingGuard.load(InventorySetup.get()).posting_date_problem(day)
        if problem:
            raise InvalidInput.on("finished_date", problem)
        order.status = ProductionOrderStatus.FINISHED
        order.finished_date = day
        order.save(update_fields=["status", "finished_date"])
        InventoryAdjmtEntryOrder.objects.filter(
            order_type=OrderType.PRODUCTION, order_no=no
        ).update(cost_is_adjusted=False)
        order_finished(no)
    return order


# -- the capacity journal ------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityLine:
    order_no: str
    posting_date: dt.date
    work_center: str
    quantity: Decimal
    unit_cost: Decimal | None = None  # direct unit cost; the work center's when absent
    document_no: str = ""


def capacity_journal_post(*, lines: Sequence[CapacityLine]) -> list[CapacityLedgerEntry]:
    """Post capacity spent on released production orders (spec §11.2): one capacity ledger entry
    per line, valued by a Direct Cost entry (time x unit cost) and, when the work center has
    indirect cost % or an overhead rate, an Indirect Cost entry, both to WIP against Direct Cost
    Applied and Overhead Applied. All lines or none."""
    if not lines:
        raise InvalidInput.on("lines", "A journal needs at least one line.")
    with transaction.atomic():
        orders = {
            o.no: o
            for o in ProductionOrder.objects.select_for_update()
            .select_related("item")
            .filter(no__in={line.order_no for line in lines})
        }
        centers = WorkCenter.objects.in_bulk(
            {line.work_center for line in lines}, field_name="code"
        )
        guard = PostingGuard.load(InventorySetup.get())
        errors: dict[int, dict[str, list[str]]] = {}
        for index, line in enumerate(lines):
            problems = _capacity_problems(line, orders, centers, guard)
            if problems:
                errors[index] = {name: [message] for name, message in problems.items()}
        if errors:
            raise InvalidInput.on_lines(errors)
        entries: list[CapacityLedgerEntry] = []
        for line in lines:
            order, center = orders[line.order_no], centers[line.work_center]
            unit_cost = center.unit_cost if line.unit_cost is None else line.unit_cost
            entries.append(
                CapacityLedgerEntry(
                    capacity_type=CapacityType.WORK_CENTER,
                    order_type=OrderType.PRODUCTION,
                    order_no=order.no,
                    item=order.item,
                    work_center=center,
                    posting_date=line.posting_date,
                    document_no=line.document_no,
                    quantity=line.quantity,
                    unit_cost=unit_cost,
                    direct_cost=q_amount(line.quantity * unit_cost),
                    overhead_cost=q_amount(
                        line.quantity
                        * (unit_cost * center.indirect_cost_pct / HUNDRED + center.overhead_rate)
                    ),
                    subcontracted=center.subcontracted,
                )
            )
        capacity_entries_write(
            entries,
            location_of={o.no: o.location_id for o in orders.values()},
            gen_prod_of={c.code: c.gen_prod_posting_group for c in centers.values()},
        )
    return entries


def _capacity_problems(
    line: CapacityLine,
    orders: dict[str, ProductionOrder],
    centers: dict[str, WorkCenter],
    guard: PostingGuard,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    order = orders.get(line.order_no)
    if order is None:
        problems["order_no"] = f"Production order {line.order_no!r} does not exist."
    elif not order.is_released:
        problems["order_no"] = f"Production order {line.order_no} is finished; post nothing more."
    if line.work_center not in centers:
        problems["work_center"] = f"Work center {line.work_center!r} does not exist."
    if line.quantity is None or line.quantity <= 0:
        problems["quantity"] = "Must be greater than zero (the time spent)."
    if line.unit_cost is not None and line.unit_cost < 0:
        problems["unit_cost"] = "Must not be negative."
    problem = guard.posting_date_problem(line.posting_date)
    if problem:
        problems["posting_date"] = problem
    return problems


def capacity_entries_write(
    entries: list[CapacityLedgerEntry],
    *,
    location_of: dict[str, str | None],
    gen_prod_of: dict[str, str] | None = None,
) -> list[ValueEntry]:
    """Write capacity ledger entries and their value entries. A capacity value entry belongs to
    no item and no item ledger entry: WIP (production) or Inventory Adjmt. (assembly) takes it,
    with the order item's inventory posting group and the work center's gen. product group."""
    CapacityLedgerEntry.objects.bulk_create(entries, batch_size=1000)
    values: list[ValueEntry] = []
    for entry in entries:
        center = entry.work_center_id
        gen_prod = (gen_prod_of or {}).get(center or "", "") if center else ""
        common = dict(
            item=None,
            item_ledger_entry=None,
            item_ledger_entry_type="",
            capacity_ledger_entry=entry,
            order_type=entry.order_type,
            order_no=entry.order_no,
            posting_date=entry.posting_date,
            valuation_date=entry.posting_date,
            document_no=entry.document_no,
            location_id=location_of.get(entry.order_no),
            valued_quantity=entry.quantity,
            inventory_posting_group=entry.item.inventory_posting_group,
            gen_prod_posting_group=gen_prod or entry.item.gen_prod_posting_group,
            source_code=CAPACITY_SOURCE_CODE,
        )
        for entry_type, amount in (
            (ValueEntryType.DIRECT_COST, entry.direct_cost),
            (ValueEntryType.INDIRECT_COST, entry.overhead_cost),
        ):
            if amount or entry_type == ValueEntryType.DIRECT_COST:
                values.append(
                    ValueEntry(
                        entry_type=entry_type,
                        cost_amount_actual=amount,
                        cost_per_unit=q_unit_cost(amount / entry.quantity)
                        if entry.quantity
                        else ZERO,
                        **common,
                    )
                )
    value_entries_write(values)
    return values


# -- marking orders for adjustment ---------------------------------------------------------------


_MARK_ORDERS = """
UPDATE inventory_inventoryadjmtentryorder AS o SET cost_is_adjusted = false
FROM (
    SELECT DISTINCT
        CASE v.item_ledger_entry_type
            WHEN 'consumption' THEN 'production'
            WHEN 'assembly_consumption' THEN 'assembly'
            ELSE v.order_type
        END AS order_type,
        v.order_no
    FROM inventory_valueentry AS v
    WHERE v.entry_no = ANY(%s::bigint[]) AND v.order_no <> ''
      AND v.item_ledger_entry_type IN ('consumption', 'assembly_consumption', '')
) AS m
WHERE o.order_type = m.order_type AND o.order_no = m.order_no AND o.cost_is_adjusted
"""


def orders_mark_from_values(entry_nos: Sequence[int]) -> None:
    """Spec §6.2 point 3: material or capacity posted against an order, or a change of its
    cost (an adjustment of a consumption entry), marks the order as not adjusted. Registered for
    every batch of value entries written: one statement on PostgreSQL, whatever the batch size."""
    if not entry_nos:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_MARK_ORDERS, [number_array(entry_nos)])
        return
    nos = list(entry_nos)
    by_type: dict[str, set[str]] = {}
    for start in range(0, len(nos), 500):  # SQLite: a bounded number of parameters
        rows = (
            ValueEntry.objects.filter(pk__in=nos[start : start + 500])
            .exclude(order_no="")
            .filter(item_ledger_entry_type__in=[*_ORDER_INPUT_TYPES, ""])
            .order_by()
            .values_list("item_ledger_entry_type", "order_type", "order_no")
            .distinct()
        )
        for ile_type, order_type, order_no in rows:
            kind = _ORDER_INPUT_TYPES.get(ile_type, order_type)
            if kind:
                by_type.setdefault(kind, set()).add(order_no)
    for kind, order_nos in by_type.items():
        InventoryAdjmtEntryOrder.objects.filter(
            order_type=kind, order_no__in=order_nos, cost_is_adjusted=True
        ).update(cost_is_adjusted=False)


def output_item(item: Item) -> OutputItem:
    """What order adjustment needs to know of the item an order makes (spec §9)."""
    return OutputItem(
        standard=item.is_standard,
        standard_cost=item.standard_cost,
        capacity_cost=item.single_level_capacity_cost,
        subcontracted_cost=item.single_level_subcontracted_cost,
        cap_overhead_cost=item.single_level_cap_overhead_cost,
        mfg_overhead_cost=item.single_level_mfg_overhead_cost,
        indirect_cost_pct=item.indirect_cost_pct,
        overhead_rate=item.overhead_rate,
    )
