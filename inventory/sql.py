"""Bulk statements for the ledgers' largest writes.

Large arrays for PostgreSQL statements (`unnest(%s::bigint[])`, `= ANY(%s::bigint[])`):
psycopg adapts a Python list element by element in Python, which for tens of thousands of
values costs more than the statement that uses them, so one array literal ('{1,2,3}') built
with str.join is passed as a single text parameter instead, and PostgreSQL parses it. New rows
go in with COPY (insert_instances).
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, models
from django.db.models.base import ModelState

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


class AnyNumber(models.Lookup):
    """`filter(pk__any=numbers)`: `= ANY('{1,2,3}'::bigint[])` on PostgreSQL, one parameter
    however many numbers; `IN` elsewhere. With `__in`, the ORM compiles and psycopg scans one
    placeholder per number: for the 20,000 keys of a chunk, that took longer than the query.
    Registered on integer fields and foreign keys (InventoryConfig.ready); for integer keys."""

    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        if connection.vendor != "postgresql":
            return compiler.compile(models.lookups.In(self.lhs, self.rhs))
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, number_array(self.rhs)]


M = TypeVar("M", bound=models.Model)


@functools.cache
def _blank(
    model: type[models.Model],
) -> tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...], dict[str, tuple[str, str]]]:
    """What Model.__init__ gives a new instance of `model`: the fields' fixed defaults (by
    attname), the callable ones (called for each instance), and the relations' attnames by
    name."""
    fixed: dict[str, Any] = {}
    factories = []
    relations = {}
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            factories.append((field.attname, field.default))
            fixed[field.attname] = None
        else:
            fixed[field.attname] = field.get_default()
        if field.is_relation:
            relations[field.name] = (field.attname, field.target_field.attname)
    return fixed, tuple(factories), relations


def new_instance(model: type[M], **values: Any) -> M:
    """An unsaved instance, as `model(**values)` makes it, in a fraction of the time.

    Model.__init__ walks every field and pops every keyword in Python, about 60 us for a value
    entry; posting builds three instances per journal line, and that was a quarter of the
    posting time. This copies the defaults computed once and sets what is given (a relation by
    its object, as the keyword would). The ledger models have no pre_init/post_init receivers.
    """
    fixed, factories, relations = _blank(model)
    obj = model.__new__(model)
    state = obj.__dict__
    state.update(fixed)
    for attname, factory in factories:
        state[attname] = factory()
    state["_state"] = ModelState()
    for name, value in values.items():
        if name in fixed:
            state[name] = value
        elif name in relations:
            # What the foreign key's descriptor does: the id, and the object in the cache.
            attname, target = relations[name]
            state[attname] = None if value is None else getattr(value, target)
            obj._state.fields_cache[name] = value
        else:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {name!r}")
    return obj


@functools.cache
def _row_of(model: type[models.Model]) -> Callable[[dict], tuple]:
    names = [field.attname for field in model._meta.concrete_fields]
    return operator.itemgetter(*names)


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
    row_of = _row_of(model)
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
                # New instances hold every field in their __dict__: one C call reads the row.
                row = row_of(obj.__dict__)
                if encoders:
                    row = list(row)
                    for index, encoder in encoders.items():
                        row[index] = json.dumps(row[index], cls=encoder)
                copy.write_row(row)
    alias = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs


def update_instances(
    model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]
) -> None:
    """Write these fields of existing instances. On PostgreSQL one UPDATE ... FROM unnest()
    with a column array per field (Django's bulk_update builds a CASE per row and field, and
    compiles it in Python: 24 ms for 20 items); elsewhere bulk_update."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields, batch_size=1000)
        return
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in [pk, *columns])
    names = ", ".join(quote(field.column) for field in [pk, *columns])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM unnest({arrays}) AS v({names}) WHERE t.{quote(pk.column)} = v.{quote(pk.column)}"
    )
    values = [array_literal(obj.pk for obj in objs)] + [
        array_literal(getattr(obj, field.attname) for obj in objs) for field in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


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
