"""Inventory - G/L Reconciliation (spec DOMAIN §12; BC codeunit 5845 "Get Inventory Report").

A selector: it reads the value entries and the G/L entries and writes nothing.

The matrix
----------
Rows are the account types (``Role``, in its order) and a Total row. Every value entry amount is
placed in the cells where it *will* land once posted to the G/L, by the same double-entry matrix
that posting uses (``ledger.accounts.roles_for``): the part's amount in the row of its account,
the opposite amount in the row of its balancing account, both in one column:

- **Inventory**: actual cost (``cost_amount_actual``) of every part that does not touch WIP;
- **Inventory (Interim)**: expected cost (``cost_amount_expected``, the parts that post with
  ``roles_for(..., expected=True)``) that does not touch WIP;
- **WIP Inventory**: every part, actual or expected, whose account or balancing account is WIP
  (production consumption and output). This follows BC, whose WIP column holds the production
  flows ("Inventory To WIP", "WIP To Interim", the applied capacity cost); putting both sides
  of a pair in the same column keeps each column balanced.

Expected cost is placed whether or not Expected Cost Posting to G/L is on: the accountant sees it
(in the interim column, against a G/L that does not have it) and warning 1 explains why.

- **Total** (per row) = Inventory + Inventory (Interim) + WIP Inventory: what the value entries
  say the row's accounts should hold.
- **G/L Total** (per row) = the G/L entries in the date range on the accounts the posting setups
  (every Inventory and General Posting Setup) name for that account type. An account named for
  several account types is counted once, on the first of them in ``Role`` order (otherwise its
  balance would be counted twice); the warnings name such accounts when they cause a difference.
- **Difference** = G/L Total - Total.
- The **Total row** adds up each column. Each value-entry amount is placed twice with opposite
  signs, so its Inventory, Inventory (Interim), WIP Inventory and Total cells are always zero -
  the proof that the matrix balances. Its G/L Total (and so its Difference) is non-zero only
  when the G/L entries on the mapped accounts do not balance among themselves, e.g. a manual
  posting whose other side is on an account outside inventory.

Filters: a posting date range (value entries by their posting date, G/L entries by theirs), an
item and a location. With an item or location filter only the G/L entries linked (G/L - Item
Ledger Relation) to value entries of that item / location count; a G/L entry posted per posting
group may combine several items, and is then counted whole (a warning says so).

All amounts come from a handful of GROUP BY queries; the few groups are then mapped to cells.

The warnings (DOMAIN §12 order)
-------------------------------
1. Expected cost - checked first and on its own: interim or WIP rows differ while Expected Cost
   Posting to G/L is off. Those rows are then explained, and the others are checked for 2-8.
2. No difference.
3. Cost not posted to G/L.
4. Compression - cannot occur: this product never date-compresses value or G/L entries.
5. Closing-period overlap - cannot occur: this product writes no closing-date G/L entries.
6. Deleted G/L accounts - cannot occur: G/L entries protect their accounts (on_delete=PROTECT)
   and the account is required.
   (4-6 are therefore never emitted.)
   Before 7, and only with an item filter: G/L entries that combine the item with other items.
7. Posting-date mismatch: with a date range, the differences vanish when dates are ignored.
8. Direct postings: G/L entries on the mapped accounts that no value entry is behind.
   After 8, as the last explanations: an account shared by several account types, and
   otherwise a difference nothing above explains (said as such).
As in BC, the first of 2-8 that applies is the one reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from costing.engine.periods import period_end
from inventory.models import EntryType, InventorySetup, ValueEntry, ValueEntryType, VarianceType
from ledger.accounts import CAPACITY_ORDER_TYPES, AccountBook, Role, roles_for
from ledger.models import GLEntry, GLItemLedgerRelation

ZERO = Decimal("0")
CENT = Decimal("0.01")

INVENTORY = "inventory"
INVENTORY_INTERIM = "inventory_interim"
WIP_INVENTORY = "wip_inventory"
COLUMNS = (INVENTORY, INVENTORY_INTERIM, WIP_INVENTORY)
COLUMN_LABELS = {
    INVENTORY: "Inventory",
    INVENTORY_INTERIM: "Inventory (Interim)",
    WIP_INVENTORY: "WIP Inventory",
}
TOTAL = "total"
ACCOUNT_TYPES = (*(role.value for role in Role), TOTAL)

# The rows whose difference "Expected cost posting is off" explains (BC: Inventory (Interim),
# Invt. Accrual (Interim), COGS (Interim) and WIP Inventory).
EXPECTED_COST_ROWS = frozenset(
    {Role.INVENTORY_INTERIM, Role.INVT_ACCRUAL_INTERIM, Role.COGS_INTERIM, Role.WIP}
)


# -- which value entry part lands in which cells -------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One part (actual or expected) of the value entries of one kind, and where it lands."""

    item_ledger_entry_type: str
    entry_type: str
    variance_type: str
    expected: bool
    roles: tuple[Role, Role]
    order_type: str = ""  # capacity value entries only (item_ledger_entry_type "")

    @property
    def column(self) -> str:
        return column_of(self.roles, self.expected)

    @property
    def amount_field(self) -> str:
        return "cost_amount_expected" if self.expected else "cost_amount_actual"


