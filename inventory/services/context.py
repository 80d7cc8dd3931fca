"""The in-memory ledger state of one posting transaction, and its single flush to the database.

Every posting service (journal, invoice, item charge, revaluation) works through a
PostingContext: it locks the items involved (in item order, so two postings never deadlock),
loads what the lines need in a few bulk queries, keeps new and changed entries in memory while
the lines are processed in order, and writes everything with bulk statements at the end.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.db.models import F, Max, Q, Sum

from costing.engine.money import ZERO, q_unit_cost
from costing.engine.periods import period_end
from inventory.models import (
    AccountingPeriod,
    AverageCostCalcType,
    AvgCostAdjmtEntryPoint,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from inventory.numbering import allocate
from inventory.services.guards import PostingGuard
from inventory.services.hooks import Posted, after_posting
from inventory.services.writing import value_entries_write
from inventory.sql import insert_instances, new_instance, update_instances

OpenKey = tuple[int, str | None, str, bool]  # item id, location code, variant code, positive
_BY_DATE = attrgetter("posting_date", "entry_no")  # open entries, oldest first


@dataclass
class ItemState:
    """An item with its quantity on hand and inventory value, kept current line by line."""

    item: Item
    quantity: Decimal = ZERO
    value: Decimal = ZERO
    changed: bool = False


@dataclass
class EntryCost:
    """What an entry is worth per unit for valuing whatever applies to it.

    Revaluations count per unit of the quantity they revalued (their valued quantity), everything
    else per unit of the entry's quantity (spec §8; BC CalcInbndEntryAdjustedCost).
    """

    base: Decimal = ZERO  # actual + expected of direct, indirect and variance entries
    revaluation_per_unit: Decimal = ZERO
    valuation_date: dt.date | None = None

    def unit_cost(self, quantity: Decimal) -> Decimal:
        return self.base / quantity + self.revaluation_per_unit


@dataclass
class PostingContext:
    setup: InventorySetup
    guard: PostingGuard | None = None
    items: dict[str, ItemState] = field(default_factory=dict)
    entries: dict[int, ItemLedgerEntry] = field(default_factory=dict)
    costs: dict[int, EntryCost] = field(default_factory=dict)
    new_entries: list[ItemLedgerEntry] = field(default_factory=list)
    new_values: list[ValueEntry] = field(default_factory=list)
    new_applications: list[ItemApplicationEntry] = field(default_factory=list)
    changed_entry_nos: set[int] = field(default_factory=set)
    _open: dict[OpenKey, list[ItemLedgerEntry]] = field(default_factory=dict)
    _numbers: deque[int] = field(default_factory=deque)
    _new_nos: set[int] = field(default_factory=set)

    # -- loading -----------------------------------------------------------------------------

    def lock_items(self, item_nos: Iterable[str]) -> None:
        """Lock the items (item-number order) and load quantity on hand and value for each."""
        nos = sorted(set(item_nos) - set(self.items))
        if not nos:
            return
        locked = list(Item.objects.filter(no__in=nos).order_by("no").select_for_update())
        by_id = {item.pk: item for item in locked}
        for item in locked:
            self.items[item.no] = ItemState(item=item)
        quantities = (
            ItemLedgerEntry.objects.filter(item_id__in=by_id)
            .values("item_id")
            .annotate(q=Sum("quantity"))
        )
        for row in quantities:
            self.items[by_id[row["item_id"]].no].quantity = row["q"] or ZERO
        values = (
            ValueEntry.objects.filter(item_id__in=by_id)
            .values("item_id")
            .annotate(v=Sum(F("cost_amount_actual") + F("cost_amount_expected")))
        )
        for row in values:
            self.items[by_id[row["item_id"]].no].value = row["v"] or ZERO

    def state(self, item: Item) -> ItemState:
        return self.items[item.no]

    def reserve_entry_numbers(self, count: int) -> None:
        self._numbers.extend(allocate(ItemLedgerEntry, count))

    def load_entries(self, entry_nos: Iterable[int]) -> None:
        """Load entries named by the lines (applies-to, applies-from) with their costs."""
        wanted = [no for no in set(entry_nos) if no not in self.entries]
        if not wanted:
            return
        loaded = list(ItemLedgerEntry.objects.filter(entry_no__in=wanted))
        self._remember(loaded)

    def entry(self, entry_no: int) -> ItemLedgerEntry | None:
        return self.entries.get(entry_no)

    def preload_open_entries(self, keys: Iterable[tuple[int, str | None, str]]) -> None:
        """Load the open entries (both directions) of many item/location/variant keys in one
        query, so that a journal does not ask once per key."""
        keys = {key for key in keys if (*key, True) not in self._open}
        if not keys:
            return
        # By item only, the rest sorted out here: an OR of one condition per key cost the ORM
        # more to compile than the database to run, and an item's open entries are few.
        loaded = [
            self.entries.get(e.entry_no, e)
            for e in ItemLedgerEntry.objects.filter(
                item_id__in={item_id for item_id, _, _ in keys}, open=True
            ).order_by("posting_date", "entry_no")
            if (e.item_id, e.location_id, e.variant_code) in keys
        ]
        self._remember(loaded)
        for item_id, location_code, variant_code in keys:
            for positive in (True, False):
                self._open[(item_id, location_code, variant_code, positive)] = []
        for entry in loaded:
            self._open[
                (entry.item_id, entry.location_id, entry.variant_code, entry.positive)
            ].append(entry)

    def open_entries(
        self, item: Item, location_code: str | None, variant_code: str, positive: bool
    ) -> list[ItemLedgerEntry]:
        """Open entries of one item, location and variant, oldest first (by date, then number)."""
        entries = self._open_list((item.pk, location_code, variant_code, positive))
        entries[:] = sorted((e for e in entries if e.open), key=_BY_DATE)
        return entries

    def _open_list(self, key: OpenKey) -> list[ItemLedgerEntry]:
        """The open entries kept for a key, loaded from the database the first time."""
        entries = self._open.get(key)
        if entries is None:
            item_id, location_code, variant_code, positive = key
            loaded = list(
                ItemLedgerEntry.objects.filter(
                    item_id=item_id,
                    location_id=location_code,
                    variant_code=variant_code,
                    positive=positive,
                    open=True,
                ).order_by("posting_date", "entry_no")
            )
            entries = [self.entries.get(e.entry_no, e) for e in loaded]
            self._remember(entries)
            self._open[key] = entries
        return entries

    def _remember(self, loaded: list[ItemLedgerEntry]) -> None:
        fresh = [e for e in loaded if e.entry_no not in self.entries]
        for entry in fresh:
            self.entries[entry.entry_no] = entry
            self.costs[entry.entry_no] = EntryCost()
        if not fresh:
            return
        nos = [e.entry_no for e in fresh]
        sums = (
            ValueEntry.objects.filter(item_ledger_entry_id__in=nos)
            .exclude(entry_type__in=[ValueEntryType.REVALUATION, ValueEntryType.ROUNDING])
            .values("item_ledger_entry_id")
            .annotate(
                cost=Sum(F("cost_amount_actual") + F("cost_amount_expected")),
                vdate=Max("valuation_date"),
            )
        )
        for row in sums:
            cost = self.costs[row["item_ledger_entry_id"]]
            cost.base = row["cost"] or ZERO
            cost.valuation_date = row["vdate"]
        revaluations = ValueEntry.objects.filter(
            item_ledger_entry_id__in=nos, entry_type=ValueEntryType.REVALUATION
        ).values_list(
            "item_ledger_entry_id", "cost_amount_actual", "valued_quantity", "valuation_date"
        )
        for entry_no, amount, valued_quantity, vdate in revaluations:
            self._add_revaluation(entry_no, amount, valued_quantity, vdate)

    def _add_revaluation(
        self, entry_no: int, amount: Decimal, valued_quantity: Decimal, vdate: dt.date
    ) -> None:
        cost = self.costs[entry_no]
        if valued_quantity:
            cost.revaluation_per_unit += amount / valued_quantity
        cost.valuation_date = max(filter(None, [cost.valuation_date, vdate]))

    def cost_ancestors(self, outbound: ItemLedgerEntry) -> set[int]:
        """The entries whose cost reaches `outbound`: the inbound entries it used, their
        sources (what a transfer receipt or a cost-applied return takes its cost from), what
        those used, and so on. An inbound entry valued from `outbound` must not cover one of
        them: that would close a cost loop (BC CheckIsCyclicalLoop). Walked a level at a time,
        in two queries per level, over what the database holds and this journal added."""
        seen: set[int] = set()
        frontier = {outbound.entry_no}
        while frontier:
            seen |= frontier
            used = {
                a.inbound_item_entry_id
                for a in self.new_applications
                if a.outbound_item_entry_id in frontier and not a.cost_application
            }
            used.update(
                ItemApplicationEntry.objects.filter(
                    outbound_item_entry_id__in=frontier - self._new_nos, cost_application=False
                ).values_list("inbound_item_entry_id", flat=True)
            )
            used -= seen
            seen |= used
            known = {no for no in used if no in self.entries}
            sources = {self.entries[no].applies_from_entry_id for no in known}
            sources.update(
                ItemLedgerEntry.objects.filter(
                    entry_no__in=used - known, applies_from_entry__isnull=False
                ).values_list("applies_from_entry_id", flat=True)
            )
            frontier = {no for no in sources if no is not None} - seen
        return seen

    # -- writing (in memory) -----------------------------------------------------------------

    def add_entry(self, entry: ItemLedgerEntry) -> ItemLedgerEntry:
        # Later lines of the journal must see this entry among the open ones: load what the
        # database holds for its key first, then add it (open_entries sorts when asked).
        key: OpenKey = (entry.item_id, entry.location_id, entry.variant_code, entry.positive)
        open_list = self._open_list(key)
        entry.entry_no = self._numbers.popleft()
        self._new_nos.add(entry.entry_no)
        self.entries[entry.entry_no] = entry
        self.costs[entry.entry_no] = EntryCost()
        self.new_entries.append(entry)
        open_list.append(entry)
        return entry

    def touch(self, entry: ItemLedgerEntry) -> None:
        """Remember that a bookkeeping field of an existing entry changed."""
        if entry.entry_no not in self._new_nos:
            self.changed_entry_nos.add(entry.entry_no)

    def add_value(self, value: ValueEntry) -> ValueEntry:
        self.new_values.append(value)
        state = self.items[value.item.no]
        state.value += value.cost_amount_actual + value.cost_amount_expected
        state.changed = True
        # Entries not loaded in this context are valued by nothing here: no need to track them.
        if value.item_ledger_entry_id in self.costs:
            if value.entry_type == ValueEntryType.REVALUATION:
                self._add_revaluation(
                    value.item_ledger_entry_id,
                    value.cost_amount_actual,
                    value.valued_quantity,
                    value.valuation_date,
                )
            elif value.entry_type != ValueEntryType.ROUNDING:
                cost = self.costs[value.item_ledger_entry_id]
                cost.base += value.cost_amount_actual + value.cost_amount_expected
                cost.valuation_date = max(filter(None, [cost.valuation_date, value.valuation_date]))
        return value

    def add_application(
        self,
        *,
        entry: ItemLedgerEntry,
        inbound: ItemLedgerEntry,
        outbound: ItemLedgerEntry | None,
        quantity: Decimal,
        cost_application: bool = False,
    ) -> None:
        self.new_applications.append(
            new_instance(
                ItemApplicationEntry,
                item_ledger_entry_id=entry.entry_no,
                inbound_item_entry_id=inbound.entry_no,
                outbound_item_entry_id=outbound.entry_no if outbound else None,
                quantity=quantity,
                posting_date=entry.posting_date,
                cost_application=cost_application,
            )
        )

    def add_quantity(self, item: Item, quantity: Decimal) -> None:
        state = self.items[item.no]
        state.quantity += quantity
        state.changed = True

    def refresh_unit_cost(self, item: Item) -> None:
        """Spec §1.2, §17: unit cost = (actual + expected) / quantity on hand.

        Standard items keep their standard cost. With nothing (or less than nothing) on hand the
        figure means nothing and the last good unit cost stays; a non-zero unit cost is never
        replaced by zero.
        """
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
            return
        state = self.items[item.no]
        if state.quantity <= 0:
            return
        new = q_unit_cost(state.value / state.quantity)
        if new != 0 or item.unit_cost == 0:
            item.unit_cost = new

    # -- flush ---------------------------------------------------------------------------------

    def flush(self) -> None:
        insert_instances(ItemLedgerEntry, self.new_entries)
        changed = [self.entries[no] for no in sorted(self.changed_entry_nos)]
        if changed:
            entries_bookkeeping_update(changed)
        value_entries_write(self.new_values)
        insert_instances(ItemApplicationEntry, self.new_applications)
        self._mark_entry_points()
        touched = [s.item for s in self.items.values() if s.changed]
        for item in touched:
            item.cost_is_adjusted = False
            self.refresh_unit_cost(item)
        update_instances(
            Item, touched, ["unit_cost", "standard_cost", "last_direct_cost", "cost_is_adjusted"]
        )
        if self.new_values:
            after_posting(
                Posted(
                    setup=self.setup,
                    item_ids=frozenset(item.pk for item in touched),
                    earliest_valuation_date=min(v.valuation_date for v in self.new_values),
                )
            )

    def _mark_entry_points(self) -> None:
        """Spec §4.1, BC UpdateValuationDate: a value posted into an average-cost period marks
        that period's entry point, and every later one of the same item, as not adjusted."""
        per_item_location = (
            self.setup.average_cost_calc_type == AverageCostCalcType.ITEM_LOCATION_VARIANT
        )
        earliest: dict[tuple[int, str, str], dt.date] = {}
        starts = AccountingPeriod.starts(self.setup.average_cost_period)
        points: set[tuple[int, str, str, dt.date]] = set()
        for value in self.new_values:
            if value.item.costing_method != CostingMethod.AVERAGE:
                continue
            location = (value.location_id or "") if per_item_location else ""
            variant = value.variant_code if per_item_location else ""
            day = period_end(value.valuation_date, self.setup.average_cost_period, starts)
            points.add((value.item_id, location, variant, day))
            key = (value.item_id, location, variant)
            earliest[key] = min(day, earliest.get(key, day))
        if not points:
            return
        AvgCostAdjmtEntryPoint.objects.bulk_create(
            [
                AvgCostAdjmtEntryPoint(
                    item_id=item_id, location_code=loc, variant_code=var, valuation_date=day
                )
                for item_id, loc, var, day in sorted(points)
            ],
            ignore_conflicts=True,
        )
        condition = Q()
        for (item_id, loc, var), day in earliest.items():
            condition |= Q(
                item_id=item_id, location_code=loc, variant_code=var, valuation_date__gte=day
            )
        # Only the points still marked adjusted: rewriting the others left a dead row each.
        AvgCostAdjmtEntryPoint.objects.filter(condition, cost_is_adjusted=True).update(
            cost_is_adjusted=False
        )


_BOOKKEEPING = [
    "remaining_quantity",
    "open",
    "invoiced_quantity",
    "completely_invoiced",
    "applied_entry_to_adjust",
]


def entries_bookkeeping_update(entries: list[ItemLedgerEntry]) -> None:
    """Write the bookkeeping fields of existing entries: the only fields of the item ledger
    that change after insert."""
    update_instances(ItemLedgerEntry, entries, _BOOKKEEPING)
