"""Bulk statements for the ledgers' largest writes.

Large arrays for PostgreSQL statements (`unnest(%s::bigint[])`, `= ANY(%s::bigint[])`):
psycopg adapts a Python list element by element in Python, which for tens of thousands of
values costs more than the statement that uses them, so one array literal ('{1,2,3}') built
with str.join is passed as a single text parameter instead, and PostgreSQL parses it. New rows
go in with COPY (insert_instances).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, models

from inventory.numbering import allocate


def _element(value: int | Decimal | bool | str | None) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)  # ints, Decimals (PostgreSQL reads '1E+1'), True/False


def array_literal(values: Iterable[int | Decimal | bool | str | None]) -> str:
    return "{" + ",".join(map(_element, values)) + "}"


def number_array(values: Iterable[int | Decimal]) -> str:
    """The fast path for numbers, which need no quoting."""
    return "{" + ",".join(map(str, values)) + "}"


def insert_instances(model: type[models.Model], objs: Sequence[models.Model]) -> Sequence:
    """Insert new model instances, giving each its primary key (from the table's sequence, as
    numbering.allocate does) unless it has one.

    On PostgreSQL this is one COPY: Django's bulk_create prepares every value of every row in
    Python and builds SQL from them, which for the ledger's wide rows costs more than the
    database's own work. The values go to psycopg as they are (PostgreSQL rounds numerics to
    the column's scale, as it does for bulk_create's parameters); JSON fields are encoded as
    Django would. Elsewhere, bulk_create."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=1000)
    meta = model._meta
    missing = [obj for obj in objs if obj.pk is None]
    for obj, number in zip(missing, allocate(model, len(missing)), strict=True):
        obj.pk = number
    fields = meta.concrete_fields
    names = [field.attname for field in fields]
    encoders = {
        index: field.encoder
        for index, field in enumerate(fields)
        if isinstance(field, models.JSONField)
    }
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        with cursor.copy(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            for obj in objs:
                row = [getattr(obj, name) for name in names]
                for index, encoder in encoders.items():
                    row[index] = json.dumps(row[index], cls=encoder)
                copy.write_row(row)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def update_by_keys(model: type[models.Model], assignment: str, keys: Sequence[int]) -> None:
    """UPDATE the model's table SET `assignment` (SQL) for these primary keys: one statement on
    PostgreSQL (the keys as one array literal), chunks of 900 elsewhere (SQLite's parameter
    limit)."""
    if not keys:
        return
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} SET {assignment} WHERE {pk} = ANY(%s::bigint[])",
                [number_array(keys)],
            )
            return
        for start in range(0, len(keys), 900):
            chunk = list(keys[start : start + 900])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"UPDATE {table} SET {assignment} WHERE {pk} IN ({marks})", chunk)
