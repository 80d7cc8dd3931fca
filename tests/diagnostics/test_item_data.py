"""Export, import and delete item data: export -> delete -> import gives back every field of
every row; import and delete exist only in a sandbox."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from costing.services import cost_adjustment_run
from diagnostics.services.item_data import (
    TABLES,
    item_data_delete,
    item_data_export,
    item_data_import,
    item_data_lines,
)
from inventory import demo
from inventory.errors import InvalidInput
from inventory.models import Item, ItemLedgerEntry, ValueEntry
from inventory.services import (
    JournalLine,
    item_create,
    item_journal_post,
    production_order_create,
)
from ledger.models import GLEntry, GLItemLedgerRelation
from ledger.services import inventory_cost_post_to_gl

DEMO_ITEMS = [spec.no for spec in demo.ITEMS]


def snapshot() -> dict[str, list[dict]]:
    """Every field of every row of every item data table, in primary-key order."""
    return {
        t.name: list(
            t.model.objects.order_by("pk").values(
                *[f.attname for f in t.model._meta.concrete_fields]
            )
        )
        for t in TABLES
    }


def export_text(**selection) -> str:
    out = io.StringIO()
    item_data_export(out, **selection)
    return out.getvalue()


@pytest.fixture
def demo_company(db):
    demo.load()
    assert cost_adjustment_run().status == "success"
    inventory_cost_post_to_gl(post_method="per_entry", document_no="")


@override_settings(SANDBOX=True)
def test_export_delete_import_gives_back_every_field_of_every_row(demo_company):
    before = snapshot()
    assert GLItemLedgerRelation.objects.exists()
    chosen = DEMO_ITEMS[:2]
    text = export_text(item_nos=chosen)
    header = json.loads(text.splitlines()[0])
    assert header["items"] == sorted(chosen)
    gl_entries = GLEntry.objects.count()

    deleted = item_data_delete(item_nos=chosen)
    assert deleted["item"] == 2 and deleted["item_ledger_entry"] > 0
    assert not Item.objects.filter(no__in=chosen).exists()
    assert not ItemLedgerEntry.objects.filter(item__no__in=chosen).exists()
    assert GLEntry.objects.count() == gl_entries  # the general ledger stays
    others = snapshot()
    assert others["item"] and all(row["no"] not in chosen for row in others["item"])

    counts = item_data_import(io.StringIO(text))
    assert counts == {name: deleted[name] for name in counts}
    assert snapshot() == before

    # Numbering goes on after the restored entries.
    no = DEMO_ITEMS[0]
    new = item_journal_post(
        lines=[
            JournalLine(
                "purchase",
                no,
                demo.day(6, 1),
                Decimal(1),
                unit_cost=Decimal(1),
                location_code=ItemLedgerEntry.objects.filter(item__no=no)
                .values_list("location_id", flat=True)
                .first()
                or "",
            )
        ]
    )[0]
    assert new.entry_no > max(row["entry_no"] for row in before["item_ledger_entry"])


@override_settings(SANDBOX=True)
def test_the_demo_bicycles_order_goes_with_the_bicycle_and_comes_back(demo_company):
    """The demo's production order, its capacity entries and their value entries posted to the
    G/L (links included) round-trip with the item the order makes."""
    from inventory.models import CapacityLedgerEntry, ProductionOrder

    made = ProductionOrder.objects.values_list("item__no", flat=True).first()
    assert made and CapacityLedgerEntry.objects.exists()
    assert GLItemLedgerRelation.objects.filter(value_entry__item__isnull=True).exists()
    before = snapshot()
    text = export_text(item_nos=[made])
    deleted = item_data_delete(item_nos=[made])
    assert deleted["production_order"] == 1 and deleted["capacity_ledger_entry"] > 0
    assert not GLItemLedgerRelation.objects.filter(value_entry__item__isnull=True).exists()
    item_data_import(io.StringIO(text))
    assert snapshot() == before


@override_settings(SANDBOX=True)
def test_the_round_trip_of_every_demo_item_through_the_commands(demo_company, tmp_path: Path):
    before = snapshot()
    path = tmp_path / "items.jsonl"
    err = io.StringIO()
    call_command("export_item_data", "--items", "*", "--output", str(path), stderr=err)
    assert "records exported" in err.getvalue() and "item_ledger_entry" in err.getvalue()
    call_command("delete_item_data", "--items", "*", stdout=io.StringIO())
    assert not ValueEntry.objects.exists() and not Item.objects.exists()
    out = io.StringIO()
    call_command("import_item_data", str(path), stdout=out, stderr=io.StringIO())
    assert "records imported" in out.getvalue()
    assert snapshot() == before


def test_the_file_is_one_header_line_then_one_record_a_line(ledger):
    lines = export_text(item_filter="A").splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "inventory-costing-item-data" and header["version"] == 1
    assert header["items"] == ["A"]
    records = [json.loads(line) for line in lines[1:]]
    tables = [r["table"] for r in records]
    # In dependency order, each record with every column of its table.
    order = [t.name for t in TABLES]
    assert tables == sorted(tables, key=order.index)
    assert tables.count("item") == 1 and tables.count("item_ledger_entry") == 2
    receipt = next(
        r["row"]
        for r in records
        if r["table"] == "item_ledger_entry" and r["row"]["entry_no"] == ledger.receipt.pk
    )
    assert receipt["quantity"] == "10.00000" or Decimal(receipt["quantity"]) == 10
    assert set(receipt) == set(header["tables"]["item_ledger_entry"])
    assert receipt["remaining_quantity"] and Decimal(receipt["remaining_quantity"]) == 6


@override_settings(SANDBOX=True)
def test_import_refuses_items_or_entries_that_exist_and_writes_nothing(ledger):
    text = export_text(item_filter="A")
    before = snapshot()
    with pytest.raises(InvalidInput) as exists:
        item_data_import(io.StringIO(text))
    assert "Items already exist: A" in str(exists.value.detail["items"])
    with pytest.raises(InvalidInput) as not_ours:
        item_data_import(io.StringIO('{"format": "something else"}\n'))
    assert "not an item data file" in str(not_ours.value.detail["file"])
    with pytest.raises(InvalidInput) as empty:
        item_data_import(io.StringIO(""))
    assert "file" in empty.value.detail
    assert snapshot() == before


@override_settings(SANDBOX=True)
def test_import_refuses_entry_numbers_in_use(ledger):
    text = export_text(item_filter="A")
    item_data_delete(item_nos=["A"])
    Item.objects.create(no="Z")
    # Another item took one of A's entry numbers meanwhile.
    ItemLedgerEntry.objects.create(
        entry_no=ledger.receipt.pk,
        item=Item.objects.get(no="Z"),
        posting_date=ledger.receipt.posting_date,
        entry_type="purchase",
        quantity=Decimal(1),
        remaining_quantity=Decimal(1),
        positive=True,
    )
    with pytest.raises(InvalidInput) as taken:
        item_data_import(io.StringIO(text))
    assert f"item_ledger_entry numbers already in use: {ledger.receipt.pk}" in str(
        taken.value.detail["file"]
    )
    assert not Item.objects.filter(no="A").exists()


def test_export_needs_items(ledger):
    with pytest.raises(InvalidInput) as none:
        list(item_data_lines(item_filter=""))
    assert "item_filter" in none.value.detail
    with pytest.raises(InvalidInput) as missing:
        list(item_data_lines(item_nos=["A", "NOPE"]))
    assert "NOPE" in str(missing.value.detail["items"])


@override_settings(SANDBOX=False)
def test_import_and_delete_are_refused_outside_a_sandbox(ledger, tmp_path: Path):
    text = export_text(item_filter="A")
    before = snapshot()
    with pytest.raises(InvalidInput) as delete:
        item_data_delete(item_nos=["A"])
    assert "only in a sandbox" in str(delete.value.detail["sandbox"])
    with pytest.raises(InvalidInput) as imported:
        item_data_import(io.StringIO(text))
    assert "only in a sandbox" in str(imported.value.detail["sandbox"])
    with pytest.raises(CommandError, match="sandbox"):
        call_command("delete_item_data", "--items", "A", stdout=io.StringIO())
    assert snapshot() == before


def _production_snapshot() -> dict:
    from inventory.models import WorkCenter

    return {**snapshot(), "work_center": list(WorkCenter.objects.order_by("pk").values())}


@override_settings(SANDBOX=True)
@pytest.mark.parametrize("chosen", [["FG", "KIT"], ["C", "FG", "KIT"], ["C"]])
def test_the_round_trip_of_a_production_order_and_an_assembly_order(production, chosen):
    """conftest.py `production`: P1 makes FG from C with 2 hours on WC, AO1 assembles KIT from C
    with a resource; everything adjusted. The orders, their adjustment
    rows, capacity ledger entries and capacity value entries (no item) go with the item they
    make; consumption goes with the component."""
    from inventory.models import (
        AssemblyOrder,
        CapacityLedgerEntry,
        InventoryAdjmtEntryOrder,
        ProductionOrder,
    )

    before = _production_snapshot()
    text = export_text(item_nos=chosen)
    records = [json.loads(line) for line in text.splitlines()[1:]]
    tables = {r["table"] for r in records}
    makes = "FG" in chosen
    assert ("production_order" in tables) == makes
    assert ("capacity_ledger_entry" in tables) == makes
    assert ("work_center" in tables) == makes

    deleted = item_data_delete(item_nos=chosen)
    if makes:
        # P1 and AO1, their two adjustment rows, P1's and AO1's capacity entries, and the three
        # capacity value entries (P1 direct 20.00 and indirect 2.00, AO1's resource 4.00).
        assert deleted["production_order"] == 1 and deleted["assembly_order"] == 1
        assert deleted["inventory_adjmt_entry_order"] == 2
        assert deleted["capacity_ledger_entry"] == 2
        assert not ProductionOrder.objects.exists() and not AssemblyOrder.objects.exists()
        assert not InventoryAdjmtEntryOrder.objects.exists()
        assert not CapacityLedgerEntry.objects.exists()
        assert not ValueEntry.objects.filter(capacity_ledger_entry__isnull=False).exists()
    else:
        assert ProductionOrder.objects.filter(no="P1").exists()
        assert CapacityLedgerEntry.objects.count() == 2
    counts = item_data_import(io.StringIO(text))
    assert counts == {name: deleted[name] for name in counts}
    assert _production_snapshot() == before


@override_settings(SANDBOX=True)
def test_an_import_refuses_orders_that_exist(production):
    text = export_text(item_nos=["FG", "KIT"])
    item_data_delete(item_nos=["FG", "KIT"])
    item_create(no="X", inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
    production_order_create(no="P1", item_no="X", quantity=Decimal(1))
    with pytest.raises(InvalidInput) as refused:
        item_data_import(io.StringIO(text))
    assert "P1" in str(refused.value.detail)
    assert not Item.objects.filter(no="FG").exists()
