"""Read-side queries: one statement per list, sums computed by the database."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from costing.engine.money import AMOUNT_PLACES, MAX_DIGITS, QUANTITY_PLACES
from inventory.models import (
    InventoryAdjmtEntryOrder,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    OrderType,
    ProductionOrder,
    ValueEntry,
)

_AMOUNT = DecimalField(max_digits=MAX_DIGITS, decimal_places=AMOUNT_PLACES)
_QUANTITY = DecimalField(max_digits=MAX_DIGITS, decimal_places=QUANTITY_PLACES)
_ZERO = Value(Decimal("0"))


def _sum_of(queryset: QuerySet, group: str, expression, output) -> Coalesce:
    """A correlated subquery summing `expression` over `queryset` (grouped by the column it is
    correlated on); 0 when there is nothing."""
    subquery = queryset.order_by().values(group).annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(subquery, output_field=output), _ZERO, output_field=output)


def item_list() -> QuerySet[Item]:
    """Items with quantity on hand and inventory value (actual + expected cost)."""
    return Item.objects.annotate(
        inventory=_sum_of(
            ItemLedgerEntry.objects.filter(item=OuterRef("pk")), "item", F("quantity"), _QUANTITY
        ),
        inventory_value=_sum_of(
            ValueEntry.objects.filter(item=OuterRef("pk")),
            "item",
            F("cost_amount_actual") + F("cost_amount_expected"),
            _AMOUNT,
        ),
    ).order_by("no")


def item_ledger_entry_list() -> QuerySet[ItemLedgerEntry]:
    """Item ledger entries with their cost amounts (sums over their value entries)."""
    values = ValueEntry.objects.filter(item_ledger_entry=OuterRef("pk"))
    return (
        ItemLedgerEntry.objects.select_related("item")
        .annotate(
            cost_amount_actual=_sum_of(
                values, "item_ledger_entry", F("cost_amount_actual"), _AMOUNT
            ),
            cost_amount_expected=_sum_of(
                values, "item_ledger_entry", F("cost_amount_expected"), _AMOUNT
            ),
            sales_amount_actual=_sum_of(
                values, "item_ledger_entry", F("sales_amount_actual"), _AMOUNT
            ),
        )
        .order_by("entry_no")
    )


def value_entry_list() -> QuerySet[ValueEntry]:
    return ValueEntry.objects.select_related("item").order_by("entry_no")


def item_application_entry_list() -> QuerySet[ItemApplicationEntry]:
    return ItemApplicationEntry.objects.order_by("entry_no")


def production_order_list() -> QuerySet[ProductionOrder]:
    """Production orders with their Inventory Adjmt. Entry (Order)'s Cost Is Adjusted."""
    adjusted = InventoryAdjmtEntryOrder.objects.filter(
        order_type=OrderType.PRODUCTION, order_no=OuterRef("no")
    ).values("cost_is_adjusted")[:1]
    return (
        ProductionOrder.objects.select_related("item")
        .annotate(cost_is_adjusted=Subquery(adjusted))
        .order_by("no")
    )
