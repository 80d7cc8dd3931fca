"""Post Inventory Cost to G/L (spec §11.4, BC report 1002).

Takes the value entries waiting in the queue, posts for each the part not yet posted (the
delta between its cost and what was posted before, so a rerun posts nothing twice), as
balanced pairs of G/L entries, per entry or per posting group. An entry that cannot be posted
(no setup, no account, expected cost while expected cost posting is off, a closed period) is
skipped with its reason and stays in the queue; the rest posts.

The queue is read a chunk at a time, as plain rows, so memory stays bounded whatever its
length: per posting group only the G/L lines (one per group and account) and their links are
kept until the end; per entry each chunk's G/L entries are written as it goes.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from costing.engine.money import ZERO
from inventory.errors import InvalidInput
from inventory.models import (
    EntryType,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    OrderType,
    PostValueEntryToGL,
    ProductionOrder,
    ValueEntry,
    ValueEntryType,
)
from inventory.numbering import allocate
from inventory.sql import insert_instances, new_instance, number_array, update_by_keys
from ledger.accounts import AccountBook, Groups, NoAccount, roles_for
from ledger.models import DimensionCombination, GLEntry, GLItemLedgerRelation

PER_ENTRY = "per_entry"
PER_POSTING_GROUP = "per_posting_group"
POST_METHODS = (PER_ENTRY, PER_POSTING_GROUP)
SOURCE_CODE = "INVTPCOST"
_LOCK_KEY = 5802  # one Post Inventory Cost to G/L at a time (PostgreSQL advisory lock)
CHUNK = 20_000  # queued value entries read, locked and marked posted at a time

_ENTRY_TYPE_LABELS = dict(EntryType.choices)
_ORDER_TYPE_LABELS = dict(OrderType.choices)
_VALUE_TYPE_LABELS = dict(ValueEntryType.choices)


@dataclass(frozen=True)
class SkippedEntry:
    value_entry_no: int
    item_no: str
    posting_date: dt.date
    document_no: str
    entry_type: str
    item_ledger_entry_type: str
    expected_cost: bool
    location_code: str
    inventory_posting_group: str
    gen_bus_posting_group: str
    gen_prod_posting_group: str
    cost_amount: Decimal
    reason: str


@dataclass(slots=True)
class GLLine:
    posting_date: dt.date
    document_no: str
    account_no: str
    amount: Decimal
    description: str
    dimensions: dict[str, str]
    value_entry_nos: list[int] = field(default_factory=list)


@dataclass
class PostingReport:
    posted: bool
    post_method: str
    document_no: str
    value_entries_posted: int = 0
    lines: list[GLLine] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    dimension_conflicts: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        if not self.value_entries_posted:
            return "There is nothing to post to the general ledger."
        verb = "have been posted" if self.posted else "would be posted"
        return f"{self.value_entries_posted} value entries {verb} to the general ledger."

    def account_totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            totals[line.account_no] += line.amount
        return dict(sorted(totals.items()))


# The columns of a queued value entry that posting needs, read as plain tuples: the value
# entry's own only, by primary key. Joined to the item and item ledger entry tables, the planner
# hashed one of them whole for every chunk (0.5 s a chunk at N = 1,000,000, about half of the
# run); the few item numbers and invoiced flags needed are looked up apart.
_FIELDS = (
    "entry_no",
    "posting_date",
    "document_no",
    "item_id",
    "item_ledger_entry_id",
    "item_ledger_entry_type",
    "entry_type",
    "variance_type",
    "order_type",
    "order_no",
    "expected_cost",
    "location_id",
    "inventory_posting_group",
    "gen_bus_posting_group",
    "gen_prod_posting_group",
    "dimensions_text",
    "cost_amount_actual",
    "cost_posted_to_gl",
    "cost_amount_expected",
    "expected_cost_posted_to_gl",
)
(
    _NO,
    _DATE,
    _DOC,
    _ITEM,
    _ILE,
    _ILE_TYPE,
    _TYPE,
    _VARIANCE,
    _ORDER_TYPE,
    _ORDER_NO,
    _EXPECTED_COST,
    _LOCATION,
    _INVT_GROUP,
    _BUS_GROUP,
    _PROD_GROUP,
    _DIMS,
    _ACTUAL,
    _ACTUAL_POSTED,
    _EXPECTED,
    _EXPECTED_POSTED,
) = range(len(_FIELDS))


@dataclass(slots=True)
class _Part:
    """One posted part of a value entry: its actual or its expected cost not posted yet."""

    row: tuple
    accounts: tuple[str, str]
    amount: Decimal
    expected: bool
    dimensions: dict[str, str]
    dimensions_key: str


def inventory_cost_post_to_gl(
    *,
    post_method: str = PER_POSTING_GROUP,
    document_no: str = "",
    post: bool = True,
    value_entry_nos: Sequence[int] | None = None,
    exclusive: bool = True,
    progress: Callable[[int], None] | None = None,
) -> PostingReport:
    """Post (or, with post=False, report what would be posted) the queued value entries.

    A run takes an advisory lock so that two runs never overlap. Automatic cost posting passes
    exclusive=False: it posts only the entries its own transaction just wrote, which no other
    transaction can see yet, so it needs no lock, and a long adjustment batch holding one would
    stop every posting until it commits. `progress` is called with the number of queued
    entries read so far."""
    if post_method not in POST_METHODS:
        raise InvalidInput.on("post_method", f"Choose one of {', '.join(POST_METHODS)}.")
    if post_method == PER_POSTING_GROUP and not document_no:
        raise InvalidInput.on("document_no", "Posting per posting group needs a document no.")
    if post_method == PER_ENTRY and document_no:
        raise InvalidInput.on(
            "document_no",
            "Posting per entry uses each value entry's own document no.; leave it blank.",
        )
    report = PostingReport(posted=post, post_method=post_method, document_no=document_no)
    with transaction.atomic():
        if exclusive and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        run = _Run(report, post_method, document_no, post)
        read = 0
        lock_rows = not (exclusive and connection.vendor == "postgresql")
        for rows in _queued_chunks(value_entry_nos, lock_rows=lock_rows):
            run.chunk(rows)
            read += len(rows)
            if progress:
                progress(read)
        run.finish()
        if not post:
            transaction.set_rollback(True)
    return report


def _queued_chunks(
    value_entry_nos: Sequence[int] | None, *, lock_rows: bool
) -> Iterator[list[tuple]]:
    """The queued value entries in entry order, CHUNK at a time. With lock_rows their queue
    rows are locked; a run holding the advisory lock needs no row locks, as nothing else takes
    entries out of the queue."""
    queue = PostValueEntryToGL.objects.order_by("value_entry_id")
    if value_entry_nos is not None:
        wanted = sorted(set(value_entry_nos))
        chunks = (wanted[i : i + CHUNK] for i in range(0, len(wanted), CHUNK))
        for nos in chunks:
            rows = _read(queue.filter(value_entry_id__any=nos), lock_rows)
            if rows:
                yield rows
        return
    last = 0
    while rows := _read(queue.filter(value_entry_id__gt=last)[:CHUNK], lock_rows):
        last = rows[-1][_NO]
        yield rows


def _read(queue: QuerySet, lock_rows: bool) -> list[tuple]:
    if lock_rows:
        queue = queue.select_for_update()
    nos = list(queue.values_list("value_entry_id", flat=True))
    if not nos:
        return []
    values = ValueEntry.objects.filter(pk__any=nos).annotate(
        dimensions_text=Cast("dimensions", TextField())
    )
    return list(values.order_by("entry_no").values_list(*_FIELDS))


class _Run:
    """What one run keeps between chunks."""

    def __init__(self, report: PostingReport, post_method: str, document_no: str, post: bool):
        self.report = report
        self.per_entry = post_method == PER_ENTRY
        self.document_no = document_no
        self.post = post
        setup = InventorySetup.get()
        self.expected_cost_posting = setup.expected_cost_posting_to_gl
        self.closed_until = InventoryPeriod.last_closed_ending_date()
        self.book = AccountBook()
        self.accounts: dict[tuple, tuple[str, str] | str] = {}  # pair, or why there is none
        self.dimensions: dict[str, tuple[dict[str, str], str]] = {}
        self.blocked = {
            frozenset((c.dimension_1, c.dimension_2))
            for c in DimensionCombination.objects.filter(blocked=True)
        }
        self.groups: dict[tuple, GLLine] = {}  # per posting group: the lines so far
        self.transaction_no: int | None = None  # per posting group: the document's
        self.wip_group: dict[str, str] = {}  # the chunk's production orders' item groups
        self.item_nos: dict[int | None, str] = {None: ""}  # capacity value entries have no item

    # -- reading ----------------------------------------------------------------------------

    def chunk(self, rows: list[tuple]) -> None:
        unknown = {row[_ITEM] for row in rows} - self.item_nos.keys()
        if unknown:
            self.item_nos.update(Item.objects.filter(pk__in=unknown).values_list("pk", "no"))
        parts, nothing_left = self._parts(rows)
        self._dimension_conflicts(parts)
        self.report.value_entries_posted += len({p.row[_NO] for p in parts})
        if self.per_entry:
            lines = self._lines_per_entry(parts)
            self.report.lines.extend(lines)
            if self.post:
                self._write_lines(lines, per_entry=True)
        else:
            self._lines_per_group(parts)
        if self.post:
            _mark_posted(parts, nothing_left)

    def finish(self) -> None:
        if not self.per_entry:
            lines = list(self.groups.values())
            self.report.lines = lines
            if self.post:
                self._write_lines(lines, per_entry=False)

    def _parts(self, rows: list[tuple]) -> tuple[list[_Part], list[int]]:
        expected_posted: set[int] = set()
        invoiced: set[int] = set()
        if not self.expected_cost_posting:
            # Entries whose expected cost reached the G/L before (while expected cost posting
            # was on): their invoices must release it, whatever the setting says now.
            with_expected = {
                r[_ILE] for r in rows if r[_EXPECTED] != r[_EXPECTED_POSTED] and r[_ILE]
            }
            if with_expected:
                expected_posted = set(
                    ValueEntry.objects.filter(item_ledger_entry_id__any=with_expected)
                    .exclude(expected_cost_posted_to_gl=0)
                    .order_by()
                    .values_list("item_ledger_entry_id", flat=True)
                    .distinct()
                )
            # Expected cost alone, not posted: nothing to post if the entry is invoiced since.
            only_expected = {
                r[_ILE]
                for r in rows
                if r[_ILE]
                and r[_EXPECTED] != r[_EXPECTED_POSTED]
                and r[_ACTUAL] == r[_ACTUAL_POSTED]
            } - expected_posted
            if only_expected:
                invoiced = set(
                    ItemLedgerEntry.objects.filter(
                        entry_no__any=only_expected, completely_invoiced=True
                    ).values_list("entry_no", flat=True)
                )
        # Spec §11.3: consumption's WIP account comes from the finished item's posting group.
        consumed_into = {r[_ORDER_NO] for r in rows if r[_ILE_TYPE] == EntryType.CONSUMPTION}
        self.wip_group = (
            dict(
                ProductionOrder.objects.filter(no__in=consumed_into).values_list(
                    "no", "item__inventory_posting_group"
                )
            )
            if consumed_into
            else {}
        )
        closed_until = self.closed_until
        skipped = self.report.skipped
        parts: list[_Part] = []
        nothing_left: list[int] = []
        for row in rows:
            actual = row[_ACTUAL] - row[_ACTUAL_POSTED]
            expected = row[_EXPECTED] - row[_EXPECTED_POSTED]
            if not self.expected_cost_posting and row[_ILE] not in expected_posted:
                if expected and not actual:
                    if row[_ILE] in invoiced:
                        nothing_left.append(row[_NO])  # invoiced since: its invoice has the cost
                    else:
                        skipped.append(
                            self._skip(
                                row, "Expected cost, and Expected Cost Posting to G/L is off."
                            )
                        )
                    continue
                expected = ZERO  # the invoice's release of expected cost that was never posted
            if not actual and not expected:
                nothing_left.append(row[_NO])
                continue
            if closed_until and row[_DATE] <= closed_until:
                skipped.append(
                    self._skip(
                        row,
                        f"The posting date is in a closed period (closed up to {closed_until}).",
                    )
                )
                continue
            found = []
            for amount, is_expected in ((actual, False), (expected, True)):
                if not amount:
                    continue
                pair = self._pair(row, is_expected)
                if isinstance(pair, str):
                    skipped.append(self._skip(row, pair))
                    break
                dimensions, key = self._dimensions(row[_DIMS])
                found.append(_Part(row, pair, amount, is_expected, dimensions, key))
            else:
                parts.extend(found)  # both parts or none: never half of an entry's pairs
        return parts, nothing_left

    def _pair(self, row: tuple, is_expected: bool) -> tuple[str, str] | str:
        """The (account, balancing account) of one part, or why it has none; the same few
        combinations recur, so each is decided once."""
        key = (
            row[_ILE_TYPE],
            row[_TYPE],
            row[_VARIANCE],
            is_expected,
            row[_ORDER_TYPE],
            row[_LOCATION] or "",
            row[_INVT_GROUP],
            row[_BUS_GROUP],
            row[_PROD_GROUP],
            self.wip_group.get(row[_ORDER_NO], "")
            if row[_ILE_TYPE] == EntryType.CONSUMPTION
            else "",
        )
        pair = self.accounts.get(key)
        if pair is None:
            roles = roles_for(
                row[_ILE_TYPE], row[_TYPE], row[_VARIANCE], is_expected, row[_ORDER_TYPE]
            )
            if roles is None:
                kind = "expected" if is_expected else "actual"
                pair = (
                    f"A {_VALUE_TYPE_LABELS.get(row[_TYPE], row[_TYPE])} value entry of a "
                    f"{_ENTRY_TYPE_LABELS.get(row[_ILE_TYPE], row[_ILE_TYPE])} entry has no "
                    f"{kind} cost account pair."
                )
            else:
                try:
                    pair = self.book.pair(roles, Groups(*key[5:]))
                except NoAccount as problem:
                    pair = str(problem)
            self.accounts[key] = pair
        return pair

    def _dimensions(self, text: str) -> tuple[dict[str, str], str]:
        """The dimensions and their grouping key, from the stored JSON text: a handful of
        distinct sets recur over the whole queue, so each is parsed once."""
        found = self.dimensions.get(text)
        if found is None:
            value = json.loads(text) or {}
            found = self.dimensions[text] = (value, json.dumps(value, sort_keys=True))
        return found

    def _dimension_conflicts(self, parts: list[_Part]) -> None:
        """Spec §11.4: a blocked combination does not stop posting; the value entry's own
        dimensions are used, and the report says so."""
        if not self.blocked:
            return
        seen: set[int] = set()
        for part in parts:
            no = part.row[_NO]
            if no in seen:
                continue
            seen.add(no)
            codes = sorted(part.dimensions)
            for i, first in enumerate(codes):
                for second in codes[i + 1 :]:
                    if frozenset((first, second)) in self.blocked:
                        self.report.dimension_conflicts.append(
                            f"Value entry {no}: {first} and {second} may not be combined; "
                            "posted with the value entry's dimensions."
                        )

    def _skip(self, row: tuple, reason: str) -> SkippedEntry:
        return SkippedEntry(
            value_entry_no=row[_NO],
            item_no=self.item_nos[row[_ITEM]],
            posting_date=row[_DATE],
            document_no=row[_DOC],
            entry_type=row[_TYPE],
            item_ledger_entry_type=row[_ILE_TYPE],
            expected_cost=row[_EXPECTED_COST],
            location_code=row[_LOCATION] or "",
            inventory_posting_group=row[_INVT_GROUP],
            gen_bus_posting_group=row[_BUS_GROUP],
            gen_prod_posting_group=row[_PROD_GROUP],
            cost_amount=row[_ACTUAL] + row[_EXPECTED],
            reason=reason,
        )

    # -- G/L lines --------------------------------------------------------------------------

    def _lines_per_entry(self, parts: list[_Part]) -> list[GLLine]:
        lines = []
        for part in parts:
            row = part.row
            item_no = self.item_nos[row[_ITEM]]
            if not item_no:  # a capacity value entry
                label = _ORDER_TYPE_LABELS.get(row[_ORDER_TYPE], row[_ORDER_TYPE])
                description = f"Capacity {label} {row[_ORDER_NO]}"
            else:
                label = _ENTRY_TYPE_LABELS.get(row[_ILE_TYPE], row[_ILE_TYPE])
                description = f"{item_no} {label}"
            for account, amount in (
                (part.accounts[0], part.amount),
                (part.accounts[1], -part.amount),
            ):
                lines.append(
                    GLLine(
                        row[_DATE],
                        row[_DOC],
                        account,
                        amount,
                        description,
                        part.dimensions,
                        [row[_NO]],
                    )
                )
        return lines

    def _lines_per_group(self, parts: list[_Part]) -> None:
        """One G/L entry per date, location, inventory posting group, gen. business and gen.
        product group (and dimensions) and account, positive and negative amounts apart."""
        grouped = self.groups
        for part in parts:
            row = part.row
            no = row[_NO]
            for account, amount in (
                (part.accounts[0], part.amount),
                (part.accounts[1], -part.amount),
            ):
                key = (
                    row[_DATE],
                    row[_LOCATION] or "",
                    row[_INVT_GROUP],
                    row[_BUS_GROUP],
                    row[_PROD_GROUP],
                    part.dimensions_key,
                    account,
                    amount > 0,
                )
                line = grouped.get(key)
                if line is None:
                    line = grouped[key] = GLLine(
                        row[_DATE],
                        self.document_no,
                        account,
                        ZERO,
                        f"Inventory cost {row[_INVT_GROUP]} {row[_LOCATION] or ''}".strip(),
                        part.dimensions,
                    )
                line.amount += amount
                # A value entry's parts come one after the other: one link per line is enough.
                nos = line.value_entry_nos
                if not nos or nos[-1] != no:
                    nos.append(no)

    # -- writing ----------------------------------------------------------------------------

    def _write_lines(self, lines: list[GLLine], *, per_entry: bool) -> None:
        """Insert the G/L entries and their links. A transaction is one value entry's pairs
        (per entry) or the whole document (per posting group)."""
        if not lines:
            return
        numbers = allocate(GLEntry, len(lines))
        now = timezone.now()
        first_of: dict[int, int] = {}
        entries = []
        links: list[tuple[int, int]] = []
        for number, line in zip(numbers, lines, strict=True):
            if per_entry:
                transaction_no = first_of.setdefault(line.value_entry_nos[0], number)
            else:
                if self.transaction_no is None:
                    self.transaction_no = number
                transaction_no = self.transaction_no
            entries.append(
                new_instance(
                    GLEntry,
                    entry_no=number,
                    transaction_no=transaction_no,
                    posting_date=line.posting_date,
                    document_no=line.document_no,
                    account_id=line.account_no,
                    amount=line.amount,
                    description=line.description[:100],
                    source_code=SOURCE_CODE,
                    dimensions=line.dimensions,
                    created_at=now,  # COPY does not run auto_now_add
                )
            )
            links.extend((number, no) for no in line.value_entry_nos)
        insert_instances(GLEntry, entries)
        _insert_links(links)


def _insert_links(links: list[tuple[int, int]]) -> None:
    """Two or more rows per value entry posted: one COPY of plain text on PostgreSQL, their ids
    left to the table's default."""
    if connection.vendor != "postgresql":
        GLItemLedgerRelation.objects.bulk_create(
            [GLItemLedgerRelation(gl_entry_id=g, value_entry_id=v) for g, v in links],
            batch_size=5000,
        )
        return
    table = GLItemLedgerRelation._meta.db_table
    buffer = io.StringIO()
    buffer.writelines(f"{g}\t{v}\n" for g, v in links)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} (gl_entry_id, value_entry_id) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def _mark_posted(parts: list[_Part], nothing_left: list[int]) -> None:
    """A part posts all that was not posted yet, so what is posted becomes the entry's cost;
    then the entries leave the queue."""
    actual = sorted({p.row[_NO] for p in parts if not p.expected})
    expected = sorted({p.row[_NO] for p in parts if p.expected})
    finished = sorted({p.row[_NO] for p in parts}.union(nothing_left))
    update_by_keys(ValueEntry, "cost_posted_to_gl = cost_amount_actual", actual)
    update_by_keys(ValueEntry, "expected_cost_posted_to_gl = cost_amount_expected", expected)
    if connection.vendor == "postgresql" and finished:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM inventory_postvalueentrytogl WHERE value_entry_id = ANY(%s::bigint[])",
                [number_array(finished)],
            )
        return
    PostValueEntryToGL.objects.filter(value_entry_id__in=finished).delete()