def column_of(roles: tuple[Role, Role], expected: bool) -> str:
    if Role.WIP in roles:
        return WIP_INVENTORY
    return INVENTORY_INTERIM if expected else INVENTORY


def _all_parts() -> tuple[Part, ...]:
    """Every kind of value entry part that posts, from the account matrix itself."""
    parts = []
    kinds = [(t, "") for t in EntryType.values] + [("", o) for o in CAPACITY_ORDER_TYPES]
    for ile_type, order_type in kinds:
        for entry_type in ValueEntryType.values:
            for variance_type in VarianceType.values:
                for expected in (False, True):
                    roles = roles_for(ile_type, entry_type, variance_type, expected, order_type)
                    if roles is not None:
                        parts.append(
                            Part(ile_type, entry_type, variance_type, expected, roles, order_type)
                        )
    return tuple(parts)


PARTS = _all_parts()


def parts_of_cell(account_type: str, column: str) -> list[Part]:
    """The kinds of parts whose amounts make up a cell (account_type or column may be "total")."""
    return [
        part
        for part in PARTS
        if (account_type == TOTAL or account_type in part.roles)
        and (column == TOTAL or part.column == column)
    ]


def signed_amount(value: ValueEntry, account_type: str, column: str) -> Decimal:
    """What one value entry contributes to a cell (its parts, negated on the balancing side)."""
    total = ZERO
    for expected in (False, True):
        roles = roles_for(
            value.item_ledger_entry_type,
            value.entry_type,
            value.variance_type,
            expected,
            value.order_type,
        )
        if roles is None or (column != TOTAL and column_of(roles, expected) != column):
            continue
        amount = value.cost_amount_expected if expected else value.cost_amount_actual
        for role, sign in ((roles[0], 1), (roles[1], -1)):
            if account_type in (TOTAL, role):
                total += sign * amount
    return total


