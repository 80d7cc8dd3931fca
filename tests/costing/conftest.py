"""Fixtures and helpers for the item batch tests (test_batches*.py, test_batch_api.py).

Nothing here is autouse: the other modules of this folder choose what they need.

An item "that needs adjustment" is bought (2 @ 10), half sold, and then given an item charge of
4 on the receipt: the sale must go from -10.00 to -12.00, so one adjustment value entry of -2.00
is what adjusting it adds. A "broken" item has its data made inconsistent on purpose, behind the
services' back: the value entries of its sale are moved onto its receipt, while a return still
takes its cost from that sale; the engine looks up the sale's valuation and raises.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from costing.models import CostAdjustmentItemBatch
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    PostValueEntryToGL,
    ValueEntry,
)
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
)

D = Decimal
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2025, 3, 3)
ADJUSTMENT = D("-2.00")  # what adjusting an item made by needs_adjustment() adds to its sale


@pytest.fixture
def batch_setup(db):
    """Manual cost adjustment (nothing is adjusted at posting time), every run logged."""
    inventory_setup_update(automatic_cost_adjustment="never", cost_adjustment_logging="all")


@pytest.fixture
def eager_celery():
    """Tasks run in-process, as in the embedded default (no broker); whatever the environment
    says, these tests need it."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture(scope="module")
def restore_migrated_data(django_db_blocker):
    """A transactional test ends by emptying the database (flush), the rows of the data
    migrations included (roles, schedules). Tests that run after the module expect them: put
    them back once the module is done (the module's tests use serialized_rollback=True)."""
    yield
    with django_db_blocker.unblock():
        for alias in connections:
            contents = getattr(connections[alias], "_test_serialized_contents", None)
            if contents:
                connections[alias].creation.deserialize_db_from_string(contents)


# -- building items ------------------------------------------------------------------------------


def make_item(no: str, **fields: Any) -> Item:
    fields.setdefault("costing_method", "fifo")
    fields.setdefault("inventory_posting_group", "RESALE")
    fields.setdefault("gen_prod_posting_group", "RETAIL")
    return item_create(no=no, **fields)


def buy(no: str, quantity, unit_cost, on: dt.date = DAY) -> ItemLedgerEntry:
    return item_journal_post(
        lines=[JournalLine("purchase", no, on, D(quantity), unit_cost=D(unit_cost))]
    )[0]


def sell(no: str, quantity, on: dt.date = DAY) -> ItemLedgerEntry:
    return item_journal_post(lines=[JournalLine("sale", no, on, D(quantity))])[0]


def needs_adjustment(no: str) -> Item:
    """An item whose sale must be adjusted by -2.00 (see the module's docstring)."""
    make_item(no)
    receipt = buy(no, 2, 10)
    sell(no, 1, DAY + dt.timedelta(days=1))
    item_charge_assign(entry_no=receipt.pk, posting_date=DAY + dt.timedelta(days=2), amount=D(4))
    item = Item.objects.get(no=no)
    assert not item.cost_is_adjusted
    return item


def items_needing_adjustment(*nos: str) -> list[Item]:
    return [needs_adjustment(no) for no in nos]


def broken_item(no: str) -> Item:
    """An item that needs adjustment and whose data was made inconsistent on purpose, so that
    adjusting it raises (see the module's docstring)."""
    make_broken(needs_adjustment_with_return(no))
    return Item.objects.get(no=no)


def needs_adjustment_with_return(no: str) -> Item:
    """An average-cost item bought (2 @ 10), sold (2) and given back (1, from the sale), with a
    late item charge on the receipt: it needs adjustment, and adjusting it works."""
    make_item(no, costing_method="average")
    receipt = buy(no, 2, 10)
    sale = sell(no, 2, DAY + dt.timedelta(days=1))
    item_journal_post(
        lines=[
            JournalLine(
                "sale",
                no,
                DAY + dt.timedelta(days=2),
                D(1),
                is_return=True,
                applies_from_entry=sale.pk,
            )
        ]
    )
    item_charge_assign(entry_no=receipt.pk, posting_date=DAY + dt.timedelta(days=3), amount=D(4))
    item = Item.objects.get(no=no)
    assert not item.cost_is_adjusted
    return item


def make_broken(item: Item) -> None:
    """The sale's value entries are moved onto the receipt: the sale is left without a value,
    though the return still takes its cost from it. The engine raises (a KeyError)."""
    sale = ItemLedgerEntry.objects.get(item=item, positive=False)
    receipt = ItemLedgerEntry.objects.filter(item=item, positive=True).order_by("pk").first()
    ValueEntry.objects.filter(item_ledger_entry=sale).update(item_ledger_entry=receipt)


def sale_cost(no: str) -> Decimal:
    sale = ItemLedgerEntry.objects.get(item__no=no, positive=False)
    return sum(
        (v.cost_amount_actual for v in ValueEntry.objects.filter(item_ledger_entry=sale)), D(0)
    )


def adjustment_entries(no: str) -> int:
    return ValueEntry.objects.filter(item__no=no, adjustment=True).count()


def is_adjusted(no: str) -> bool:
    """Adjusted exactly once: one adjustment entry, the sale at its right cost, the flag set."""
    item = Item.objects.get(no=no)
    return item.cost_is_adjusted and adjustment_entries(no) == 1 and sale_cost(no) == D("-12.00")


def is_untouched(no: str) -> bool:
    item = Item.objects.get(no=no)
    return not item.cost_is_adjusted and adjustment_entries(no) == 0 and sale_cost(no) == D(-10)


# -- what the ledgers hold -----------------------------------------------------------------------


def ledger_snapshot() -> dict[str, Any]:
    """Everything cost adjustment writes: value entries (and their G/L queue rows and G/L
    entries), the flags on entries, applications, entry points and items, and item unit costs."""
    from ledger.models import GLEntry

    return {
        "value_entries": list(
            ValueEntry.objects.order_by("pk").values_list(
                "pk", "item_ledger_entry_id", "entry_type", "cost_amount_actual", "adjustment"
            )
        ),
        "gl_queue": PostValueEntryToGL.objects.count(),
        "gl_entries": GLEntry.objects.count(),
        "ile_flags": list(
            ItemLedgerEntry.objects.order_by("pk").values_list("pk", "applied_entry_to_adjust")
        ),
        "applications": list(
            ItemApplicationEntry.objects.order_by("pk").values_list(
                "pk", "outbound_entry_is_updated"
            )
        ),
        "entry_points": list(
            AvgCostAdjmtEntryPoint.objects.order_by("pk").values_list("pk", "cost_is_adjusted")
        ),
        "items": list(
            Item.objects.order_by("no").values_list("no", "cost_is_adjusted", "unit_cost")
        ),
    }


def batches() -> list[CostAdjustmentItemBatch]:
    return list(CostAdjustmentItemBatch.objects.order_by("pk"))


def tree(batch: CostAdjustmentItemBatch) -> list[tuple[str, str]]:
    """The batch and its splits, depth first: (item filter, status)."""
    batch.refresh_from_db()
    found = [(batch.item_filter, batch.status)]
    for split in CostAdjustmentItemBatch.objects.filter(split_from=batch).order_by("pk"):
        found.extend(tree(split))
    return found
