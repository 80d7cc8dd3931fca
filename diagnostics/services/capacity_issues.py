"""Costing Issues Detection for production and assembly orders: capacity ledger entries, their
value entries, and the consumption and output entries that name an order (BC-IMPLEMENTATION §4,
issue "capacity entries without an order").

Capacity value entries belong to no item and no item ledger entry (DOMAIN §1.4): they value a
capacity ledger entry, which names its order. These checks say when that chain is broken. They
are registered with `register_check` when the app is ready (diagnostics may read every app;
inventory, which owns the tables, does not know about diagnostics).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, IntegerField, OuterRef, Q, QuerySet, Value

from diagnostics.services.costing_issues import (
    _AMOUNT,
    Check,
    Finding,
    Scope,
    _summed,
    register_check,
)
from inventory.models import (
    AssemblyOrder,
    EntryType,
    OrderType,
    ProductionOrder,
    ValueEntry,
    ValueEntryType,
)

_GROUP = "Production and assembly"
_PRODUCTION_ENTRIES = [EntryType.CONSUMPTION, EntryType.OUTPUT]
_ASSEMBLY_ENTRIES = [EntryType.ASSEMBLY_CONSUMPTION, EntryType.ASSEMBLY_OUTPUT]


def _order_missing(order_type_field: str | None, order_no_field: str) -> Q:
    """Rows whose order (production or assembly, by `order_type_field`) does not exist."""
    production = ProductionOrder.objects.values("no")
    assembly = AssemblyOrder.objects.values("no")
    if order_type_field is None:  # item ledger entries: the entry type says the kind of order
        return Q(entry_type__in=_PRODUCTION_ENTRIES) & ~Q(
            **{f"{order_no_field}__in": production}
        ) | Q(entry_type__in=_ASSEMBLY_ENTRIES) & ~Q(**{f"{order_no_field}__in": assembly})
    return Q(**{order_type_field: OrderType.PRODUCTION}) & ~Q(
        **{f"{order_no_field}__in": production}
    ) | Q(**{order_type_field: OrderType.ASSEMBLY}) & ~Q(**{f"{order_no_field}__in": assembly})


def _kind(order_type: str) -> str:
    return "assembly order" if order_type == OrderType.ASSEMBLY else "production order"


def _capacity_order_exists(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.capacity()
        .filter(
            _order_missing("order_type", "order_no")
            | ~Q(order_type__in=[OrderType.PRODUCTION, OrderType.ASSEMBLY])
        )
        .order_by("entry_no")
        .values_list("entry_no", "item__no", "order_type", "order_no")[:limit]
    )
    for cle, item_no, order_type, order_no in rows:
        what = f"{_kind(order_type)} {order_no or '(blank)'}"
        if order_type not in (OrderType.PRODUCTION, OrderType.ASSEMBLY):
            what = f"order {order_no or '(blank)'} of no order type"
        yield Finding(
            item_no,
            f"Capacity ledger entry {cle} is posted to {what}, which does not exist.",
            capacity_entry_nos=(cle,),
        )


def _unlinked_values(scope: Scope) -> QuerySet[ValueEntry]:
    """Value entries of no item entry and no capacity entry: a capacity value entry that lost
    its capacity ledger entry. They have no item, so a filter finds them by their order."""
    rows = ValueEntry.objects.filter(
        item_ledger_entry__isnull=True, capacity_ledger_entry__isnull=True, item__isnull=True
    )
    if scope.everything:
        return rows
    orders = scope.capacity().values("order_no")
    made = Q(order_no__in=ProductionOrder.objects.filter(scope._q("item__no")).values("no")) | Q(
        order_no__in=AssemblyOrder.objects.filter(scope._q("item__no")).values("no")
    )
    return rows.filter(made | Q(order_no__in=orders))


def _capacity_value_entry_link(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _unlinked_values(scope)
        .order_by("entry_no")
        .values_list("entry_no", "order_type", "order_no", "cost_amount_actual")[:limit]
    )
    for ve, order_type, order_no, amount in rows:
        where = f"{_kind(order_type)} {order_no}" if order_no else "no order"
        yield Finding(
            "",
            f"Value entry {ve} ({amount:,.2f}, {where}) has no item, no item ledger entry and no "
            "capacity ledger entry.",
            value_entry_nos=(ve,),
        )


def _capacity_value_amounts(scope: Scope, limit: int) -> Iterable[Finding]:
    values = ValueEntry.objects.filter(capacity_ledger_entry=OuterRef("pk"))
    other_order = values.exclude(order_no=OuterRef("order_no"), order_type=OuterRef("order_type"))
    rows = list(
        scope.capacity()
        .annotate(
            ve_direct=_summed(
                values.filter(entry_type=ValueEntryType.DIRECT_COST),
                "capacity_ledger_entry",
                F("cost_amount_actual"),
                _AMOUNT,
            ),
            ve_indirect=_summed(
                values.filter(entry_type=ValueEntryType.INDIRECT_COST),
                "capacity_ledger_entry",
                F("cost_amount_actual"),
                _AMOUNT,
            ),
            ve_other_count=_summed(other_order, "capacity_ledger_entry", Value(1), IntegerField()),
        )
        .filter(
            ~Q(ve_direct=F("direct_cost"))
            | ~Q(ve_indirect=F("overhead_cost"))
            | ~Q(ve_other_count=0)
        )
        .order_by("entry_no")
        .values_list(
            "entry_no",
            "item__no",
            "order_type",
            "order_no",
            "direct_cost",
            "overhead_cost",
            "ve_direct",
            "ve_indirect",
            "ve_other_count",
        )[:limit]
    )
    # The value entries of the entries found, in one query.
    numbers: dict[int, list[int]] = defaultdict(list)
    for ve, cle in (
        ValueEntry.objects.filter(capacity_ledger_entry__in=[r[0] for r in rows])
        .order_by("entry_no")
        .values_list("entry_no", "capacity_ledger_entry_id")
    ):
        numbers[cle].append(ve)
    for cle, item_no, order_type, order_no, direct, overhead, ve_direct, ve_indirect, other in rows:
        parts = []
        if ve_direct != direct:
            parts.append(f"direct cost {direct:,.2f}, its value entries {ve_direct:,.2f}")
        if ve_indirect != overhead:
            parts.append(f"overhead {overhead:,.2f}, its value entries {ve_indirect:,.2f}")
        if other:
            parts.append(f"value entries name another order than {_kind(order_type)} {order_no}")
        yield Finding(
            item_no,
            f"Capacity ledger entry {cle} ({_kind(order_type)} {order_no}): "
            + "; ".join(parts)
            + ".",
            value_entry_nos=tuple(numbers.get(cle, ())),
            capacity_entry_nos=(cle,),
        )


def _order_entries_order_exists(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.entries()
        .filter(_order_missing(None, "order_no"))
        .order_by("entry_no")
        .values_list("entry_no", "item__no", "entry_type", "order_no")[:limit]
    )
    for ile, item_no, entry_type, order_no in rows:
        kind = "assembly order" if entry_type in _ASSEMBLY_ENTRIES else "production order"
        yield Finding(
            item_no,
            f"{EntryType(entry_type).label} entry {ile} names {kind} {order_no or '(blank)'}, "
            "which does not exist.",
            entry_nos=(ile,),
        )


_FIX_ORDER = (
    "Restore the order (its number as posted) or correct the entry's order no. to the order it "
    "was posted to, then Reset Cost Is Adjusted for that order and run the cost adjustment."
)

CAPACITY_CHECKS = [
    Check(
        "capacity_order_exists",
        _GROUP,
        "Capacity ledger entry's order exists",
        _FIX_ORDER,
        _capacity_order_exists,
    ),
    Check(
        "capacity_value_entry_link",
        _GROUP,
        "Capacity value entries belong to a capacity ledger entry",
        "Link the value entry to the capacity ledger entry of its order it values (same order, "
        "date and amount), then Reset Cost Is Adjusted for the order and run the cost "
        "adjustment.",
        _capacity_value_entry_link,
    ),
    Check(
        "capacity_value_amounts",
        _GROUP,
        "Capacity value entries agree with their capacity ledger entry",
        "Correct the value entries (they were changed outside the capacity journal) so that "
        "they carry the capacity entry's direct and overhead cost on its order, then Reset Cost "
        "Is Adjusted for the order and run the cost adjustment.",
        _capacity_value_amounts,
    ),
    Check(
        "order_entries_order_exists",
        _GROUP,
        "Consumption and output entries name an existing order",
        _FIX_ORDER,
        _order_entries_order_exists,
    ),
]


def register() -> None:
    for check in CAPACITY_CHECKS:
        register_check(check)


__all__ = ["CAPACITY_CHECKS", "register"]