# -- filters -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    item_no: str = ""
    location_code: str = ""

    @property
    def has_dates(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    @property
    def has_item_or_location(self) -> bool:
        return bool(self.item_no or self.location_code)

    def _value_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.item_no:
            q &= Q(**{f"{prefix}item__no": self.item_no})
        if self.location_code:
            q &= Q(**{f"{prefix}location_id": self.location_code})
        return q

    def value_entries(self, *, dates: bool = True) -> QuerySet[ValueEntry]:
        qs = ValueEntry.objects.filter(self._value_q())
        if dates and self.date_from:
            qs = qs.filter(posting_date__gte=self.date_from)
        if dates and self.date_to:
            qs = qs.filter(posting_date__lte=self.date_to)
        return qs

    def gl_entries(self, *, dates: bool = True) -> QuerySet[GLEntry]:
        """G/L entries of the date range; with an item or location filter, only those posted
        from value entries of that item / location."""
        qs = GLEntry.objects.all()
        if dates and self.date_from:
            qs = qs.filter(posting_date__gte=self.date_from)
        if dates and self.date_to:
            qs = qs.filter(posting_date__lte=self.date_to)
        if self.has_item_or_location:
            links = GLItemLedgerRelation.objects.filter(gl_entry=OuterRef("pk")).filter(
                self._value_q("value_entry__")
            )
            qs = qs.filter(Exists(links))
        return qs

    def combined_gl_entries(self, accounts) -> QuerySet[GLEntry]:
        """G/L entries of the filter that also carry value entries outside the item/location
        filter (a per-posting-group entry that combines items)."""
        others = GLItemLedgerRelation.objects.filter(gl_entry=OuterRef("pk")).exclude(
            self._value_q("value_entry__")
        )
        return self.gl_entries().filter(account_id__in=accounts).filter(Exists(others))


# -- accounts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountMap:
    owner: dict[str, Role]  # account no -> the account type whose G/L Total counts it
    shared: dict[str, list[Role]]  # accounts named for more than one account type

    def accounts_of(self, account_type: str) -> list[str]:
        return sorted(no for no, role in self.owner.items() if account_type in (TOTAL, role))


def account_map() -> AccountMap:
    by_role = AccountBook().accounts_by_role()
    owner: dict[str, Role] = {}
    roles_of: dict[str, list[Role]] = defaultdict(list)
    for role in Role:
        for no in sorted(by_role[role]):
            owner.setdefault(no, role)
            roles_of[no].append(role)
    shared = {no: roles for no, roles in roles_of.items() if len(roles) > 1}
    return AccountMap(owner, shared)


# -- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconciliationWarning:
    code: str
    title: str
    message: str


@dataclass
class Row:
    account_type: str
    label: str
    inventory: Decimal = ZERO
    inventory_interim: Decimal = ZERO
    wip_inventory: Decimal = ZERO
    gl_total: Decimal = ZERO
    warning: str | None = None

    @property
    def total(self) -> Decimal:
        return self.inventory + self.inventory_interim + self.wip_inventory

    @property
    def difference(self) -> Decimal:
        return self.gl_total - self.total


@dataclass
class Reconciliation:
    filter: ReconciliationFilter
    show_warning: bool
    rows: list[Row]
    warnings: list[ReconciliationWarning] = field(default_factory=list)

    def row(self, account_type: str) -> Row:
        return next(r for r in self.rows if r.account_type == account_type)

    @property
    def role_rows(self) -> list[Row]:
        return [r for r in self.rows if r.account_type != TOTAL]


# -- computing -----------------------------------------------------------------------------------


def _cents(amount) -> Decimal:
    """A SUM as an amount: exact on PostgreSQL; SQLite sums decimals as floating point, whose
    noise (6E-14) must not show as a difference."""
    return Decimal(amount or 0).quantize(CENT)


def _value_cells(
    flt: ReconciliationFilter, *, dates: bool = True
) -> dict[tuple[Role, str], Decimal]:
    cells: dict[tuple[Role, str], Decimal] = defaultdict(lambda: ZERO)
    groups = (
        flt.value_entries(dates=dates)
        .order_by()
        .values("item_ledger_entry_type", "entry_type", "variance_type", "order_type")
        .annotate(actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected"))
    )
    for group in groups:
        for expected, amount in ((False, group["actual"]), (True, group["expected"])):
            amount = _cents(amount)
            if not amount:
                continue
            roles = roles_for(
                group["item_ledger_entry_type"],
                group["entry_type"],
                group["variance_type"],
                expected,
                group["order_type"],
            )
            if roles is None:  # cannot post either; "cost not posted" reports it
                continue
            column = column_of(roles, expected)
            cells[(roles[0], column)] += amount
            cells[(roles[1], column)] -= amount
    return cells


def _gl_totals(
    flt: ReconciliationFilter, accounts: AccountMap, *, dates: bool = True
) -> dict[Role, Decimal]:
    totals: dict[Role, Decimal] = defaultdict(lambda: ZERO)
    if not accounts.owner:
        return totals
    groups = (
        flt.gl_entries(dates=dates)
        .filter(account_id__in=list(accounts.owner))
        .order_by()
        .values("account_id")
        .annotate(total=Sum("amount"))
    )
    for group in groups:
        totals[accounts.owner[group["account_id"]]] += _cents(group["total"])
    return totals


def _rows(cells: dict[tuple[Role, str], Decimal], gl: dict[Role, Decimal]) -> list[Row]:
    rows = []
    for role in Role:
        row = Row(role.value, role.label, gl_total=gl.get(role, ZERO))
        for column in COLUMNS:
            setattr(row, column, cells.get((role, column), ZERO))
        rows.append(row)
    total = Row(TOTAL, "Total")
    for column in (*COLUMNS, "gl_total"):
        setattr(total, column, sum((getattr(r, column) for r in rows), ZERO))
    rows.append(total)
    return rows


def reconciliation_matrix(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    item_no: str = "",
    location_code: str = "",
    show_warning: bool = True,
) -> Reconciliation:
    """The Inventory - G/L Reconciliation matrix for the filters, with its warnings."""
    flt = ReconciliationFilter(date_from, date_to, item_no, location_code)
    accounts = account_map()
    rows = _rows(_value_cells(flt), _gl_totals(flt, accounts))
    result = Reconciliation(flt, show_warning, rows)
    if show_warning:
        _warn(result, accounts)
    return result


def cell_value_entries(
    account_type: str, column: str, flt: ReconciliationFilter
) -> QuerySet[ValueEntry]:
    """The value entries whose amounts make up one cell (no entry whose part there is zero)."""
    by_kind: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    capacity: list[Part] = []
    for part in parts_of_cell(account_type, column):
        if not part.item_ledger_entry_type:
            capacity.append(part)
            continue
        by_kind[(part.entry_type, part.variance_type, part.expected)].append(
            part.item_ledger_entry_type
        )
    q = Q(pk__in=[])
    for (entry_type, variance_type, expected), ile_types in sorted(by_kind.items()):
        amount_field = "cost_amount_expected" if expected else "cost_amount_actual"
        q |= Q(
            entry_type=entry_type,
            variance_type=variance_type,
            item_ledger_entry_type__in=sorted(set(ile_types)),
        ) & ~Q(**{amount_field: 0})
    for part in capacity:
        q |= Q(
            item_ledger_entry_type="", entry_type=part.entry_type, order_type=part.order_type
        ) & ~Q(**{part.amount_field: 0})
    return flt.value_entries().filter(q).select_related("item").order_by("entry_no")


def cell_amount(account_type: str, column: str, flt: ReconciliationFilter) -> Decimal:
    cells = _value_cells(flt)
    roles = list(Role) if account_type == TOTAL else [Role(account_type)]
    columns = COLUMNS if column == TOTAL else (column,)
    return sum((cells.get((role, c), ZERO) for role in roles for c in columns), ZERO)


def row_gl_entries(account_type: str, flt: ReconciliationFilter) -> QuerySet[GLEntry]:
    """The G/L entries behind a row's G/L Total."""
    accounts = account_map().accounts_of(account_type)
    return (
        flt.gl_entries()
        .filter(account_id__in=accounts)
        .prefetch_related("value_links")
        .order_by("entry_no")
    )


def row_gl_total(account_type: str, flt: ReconciliationFilter) -> Decimal:
    return row_gl_entries(account_type, flt).aggregate(s=Sum("amount"))["s"] or ZERO


# -- warnings ------------------------------------------------------------------------------------


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):,}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _expected_cost_warning() -> ReconciliationWarning:
    return ReconciliationWarning(
        "expected_cost",
        "Expected cost is not posted to the G/L",
        "The interim rows differ while Expected Cost Posting to G/L is off in the Inventory "
        "Setup: expected cost (received or shipped, not yet invoiced) is not posted to the "
        "interim accounts, nor is its release when the entries are invoiced. Turn on Expected "
        "Cost Posting to G/L and run Post Inventory Cost to G/L if the interim accounts should "
        "show it, or ignore the interim difference: the actual (invoiced) cost is not "
        "affected.",
    )


