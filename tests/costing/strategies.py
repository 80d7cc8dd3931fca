"""Random posting sequences for the cost adjustment property tests, and a player that posts them.

A scenario is a small world (1-3 items with their costing methods, 1-2 locations, the average cost
settings) and a list of abstract operations. An operation names what to do and carries a `pick`
number; the entry it works on (the receipt to invoice, the sale to return, the inbound entry a
purchase return applies to...) is chosen when it is played, among the entries that qualify at
that moment, in entry order. Quantities never depend on cost, so playing the same scenario with
another adjustment setting makes the same choices and creates the same entries in the same order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from hypothesis import strategies as st

from costing.engine.periods import period_end
from costing.services import cost_adjustment_run
from inventory.errors import InvalidInput
from inventory.models import CostingMethod, EntryType, Item, ItemLedgerEntry, Location
from inventory.services import (
    JournalLine,
    RevaluationLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
    item_ledger_entry_invoice,
    revaluation_journal_post,
)

START = dt.date(2025, 1, 6)  # a Monday
DAYS = 80  # postings fall within START .. START + DAYS
LOCATION_CODES = ("RED", "BLUE")
METHODS = ("fifo", "lifo", "average", "standard", "specific")

# Operation kinds, repeated by weight.
KINDS = (
    *["purchase"] * 3,
    "positive_adjmt",
    *["sale"] * 3,
    "negative_adjmt",
    *["transfer"] * 2,
    "invoice_purchase",
    "invoice_sale",
    "charge",
    *["sales_return"] * 2,
    "purchase_return",
    *["revaluation"] * 2,
)


def _decimal(max_value: int, places: int) -> st.SearchStrategy[Decimal]:
    scale = 10**places
    return st.integers(0, max_value * scale).map(lambda n: Decimal(n).scaleb(-places))


# Unit costs with 2 to 5 decimal places (Decimal, never float).
unit_costs = st.sampled_from([2, 2, 3, 5]).flatmap(lambda places: _decimal(60, places))


@dataclass(frozen=True)
class ItemSpec:
    method: str
    standard_cost: Decimal
    indirect_cost_pct: Decimal
    overhead_rate: Decimal


@dataclass(frozen=True)
class World:
    items: tuple[ItemSpec, ...]
    locations: tuple[str, ...]
    calc_type: str  # "item" | "item_location_variant"
    period: str  # average cost period


@dataclass(frozen=True)
class Op:
    kind: str
    item: int
    location: int
    day: int
    quantity: int
    unit_cost: Decimal
    invoiced: bool
    fixed: bool  # sale, transfer: apply to a chosen inbound entry; revaluation: per entry
    pick: int

    @property
    def date(self) -> dt.date:
        return START + dt.timedelta(days=self.day)


@dataclass(frozen=True)
class Scenario:
    world: World
    ops: tuple[Op, ...]


item_specs = st.builds(
    ItemSpec,
    method=st.sampled_from(METHODS),
    standard_cost=_decimal(40, 2),
    indirect_cost_pct=st.sampled_from([Decimal(0), Decimal(0), Decimal(10), Decimal("7.5")]),
    overhead_rate=st.sampled_from([Decimal(0), Decimal(0), Decimal("0.35")]),
)

worlds = st.builds(
    World,
    items=st.lists(item_specs, min_size=1, max_size=3).map(tuple),
    locations=st.sampled_from([LOCATION_CODES[:1], LOCATION_CODES]),
    calc_type=st.sampled_from(["item", "item", "item_location_variant"]),
    period=st.sampled_from(["day", "week", "month"]),
)


# Crowded: Average items at two locations, everything within a few days, so that stock moves
# back and forth between the locations' averages inside one period (the cost loops of
# architecture.md) and returns and transfers meet in the pools they take their cost from.
crowded_worlds = st.builds(
    World,
    items=st.lists(
        item_specs.map(lambda spec: replace(spec, method="average")), min_size=1, max_size=2
    ).map(tuple),
    locations=st.just(LOCATION_CODES),
    calc_type=st.sampled_from(["item", "item_location_variant"]),
    period=st.sampled_from(["day", "week"]),
)
CROWDED_DAYS = 3
CROWDED_KINDS = (
    *["purchase"] * 3,
    *["sale"] * 2,
    *["transfer"] * 5,
    *["sales_return"] * 2,
    "invoice_purchase",
    "charge",
    "revaluation",
)


def operations(
    world: World, days: int = DAYS, kinds: tuple[str, ...] = KINDS
) -> st.SearchStrategy[Op]:
    return st.builds(
        Op,
        kind=st.sampled_from(kinds),
        item=st.integers(0, len(world.items) - 1),
        location=st.integers(0, len(world.locations) - 1),
        day=st.integers(0, days),
        quantity=st.integers(1, 6),
        unit_cost=unit_costs,
        invoiced=st.sampled_from([True, True, False]),
        fixed=st.booleans(),
        pick=st.integers(0, 1000),
    )


@st.composite
def scenarios(draw, max_ops: int = 14) -> Scenario:
    # One example in four is crowded.
    crowded = draw(st.sampled_from([False, False, False, True]))
    world = draw(crowded_worlds if crowded else worlds)
    days, kinds = (CROWDED_DAYS, CROWDED_KINDS) if crowded else (DAYS, KINDS)
    # Every sequence starts with a purchase, so that there is something to work on.
    first = replace(draw(operations(world, days, kinds)), kind="purchase")
    rest = draw(st.lists(operations(world, days, kinds), min_size=1, max_size=max_ops - 1))
    return Scenario(world, (first, *rest))


# -- playing a scenario ------------------------------------------------------------------------


@dataclass
class Played:
    """What a played scenario created: the item ledger entries of each operation (a transfer
    makes two), keyed by position; which operations were skipped; the item's unit cost each
    outbound entry was posted with (the cost of any part it could not apply)."""

    items: list[Item]
    entries: dict[tuple, int] = field(default_factory=dict)  # (op index, k) -> entry no
    skipped: list[int] = field(default_factory=list)
    posted_unit_cost: dict[int, Decimal] = field(default_factory=dict)  # outbound entry no
    log: list[str] = field(default_factory=list)


def setup_world(world: World, automatic: str) -> list[Item]:
    inventory_setup_update(
        automatic_cost_adjustment=automatic,
        average_cost_calc_type=world.calc_type,
        average_cost_period=world.period,
    )
    for code in world.locations:
        Location.objects.get_or_create(code=code, defaults={"name": code})
    return [
        item_create(
            no=f"PROP{index}",
            costing_method=spec.method,
            standard_cost=spec.standard_cost,
            indirect_cost_pct=spec.indirect_cost_pct,
            overhead_rate=spec.overhead_rate,
            inventory_posting_group="RESALE",
            gen_prod_posting_group="RETAIL",
        )
        for index, spec in enumerate(world.items)
    ]


class _Player:
    def __init__(
        self, scenario: Scenario, automatic: str, adjust_before_revaluation: bool, settle: bool
    ):
        self.world = scenario.world
        self.scenario = scenario
        self.adjust_before_revaluation = adjust_before_revaluation
        self.settle = settle
        self.played = Played(items=setup_world(scenario.world, automatic))
        self.returned: dict[int, Decimal] = {}  # sale entry no -> quantity returned so far

    # -- choosing entries --------------------------------------------------------------------

    @staticmethod
    def _entries(item: Item, **filters) -> list[ItemLedgerEntry]:
        return list(ItemLedgerEntry.objects.filter(item=item, **filters).order_by("entry_no"))

    @staticmethod
    def _choose(candidates: list, pick: int):
        return candidates[pick % len(candidates)] if candidates else None

    def _open_inbound(self, item: Item, location: str | None, **filters):
        if location is not None:
            filters["location_id"] = location
        return self._entries(item, positive=True, open=True, **filters)

    # -- posting -----------------------------------------------------------------------------

    def _post(self, index: int, line: JournalLine) -> None:
        unit_cost = Item.objects.get(no=line.item_no).unit_cost
        created = item_journal_post(lines=[line])
        for k, entry in enumerate(created):
            self.played.entries[(index, k)] = entry.entry_no
            if not entry.positive:
                self.played.posted_unit_cost[entry.entry_no] = unit_cost
        self.played.log.append(f"#{index} -> {[e.entry_no for e in created]} {line}")

    def play(self) -> Played:
        self.played.log.append(str(self.world))
        for index, op in enumerate(self.scenario.ops):
            if not self._play(index, op):
                self.played.skipped.append(index)
        return self.played

    def _play(self, index: int, op: Op) -> bool:
        item = self.played.items[op.item]
        if op.kind in ("purchase", "positive_adjmt"):
            return self._inbound(index, op, item)
        if op.kind in ("sale", "negative_adjmt", "transfer"):
            return self._outbound(index, op, item)
        if op.kind in ("invoice_purchase", "invoice_sale"):
            return self._invoice(index, op, item)
        if op.kind == "charge":
            return self._charge(index, op, item)
        if op.kind == "sales_return":
            return self._sales_return(index, op, item)
        if op.kind == "purchase_return":
            return self._purchase_return(index, op, item)
        if op.kind == "revaluation":
            return self._revalue(index, op, item)
        raise AssertionError(op.kind)

    def _inbound(self, index: int, op: Op, item: Item) -> bool:
        self._post(
            index,
            JournalLine(
                op.kind,
                item.no,
                op.date,
                Decimal(op.quantity),
                location_code=self.world.locations[op.location],
                unit_cost=op.unit_cost,
                invoiced=op.invoiced if op.kind == "purchase" else True,
            ),
        )
        return True

    def _outbound(self, index: int, op: Op, item: Item) -> bool:
        if op.kind == "transfer" and len(self.world.locations) < 2:
            return False
        location = self.world.locations[op.location]
        quantity = Decimal(op.quantity)
        applies_to = None
        specific = item.costing_method == CostingMethod.SPECIFIC
        if specific or op.fixed:
            target = self._choose(self._open_inbound(item, location), op.pick)
            if target is None and specific:
                return False  # Specific needs an entry to apply to
            if target is not None:
                applies_to = target.entry_no
                quantity = min(quantity, target.remaining_quantity)
        self._post(
            index,
            JournalLine(
                op.kind,
                item.no,
                op.date,
                quantity,
                location_code=location,
                new_location_code=(
                    self.world.locations[1 - op.location] if op.kind == "transfer" else ""
                ),
                invoiced=op.invoiced if op.kind == "sale" else True,
                applies_to_entry=applies_to,
            ),
        )
        return True

    def _invoice(self, index: int, op: Op, item: Item) -> bool:
        entry_type = EntryType.PURCHASE if op.kind == "invoice_purchase" else EntryType.SALE
        candidates = [
            e
            for e in self._entries(item, entry_type=entry_type, is_return=False)
            if e.invoiced_quantity != e.quantity
        ]
        entry = self._choose(candidates, op.pick)
        if entry is None:
            return False
        quantity = min(Decimal(op.quantity), abs(entry.quantity - entry.invoiced_quantity))
        item_ledger_entry_invoice(
            entry_no=entry.entry_no,
            posting_date=op.date,
            quantity=quantity,
            unit_cost=op.unit_cost if entry.positive else None,
        )
        cost = f" at {op.unit_cost}" if entry.positive else ""
        self.played.log.append(f"#{index} invoice {quantity} of {entry.entry_no}{cost} {op.date}")
        return True

    def _charge(self, index: int, op: Op, item: Item) -> bool:
        entry = self._choose(self._entries(item, positive=True), op.pick)
        if entry is None:
            return False
        amount = op.unit_cost % 30 + Decimal("0.01")
        item_charge_assign(
            entry_no=entry.entry_no, posting_date=op.date, amount=amount, item_charge_no="FREIGHT"
        )
        self.played.log.append(f"#{index} charge {amount} on {entry.entry_no} {op.date}")
        return True

    def _sales_return(self, index: int, op: Op, item: Item) -> bool:
        candidates = [
            e
            for e in self._entries(item, entry_type=EntryType.SALE, positive=False)
            if -e.quantity - self.returned.get(e.entry_no, Decimal(0)) > 0
        ]
        sale = self._choose(candidates, op.pick)
        if sale is None:
            return False
        left = -sale.quantity - self.returned.get(sale.entry_no, Decimal(0))
        quantity = min(Decimal(op.quantity), left)
        self.returned[sale.entry_no] = self.returned.get(sale.entry_no, Decimal(0)) + quantity
        self._post(
            index,
            JournalLine(
                EntryType.SALE,
                item.no,
                op.date,
                quantity,
                location_code=sale.location_id or "",
                is_return=True,
                applies_from_entry=sale.entry_no,
            ),
        )
        return True

    def _purchase_return(self, index: int, op: Op, item: Item) -> bool:
        candidates = self._open_inbound(item, None, entry_type=EntryType.PURCHASE, is_return=False)
        target = self._choose(candidates, op.pick)
        if target is None:
            return False
        self._post(
            index,
            JournalLine(
                EntryType.PURCHASE,
                item.no,
                op.date,
                min(Decimal(op.quantity), target.remaining_quantity),
                location_code=target.location_id or "",
                is_return=True,
                applies_to_entry=target.entry_no,
            ),
        )
        return True

    def _revalue(self, index: int, op: Op, item: Item) -> bool:
        if self.settle and self._entries(item, positive=False, open=True):
            # Negative inventory still uncovered carries the unit cost it was posted with, which
            # depends on whether adjustment had run: a revaluation would read it into its
            # amounts, so two plays would revalue by different amounts.
            return False
        # A date on which something is on hand: some days after an open, invoiced inbound entry.
        candidates = [
            e
            for e in self._entries(item, positive=True, open=True)
            if e.invoiced_quantity == e.quantity or item.costing_method == CostingMethod.STANDARD
        ]
        inbound = self._choose(candidates, op.pick)
        if inbound is None:
            return False
        day = inbound.posting_date + dt.timedelta(days=op.day % 15)
        applies_to = None
        if item.costing_method == CostingMethod.AVERAGE:
            if self.world.calc_type != "item":
                return False
            day = period_end(day, self.world.period)  # spec §8: per item, at a period end
        elif op.fixed:
            applies_to = inbound.entry_no
        if self.adjust_before_revaluation:
            # Calculate Inventory Value proposes values from adjusted costs (spec §6.1:
            # inventory must be adjusted first).
            cost_adjustment_run()
        try:
            revaluation_journal_post(
                lines=[
                    RevaluationLine(
                        item_no=item.no,
                        posting_date=day,
                        applies_to_entry=applies_to,
                        unit_cost_revalued=op.unit_cost,
                    )
                ]
            )
        except InvalidInput:
            return False  # nothing revaluable on that date: legitimately refused
        self.played.log.append(
            f"#{index} revalue {item.no} entry {applies_to} to {op.unit_cost} on {day}"
        )
        return True

    def settle_negative_inventory(self) -> None:
        """Cover every outbound entry still open (negative inventory) with a purchase dated
        after everything else."""
        last = START + dt.timedelta(days=DAYS + 1)
        for item in self.played.items:
            k = 0
            while entries := self._entries(item, positive=False, open=True):
                created = item_journal_post(
                    lines=[
                        JournalLine(
                            EntryType.PURCHASE,
                            item.no,
                            last,
                            -entries[0].remaining_quantity,
                            location_code=entries[0].location_id or "",
                            unit_cost=Decimal("7.77"),
                        )
                    ]
                )
                self.played.entries[("settle", item.no, k)] = created[0].entry_no
                self.played.log.append(f"settle -> {created[0].entry_no} for {entries[0]}")
                k += 1


def play(
    scenario: Scenario,
    *,
    automatic: str,
    adjust_before_revaluation: bool = True,
    settle: bool = False,
) -> Played:
    """Post the scenario's operations with Automatic Cost Adjustment `automatic`. With `settle`,
    nothing that is posted reads the unit cost of uncovered negative inventory: no revaluation
    while an outbound entry is open, and the negative inventory left is covered at the end."""
    player = _Player(scenario, automatic, adjust_before_revaluation, settle)
    player.play()
    if settle:
        player.settle_negative_inventory()
    return player.played
