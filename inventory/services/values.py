"""How much an inbound posting is worth, and the value entries that carry it (spec §1.2, §2, §9)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from costing.engine.money import ZERO, q_amount, q_unit_cost
from inventory.models import Item, ItemLedgerEntry, ValueEntry, ValueEntryType, VarianceType
from inventory.sql import new_instance

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CostPart:
    entry_type: str
    amount: Decimal
    variance_type: str = VarianceType.NONE


def full_unit_cost(item: Item, direct_unit_cost: Decimal) -> Decimal:
    """Spec §1.2: a purchase line's unit cost is direct * (1 + indirect %) + overhead rate."""
    return direct_unit_cost * (1 + item.indirect_cost_pct / HUNDRED) + item.overhead_rate


def purchase_parts(item: Item, quantity: Decimal, direct_unit_cost: Decimal) -> list[CostPart]:
    """The invoiced cost of a purchase, split the way it posts to the G/L.

    Direct cost goes to Direct Cost Applied and indirect cost to Overhead Applied. A Standard item
    is valued at its standard cost: the difference is a Purchase variance (spec §9: standard 100
    bought at 90 gives a variance entry of +10, i.e. Purchase Variance -10).
    """
    direct = q_amount(quantity * direct_unit_cost)
    if item.is_standard:
        indirect = q_amount(
            quantity * (direct_unit_cost * item.indirect_cost_pct / HUNDRED + item.overhead_rate)
        )
        variance = q_amount(quantity * item.standard_cost) - direct - indirect
    else:
        indirect = q_amount(quantity * full_unit_cost(item, direct_unit_cost)) - direct
        variance = ZERO
    parts = [CostPart(ValueEntryType.DIRECT_COST, direct)]
    if indirect:
        parts.append(CostPart(ValueEntryType.INDIRECT_COST, indirect))
    if variance:
        parts.append(CostPart(ValueEntryType.VARIANCE, variance, VarianceType.PURCHASE))
    return parts


def expected_purchase_cost(item: Item, quantity: Decimal, direct_unit_cost: Decimal) -> Decimal:
    """A receipt not yet invoiced is valued at what the invoice is expected to cost (spec §2)."""
    if item.is_standard:
        return q_amount(quantity * item.standard_cost)
    return q_amount(quantity * full_unit_cost(item, direct_unit_cost))


@dataclass(frozen=True)
class PostingGroups:
    """What a value entry was posted with, and what every later entry for the same item ledger
    entry copies (spec §16): posting groups and dimension values."""

    inventory_posting_group: str
    gen_prod_posting_group: str
    gen_bus_posting_group: str
    dimensions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_item(
        cls, item: Item, gen_bus_posting_group: str, dimensions: dict[str, str] | None = None
    ) -> PostingGroups:
        return cls(
            item.inventory_posting_group,
            item.gen_prod_posting_group,
            gen_bus_posting_group,
            dict(dimensions or {}),
        )

    @classmethod
    def of_value(cls, value: ValueEntry) -> PostingGroups:
        return cls(
            value.inventory_posting_group,
            value.gen_prod_posting_group,
            value.gen_bus_posting_group,
            dict(value.dimensions or {}),
        )


def value_entry(
    entry: ItemLedgerEntry,
    item: Item,
    groups: PostingGroups,
    *,
    entry_type: str,
    posting_date: dt.date,
    valuation_date: dt.date,
    valued_quantity: Decimal,
    actual: Decimal = ZERO,
    expected: Decimal = ZERO,
    invoiced_quantity: Decimal = ZERO,
    item_ledger_entry_quantity: Decimal = ZERO,
    variance_type: str = VarianceType.NONE,
    expected_cost: bool = False,
    cost_per_unit: Decimal | None = None,
    **extra,
) -> ValueEntry:
    """A value entry for `entry`, carrying the posting groups and location it was posted with."""
    # An invoice entry's cost per unit is the invoiced cost, not the net of the expected release.
    cost = actual if actual else expected
    return new_instance(
        ValueEntry,
        item=item,
        item_ledger_entry_id=entry.entry_no,
        item_ledger_entry_type=entry.entry_type,
        entry_type=entry_type,
        variance_type=variance_type,
        posting_date=posting_date,
        valuation_date=valuation_date,
        document_no=entry.document_no,
        order_no=entry.order_no,
        location_id=entry.location_id,
        variant_code=entry.variant_code,
        valued_quantity=valued_quantity,
        item_ledger_entry_quantity=item_ledger_entry_quantity,
        invoiced_quantity=invoiced_quantity,
        cost_per_unit=(
            cost_per_unit
            if cost_per_unit is not None
            else q_unit_cost(cost / valued_quantity)
            if valued_quantity
            else ZERO
        ),
        cost_amount_actual=actual,
        cost_amount_expected=expected,
        expected_cost=expected_cost,
        inventory_posting_group=groups.inventory_posting_group,
        gen_prod_posting_group=groups.gen_prod_posting_group,
        gen_bus_posting_group=groups.gen_bus_posting_group,
        dimensions=groups.dimensions,
        **extra,
    )