def _no_difference_warning() -> ReconciliationWarning:
    return ReconciliationWarning(
        "no_difference",
        "No difference",
        "Inventory and the general ledger agree for these filters; there is nothing to reconcile.",
    )


def _unposted_q(setup: InventorySetup) -> Q:
    """Value entries with cost that Post Inventory Cost to G/L would still post."""
    expected_left = ~Q(cost_amount_expected=F("expected_cost_posted_to_gl"))
    if not setup.expected_cost_posting_to_gl:
        # Expected cost posts only while expected cost posting is on, or to complete an
        # entry whose expected cost was posted before (ledger.services.posting).
        expected_left &= ~Q(expected_cost_posted_to_gl=0)
    return ~Q(cost_amount_actual=F("cost_posted_to_gl")) | expected_left


def _cost_not_posted(
    flt: ReconciliationFilter, setup: InventorySetup
) -> ReconciliationWarning | None:
    count = flt.value_entries().filter(_unposted_q(setup)).count()
    if not count:
        return None
    return ReconciliationWarning(
        "cost_not_posted",
        "Cost not posted to G/L",
        f"{_plural(count, 'value entry has', 'value entries have')} cost that is not posted "
        "to the general ledger yet. Run Adjust Cost - Item Entries, then Post Inventory Cost "
        "to G/L; if it skips entries, its report says why (for example a missing posting "
        "setup).",
    )


