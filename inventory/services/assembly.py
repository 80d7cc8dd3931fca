"""Assembly orders, posted in one step (spec §2, §6.6, §11.1, §14).

The lines first (components consumed, resources used), then the header (the output), all at
actual cost in one transaction: the output costs exactly what went in (components + resources)
plus the item's manufacturing overhead, and a Standard item's output carries the variances that
take it back to standard. No WIP: Inventory Adjmt. is the clearing account. The order's
Inventory Adjmt. Entry (Order) is written adjusted; a later change in a component's cost marks it
again and cost adjustment carries the difference to the output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from costing.engine.money import ZERO, q_amount
from costing.engine.orders import (
    OrderCosts,
    OrderGraph,
    OutputEntry,
    adjust_order,
)
from costing.engine.types import DIRECT
from inventory.errors import InvalidInput
from inventory.models import (
    AssemblyOrder,
    CapacityLedgerEntry,
    CapacityType,
    EntryType,
    InventoryAdjmtEntryOrder,
    InventorySetup,
    Item,
    Location,
    OrderType,
)
from inventory.services.context import PostingContext
from inventory.services.guards import PostingGuard
from inventory.services.journal import JournalLine, _post_inbound, _post_outbound
from inventory.services.production import capacity_entries_write, output_item
from inventory.services.values import PostingGroups, value_entry


@dataclass(frozen=True)
class AssemblyComponent:
    item_no: str
    quantity: Decimal


@dataclass(frozen=True)
class AssemblyResource:
    quantity: Decimal
    unit_cost: Decimal


def assembly_order_post(
    *,
    no: str,
    item_no: str,
    posting_date: dt.date,
    quantity: Decimal,
    components: Sequence[AssemblyComponent],
    resources: Sequence[AssemblyResource] = (),
    location_code: str = "",
) -> AssemblyOrder:
    setup = InventorySetup.get()
    guard = PostingGuard.load(setup)
    with transaction.atomic():
        _check(no, item_no, posting_date, quantity, components, resources, location_code, guard)
        ctx = PostingContext(setup, guard)
        ctx.lock_items([item_no, *(c.item_no for c in components)])
        ctx.reserve_entry_numbers(len(components) + 1)
        ctx.preload_open_entries(
            (ctx.items[n].item.pk, location_code or None, "")
            for n in {item_no, *(c.item_no for c in components)}
        )
        material = ZERO
        for component in components:
            item = ctx.items[component.item_no].item
            line = JournalLine(
                entry_type=EntryType.ASSEMBLY_CONSUMPTION,
                item_no=item.no,
                posting_date=posting_date,
                quantity=component.quantity,
                location_code=location_code,
                document_no=no,
                order_no=no,
            )
            _, cost, _ = _post_outbound(ctx, line, item, location_code)
            ctx.refresh_unit_cost(item)
            material += cost
        item = ctx.items[item_no].item
        used = [
            CapacityLedgerEntry(
                capacity_type=CapacityType.RESOURCE,
                order_type=OrderType.ASSEMBLY,
                order_no=no,
                item=item,
                posting_date=posting_date,
                document_no=no,
                quantity=r.quantity,
                unit_cost=r.unit_cost,
                direct_cost=q_amount(r.quantity * r.unit_cost),
            )
            for r in resources
        ]
        plan = adjust_order(
            OrderGraph(
                OrderType.ASSEMBLY,
                no,
                output_item(item),
                OrderCosts(material=material, capacity=sum((r.direct_cost for r in used), ZERO)),
                (OutputEntry(0, quantity),),
            )
        )
        direct = sum((v.actual for v in plan.new_values if v.entry_type == DIRECT), ZERO)
        output = _post_inbound(
            ctx,
            JournalLine(
                entry_type=EntryType.ASSEMBLY_OUTPUT,
                item_no=item.no,
                posting_date=posting_date,
                quantity=quantity,
                location_code=location_code,
                document_no=no,
                order_no=no,
                cost_amount=direct,
            ),
            item,
            location_code,
            source=None,
        )
        groups = PostingGroups.of_item(item, "")
        for value in plan.new_values:
            if value.entry_type == DIRECT:
                continue
            ctx.add_value(
                value_entry(
                    output,
                    item,
                    groups,
                    entry_type=value.entry_type,
                    variance_type=value.variance_type,
                    posting_date=posting_date,
                    valuation_date=posting_date,
                    valued_quantity=quantity,
                    actual=value.actual,
                )
            )
        ctx.refresh_unit_cost(item)
        ctx.flush()
        capacity_entries_write(used, location_of={no: location_code or None})
        order = AssemblyOrder.objects.create(
            no=no,
            item=item,
            location_id=location_code or None,
            posting_date=posting_date,
            quantity=quantity,
        )
        InventoryAdjmtEntryOrder.objects.create(
            order_type=OrderType.ASSEMBLY,
            order_no=no,
            item=item,
            cost_is_adjusted=True,
            material_cost=plan.material,
            capacity_cost=plan.capacity,
            manufacturing_overhead_cost=plan.manufacturing_overhead,
        )
    return order


def _check(
    no: str,
    item_no: str,
    posting_date: dt.date,
    quantity: Decimal,
    components: Sequence[AssemblyComponent],
    resources: Sequence[AssemblyResource],
    location_code: str,
    guard: PostingGuard,
) -> None:
    errors: dict = {}
    if not no:
        errors["no"] = ["An assembly order needs a number."]
    elif AssemblyOrder.objects.filter(no=no).exists():
        errors["no"] = [f"Assembly order {no!r} is already posted."]
    items = set(
        Item.objects.filter(no__in={item_no, *(c.item_no for c in components)}).values_list(
            "no", flat=True
        )
    )
    if item_no not in items:
        errors["item_no"] = [f"Item {item_no!r} does not exist."]
    if quantity is None or quantity <= 0:
        errors["quantity"] = ["Must be greater than zero."]
    if location_code and not Location.objects.filter(code=location_code).exists():
        errors["location_code"] = [f"Location {location_code!r} does not exist."]
    problem = guard.posting_date_problem(posting_date)
    if problem:
        errors["posting_date"] = [problem]
    if not components and not resources:
        errors["components"] = ["An assembly order consumes components or uses resources."]
    component_errors: dict[int, dict[str, list[str]]] = {}
    for index, component in enumerate(components):
        found: dict[str, list[str]] = {}
        if component.item_no not in items:
            found["item_no"] = [f"Item {component.item_no!r} does not exist."]
        elif component.item_no == item_no:
            found["item_no"] = ["An item cannot be a component of itself."]
        if component.quantity is None or component.quantity <= 0:
            found["quantity"] = ["Must be greater than zero."]
        if found:
            component_errors[index] = found
    if component_errors:
        errors["components"] = component_errors
    resource_errors: dict[int, dict[str, list[str]]] = {}
    for index, resource in enumerate(resources):
        found = {}
        if resource.quantity is None or resource.quantity <= 0:
            found["quantity"] = ["Must be greater than zero."]
        if resource.unit_cost is None or resource.unit_cost < 0:
            found["unit_cost"] = ["Must not be negative."]
        if found:
            resource_errors[index] = found
    if resource_errors:
        errors["resources"] = resource_errors
    if errors:
        raise InvalidInput(errors)
