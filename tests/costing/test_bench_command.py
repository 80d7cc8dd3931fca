"""`manage.py bench_costing`: a tiny run builds the promised ledger, adjusts it and prints the
figures as one JSON line; a database with ledger entries is refused unless --reset is given."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from costing.bench import CHAIN_ITEM_NO, ITEM_PREFIX, PRODUCTION_ITEMS
from inventory.models import (
    CostingMethod,
    EntryType,
    InventoryAdjmtEntryOrder,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ValueEntry,
)

KEYS = {
    "entries",
    "post_lines_per_s",
    "adjust_full_s",
    "adjust_full_entries_per_s",
    "adjust_incremental_s",
    "peak_rss_mb",
}

# Named here, not only through conftest's autouse fixture, so that pytest-django sets up the
# test database even when this file runs alone.
pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("bench_costing", *args, stdout=out, stderr=err)
    last = out.getvalue().strip().splitlines()[-1]
    return json.loads(last), err.getvalue()


def test_tiny_run_builds_the_ledger_and_prints_the_figures():
    figures, progress = run("--entries", "600", "--items", "12", "--seed", "7")

    assert KEYS <= figures.keys()
    assert figures["gl_post_entries_per_s"] > 0 and figures["reconcile_s"] > 0
    # Everything adjusted and posted: the reconciliation shows no difference.
    assert figures["reconcile_difference"] == "0.00"
    # The generator promises exactly N item ledger entries.
    assert figures["entries"] == 600
    assert ItemLedgerEntry.objects.count() == 600
    for key in KEYS:
        assert figures[key] > 0, key
    assert figures["chain_entries"] == 300  # at most half the ledger
    assert figures["adjust_incremental_entries_adjusted"] == 300
    assert "posting" in progress and "adjusting" in progress

    # Every costing method, transfers, late invoices and item charges are in the ledger.
    items = Item.objects.filter(no__startswith=ITEM_PREFIX)
    assert items.count() == 12 + PRODUCTION_ITEMS
    # A finished production order, adjusted by the full run: its output is actual cost.
    order = InventoryAdjmtEntryOrder.objects.get(order_type="production")
    assert order.cost_is_adjusted and order.material_cost > 0
    output = ItemLedgerEntry.objects.get(entry_type=EntryType.OUTPUT, order_no=order.order_no)
    assert output.completely_invoiced
    assert set(items.values_list("costing_method", flat=True)) == set(CostingMethod.values)
    assert ItemLedgerEntry.objects.filter(entry_type=EntryType.TRANSFER).exists()
    specific_sales = ItemLedgerEntry.objects.filter(
        item__costing_method=CostingMethod.SPECIFIC, entry_type=EntryType.SALE
    )
    assert specific_sales.exists()
    assert not specific_sales.filter(applies_to_entry__isnull=True).exists()
    assert figures["late_invoices"] > 0 and figures["item_charges"] > 0
    assert ValueEntry.objects.exclude(item_charge_no="").exists()
    assert figures["backdated_lines"] > 0

    # The bench's setup, and after the run every item is adjusted.
    setup = InventorySetup.get()
    assert setup.automatic_cost_adjustment == "never"
    assert setup.automatic_cost_posting is False
    assert not Item.objects.filter(cost_is_adjusted=False).exists()
    assert Item.objects.get(no=CHAIN_ITEM_NO).cost_is_adjusted


def test_same_seed_builds_the_same_ledger():
    def ledger():
        return list(
            ItemLedgerEntry.objects.order_by("entry_no").values_list(
                "item__no", "posting_date", "entry_type", "location_id", "quantity"
            )
        )

    run("--entries", "300", "--items", "8", "--seed", "3")
    first = ledger()
    run("--entries", "300", "--items", "8", "--seed", "3", "--reset")
    assert ledger() == first


def test_refuses_a_database_with_ledger_entries_unless_reset():
    run("--entries", "300", "--items", "8")

    with pytest.raises(CommandError, match="already holds 300 item ledger entries"):
        run("--entries", "300", "--items", "8")

    figures, warnings = run("--entries", "400", "--items", "8", "--reset")
    assert "deletes ALL inventory ledger data" in warnings
    assert figures["entries"] == 400
    assert ItemLedgerEntry.objects.count() == 400


def test_too_few_entries_for_the_items_is_refused():
    with pytest.raises(CommandError, match="too small"):
        run("--entries", "50", "--items", "20")
    assert not ItemLedgerEntry.objects.exists()