def _combined(flt: ReconciliationFilter, accounts: AccountMap) -> ReconciliationWarning | None:
    if not flt.item_no:
        return None
    count = flt.combined_gl_entries(list(accounts.owner)).count()
    if not count:
        return None
    return ReconciliationWarning(
        "combined_gl_entries",
        "G/L entries combine several items",
        f"{_plural(count, 'G/L entry', 'G/L entries')} posted per posting group also "
        f"carry other items than {flt.item_no}, and count here in full. Compare without the "
        "item filter (or by location), or post per entry to reconcile one item exactly.",
    )


def _posting_dates(
    flt: ReconciliationFilter, accounts: AccountMap, explained: frozenset[Role]
) -> ReconciliationWarning | None:
    if not flt.has_dates:
        return None
    undated = _rows(_value_cells(flt, dates=False), _gl_totals(flt, accounts, dates=False))
    if any(
        r.difference for r in undated if r.account_type != TOTAL and r.account_type not in explained
    ):
        return None
    return ReconciliationWarning(
        "posting_date",
        "Posting dates differ",
        "Inventory and the G/L agree when posting dates are ignored: some G/L entries are "
        "dated differently from the value entries behind them. Drill down into the G/L "
        "Total and check the posting dates of the entries, or widen the date range.",
    )


def _direct_postings(
    flt: ReconciliationFilter, accounts: AccountMap
) -> ReconciliationWarning | None:
    if flt.has_item_or_location or not accounts.owner:
        return None  # unlinked entries belong to no item or location: they are not counted
    unlinked = (
        flt.gl_entries()
        .filter(account_id__in=list(accounts.owner))
        .exclude(Exists(GLItemLedgerRelation.objects.filter(gl_entry=OuterRef("pk"))))
    )
    found = unlinked.order_by().values("account_id").annotate(total=Sum("amount"))
    found = sorted((g["account_id"], g["total"]) for g in found)
    if not found:
        return None
    count = unlinked.count()
    where = ", ".join(f"{no} ({_money(total)})" for no, total in found)
    return ReconciliationWarning(
        "direct_postings",
        "Direct postings to inventory accounts",
        f"{_plural(count, 'G/L entry was', 'G/L entries were')} posted to inventory accounts "
        f"directly, not from value entries (accounts {where}), e.g. manual journal lines. "
        "Drill down into the G/L Total, find the entries without value entries, and reverse "
        "them or post the matching inventory transaction instead.",
    )


def _shared_accounts(rows: list[Row], accounts: AccountMap) -> ReconciliationWarning | None:
    differing = {r.account_type for r in rows if r.difference}
    shared = {
        no: roles for no, roles in accounts.shared.items() if differing & {r.value for r in roles}
    }
    if not shared:
        return None
    where = "; ".join(
        f"{no}: {', '.join(r.label for r in roles)}" for no, roles in sorted(shared.items())
    )
    return ReconciliationWarning(
        "shared_accounts",
        "Accounts shared by several account types",
        f"Some G/L accounts are named for several account types in the posting setups "
        f"({where}). Their balance counts on the first of those rows only, so the other rows "
        "show the opposite difference. Read those rows together, or give each account type "
        "its own account.",
    )


def _unexplained() -> ReconciliationWarning:
    return ReconciliationWarning(
        "direct_postings",
        "Unexplained difference",
        "A difference remains that none of the checks explain. Look for G/L entries posted to "
        "the inventory accounts from elsewhere, or for posting setups whose accounts were "
        "changed after entries were posted to them.",
    )


