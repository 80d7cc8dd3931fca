"""The value entries that cost adjustment adds, item by item or order by order: one rule for
both (spec §6.5, §16)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from costing.engine.orders import OrderValue
from costing.engine.types import ROUNDING, NewValue
from inventory.models import InventoryPeriod, ValueEntry

SOURCE_CODE = "INVTADJMT"


def first_open_date() -> dt.date | None:
    """The day after the last closed inventory period: where adjustments dated in a closed
    period go."""
    closed = InventoryPeriod.last_closed_ending_date()
    return closed + dt.timedelta(days=1) if closed else None


def _adjustment_entry(
    original: ValueEntry,
    *,
    ile: int,
    entry_type: str,
    actual: Decimal,
    expected: Decimal,
    first_open: dt.date | None,
    variance_type: str = "",
) -> ValueEntry:
    """An adjustment of `original` carries its dates, order, groups, location and dimensions;
    dated in a closed period, it moves to the first open day. A rounding entry values no
    quantity and is not an adjustment (BC's Rounding entry type). The PostgreSQL path of
    costing.services.adjustment writes the same columns in one statement."""
    posting_date = original.posting_date
    if first_open and posting_date < first_open:
        posting_date = first_open
    rounding = entry_type == ROUNDING
    return ValueEntry(
        item_id=original.item_id,
        item_ledger_entry_id=ile,
        item_ledger_entry_type=original.item_ledger_entry_type,
        entry_type=entry_type,
        variance_type=variance_type,
        posting_date=posting_date,
        valuation_date=original.valuation_date,
        document_no=original.document_no,
        order_no=original.order_no,
        order_type=original.order_type,
        location_id=original.location_id,
        variant_code=original.variant_code,
        valued_quantity=Decimal(0) if rounding else original.valued_quantity,
        cost_amount_actual=actual,
        cost_amount_expected=expected,
        expected_cost=actual == 0 and expected != 0,
        adjustment=not rounding,
        applies_to_entry_id=original.entry_no,
        valued_by_average_cost=original.valued_by_average_cost,
        inventory_posting_group=original.inventory_posting_group,
        gen_prod_posting_group=original.gen_prod_posting_group,
        gen_bus_posting_group=original.gen_bus_posting_group,
        dimensions=original.dimensions,
        source_code=SOURCE_CODE,
    )


def adjustment_entries(values: Sequence[NewValue | OrderValue]) -> list[ValueEntry]:
    """The engines' new values as value entries, each copying the entry it adjusts (read in
    one query)."""
    originals = ValueEntry.objects.in_bulk([value.applies_to for value in values])
    first_open = first_open_date()
    return [
        _adjustment_entry(
            originals[value.applies_to],
            ile=value.ile,
            entry_type=value.entry_type,
            variance_type=value.variance_type,
            actual=value.actual,
            expected=value.expected,
            first_open=first_open,
        )
        for value in values
    ]
