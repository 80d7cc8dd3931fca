"""Export, import and delete item data (DOMAIN §13, Diagnostics).

Export writes every item-related record of the chosen items to one text file (JSON Lines,
docs/item-data-format.md): the items, their variants, the production and assembly orders that
make them (with their Inventory Adjmt. Entry (Order) rows, capacity ledger entries and capacity
value entries), item ledger entries, value entries, their rows in the G/L posting queue, item
application entries, average-cost entry points and the links from G/L entries to the value
entries (the G/L entries themselves belong to the general ledger and stay). Import restores
such a file exactly (same numbers, same fields); Delete removes an item's data. Import and
Delete rewrite history, so they exist only in a sandbox (settings.SANDBOX).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from costing.item_filter import item_filter_q
from inventory.errors import InvalidInput
from inventory.models import (
    AssemblyOrder,
    AvgCostAdjmtEntryPoint,
    CapacityLedgerEntry,
    InventoryAdjmtEntryOrder,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemVariant,
    Location,
    PostValueEntryToGL,
    ProductionOrder,
    ValueEntry,
    WorkCenter,
)
from ledger.models import GLItemLedgerRelation

FORMAT = "inventory-costing-item-data"
VERSION = 1
CHUNK = 2000
SANDBOX_ONLY = "{} is available only in a sandbox (SANDBOX=true)."

Progress = Callable[[str, int], None]  # (table, rows so far)


@dataclass(frozen=True)
class Table:
    """One kind of record in the file: its name there, its model, and its rows for the items."""

    name: str
    model: type[models.Model]
    rows: Callable[[list[int]], models.QuerySet]


def _applications(item_ids: list[int]) -> models.QuerySet:
    return ItemApplicationEntry.objects.filter(
        Q(item_ledger_entry__item_id__in=item_ids)
        | Q(inbound_item_entry__item_id__in=item_ids)
        | Q(outbound_item_entry__item_id__in=item_ids)
    )


def _values_q(item_ids: list[int], prefix: str = "") -> Q:
    """The items' value entries, and the capacity value entries (no item) of the capacity
    ledger entries of their orders."""
    return Q(**{f"{prefix}item_id__in": item_ids}) | Q(
        **{
            f"{prefix}item__isnull": True,
            f"{prefix}capacity_ledger_entry__item_id__in": item_ids,
        }
    )


# In dependency order: a record only refers to records of earlier tables (or of its own).
TABLES: list[Table] = [
    Table("item", Item, lambda ids: Item.objects.filter(pk__in=ids)),
    Table("item_variant", ItemVariant, lambda ids: ItemVariant.objects.filter(item_id__in=ids)),
    # The orders that make the items (their consumption is the components' data).
    Table(
        "production_order",
        ProductionOrder,
        lambda ids: ProductionOrder.objects.filter(item_id__in=ids),
    ),
    Table(
        "assembly_order", AssemblyOrder, lambda ids: AssemblyOrder.objects.filter(item_id__in=ids)
    ),
    Table(
        "inventory_adjmt_entry_order",
        InventoryAdjmtEntryOrder,
        lambda ids: InventoryAdjmtEntryOrder.objects.filter(item_id__in=ids),
    ),
    Table(
        "item_ledger_entry",
        ItemLedgerEntry,
        lambda ids: ItemLedgerEntry.objects.filter(item_id__in=ids),
    ),
    Table(
        "capacity_ledger_entry",
        CapacityLedgerEntry,
        lambda ids: CapacityLedgerEntry.objects.filter(item_id__in=ids),
    ),
    Table("value_entry", ValueEntry, lambda ids: ValueEntry.objects.filter(_values_q(ids))),
    Table(
        "post_value_entry_to_gl",
        PostValueEntryToGL,
        lambda ids: PostValueEntryToGL.objects.filter(_values_q(ids, "value_entry__")),
    ),
    Table("item_application_entry", ItemApplicationEntry, _applications),
    Table(
        "avg_cost_adjmt_entry_point",
        AvgCostAdjmtEntryPoint,
        lambda ids: AvgCostAdjmtEntryPoint.objects.filter(item_id__in=ids),
    ),
    Table(
        "gl_item_ledger_relation",
        GLItemLedgerRelation,
        lambda ids: GLItemLedgerRelation.objects.filter(_values_q(ids, "value_entry__")),
    ),
]
# Master data the records refer to: written before them, created on import when missing (by
# code), never deleted.
_WORK_CENTER_FIELDS = [f.attname for f in WorkCenter._meta.concrete_fields if not f.primary_key]
_BY_NAME = {t.name: t for t in TABLES}


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _require_sandbox(action: str) -> None:
    if not settings.SANDBOX:
        raise InvalidInput.on("sandbox", SANDBOX_ONLY.format(action))


def _item_ids(item_filter: str | None, item_nos: Iterable[str] | None) -> list[int]:
    if item_nos is not None:
        nos = list(item_nos)
        found = dict(Item.objects.filter(no__in=nos).values_list("no", "pk"))
        missing = [no for no in nos if no not in found]
        if missing:
            raise InvalidInput.on("items", f"No such items: {', '.join(missing)}.")
        return sorted(found.values())
    if not item_filter or not item_filter.strip():
        raise InvalidInput.on("item_filter", "Choose the items (e.g. A|B or A..C).")
    ids = list(Item.objects.filter(item_filter_q(item_filter)).values_list("pk", flat=True))
    if not ids:
        raise InvalidInput.on("item_filter", f"No item matches {item_filter!r}.")
    return sorted(ids)


# -- export ------------------------------------------------------------------------------------


def item_data_lines(
    *,
    item_filter: str | None = None,
    item_nos: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> Iterator[str]:
    """The file, line by line (each ends with a newline), reading the database in chunks."""
    ids = _item_ids(item_filter, item_nos)
    nos = list(Item.objects.filter(pk__in=ids).order_by("no").values_list("no", flat=True))
    used = (
        ItemLedgerEntry.objects.filter(item_id__in=ids),
        ValueEntry.objects.filter(_values_q(ids)),
        ProductionOrder.objects.filter(item_id__in=ids),
        AssemblyOrder.objects.filter(item_id__in=ids),
    )
    locations = sorted(
        {
            code
            for rows in used
            for code in rows.filter(location__isnull=False)
            .order_by()
            .values_list("location_id", flat=True)
            .distinct()
        }
    )
    work_centers = (
        CapacityLedgerEntry.objects.filter(item_id__in=ids, work_center__isnull=False)
        .order_by()
        .values("work_center_id")
        .distinct()
    )
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "items": nos,
        "tables": {t.name: [f.attname for f in _columns(t.model)] for t in TABLES},
    }
    yield json.dumps(header) + "\n"
    for code, name in Location.objects.filter(code__in=locations).values_list("code", "name"):
        yield json.dumps({"table": "location", "row": {"code": code, "name": name}}) + "\n"
    for values in (
        WorkCenter.objects.filter(code__in=work_centers)
        .order_by("code")
        .values_list(*_WORK_CENTER_FIELDS)
    ):
        row = {
            name: _to_json(value) for name, value in zip(_WORK_CENTER_FIELDS, values, strict=True)
        }
        yield json.dumps({"table": "work_center", "row": row}, ensure_ascii=False) + "\n"
    for table in TABLES:
        names = [f.attname for f in _columns(table.model)]
        rows = table.rows(ids).order_by("pk").values_list(*names)
        count = 0
        for values in rows.iterator(chunk_size=CHUNK):
            row = {name: _to_json(value) for name, value in zip(names, values, strict=True)}
            yield json.dumps({"table": table.name, "row": row}, ensure_ascii=False) + "\n"
            count += 1
            if progress and count % CHUNK == 0:
                progress(table.name, count)
        if progress:
            progress(table.name, count)


def item_data_export(
    out: IO[str],
    *,
    item_filter: str | None = None,
    item_nos: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the file to `out`; returns the number of records written."""
    written = 0
    for line in item_data_lines(item_filter=item_filter, item_nos=item_nos, progress=progress):
        out.write(line)
        written += 1
    return written - 1  # the header is not a record


