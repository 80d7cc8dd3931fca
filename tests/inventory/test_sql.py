"""The bulk statement helpers (inventory/sql.py) give PostgreSQL exactly the values they were
handed: array literals with the characters that need quoting, and COPY of model instances."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from inventory.models import Item, ItemLedgerEntry
from inventory.sql import array_literal, insert_instances, number_array, update_by_keys

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


def test_insert_instances_numbers_new_rows_and_writes_every_field():
    item = Item.objects.create(no="COPY-1")
    entry = ItemLedgerEntry(
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
