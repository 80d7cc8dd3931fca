"""Shared helpers for the posting tests: build items and lines, read entries the way an accountant
would (cost actual/expected as the sum of the entry's value entries), and take a snapshot of the
ledgers to prove that a refused posting wrote nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum

from inventory.models import (
    AvgCostAdjmtEntryPoint,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    Location,
    ValueEntry,
)
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_create,
    item_journal_post,
)

D = Decimal


@pytest.fixture(autouse=True)
def posting_only():
    """These tests look at what posting writes, so no cost adjustment runs after a posting
    (Inventory Setup: Automatic Cost Adjustment = Never). Import it into a test module to use it.
    """
    inventory_setup_update(automatic_cost_adjustment="never")


def day(month: int, dom: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, dom)


def make_item(no: str = "ITEM", costing_method: str = "fifo", **fields: Any) -> Item:
    fields.setdefault("inventory_posting_group", "RESALE")
    fields.setdefault("gen_prod_posting_group", "RETAIL")
    return item_create(no=no, costing_method=costing_method, **fields)


def make_location(code: str) -> Location:
    return Location.objects.create(code=code, name=code)


def line(
    entry_type: str, item: Item | str, quantity, posting_date: dt.date, **kw: Any
) -> JournalLine:
    item_no = item if isinstance(item, str) else item.no
    if "unit_cost" in kw and kw["unit_cost"] is not None:
        kw["unit_cost"] = D(str(kw["unit_cost"]))
    return JournalLine(
        entry_type=entry_type,
        item_no=item_no,
        posting_date=posting_date,
        quantity=D(str(quantity)),
        **kw,
    )


def post(*lines: JournalLine) -> list[ItemLedgerEntry]:
    return item_journal_post(lines=list(lines))


def post_one(*args: Any, **kw: Any) -> ItemLedgerEntry:
    (entry,) = post(line(*args, **kw))
    return fresh(entry)


def purchase(item, quantity, unit_cost, posting_date, **kw) -> ItemLedgerEntry:
    return post_one("purchase", item, quantity, posting_date, unit_cost=unit_cost, **kw)


def sale(item, quantity, posting_date, **kw) -> ItemLedgerEntry:
    return post_one("sale", item, quantity, posting_date, **kw)


def fresh(entry: ItemLedgerEntry) -> ItemLedgerEntry:
    return ItemLedgerEntry.objects.get(pk=entry.pk)


def fresh_item(item: Item | str) -> Item:
    no = item if isinstance(item, str) else item.no
    return Item.objects.get(no=no)


def cost_actual(entry: ItemLedgerEntry) -> Decimal:
    total = ValueEntry.objects.filter(item_ledger_entry_id=entry.pk).aggregate(
        s=Sum("cost_amount_actual")
    )["s"]
    return total if total is not None else D(0)


def cost_expected(entry: ItemLedgerEntry) -> Decimal:
    total = ValueEntry.objects.filter(item_ledger_entry_id=entry.pk).aggregate(
        s=Sum("cost_amount_expected")
    )["s"]
    return total if total is not None else D(0)


def values_of(entry: ItemLedgerEntry) -> list[ValueEntry]:
    return list(ValueEntry.objects.filter(item_ledger_entry_id=entry.pk).order_by("entry_no"))


def inventory_quantity(item: Item) -> Decimal:
    total = ItemLedgerEntry.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]
    return total if total is not None else D(0)


def inventory_value(item: Item) -> Decimal:
    agg = ValueEntry.objects.filter(item=item).aggregate(
        a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected")
    )
    return (agg["a"] or D(0)) + (agg["e"] or D(0))


def applications_of(entry: ItemLedgerEntry) -> list[tuple[int, int | None, Decimal, bool]]:
    """The application records created for `entry`: (inbound, outbound, quantity, cost app.)."""
    return [
        (a.inbound_item_entry_id, a.outbound_item_entry_id, a.quantity, a.cost_application)
        for a in ItemApplicationEntry.objects.filter(item_ledger_entry_id=entry.pk).order_by(
            "entry_no"
        )
    ]


def ledger_snapshot() -> dict[str, Any]:
    """Everything a posting may write or change, to compare before and after a refusal."""
    return {
        "item_ledger_entries": list(
            ItemLedgerEntry.objects.order_by("entry_no").values_list(
                "entry_no",
                "remaining_quantity",
                "open",
                "invoiced_quantity",
                "completely_invoiced",
                "applied_entry_to_adjust",
            )
        ),
        "value_entries": ValueEntry.objects.count(),
        "application_entries": ItemApplicationEntry.objects.count(),
        "items": list(
            Item.objects.order_by("no").values_list(
                "no", "unit_cost", "standard_cost", "last_direct_cost", "cost_is_adjusted"
            )
        ),
        "entry_points": list(
            AvgCostAdjmtEntryPoint.objects.order_by("pk").values_list(
                "item_id", "location_code", "variant_code", "valuation_date", "cost_is_adjusted"
            )
        ),
    }


def line_errors(error: Exception) -> dict[int, set[str]]:
    """Which journal lines were refused and on which fields, from an InvalidInput's detail.

    Accepts both shapes the services have used: a list with one object per line (empty for good
    lines) and a mapping keyed by line index.
    """
    lines = error.detail["lines"]  # type: ignore[attr-defined]
    if isinstance(lines, list):
        pairs = enumerate(lines)
    else:
        pairs = ((int(index), fields) for index, fields in lines.items())
    result = {}
    for index, fields in pairs:
        if fields:
            for messages in fields.values():
                assert messages and all(isinstance(m, str) and m for m in messages)
            result[index] = set(fields)
    return result
