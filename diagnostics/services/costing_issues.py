"""Costing Issues Detection (BC-IMPLEMENTATION §4, report "Costing Errors Detection").

Checks item ledger entries, value entries and item application entries for the data errors that
break cost adjustment. Each check is one query: the database sums the value entries and the
application entries of every entry (correlated subqueries) and returns only the rows that
disagree, at most `limit` per check, so the report never loads a ledger into Python.

Business Central's groups map as follows: basic data, ILE vs application entries, application
quantity, valuation date, valued by average cost, missing ILEs, and expected cost on completely
invoiced entries are here. Its completely-invoiced-date checks need a Last Invoice Date, which
these ledgers do not keep; expected cost on closed entries is covered by the expected-cost and
remaining-quantity checks.

Other apps add their own checks with `register_check`: the capacity ledger entry checks
(capacity entries without an order, and so on) are in capacity_issues.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Abs, Coalesce

from costing.engine.money import AMOUNT_PLACES, MAX_DIGITS, QUANTITY_PLACES
from costing.item_filter import item_filter_q
from inventory.models import (
    CapacityLedgerEntry,
    CostingMethod,
    EntryType,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)

ERROR = "error"
WARNING = "warning"
DEFAULT_LIMIT = 200  # findings listed per check; the rest is counted as "more"

_QTY = DecimalField(max_digits=MAX_DIGITS, decimal_places=QUANTITY_PLACES)
_AMOUNT = DecimalField(max_digits=MAX_DIGITS, decimal_places=AMOUNT_PLACES)
_ZERO = Value(Decimal("0"))


@dataclass(frozen=True)
class Finding:
    """One broken record and the entries involved."""

    item_no: str
    message: str
    entry_nos: tuple[int, ...] = ()  # item ledger entries
    value_entry_nos: tuple[int, ...] = ()
    application_entry_nos: tuple[int, ...] = ()
    capacity_entry_nos: tuple[int, ...] = ()


@dataclass(frozen=True)
class Scope:
    """What to check: the items of a filter ("A|B", "A..C"; None: every item) or one item."""

    item_filter: str | None = None
    item_no: str | None = None

    def _q(self, field: str) -> Q:
        if self.item_no is not None:
            return Q(**{field: self.item_no})
        return item_filter_q(self.item_filter, field)

    def items(self) -> QuerySet[Item]:
        return Item.objects.filter(self._q("no"))

    def entries(self) -> QuerySet[ItemLedgerEntry]:
        return ItemLedgerEntry.objects.filter(self._q("item__no"))

    def values(self) -> QuerySet[ValueEntry]:
        return ValueEntry.objects.filter(self._q("item__no"))

    def applications(self) -> QuerySet[ItemApplicationEntry]:
        return ItemApplicationEntry.objects.filter(self._q("item_ledger_entry__item__no"))

    def capacity(self) -> QuerySet[CapacityLedgerEntry]:
        """Capacity ledger entries of the orders of the items (the item an order makes)."""
        return CapacityLedgerEntry.objects.filter(self._q("item__no"))

    @property
    def everything(self) -> bool:
        return self.item_no is None and (self.item_filter or "*").strip() in ("", "*")


FindingsQuery = Callable[[Scope, int], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    code: str
    group: str
    title: str
    remedy: str  # what to do about a finding
    run: FindingsQuery
    severity: str = ERROR


@dataclass
class CheckResult:
    check: Check
    findings: list[Finding] = field(default_factory=list)
    more: bool = False  # more findings than the limit

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass
class CostingIssuesReport:
    item_filter: str | None
    results: list[CheckResult]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    @property
    def passed(self) -> list[CheckResult]:
        return [r for r in self.results if r.ok]

    @property
    def errors(self) -> int:
        return sum(len(r.findings) for r in self.results if r.check.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(len(r.findings) for r in self.results if r.check.severity == WARNING)


# -- building blocks ---------------------------------------------------------------------------


def _summed(queryset: QuerySet, group: str, expression, output=_QTY) -> Coalesce:
    """Sum of `expression` over `queryset` (correlated on `group`), 0 when there is none."""
    sub = queryset.order_by().values(group).annotate(total=Sum(expression)).values("total")
    return Coalesce(Subquery(sub, output_field=output), _ZERO, output_field=output)


def _q(value: Decimal) -> str:
    return f"{value.normalize():f}" if value is not None else ""


def _entries(rows: Iterable[tuple], message: Callable[..., str]) -> Iterable[Finding]:
    """Rows (entry_no, item_no, *facts) of entries -> findings naming the entry."""
    for entry_no, item_no, *facts in rows:
        yield Finding(item_no, message(entry_no, *facts), entry_nos=(entry_no,))


# -- 1. basic data -----------------------------------------------------------------------------


def _ile_entry_no(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = scope.entries().filter(entry_no__lte=0).values_list("entry_no", "item__no")[:limit]
    return _entries(rows, lambda no: f"Item ledger entry {no} has an entry number below 1.")


def _ile_quantity(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = scope.entries().filter(quantity=0).values_list("entry_no", "item__no")[:limit]
    return _entries(rows, lambda no: f"Item ledger entry {no} has quantity 0.")


def _ve_without_entry(scope: Scope, limit: int) -> Iterable[Finding]:
    # A capacity value entry values its capacity ledger entry, not an item ledger entry
    # (DOMAIN §1.4): that is right, and the capacity checks look after it.
    rows = (
        scope.values()
        .filter(item_ledger_entry__isnull=True, capacity_ledger_entry__isnull=True)
        .values_list("entry_no", "item__no")[:limit]
    )
    for ve, item_no in rows:
        yield Finding(
            item_no or "",
            f"Value entry {ve} belongs to no item ledger entry.",
            value_entry_nos=(ve,),
        )


def _ve_entry_type(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.values()
        .filter(item_ledger_entry__isnull=False)
        .exclude(item_ledger_entry_type=F("item_ledger_entry__entry_type"))
        .values_list(
            "entry_no",
            "item__no",
            "item_ledger_entry_id",
            "item_ledger_entry_type",
            "item_ledger_entry__entry_type",
        )[:limit]
    )
    for ve, item_no, ile, ve_type, ile_type in rows:
        yield Finding(
            item_no,
            f"Value entry {ve} says its item ledger entry {ile} is a {ve_type or '(blank)'} "
            f"entry; the entry is a {ile_type} entry.",
            entry_nos=(ile,),
            value_entry_nos=(ve,),
        )


def _ve_item(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.values()
        .filter(item_ledger_entry__isnull=False)
        .exclude(item_id=F("item_ledger_entry__item_id"))
        .values_list("entry_no", "item__no", "item_ledger_entry_id", "item_ledger_entry__item__no")[
            :limit
        ]
    )
    for ve, item_no, ile, ile_item in rows:
        yield Finding(
            item_no,
            f"Value entry {ve} of item {item_no} belongs to item ledger entry {ile} of item "
            f"{ile_item}.",
            entry_nos=(ile,),
            value_entry_nos=(ve,),
        )


def _ve_location(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.values()
        .filter(item_ledger_entry__isnull=False)
        .exclude(location_id__isnull=True, item_ledger_entry__location_id__isnull=True)
        .exclude(location_id=F("item_ledger_entry__location_id"))
        .values_list(
            "entry_no",
            "item__no",
            "item_ledger_entry_id",
            "location_id",
            "item_ledger_entry__location_id",
        )[:limit]
    )
    for ve, item_no, ile, ve_location, ile_location in rows:
        yield Finding(
            item_no,
            f"Value entry {ve} is at location {ve_location or '(blank)'}; its item ledger entry "
            f"{ile} is at {ile_location or '(blank)'}.",
            entry_nos=(ile,),
            value_entry_nos=(ve,),
        )


def _ve_applies_to(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.values()
        .filter(applies_to_entry__isnull=False)
        .exclude(
            Exists(
                ValueEntry.objects.filter(
                    entry_no=OuterRef("applies_to_entry_id"),
                    item_ledger_entry_id=OuterRef("item_ledger_entry_id"),
                )
            )
        )
        # A subquery, not a join: the entry adjusted may be missing altogether.
        .annotate(
            adjusted_ile=Subquery(
                ValueEntry.objects.filter(entry_no=OuterRef("applies_to_entry_id")).values(
                    "item_ledger_entry_id"
                )
            )
        )
        .values_list(
            "entry_no", "item__no", "item_ledger_entry_id", "applies_to_entry_id", "adjusted_ile"
        )[:limit]
    )
    for ve, item_no, ile, adjusted, adjusted_ile in rows:
        where = (
            "which does not exist"
            if adjusted_ile is None
            else f"of item ledger entry {adjusted_ile}, not of its own entry {ile}"
        )
        yield Finding(
            item_no,
            f"Value entry {ve} adjusts value entry {adjusted}, {where}.",
            entry_nos=tuple(no for no in (ile,) if no is not None),
            value_entry_nos=(ve,),
        )


def _item_no_blank(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.items()
        .filter(no__regex=r"^\s*$")
        .annotate(
            first=Subquery(
                ItemLedgerEntry.objects.filter(item=OuterRef("pk"))
                .order_by("entry_no")
                .values("entry_no")[:1]
            )
        )
        .values_list("pk", "first")[:limit]
    )
    for pk, first in rows:
        yield Finding(
            "",
            f"Item {pk} (internal id) has a blank item number.",
            entry_nos=(first,) if first else (),
        )


# -- 2. item ledger entries against their application entries ----------------------------------


def _with_application_sums(scope: Scope) -> QuerySet[ItemLedgerEntry]:
    own = ItemApplicationEntry.objects.filter(
        item_ledger_entry=OuterRef("pk"), inbound_item_entry=OuterRef("pk"), quantity__gt=0
    )
    as_inbound = ItemApplicationEntry.objects.filter(inbound_item_entry=OuterRef("pk"))
    as_outbound = ItemApplicationEntry.objects.filter(
        outbound_item_entry=OuterRef("pk"), quantity__lt=0
    )
    return scope.entries().annotate(
        own_applied=_summed(own, "inbound_item_entry", F("quantity")),
        inbound_applied=_summed(as_inbound, "inbound_item_entry", F("quantity")),
        outbound_applied=_summed(as_outbound, "outbound_item_entry", F("quantity")),
    )


def _inbound_own_application(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _with_application_sums(scope)
        .filter(positive=True)
        .exclude(own_applied=F("quantity"))
        .values_list("entry_no", "item__no", "quantity", "own_applied")[:limit]
    )

    def message(no, quantity, own):
        if own == 0:
            return (
                f"Inbound entry {no} (quantity {_q(quantity)}) has no application entry of its own."
            )
        return (
            f"Inbound entry {no} has quantity {_q(quantity)}, but its own application entries "
            f"hold {_q(own)}."
        )

    return _entries(rows, message)


def _inbound_remaining(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _with_application_sums(scope)
        .filter(positive=True)
        .exclude(inbound_applied=F("remaining_quantity"))
        .values_list("entry_no", "item__no", "remaining_quantity", "inbound_applied")[:limit]
    )
    return _entries(
        rows,
        lambda no, remaining, applied: (
            f"Inbound entry {no} has remaining quantity {_q(remaining)}, but its application "
            f"entries leave {_q(applied)}."
        ),
    )


def _outbound_applied(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _with_application_sums(scope)
        .filter(positive=False)
        .exclude(outbound_applied=F("quantity") - F("remaining_quantity"))
        .values_list("entry_no", "item__no", "quantity", "remaining_quantity", "outbound_applied")[
            :limit
        ]
    )

    def message(no, quantity, remaining, applied):
        expected = quantity - remaining
        if expected == 0:
            return (
                f"Outbound entry {no} is wholly open (remaining {_q(remaining)} of "
                f"{_q(quantity)}) yet is applied for {_q(-applied)}."
            )
        return (
            f"Outbound entry {no} (quantity {_q(quantity)}, remaining {_q(remaining)}) should be "
            f"applied for {_q(-expected)}; its application entries hold {_q(-applied)}."
        )

    return _entries(rows, message)


def _remaining_bounds(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = (
        Q(positive=True, remaining_quantity__lt=0)
        | Q(positive=True, remaining_quantity__gt=F("quantity"))
        | Q(positive=False, remaining_quantity__gt=0)
        | Q(positive=False, remaining_quantity__lt=F("quantity"))
        | Q(positive=True, quantity__lt=0)
        | Q(positive=False, quantity__gt=0)
        | Q(open=True, remaining_quantity=0)
        | (Q(open=False) & ~Q(remaining_quantity=0))
    )
    rows = (
        scope.entries()
        .filter(wrong)
        .values_list("entry_no", "item__no", "quantity", "remaining_quantity", "open", "positive")[
            :limit
        ]
    )

    def message(no, quantity, remaining, is_open, positive):
        if positive != (quantity > 0):
            kind = "inbound" if positive else "outbound"
            return f"Entry {no} is marked {kind} but has quantity {_q(quantity)}."
        if is_open != (remaining != 0):
            state = "open" if is_open else "closed"
            return f"Entry {no} is {state} with remaining quantity {_q(remaining)}."
        return (
            f"Entry {no} has remaining quantity {_q(remaining)} beyond its quantity {_q(quantity)}."
        )

    return _entries(rows, message)


def _application_findings(rows, message) -> Iterable[Finding]:
    for app, item_no, ile, inbound, outbound, *facts in rows:
        involved = tuple(dict.fromkeys(n for n in (ile, inbound, outbound) if n))
        yield Finding(
            item_no,
            message(app, inbound, outbound, *facts),
            entry_nos=involved,
            application_entry_nos=(app,),
        )


_APP = (
    "entry_no",
    "item_ledger_entry__item__no",
    "item_ledger_entry_id",
    "inbound_item_entry_id",
    "outbound_item_entry_id",
)


def _application_signs(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = (
        Q(quantity=0)
        | (Q(quantity__gt=0) & ~Q(item_ledger_entry_id=F("inbound_item_entry_id")))
        | Q(quantity__lt=0, outbound_item_entry__isnull=True)
    )
    rows = scope.applications().filter(wrong).values_list(*_APP, "quantity")[:limit]

    def message(app, inbound, outbound, quantity):
        if quantity == 0:
            return f"Application entry {app} has quantity 0."
        if quantity > 0:
            return (
                f"Application entry {app} has a positive quantity ({_q(quantity)}) but is not "
                f"inbound entry {inbound}'s own record."
            )
        return (
            f"Application entry {app} uses {_q(-quantity)} of entry {inbound} for no outbound "
            "entry."
        )

    return _application_findings(rows, message)


def _outbound_to_outbound(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.applications()
        .filter(quantity__lt=0, inbound_item_entry__positive=False)
        .values_list(*_APP)[:limit]
    )
    return _application_findings(
        rows,
        lambda app, inbound, outbound: (
            f"Application entry {app} applies outbound entry {outbound} to entry {inbound}, "
            "which is an outbound entry too."
        ),
    )


def _inbound_to_inbound(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        scope.applications()
        .filter(quantity__lt=0, outbound_item_entry__positive=True)
        .values_list(*_APP)[:limit]
    )
    return _application_findings(
        rows,
        lambda app, inbound, outbound: (
            f"Application entry {app} applies entry {outbound}, an inbound entry, to inbound "
            f"entry {inbound}."
        ),
    )


def _application_missing_entry(scope: Scope, limit: int) -> Iterable[Finding]:
    """Applications have no database constraints (migration inventory.0009): a link to an
    item ledger entry that does not exist is found here. It counts for the item of the entry
    it belongs to, or else of its inbound entry; one with neither is found over every item."""

    def entry(field: str) -> QuerySet[ItemLedgerEntry]:
        return ItemLedgerEntry.objects.filter(entry_no=OuterRef(field))

    def item_of(field: str) -> Subquery:
        return Subquery(entry(field).values("item__no")[:1])

    apps = ItemApplicationEntry.objects.annotate(
        item_no=Coalesce(item_of("item_ledger_entry_id"), item_of("inbound_item_entry_id")),
        own_exists=Exists(entry("item_ledger_entry_id")),
        inbound_exists=Exists(entry("inbound_item_entry_id")),
        outbound_exists=Exists(entry("outbound_item_entry_id")),
    ).filter(
        Q(own_exists=False)
        | Q(inbound_exists=False)
        | Q(outbound_item_entry_id__isnull=False, outbound_exists=False)
    )
    if not scope.everything:
        apps = apps.filter(scope._q("item_no"))
    rows = apps.order_by("entry_no").values_list(
        *_APP_COLUMNS, "own_exists", "inbound_exists", "outbound_exists"
    )[:limit]
    for app, item_no, own, inbound, outbound, *found in rows:
        links = zip(("entry", "inbound", "outbound"), (own, inbound, outbound), found, strict=True)
        gone = [f"{role} {no}" for role, no, exists in links if no is not None and not exists]
        yield Finding(
            item_no or "",
            f"Application entry {app} links item ledger entries that do not exist: "
            f"{', '.join(gone)}.",
            entry_nos=tuple(dict.fromkeys(n for n in (own, inbound, outbound) if n)),
            application_entry_nos=(app,),
        )


_APP_COLUMNS = (
    "entry_no",
    "item_no",
    "item_ledger_entry_id",
    "inbound_item_entry_id",
    "outbound_item_entry_id",
)


def _application_across_items(scope: Scope, limit: int) -> Iterable[Finding]:
    across = ~Q(inbound_item_entry__item_id=F("item_ledger_entry__item_id")) | (
        Q(outbound_item_entry__isnull=False)
        & ~Q(outbound_item_entry__item_id=F("inbound_item_entry__item_id"))
    )
    rows = (
        scope.applications()
        .filter(across)
        .values_list(*_APP, "inbound_item_entry__item__no", "outbound_item_entry__item__no")[:limit]
    )

    def message(app, inbound, outbound, inbound_item, outbound_item):
        return (
            f"Application entry {app} links entries of different items: inbound {inbound} "
            f"({inbound_item}), outbound {outbound or '-'} ({outbound_item or '-'})."
        )

    return _application_findings(rows, message)


def _application_duplicate(scope: Scope, limit: int) -> Iterable[Finding]:
    groups = (
        scope.applications()
        .values("item_ledger_entry_id", "inbound_item_entry_id", "outbound_item_entry_id")
        .annotate(n=Count("entry_no"))
        .filter(n__gt=1)
        .order_by("item_ledger_entry_id")
        .values_list(
            "item_ledger_entry_id",
            "inbound_item_entry_id",
            "outbound_item_entry_id",
            "item_ledger_entry__item__no",
            "n",
        )[:limit]
    )
    groups = list(groups)
    # The duplicates' own numbers, in one query for every group listed.
    numbers: dict[tuple, list[int]] = {}
    for no, *key in (
        ItemApplicationEntry.objects.filter(item_ledger_entry_id__in={g[0] for g in groups})
        .order_by("entry_no")
        .values_list(
            "entry_no", "item_ledger_entry_id", "inbound_item_entry_id", "outbound_item_entry_id"
        )
    ):
        numbers.setdefault(tuple(key), []).append(no)
    for ile, inbound, outbound, item_no, n in groups:
        yield Finding(
            item_no,
            f"{n} application entries link entry {ile}, inbound {inbound} and outbound "
            f"{outbound or '-'}: one is expected.",
            entry_nos=tuple(dict.fromkeys(x for x in (ile, inbound, outbound) if x)),
            application_entry_nos=tuple(numbers.get((ile, inbound, outbound), ())),
        )


def _cost_application_flag(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = Q(quantity__gt=0, outbound_item_entry__isnull=False, cost_application=False) | (
        Q(cost_application=True) & (Q(quantity__lte=0) | Q(outbound_item_entry__isnull=True))
    )
    rows = scope.applications().filter(wrong).values_list(*_APP, "cost_application")[:limit]

    def message(app, inbound, outbound, flag):
        if flag:
            return (
                f"Application entry {app} is marked as a cost application but is not an inbound "
                "entry's record of where its cost comes from."
            )
        return (
            f"Application entry {app}: inbound entry {inbound} takes its cost from entry "
            f"{outbound}, but the row is not marked as a cost application."
        )

    return _application_findings(rows, message)


# -- 3. valuation dates ------------------------------------------------------------------------


def _first_valuation_date(entry_ref: str) -> Subquery:
    """The valuation date of an entry's first value entry (the one that carries its quantity)."""
    return Subquery(
        ValueEntry.objects.filter(item_ledger_entry=OuterRef(entry_ref))
        .exclude(item_ledger_entry_quantity=0)
        .order_by("entry_no")
        .values("valuation_date")[:1]
    )