# -- import ------------------------------------------------------------------------------------


def _parse(lines: Iterable[str]) -> tuple[dict, dict[str, list[dict]]]:
    iterator = iter(lines)
    try:
        header = json.loads(next(iterator))
    except (StopIteration, json.JSONDecodeError) as problem:
        raise InvalidInput.on("file", "The file is empty or not an item data file.") from problem
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InvalidInput.on("file", "This is not an item data file (its first line says so).")
    if header.get("version") != VERSION:
        raise InvalidInput.on(
            "file", f"Version {header.get('version')} files cannot be read; expected {VERSION}."
        )
    rows: dict[str, list[dict]] = {
        "location": [],
        "work_center": [],
        **{t.name: [] for t in TABLES},
    }
    for number, line in enumerate(iterator, start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            rows[record["table"]].append(record["row"])
        except (json.JSONDecodeError, KeyError, TypeError) as problem:
            raise InvalidInput.on("file", f"Line {number} is not a record of a known table.") from (
                problem
            )
    return header, rows


def _instances(table: Table, rows: list[dict]) -> list[models.Model]:
    columns = {f.attname: f for f in _columns(table.model)}
    instances = []
    for row in rows:
        unknown = set(row) - set(columns)
        if unknown:
            raise InvalidInput.on(
                "file", f"{table.name} has unknown fields: {', '.join(sorted(unknown))}."
            )
        values = {name: columns[name].to_python(value) for name, value in row.items()}
        instances.append(table.model(**values))
    return instances


def _conflicts(table: Table, instances: list[models.Model]) -> list[str]:
    pks = [obj.pk for obj in instances]
    taken = []
    for start in range(0, len(pks), 5000):
        taken.extend(
            table.model.objects.filter(pk__in=pks[start : start + 5000]).values_list(
                "pk", flat=True
            )
        )
    return [str(pk) for pk in sorted(taken)[:10]]


def item_data_import(lines: Iterable[str], *, progress: Progress | None = None) -> dict[str, int]:
    """Restore an exported file exactly, in one transaction (sandbox only). Refused, with
    nothing written, when an item or any entry number of the file exists already."""
    _require_sandbox("Import item data")
    header, rows = _parse(lines)
    loaded = {t.name: _instances(t, rows[t.name]) for t in TABLES}
    existing = list(
        Item.objects.filter(
            Q(no__in=[i.no for i in loaded["item"]]) | Q(pk__in=[i.pk for i in loaded["item"]])
        ).values_list("no", flat=True)
    )
    if existing:
        raise InvalidInput.on(
            "items",
            f"Items already exist: {', '.join(sorted(existing))}. Delete their data first.",
        )
    orders = [
        (model, [o.no for o in loaded[name]])
        for model, name in (
            (ProductionOrder, "production_order"),
            (AssemblyOrder, "assembly_order"),
        )
    ]
    for model, nos in orders:
        existing = sorted(model.objects.filter(no__in=nos).values_list("no", flat=True))
        if existing:
            raise InvalidInput.on(
                "file",
                f"{model._meta.verbose_name.capitalize()}s already exist: {', '.join(existing)}.",
            )
    for table in TABLES:
        taken = _conflicts(table, loaded[table.name])
        if taken:
            raise InvalidInput.on(
                "file", f"{table.name} numbers already in use: {', '.join(taken)}."
            )
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for location in rows["location"]:
                Location.objects.get_or_create(
                    code=location["code"], defaults={"name": location.get("name", "")}
                )
            for center in rows["work_center"]:
                fields = {
                    f.attname: f.to_python(center[f.attname])
                    for f in WorkCenter._meta.concrete_fields
                    if f.attname in center and not f.primary_key
                }
                WorkCenter.objects.get_or_create(code=fields.pop("code"), defaults=fields)
            for table in TABLES:
                created = table.model.objects.bulk_create(loaded[table.name], batch_size=CHUNK)
                counts[table.name] = len(created)
                if progress:
                    progress(table.name, len(created))
            # Refer only to what exists: a G/L entry or an entry of another item must be there.
            connection.check_constraints(table_names=[t.model._meta.db_table for t in TABLES])
            _reset_sequences()
    except IntegrityError as problem:
        raise InvalidInput.on(
            "file", f"The file refers to records that do not exist: {problem}"
        ) from problem
    return counts


def _reset_sequences() -> None:
    """Entry numbers handed out later continue after the imported ones (PostgreSQL)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in TABLES])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# -- delete ------------------------------------------------------------------------------------


def item_data_delete(
    *, item_filter: str | None = None, item_nos: Iterable[str] | None = None
) -> dict[str, int]:
    """Delete every item-related record of the items, the items included (sandbox only), in
    one transaction. The G/L entries stay; their links to the value entries go."""
    _require_sandbox("Delete item data")
    ids = _item_ids(item_filter, item_nos)
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            for table in reversed(TABLES):
                # One DELETE per table, without loading the rows: the ledgers' PROTECT links
                # point within the set being deleted (checked by the database at commit).
                counts[table.name] = table.rows(ids)._raw_delete(connection.alias)
            connection.check_constraints(table_names=[t.model._meta.db_table for t in TABLES])
    except IntegrityError as problem:
        raise InvalidInput.on(
            "items", f"Other items' records refer to these items' entries: {problem}"
        ) from problem
    return counts


__all__ = [
    "FORMAT",
    "TABLES",
    "VERSION",
    "item_data_delete",
    "item_data_export",
    "item_data_import",
    "item_data_lines",
]