def _warn(result: Reconciliation, accounts: AccountMap) -> None:
    setup = InventorySetup.get()
    flt = result.filter
    rows = result.role_rows
    row_warnings: dict[str, str] = {}

    explained: frozenset[Role] = frozenset()
    if not setup.expected_cost_posting_to_gl and any(
        r.difference for r in rows if r.account_type in EXPECTED_COST_ROWS
    ):
        warning = _expected_cost_warning()
        result.warnings.append(warning)
        explained = EXPECTED_COST_ROWS
        for r in rows:
            if r.account_type in explained and r.difference:
                row_warnings[r.account_type] = warning.message

    remaining = [r for r in rows if r.difference and r.account_type not in explained]
    if not any(r.difference for r in rows):
        result.warnings.append(_no_difference_warning())
    elif remaining:
        # 4. compression, 5. closing-period overlap and 6. deleted G/L accounts cannot occur
        # in this product (see the module docstring); they are never checked or emitted.
        warning = (
            _cost_not_posted(flt, setup)
            or _combined(flt, accounts)
            or _posting_dates(flt, accounts, explained)
            or _direct_postings(flt, accounts)
            or _shared_accounts(remaining, accounts)
            or _unexplained()
        )
        result.warnings.append(warning)
        for r in remaining:
            row_warnings[r.account_type] = warning.message

    for r in result.rows:
        r.warning = row_warnings.get(r.account_type)
    total = result.row(TOTAL)
    if total.difference and result.warnings:
        general = [w for w in result.warnings if w.code != "expected_cost"]
        total.warning = (general or result.warnings)[0].message


# -- the trend under the matrix: inventory value against G/L inventory, month by month ------


@dataclass
class ChartPoint:
    day: dt.date
    inventory_value: Decimal
    gl_inventory: Decimal
    x: float = 0.0
    y_value: float = 0.0
    y_gl: float = 0.0

    @property
    def difference(self) -> Decimal:
        return self.gl_inventory - self.inventory_value


def _monthly(rows) -> dict[dt.date, Decimal]:
    """{first day of month: sum} from a values("month").annotate(total=...) queryset."""
    found: dict[dt.date, Decimal] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        found[month] = found.get(month, Decimal(0)) + (row["total"] or Decimal(0))
    return found


def inventory_trend(flt: ReconciliationFilter, points: int = 12) -> list[ChartPoint]:
    """Month-end balances (the last `points` months that have entries, and the filter's end
    date as the last point when it has one): the inventory value (actual +
    expected cost of the value entries posted up to the point) and the G/L balance of the
    Inventory and Inventory (Interim) accounts. Two GROUP BY month queries, summed up in
    order here; the item and location filters apply as in the matrix."""
    values = flt.value_entries(dates=False)
    accounts = account_map()
    gl_accounts = accounts.accounts_of(Role.INVENTORY) + accounts.accounts_of(
        Role.INVENTORY_INTERIM
    )
    gl = flt.gl_entries(dates=False).filter(account_id__in=gl_accounts)
    if flt.date_to:
        values = values.filter(posting_date__lte=flt.date_to)
        gl = gl.filter(posting_date__lte=flt.date_to)
    value_months = _monthly(
        values.order_by()
        .annotate(month=TruncMonth("posting_date"))
        .values("month")
        .annotate(total=Sum(F("cost_amount_actual") + F("cost_amount_expected")))
    )
    gl_months = _monthly(
        gl.order_by()
        .annotate(month=TruncMonth("posting_date"))
        .values("month")
        .annotate(total=Sum("amount"))
    )
    months = sorted(set(value_months) | set(gl_months))
    series: list[ChartPoint] = []
    running_value = running_gl = Decimal(0)
    for month in months:
        running_value += value_months.get(month, Decimal(0))
        running_gl += gl_months.get(month, Decimal(0))
        day = period_end(month, "month")
        if flt.date_to and day > flt.date_to:
            day = flt.date_to  # the last month is cut at the end date (entries after it excluded)
        series.append(ChartPoint(day, running_value, running_gl))
    if flt.date_to and series and series[-1].day != flt.date_to:
        # The balances at the end date itself, as the matrix shows them.
        series.append(ChartPoint(flt.date_to, running_value, running_gl))
    if flt.date_from:
        series = [p for p in series if p.day >= flt.date_from]
    return series[-points:]
