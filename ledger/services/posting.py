"""Post Inventory Cost to G/L (spec §11.4, BC report 1002).

Takes the value entries waiting in the queue, posts for each the part not yet posted (the
delta between its cost and what was posted before, so a rerun posts nothing twice), as
balanced pairs of G/L entries, per entry or per posting group. An entry that cannot be posted
(no setup, no account, expected cost while expected cost posting is off, a closed period) is
skipped with its reason and stays in the queue; the rest posts.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from costing.engine.money import ZERO
from inventory.errors import InvalidInput
from inventory.models import (
    EntryType,
    InventoryPeriod,
    InventorySetup,
    PostValueEntryToGL,
    ProductionOrder,
    ValueEntry,
)
from inventory.numbering import allocate
from ledger.accounts import AccountBook, Groups, NoAccount, Role, roles_for
from ledger.models import DimensionCombination, GLEntry, GLItemLedgerRelation

PER_ENTRY = "per_entry"
PER_POSTING_GROUP = "per_posting_group"
POST_METHODS = (PER_ENTRY, PER_POSTING_GROUP)
SOURCE_CODE = "INVTPCOST"
_LOCK_KEY = 5802  # one Post Inventory Cost to G/L at a time (PostgreSQL advisory lock)


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


@dataclass
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


@dataclass
class _Part:
    value: ValueEntry
    roles: tuple[Role, Role]
    accounts: tuple[str, str]
    amount: Decimal
    expected: bool


def inventory_cost_post_to_gl(
    *,
    post_method: str = PER_POSTING_GROUP,
    document_no: str = "",
    post: bool = True,
    value_entry_nos: Sequence[int] | None = None,
    exclusive: bool = True,
) -> PostingReport:
    """Post (or, with post=False, report what would be posted) the queued value entries.

    A run takes an advisory lock so that two runs never overlap. Automatic cost posting passes
    exclusive=False: it posts only the entries its own transaction just wrote, which no other
    transaction can see yet, so it needs no lock, and a long adjustment batch holding one would
    stop every posting until it commits."""
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
        queue = PostValueEntryToGL.objects.select_for_update()
        if value_entry_nos is not None:
            queue = queue.filter(value_entry_id__in=value_entry_nos)
        nos = list(queue.order_by("value_entry_id").values_list("value_entry_id", flat=True))
        values = list(
            ValueEntry.objects.filter(pk__in=nos)
            .select_related("item", "item_ledger_entry")
            .order_by("entry_no")
        )
        parts, done, report.skipped = _parts(values)
        report.dimension_conflicts = _dimension_conflicts(parts)
        report.lines = (
            _lines_per_entry(parts)
            if post_method == PER_ENTRY
            else _lines_per_group(parts, document_no)
        )
        report.value_entries_posted = len({p.value.pk for p in parts})
        if post:
            _write(report, parts, done, post_method)
        else:
            transaction.set_rollback(True)
    return report


def _parts(values: Iterable[ValueEntry]) -> tuple[list[_Part], list[int], list[SkippedEntry]]:
    setup = InventorySetup.get()
    book = AccountBook()
    closed_until = InventoryPeriod.last_closed_ending_date()
    values = list(values)
    # Entries whose expected cost reached the G/L before (while expected cost posting was
    # on): their invoices must release it, whatever the setting says now.
    expected_posted = set(
        ValueEntry.objects.filter(item_ledger_entry_id__in={v.item_ledger_entry_id for v in values})
        .exclude(expected_cost_posted_to_gl=0)
        .values_list("item_ledger_entry_id", flat=True)
    )
    # Spec §11.3: consumption's WIP account comes from the finished item's posting group.
    wip_group = dict(
        ProductionOrder.objects.filter(
            no__in={v.order_no for v in values if v.item_ledger_entry_type == EntryType.CONSUMPTION}
        ).values_list("no", "item__inventory_posting_group")
    )
    parts: list[_Part] = []
    nothing_left: list[int] = []
    skipped: list[SkippedEntry] = []
    for value in values:
        actual = value.cost_amount_actual - value.cost_posted_to_gl
        expected = value.cost_amount_expected - value.expected_cost_posted_to_gl
        if (
            not setup.expected_cost_posting_to_gl
            and value.item_ledger_entry_id not in expected_posted
        ):
            if expected and not actual:
                if value.item_ledger_entry and value.item_ledger_entry.completely_invoiced:
                    nothing_left.append(value.pk)  # invoiced since: its invoice carries the cost
                else:
                    skipped.append(
                        _skip(value, "Expected cost, and Expected Cost Posting to G/L is off.")
                    )
                continue
            expected = ZERO  # the invoice's release of expected cost that was never posted
        if not actual and not expected:
            nothing_left.append(value.pk)
            continue
        if closed_until and value.posting_date <= closed_until:
            skipped.append(
                _skip(
                    value, f"The posting date is in a closed period (closed up to {closed_until})."
                )
            )
            continue
        groups = Groups(
            value.location_id or "",
            value.inventory_posting_group,
            value.gen_bus_posting_group,
            value.gen_prod_posting_group,
            wip_group.get(value.order_no, "")
            if value.item_ledger_entry_type == EntryType.CONSUMPTION
            else "",
        )
        found: list[_Part] = []
        try:
            for amount, is_expected in ((actual, False), (expected, True)):
                if not amount:
                    continue
                roles = roles_for(
                    value.item_ledger_entry_type,
                    value.entry_type,
                    value.variance_type,
                    is_expected,
                    value.order_type,
                )
                if roles is None:
                    kind = "expected" if is_expected else "actual"
                    raise NoAccount(
                        f"A {value.get_entry_type_display()} value entry of a "
                        f"{value.get_item_ledger_entry_type_display()} entry has no {kind} cost "
                        "account pair."
                    )
                found.append(_Part(value, roles, book.pair(roles, groups), amount, is_expected))
        except NoAccount as problem:
            skipped.append(_skip(value, str(problem)))
            continue
        parts.extend(found)
    return parts, nothing_left, skipped


def _skip(value: ValueEntry, reason: str) -> SkippedEntry:
    return SkippedEntry(
        value_entry_no=value.pk,
        item_no=value.item.no if value.item else "",
        posting_date=value.posting_date,
        document_no=value.document_no,
        entry_type=value.entry_type,
        item_ledger_entry_type=value.item_ledger_entry_type,
        expected_cost=value.expected_cost,
        location_code=value.location_id or "",
        inventory_posting_group=value.inventory_posting_group,
        gen_bus_posting_group=value.gen_bus_posting_group,
        gen_prod_posting_group=value.gen_prod_posting_group,
        cost_amount=value.cost_amount_actual + value.cost_amount_expected,
        reason=reason,
    )


def _dimension_conflicts(parts: list[_Part]) -> list[str]:
    """Spec §11.4: a blocked combination does not stop posting; the value entry's own
    dimensions are used, and the report says so."""
    blocked = {
        frozenset((c.dimension_1, c.dimension_2))
        for c in DimensionCombination.objects.filter(blocked=True)
    }
    if not blocked:
        return []
    conflicts = []
    for value in {p.value.pk: p.value for p in parts}.values():
        codes = sorted(value.dimensions or {})
        for i, first in enumerate(codes):
            for second in codes[i + 1 :]:
                if frozenset((first, second)) in blocked:
                    conflicts.append(
                        f"Value entry {value.pk}: {first} and {second} may not be combined; "
                        "posted with the value entry's dimensions."
                    )
    return conflicts


def _description(part: _Part) -> str:
    value = part.value
    if value.item is None:
        return f"Capacity {value.get_order_type_display()} {value.order_no}"
    return f"{value.item.no} {value.get_item_ledger_entry_type_display()}"


def _lines_per_entry(parts: list[_Part]) -> list[GLLine]:
    lines = []
    for part in parts:
        value = part.value
        for account, amount in ((part.accounts[0], part.amount), (part.accounts[1], -part.amount)):
            lines.append(
                GLLine(
                    value.posting_date,
                    value.document_no,
                    account,
                    amount,
                    _description(part),
                    dict(value.dimensions or {}),
                    [value.pk],
                )
            )
    return lines


def _lines_per_group(parts: list[_Part], document_no: str) -> list[GLLine]:
    """One G/L entry per date, location, inventory posting group, gen. business and gen.
    product group (and dimensions) and account, positive and negative amounts apart."""
    grouped: dict[tuple, GLLine] = {}
    for part in parts:
        value = part.value
        for account, amount in ((part.accounts[0], part.amount), (part.accounts[1], -part.amount)):
            key = (
                value.posting_date,
                value.location_id or "",
                value.inventory_posting_group,
                value.gen_bus_posting_group,
                value.gen_prod_posting_group,
                json.dumps(value.dimensions or {}, sort_keys=True),
                account,
                amount > 0,
            )
            line = grouped.get(key)
            if line is None:
                line = grouped[key] = GLLine(
                    value.posting_date,
                    document_no,
                    account,
                    ZERO,
                    _group_description(value),
                    dict(value.dimensions or {}),
                )
            line.amount += amount
            if value.pk not in line.value_entry_nos:
                line.value_entry_nos.append(value.pk)
    return list(grouped.values())


def _group_description(value: ValueEntry) -> str:
    return f"Inventory cost {value.inventory_posting_group} {value.location_id or ''}".strip()


def _write(report: PostingReport, parts: list[_Part], done: list[int], post_method: str) -> None:
    numbers = allocate(GLEntry, len(report.lines))
    # A transaction is one value entry's pairs (per entry) or the whole document.
    first_of: dict[int, int] = {}
    entries = []
    for number, line in zip(numbers, report.lines, strict=True):
        key = line.value_entry_nos[0] if post_method == PER_ENTRY else 0
        transaction_no = first_of.setdefault(key, number)
        entries.append(
            GLEntry(
                entry_no=number,
                transaction_no=transaction_no,
                posting_date=line.posting_date,
                document_no=line.document_no,
                account_id=line.account_no,
                amount=line.amount,
                description=line.description[:100],
                source_code=SOURCE_CODE,
                dimensions=line.dimensions,
            )
        )
    GLEntry.objects.bulk_create(entries, batch_size=5000)
    links = [
        (entry.entry_no, no)
        for entry, line in zip(entries, report.lines, strict=True)
        for no in line.value_entry_nos
    ]
    posted = {}
    for part in parts:
        value = posted.setdefault(part.value.pk, part.value)
        if part.expected:
            value.expected_cost_posted_to_gl += part.amount
        else:
            value.cost_posted_to_gl += part.amount
    finished = [*posted, *done]
    if connection.vendor == "postgresql":
        # Hundreds of thousands of rows: one statement each, not the ORM's per-row SQL.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_glitemledgerrelation (gl_entry_id, value_entry_id) "
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
                [[g for g, _ in links], [v for _, v in links]],
            )
            cursor.execute(
                "UPDATE inventory_valueentry AS v SET cost_posted_to_gl = p.actual, "
                "expected_cost_posted_to_gl = p.expected "
                "FROM unnest(%s::bigint[], %s::numeric[], %s::numeric[]) "
                "AS p(no, actual, expected) "
                "WHERE v.entry_no = p.no",
                [
                    list(posted),
                    [v.cost_posted_to_gl for v in posted.values()],
                    [v.expected_cost_posted_to_gl for v in posted.values()],
                ],
            )
            cursor.execute(
                "DELETE FROM inventory_postvalueentrytogl WHERE value_entry_id = ANY(%s::bigint[])",
                [finished],
            )
        return
    GLItemLedgerRelation.objects.bulk_create(
        [GLItemLedgerRelation(gl_entry_id=g, value_entry_id=v) for g, v in links], batch_size=5000
    )
    ValueEntry.objects.bulk_update(
        list(posted.values()), ["cost_posted_to_gl", "expected_cost_posted_to_gl"], batch_size=5000
    )
    PostValueEntryToGL.objects.filter(value_entry_id__in=finished).delete()
