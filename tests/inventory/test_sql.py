"""The bulk statement helpers (inventory/sql.py) give PostgreSQL exactly the values they were
handed: array literals with the characters that need quoting, and COPY of model instances."""

import datetime as dt
import functools
from decimal import Decimal

import pytest
from django.db import connection

from inventory.models import Item, ItemLedgerEntry, ValueEntry
from inventory.sql import (
    array_literal,
    insert_instances,
    new_instance,
    number_array,
    update_by_keys,
    update_instances,
)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="array literals are PostgreSQL's"
)


def _round_trip(literal: str, cast: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast}[]", [literal])
        return cursor.fetchone()[0]


@postgresql_only
def test_an_array_literal_carries_quotes_commas_backslashes_blanks_and_nulls():
    texts = ['a"b', "c,d", "", "x\\y", "{braces}", " spaced ", None]
    assert _round_trip(array_literal(texts), "varchar") == texts
    assert _round_trip(array_literal([True, False, None]), "boolean") == [True, False, None]


@postgresql_only
def test_a_number_array_keeps_every_digit_and_reads_exponents():
    numbers = [Decimal("1.50"), Decimal("-3"), Decimal("0.00001"), Decimal("1E+2")]
    assert _round_trip(number_array(numbers), "numeric") == [
        Decimal("1.50"),
        Decimal("-3"),
        Decimal("0.00001"),
        Decimal("100"),
    ]
    assert _round_trip(number_array([1, 2**40]), "bigint") == [1, 2**40]


@pytest.mark.parametrize(
    "build", [ItemLedgerEntry, functools.partial(new_instance, ItemLedgerEntry)]
)
def test_insert_instances_numbers_new_rows_and_writes_every_field(build):
    item = Item.objects.create(no="COPY-1")
    entry = build(
        item=item,
        posting_date=dt.date(2025, 3, 1),
        entry_type="purchase",
        quantity=Decimal("2.5"),
        remaining_quantity=Decimal("2.5"),
        positive=True,
        document_no='D"1',
    )
    (written,) = insert_instances(ItemLedgerEntry, [entry])
    assert written.pk is not None and not written._state.adding
    stored = ItemLedgerEntry.objects.get(pk=written.pk)
    assert (stored.item_id, stored.quantity, stored.document_no, stored.open) == (
        item.pk,
        Decimal("2.5"),
        'D"1',
        True,
    )


def test_update_by_keys_sets_the_named_rows_and_no_others():
    items = [
        Item.objects.create(no=no, costing_method="fifo", cost_is_adjusted=True) for no in "ABC"
    ]
    update_by_keys(Item, "cost_is_adjusted = false", [items[0].pk, items[2].pk])
    update_by_keys(Item, "cost_is_adjusted = false", [])  # nothing to do, nothing done
    flags = dict(Item.objects.filter(no__in="ABC").values_list("no", "cost_is_adjusted"))
    assert flags == {"A": False, "B": True, "C": False}


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_new_instance_is_what_the_model_constructor_makes():
    item = Item(pk=7, no="NEW-1")
    values = dict(
        item=item,
        item_ledger_entry_id=12,
        posting_date=dt.date(2025, 3, 1),
        valuation_date=dt.date(2025, 3, 1),
        cost_amount_actual=Decimal("10.50"),
        dimensions={"DEPARTMENT": "SALES"},
    )
    built, made = new_instance(ValueEntry, **values), ValueEntry(**values)
    assert _fields(built) == _fields(made)
    assert built.item is item and built.item_id == 7
    assert built._state.adding and built._state.db is None
    # Each instance gets its own default dict, as the constructor's callable default gives.
    first, second = new_instance(ValueEntry, item=item), new_instance(ValueEntry, item=item)
    first.dimensions["PROJECT"] = "P1"
    assert second.dimensions == {} and ValueEntry(item=item).dimensions == {}


def test_new_instance_refuses_a_keyword_the_model_does_not_have():
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        new_instance(ValueEntry, colour="red")


def test_update_instances_writes_the_named_fields_of_each_row_and_nothing_else():
    a = Item.objects.create(no="UPD-A", unit_cost=Decimal("1.00"), last_direct_cost=Decimal("2"))
    b = Item.objects.create(no="UPD-B", unit_cost=Decimal("3.00"), description="kept")
    a.unit_cost, a.last_direct_cost, a.cost_is_adjusted = Decimal("1.23456"), Decimal("1E+1"), False
    b.unit_cost, b.description = Decimal("0.5"), "not written"
    update_instances(Item, [a, b], ["unit_cost", "last_direct_cost", "cost_is_adjusted"])
    update_instances(Item, [], ["unit_cost"])  # nothing to do, nothing done
    stored = {
        i.no: (i.unit_cost, i.last_direct_cost, i.cost_is_adjusted, i.description)
        for i in Item.objects.filter(no__startswith="UPD-")
    }
    assert stored == {
        "UPD-A": (Decimal("1.23456"), Decimal("10"), False, ""),
        "UPD-B": (Decimal("0.5"), Decimal("0"), True, "kept"),
    }


def test_the_any_lookup_finds_the_rows_of_the_numbers_given_by_key_and_by_foreign_key():
    items = [Item.objects.create(no=f"ANY-{n}") for n in range(3)]
    entries = [
        ItemLedgerEntry.objects.create(
            item=item,
            posting_date=dt.date(2025, 3, 1),
            entry_type="purchase",
            quantity=1,
            positive=True,
        )
        for item in items
    ]
    wanted = {items[0].pk, items[2].pk}
    assert set(Item.objects.filter(pk__any=wanted).values_list("no", flat=True)) == {
        "ANY-0",
        "ANY-2",
    }
    assert not Item.objects.filter(pk__any=[]).exists()
    by_item = ItemLedgerEntry.objects.filter(item_id__any=[items[1].pk])
    assert list(by_item.values_list("pk", flat=True)) == [entries[1].pk]
    # Combined with other conditions and negated, as a lookup of the ORM.
    assert Item.objects.filter(no__startswith="ANY-").exclude(pk__any=wanted).count() == 1
    if connection.vendor == "postgresql":  # one array parameter, however many numbers
        sql, params = Item.objects.filter(pk__any=list(range(5000))).query.sql_with_params()
        assert "= ANY(%s::bigint[])" in sql and len(params) == 1
