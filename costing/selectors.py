"""Loads items' ledgers for the engine: a few bulk queries per batch of items, plain data out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import Case, F, QuerySet, When

from costing.engine.types import REVALUATION, Application, Entry, ItemGraph, Settings, Value
from inventory.models import (
    AccountingPeriod,
    AverageCostCalcType,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)


def item_graphs(
    items: Iterable[Item],
    setup: InventorySetup,
    until=None,
    trace: bool = False,
    stale_applications: list[int] | None = None,
    flagged_entries: list[int] | None = None,
) -> Iterator[ItemGraph]:
    """The items' graphs. The callers bound the entries per call (a chunk of items), so rows
    are fetched at once rather than through a server-side cursor. `stale_applications`, when
    given, receives the applications whose Outbound Entry Is Updated is still off, and
    `flagged_entries` the entries whose Applied Entry to Adjust is on (to reset them by key)."""
    items = list(items)
    ids = [item.pk for item in items]
    entries: dict[int, dict[int, Entry]] = defaultdict(dict)
    rows = _fetch(
        ItemLedgerEntry.objects.filter(item_id__in=ids)
        .order_by()
        .values_list(
            "item_id",
            "entry_no",
            "posting_date",
            "entry_type",
            "location_id",
            "variant_code",
            "quantity",
            "invoiced_quantity",
            "positive",
            "applies_to_entry_id",
            "applies_from_entry_id",
            "applied_entry_to_adjust",
        )
    )
    flagged = flagged_entries if flagged_entries is not None else []
    for item_id, no, day, kind, loc, var, qty, inv, pos, to, frm, to_adjust in rows:
        entries[item_id][no] = Entry(no, day, kind, loc or "", var, qty, inv, pos, to, frm)
        if to_adjust:
            flagged.append(no)
    values: dict[int, list[Value]] = defaultdict(list)
    rows = _fetch(
        ValueEntry.objects.filter(item_id__in=ids, item_ledger_entry__isnull=False)
        .order_by()
        # Only what the engine reads: a decimal costs more to load than the rest of the row,
        # so the valued quantity comes for revaluations only, the cost per unit for postings.
        .annotate(
            reval_quantity=Case(When(entry_type=REVALUATION, then=F("valued_quantity"))),
            posted_unit_cost=Case(When(adjustment=False, then=F("cost_per_unit"))),
        )
        .values_list(
            "item_id",
            "entry_no",
            "item_ledger_entry_id",
            "entry_type",
            "posting_date",
            "valuation_date",
            "reval_quantity",
            "cost_amount_actual",
            "cost_amount_expected",
            "adjustment",
            "item_charge_no",
            "valued_by_average_cost",
            "posted_unit_cost",
        )
    )
    for item_id, no, ile, kind, day, vday, vq, act, exp, adj, charge, avg, cpu in rows:
        values[item_id].append(
            Value(no, ile, kind, day, vday, vq, act, exp, adj, bool(charge), avg, cpu)
        )
    applications: dict[int, list[Application]] = defaultdict(list)
    stale = stale_applications if stale_applications is not None else []
    for item_id, no, inbound, outbound, qty, updated in _applications(ids, entries):
        if qty < 0:
            applications[item_id].append(Application(no, inbound, outbound, -qty))
        if not updated:
            stale.append(no)
    per_location = setup.average_cost_calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT
    starts = AccountingPeriod.starts(setup.average_cost_period)
    for item in items:
        settings = Settings(
            costing_method=item.costing_method,
            average_per_location=per_location,
            average_period=setup.average_cost_period,
            accounting_period_starts=starts,
            until=until,
            trace=trace,
        )
        yield ItemGraph(item.pk, settings, entries[item.pk], values[item.pk], applications[item.pk])


def _applications(ids: list[int], entries: dict[int, dict[int, Entry]]) -> list[tuple]:
    """The applications of the items' entries as (item id, entry no, inbound, outbound,
    quantity, outbound entry is updated). Uses (quantity < 0) feed the engine; a cost
    application's own row (quantity > 0, naming its source) is read only for its flag.

    On PostgreSQL by the entries' numbers, which the entries just read give: joined to the
    entries by item instead, the planner hashed the item's entries and scanned the whole
    application table (240 ms at N = 1,000,000 for the incremental case's item, against 15 ms).
    SQLite keeps the join (a chunk's numbers would pass its limit of query parameters)."""
    columns = (
        "entry_no",
        "inbound_item_entry_id",
        "outbound_item_entry_id",
        "quantity",
        "outbound_entry_is_updated",
    )
    uses = ItemApplicationEntry.objects.filter(outbound_item_entry__isnull=False).order_by()
    if connection.vendor != "postgresql":
        return list(
            uses.filter(inbound_item_entry__item_id__in=ids).values_list(
                "inbound_item_entry__item_id", *columns
            )
        )
    item_of = {no: item_id for item_id, own in entries.items() for no in own}
    if not item_of:
        return []
    rows = _fetch(uses.filter(inbound_item_entry_id__any=item_of).values_list(*columns))
    return [(item_of[row[1]], *row) for row in rows]


def _fetch(queryset: QuerySet) -> list[tuple]:
    """All rows of a values_list query at once: the ORM builds the SQL, the rows skip its
    iterator (a third of the read time for the hundreds of thousands of rows of a chunk).
    PostgreSQL only: psycopg returns dates, decimals and booleans as such, whereas SQLite's
    rows need the ORM's converters (text dates, float decimals)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def trace_analysis(group_by: str = "event") -> list[dict]:
    """The tracer's analysis view: events counted and timed by event, item or location."""
    from django.db.models import Count, Sum

    from costing.models import TraceEvent

    fields = {"event": "event", "item": "item_no", "location": "location_code"}
    key = fields[group_by]
    rows = (
        TraceEvent.objects.values(key)
        .annotate(count=Count("id"), duration_us=Sum("duration_us"), amount=Sum("amount"))
        .order_by("-duration_us", key)
    )
    return [
        {
            "key": row[key],
            "count": row["count"],
            "duration_ms": (row["duration_us"] or 0) // 1000,
            "amount": f"{row['amount'] or 0:.2f}",
        }
        for row in rows
    ]