def _valuation_date(scope: Scope, limit: int) -> Iterable[Finding]:
    # An outbound entry applied when it was posted is valued no earlier than what it used
    # (DOMAIN §4.3); one posted before its inbound entry (negative inventory) may be.
    rows = (
        scope.applications()
        .filter(quantity__lt=0, item_ledger_entry_id=F("outbound_item_entry_id"))
        .annotate(
            out_date=_first_valuation_date("outbound_item_entry_id"),
            in_date=_first_valuation_date("inbound_item_entry_id"),
        )
        .filter(out_date__lt=F("in_date"))
        .values_list(*_APP, "out_date", "in_date")[:limit]
    )
    return _application_findings(
        rows,
        lambda app, inbound, outbound, out_date, in_date: (
            f"Outbound entry {outbound} is valued on {out_date:%Y-%m-%d}, before inbound entry "
            f"{inbound} it uses (valued on {in_date:%Y-%m-%d}; application entry {app})."
        ),
    )


# -- 4. valued by average cost -----------------------------------------------------------------


def _valued_by_average(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = Q(valued_by_average_cost=True) & (
        ~Q(item__costing_method=CostingMethod.AVERAGE) | Q(item_ledger_entry__positive=True)
    )
    rows = (
        scope.values()
        .filter(wrong)
        .values_list("entry_no", "item__no", "item_ledger_entry_id", "item__costing_method")[:limit]
    )
    for ve, item_no, ile, method in rows:
        why = "an inbound entry" if method == CostingMethod.AVERAGE else f"a {method} item"
        yield Finding(
            item_no,
            f"Value entry {ve} is marked Valued by Average Cost, but it belongs to {why}.",
            entry_nos=(ile,) if ile else (),
            value_entry_nos=(ve,),
        )


def _valued_by_average_mixed(scope: Scope, limit: int) -> Iterable[Finding]:
    values = ValueEntry.objects.filter(item_ledger_entry=OuterRef("pk"))
    marked = _summed(
        values.filter(valued_by_average_cost=True),
        "item_ledger_entry",
        Value(1),
        IntegerField(),
    )
    unmarked = _summed(
        values.filter(valued_by_average_cost=False),
        "item_ledger_entry",
        Value(1),
        IntegerField(),
    )
    rows = (
        scope.entries()
        .annotate(marked=marked, unmarked=unmarked)
        .filter(marked__gt=0, unmarked__gt=0)
        .values_list("entry_no", "item__no", "marked", "unmarked")[:limit]
    )
    return _entries(
        rows,
        lambda no, m, u: (
            f"Entry {no}: {m} of its value entries are valued by average cost and {u} are not; "
            "they must agree."
        ),
    )


# -- 5. quantities and expected cost of invoiced entries ---------------------------------------


def _with_value_sums(scope: Scope) -> QuerySet[ItemLedgerEntry]:
    values = ValueEntry.objects.filter(item_ledger_entry=OuterRef("pk"))
    return scope.entries().annotate(
        ve_quantity=_summed(values, "item_ledger_entry", F("item_ledger_entry_quantity")),
        ve_invoiced=_summed(values, "item_ledger_entry", F("invoiced_quantity")),
        ve_expected=_summed(values, "item_ledger_entry", F("cost_amount_expected"), _AMOUNT),
        ve_expected_posted=_summed(
            values, "item_ledger_entry", F("expected_cost_posted_to_gl"), _AMOUNT
        ),
    )


def _ve_quantity(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _with_value_sums(scope)
        .exclude(ve_quantity=F("quantity"))
        .values_list("entry_no", "item__no", "quantity", "ve_quantity")[:limit]
    )
    return _entries(
        rows,
        lambda no, quantity, ve: (
            f"Entry {no} has quantity {_q(quantity)}; its value entries carry {_q(ve)}."
        ),
    )


def _ve_invoiced_quantity(scope: Scope, limit: int) -> Iterable[Finding]:
    # Output is invoiced by its order's adjustment, not by a value entry: an order adjusted
    # (finished production, or assembly) marks its output completely invoiced while the
    # output's value entries invoice nothing (DOMAIN §14).
    made_actual = Q(
        entry_type__in=[EntryType.OUTPUT, EntryType.ASSEMBLY_OUTPUT],
        completely_invoiced=True,
        ve_invoiced=0,
        invoiced_quantity=F("quantity"),
    )
    rows = (
        _with_value_sums(scope)
        .exclude(ve_invoiced=F("invoiced_quantity"))
        .exclude(made_actual)
        .values_list("entry_no", "item__no", "invoiced_quantity", "ve_invoiced")[:limit]
    )
    return _entries(
        rows,
        lambda no, invoiced, ve: (
            f"Entry {no} has invoiced quantity {_q(invoiced)}; its value entries invoice {_q(ve)}."
        ),
    )


def _adjustment_quantities(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = (Q(adjustment=True) | Q(entry_type="rounding")) & (
        ~Q(invoiced_quantity=0) | ~Q(item_ledger_entry_quantity=0)
    )
    rows = (
        scope.values()
        .filter(wrong)
        .values_list(
            "entry_no",
            "item__no",
            "item_ledger_entry_id",
            "invoiced_quantity",
            "item_ledger_entry_quantity",
        )[:limit]
    )
    for ve, item_no, ile, invoiced, quantity in rows:
        yield Finding(
            item_no,
            f"Adjustment value entry {ve} carries quantity {_q(quantity)} and invoiced quantity "
            f"{_q(invoiced)}; an adjustment carries neither.",
            entry_nos=(ile,) if ile else (),
            value_entry_nos=(ve,),
        )


def _invoiced_beyond_quantity(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = (
        Q(invoiced_abs__gt=F("quantity_abs"))
        | Q(quantity__gt=0, invoiced_quantity__lt=0)
        | Q(quantity__lt=0, invoiced_quantity__gt=0)
    )
    rows = (
        scope.entries()
        .annotate(invoiced_abs=Abs("invoiced_quantity"), quantity_abs=Abs("quantity"))
        .filter(wrong)
        .values_list("entry_no", "item__no", "quantity", "invoiced_quantity")[:limit]
    )
    return _entries(
        rows,
        lambda no, quantity, invoiced: (
            f"Entry {no} has invoiced quantity {_q(invoiced)}, beyond its quantity {_q(quantity)}."
        ),
    )


def _completely_invoiced_flag(scope: Scope, limit: int) -> Iterable[Finding]:
    wrong = (Q(completely_invoiced=True) & ~Q(invoiced_quantity=F("quantity"))) | Q(
        completely_invoiced=False, invoiced_quantity=F("quantity")
    )
    rows = (
        scope.entries()
        .filter(wrong)
        .values_list(
            "entry_no", "item__no", "completely_invoiced", "quantity", "invoiced_quantity"
        )[:limit]
    )
    return _entries(
        rows,
        lambda no, flag, quantity, invoiced: (
            f"Entry {no} is {'' if flag else 'not '}marked completely invoiced with invoiced "
            f"quantity {_q(invoiced)} of {_q(quantity)}."
        ),
    )


def _expected_cost_on_invoiced(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _with_value_sums(scope)
        .filter(completely_invoiced=True)
        .exclude(ve_expected=0)
        .values_list("entry_no", "item__no", "ve_expected")[:limit]
    )
    return _entries(
        rows,
        lambda no, expected: (
            f"Entry {no} is completely invoiced but still has expected cost {expected:,.2f}."
        ),
    )


def _expected_cost_posted_on_invoiced(scope: Scope, limit: int) -> Iterable[Finding]:
    rows = (
        _with_value_sums(scope)
        .filter(completely_invoiced=True)
        .exclude(ve_expected_posted=0)
        .values_list("entry_no", "item__no", "ve_expected_posted")[:limit]
    )
    return _entries(
        rows,
        lambda no, posted: (
            f"Entry {no} is completely invoiced; {posted:,.2f} of expected cost posted to the "
            "G/L is not reversed there yet."
        ),
    )


# -- the checks --------------------------------------------------------------------------------

_FIX_APPLICATION = (
    "Correct the application entries (or the entry's remaining quantity) so that they agree, "
    "then Mark for Adjustment on the inbound entries involved and run the cost adjustment."
)
_FIX_VALUES = (
    "Correct the value entries of the entry (they were changed outside the posting services), "
    "then run the cost adjustment for the item."
)

CHECKS: list[Check] = [
    Check(
        "ile_entry_no",
        "Basic data",
        "Item ledger entry number above 0",
        "Renumber the entry; entry numbers start at 1.",
        _ile_entry_no,
    ),
    Check(
        "ile_quantity",
        "Basic data",
        "Item ledger entry quantity not 0",
        "An entry of quantity 0 cannot be costed: reverse it with a correcting entry and "
        "remove it in a sandbox copy.",
        _ile_quantity,
    ),
    Check(
        "ve_without_entry",
        "Basic data",
        "Value entries belong to an item ledger entry",
        "Link the value entry to the item ledger entry it values.",
        _ve_without_entry,
    ),
    Check(
        "ve_entry_type",
        "Basic data",
        "Value entry's item ledger entry type matches the entry",
        "Set the value entry's item ledger entry type to the entry's type.",
        _ve_entry_type,
    ),
    Check(
        "ve_item",
        "Basic data",
        "Value entry's item matches its item ledger entry's item",
        "Move the value entry to the item of its entry.",
        _ve_item,
    ),
    Check(
        "ve_location",
        "Basic data",
        "Value entry's location matches its item ledger entry's location",
        "Set the value entry's location to the location of its entry.",
        _ve_location,
    ),
    Check(
        "ve_applies_to",
        "Basic data",
        "An adjustment value entry adjusts a value entry of the same item ledger entry",
        "Point the adjustment at the value entry of its own entry that it adjusts.",
        _ve_applies_to,
    ),
    Check(
        "item_no_blank",
        "Basic data",
        "Item number not blank",
        "Give the item a number.",
        _item_no_blank,
    ),
    Check(
        "inbound_own_application",
        "Applications",
        "Inbound entry has its own application entry for its quantity",
        _FIX_APPLICATION,
        _inbound_own_application,
    ),
    Check(
        "inbound_remaining",
        "Applications",
        "Inbound entry's remaining quantity agrees with its applications",
        _FIX_APPLICATION,
        _inbound_remaining,
    ),
    Check(
        "outbound_applied",
        "Applications",
        "Outbound entry's applied quantity agrees with its remaining quantity",
        _FIX_APPLICATION,
        _outbound_applied,
    ),
    Check(
        "remaining_bounds",
        "Applications",
        "Remaining quantity within the quantity; open flag agrees",
        _FIX_APPLICATION,
        _remaining_bounds,
    ),
    Check(
        "application_missing_entry",
        "Applications",
        "Application entries link item ledger entries that exist",
        "Restore the missing item ledger entry from a backup, or remove the application entry "
        "and correct the remaining quantities, then Mark for Adjustment and run the cost "
        "adjustment.",
        _application_missing_entry,
    ),
    Check(
        "application_signs",
        "Applications",
        "Application entry signs are right",
        _FIX_APPLICATION,
        _application_signs,
    ),
    Check(
        "outbound_to_outbound",
        "Applications",
        "No outbound entry applied to an outbound entry",
        "Unapply the outbound entry and apply it to an inbound entry, then Mark for "
        "Adjustment and run the cost adjustment.",
        _outbound_to_outbound,
    ),
    Check(
        "inbound_to_inbound",
        "Applications",
        "No inbound entry applied to an inbound entry",
        "Unapply the inbound entries from each other, then Mark for Adjustment and run the "
        "cost adjustment.",
        _inbound_to_inbound,
    ),
    Check(
        "application_across_items",
        "Applications",
        "Applications stay within one item",
        "Remove the application between the items and apply each entry within its own item.",
        _application_across_items,
    ),
    Check(
        "application_duplicate",
        "Applications",
        "No duplicate application entries",
        "Remove the duplicate application entry and correct the remaining quantities.",
        _application_duplicate,
    ),
    Check(
        "cost_application_flag",
        "Applications",
        "Cost application flag is right",
        "Set Cost Application on the inbound entry's own record that names its cost source, "
        "and only there.",
        _cost_application_flag,
    ),
    Check(
        "valuation_date",
        "Valuation date",
        "Outbound entry not valued before the inbound entry it uses",
        "Mark the inbound entry for adjustment and run the cost adjustment; if it stays, "
        "correct the outbound entry's valuation date.",
        _valuation_date,
    ),
    Check(
        "valued_by_average_cost",
        "Valued by average cost",
        "Valued by Average Cost only on outbound entries of Average items",
        _FIX_VALUES,
        _valued_by_average,
    ),
    Check(
        "valued_by_average_cost_mixed",
        "Valued by average cost",
        "All value entries of an entry agree on Valued by Average Cost",
        _FIX_VALUES,
        _valued_by_average_mixed,
    ),
    Check(
        "ve_quantity",
        "Quantities and invoicing",
        "Value entries carry the entry's quantity",
        _FIX_VALUES,
        _ve_quantity,
    ),
    Check(
        "ve_invoiced_quantity",
        "Quantities and invoicing",
        "Value entries' invoiced quantity agrees with the entry",
        _FIX_VALUES,
        _ve_invoiced_quantity,
    ),
    Check(
        "adjustment_quantities",
        "Quantities and invoicing",
        "Adjustment value entries carry no quantity",
        _FIX_VALUES,
        _adjustment_quantities,
    ),
    Check(
        "invoiced_beyond_quantity",
        "Quantities and invoicing",
        "Invoiced quantity not beyond the quantity",
        "Correct the entry's invoiced quantity from its value entries.",
        _invoiced_beyond_quantity,
    ),
    Check(
        "completely_invoiced_flag",
        "Quantities and invoicing",
        "Completely Invoiced agrees with the invoiced quantity",
        "Set Completely Invoiced from the invoiced quantity.",
        _completely_invoiced_flag,
    ),
    Check(
        "expected_cost_on_invoiced",
        "Quantities and invoicing",
        "No expected cost left on completely invoiced entries",
        "Post a value entry that reverses the remaining expected cost, then run the cost "
        "adjustment.",
        _expected_cost_on_invoiced,
    ),
    Check(
        "expected_cost_posted_on_invoiced",
        "Quantities and invoicing",
        "Expected cost posted to the G/L is reversed on completely invoiced entries",
        "Run Post Inventory Cost to G/L; the reversal of the expected cost is waiting there.",
        _expected_cost_posted_on_invoiced,
        severity=WARNING,
    ),
]


def register_check(check: Check) -> None:
    """Add a check (e.g. capacity ledger entries, from the app that owns them)."""
    if all(c.code != check.code for c in CHECKS):
        CHECKS.append(check)


def costing_issues_detect(
    *,
    item_filter: str | None = None,
    item_no: str | None = None,
    checks: Iterable[str] | None = None,
    limit: int = DEFAULT_LIMIT,
) -> CostingIssuesReport:
    """Run the checks (all, or those named) for the items of the filter, or for one item.
    Raises InvalidInput for a bad filter or an unknown check."""
    scope = Scope(item_filter or None, item_no or None)
    scope.items().exists()  # validates the filter before anything runs
    chosen = list(CHECKS)
    if checks:
        wanted = list(checks)
        unknown = sorted(set(wanted) - {c.code for c in CHECKS})
        if unknown:
            from inventory.errors import InvalidInput

            raise InvalidInput.on("check", f"Unknown checks: {', '.join(unknown)}.")
        chosen = [c for c in CHECKS if c.code in wanted]
    results = []
    for check in chosen:
        found = list(check.run(scope, limit + 1))
        results.append(CheckResult(check, found[:limit], more=len(found) > limit))
    return CostingIssuesReport(item_filter=scope.item_no or scope.item_filter, results=results)


__all__ = [
    "CHECKS",
    "Check",
    "CheckResult",
    "CostingIssuesReport",
    "Finding",
    "Scope",
    "costing_issues_detect",
    "register_check",
]
