"""A small in-memory ledger for the cost adjustment engine's tests.

`Ledger` posts what the posting services write (inventory/services/journal.py, invoicing.py,
revaluation.py), without a database: item ledger entries, their value entries and the quantity
applications, numbered in posting order. Then `adjust()` runs the engine, writes its new values
the way costing/services/adjustment.py does, and the test reads the entries' costs back:

    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 1, 10)
    s2 = ledger.sale("2020-01-15", 1)           # posted at the applied cost: -10
    ledger.item_charge(p1, "2020-02-10", 2)
    ledger.adjust()
    assert ledger.cost(s2) == Decimal("-12")

Amounts follow the ledger's signs: inbound positive, outbound negative. Quantities passed to the
posting methods are always positive; the method gives the direction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from costing.engine.adjust import adjust_item
from costing.engine.money import ZERO, q_amount, q_unit_cost
from costing.engine.types import (
    DIRECT,
    INDIRECT,
    REVALUATION,
    ROUNDING,
    VARIANCE,
    Application,
    Entry,
    ItemGraph,
    ItemPlan,
    Settings,
    Value,
)

HUNDRED = Decimal(100)


def D(number) -> Decimal:
    """A Decimal from an int, a str or a Decimal (never through a float)."""
    return number if isinstance(number, Decimal) else Decimal(str(number))


def day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


@dataclass
class _Entry:
    """An item ledger entry while it is being posted to (remaining quantity changes)."""

    entry_no: int
    posting_date: dt.date
    entry_type: str
    location: str
    variant: str
    quantity: Decimal
    invoiced_quantity: Decimal
    positive: bool
    applies_to: int | None
    applies_from: int | None
    remaining: Decimal

    @property
    def open(self) -> bool:
        return self.remaining != 0

    def frozen(self) -> Entry:
        return Entry(
            self.entry_no,
            self.posting_date,
            self.entry_type,
            self.location,
            self.variant,
            self.quantity,
            self.invoiced_quantity,
            self.positive,
            self.applies_to,
            self.applies_from,
        )


class Ledger:
    """One item's ledger, posted to like the journal posts, adjusted by the engine."""

    # Automatic Cost Adjustment = Always: adjust after every posting (see `adjusting_always`).
    _adjust_always = False

    def __init__(
        self,
        method: str = "fifo",
        *,
        per_location: bool = False,
        period: str = "day",
        standard_cost=None,
        indirect_pct=0,
        overhead_rate=0,
        unit_cost=0,
        item_id: int = 1,
    ):
        self.method = method
        self.per_location = per_location
        self.period = period
        self.standard_cost = D(standard_cost) if standard_cost is not None else None
        self.indirect_pct = D(indirect_pct)
        self.overhead_rate = D(overhead_rate)
        # The item's unit cost: what an outbound entry takes for a part it cannot apply.
        self.unit_cost = D(self.standard_cost if self.standard_cost is not None else unit_cost)
        self.item_id = item_id
        self.auto_adjust = Ledger._adjust_always
        self.entries: dict[int, _Entry] = {}
        self.values: list[Value] = []
        self._by_ile: dict[int, list[Value]] = defaultdict(list)
        self._on_hand = ZERO  # running totals for the item's unit cost
        self._value = ZERO
        self.applications: list[Application] = []
        self._open: dict[tuple[str, str, bool], list[_Entry]] = defaultdict(list)
        self._next_entry = 1
        self._next_value = 1
        self._next_application = 1

    # -- posting: inbound ------------------------------------------------------------------------

    def purchase(
        self,
        on,
        quantity,
        unit_cost=None,
        *,
        invoiced: bool = True,
        location: str = "",
        variant: str = "",
    ) -> int:
        """A purchase receipt at `unit_cost` a unit (direct cost; indirect % and overhead rate are
        the ledger's). Not invoiced: valued at its expected cost until `invoice()`."""
        quantity = D(quantity)
        entry = self._new_entry(on, "purchase", location, variant, quantity, invoiced, True)
        if self.method == "standard" and unit_cost is None:
            unit_cost = self.standard_cost
        unit_cost = D(unit_cost)
        if invoiced:
            parts = self._purchase_parts(quantity, unit_cost)
        else:
            parts = [(DIRECT, self._expected_purchase_cost(quantity, unit_cost))]
        self._inbound_values(entry, on, parts, invoiced, valuation_date=day(on))
        self._cover_negative(entry, source=None)
        self._posted()
        return entry.entry_no

    def positive_adjustment(
        self,
        on,
        quantity,
        unit_cost=None,
        *,
        applies_from: int | None = None,
        location: str = "",
        variant: str = "",
    ) -> int:
        return self._inbound(
            on, "positive_adjmt", quantity, unit_cost, applies_from, location, variant, True
        )

    def sales_return(
        self,
        on,
        quantity,
        *,
        applies_from: int | None = None,
        unit_cost=None,
        invoiced: bool = True,
        location: str = "",
        variant: str = "",
    ) -> int:
        """A sales return: with `applies_from` it takes the exact cost of the sale it returns
        (a cost application); without, it comes back at `unit_cost` or the item's unit cost."""
        return self._inbound(
            on, "sale", quantity, unit_cost, applies_from, location, variant, invoiced
        )

    def _inbound(self, on, kind, quantity, unit_cost, applies_from, location, variant, invoiced):
        quantity = D(quantity)
        entry = self._new_entry(on, kind, location, variant, quantity, invoiced, True)
        source = None
        if applies_from is not None:
            source = self.entries[applies_from]
            assert not source.positive and quantity <= -source.quantity
            entry.applies_from = applies_from
            amount = q_amount(quantity * self._unit_cost_of(source.entry_no))
        else:
            if self.method == "standard":
                unit = self.standard_cost
            elif unit_cost is not None:
                unit = D(unit_cost)
            else:
                unit = self.unit_cost
            amount = q_amount(quantity * unit)
        self._inbound_values(entry, on, [(DIRECT, amount)], invoiced, valuation_date=day(on))
        self._cover_negative(entry, source=source)
        self._posted()
        return entry.entry_no

    def transfer(
        self, on, quantity, from_location: str, to_location: str, *, variant: str = ""
    ) -> tuple[int, int]:
        """Two entries: the outbound at `from_location` (applied like a sale), then the inbound
        at `to_location`, which carries exactly the cost and valuation date of what left and
        takes its cost from the outbound (applies_from)."""
        assert from_location != to_location
        quantity = D(quantity)
        outbound, amount, valuation_date = self._outbound(
            on, "transfer", quantity, from_location, variant, None, True, None
        )
        inbound = self._new_entry(on, "transfer", to_location, variant, quantity, True, True)
        inbound.applies_from = outbound.entry_no
        self._inbound_values(inbound, on, [(DIRECT, amount)], True, valuation_date=valuation_date)
        self._cover_negative(inbound, source=outbound)
        self._posted()
        return outbound.entry_no, inbound.entry_no

    # -- posting: outbound -----------------------------------------------------------------------

    def sale(
        self,
        on,
        quantity,
        *,
        cost=None,
        applies_to: int | None = None,
        invoiced: bool = True,
        location: str = "",
        variant: str = "",
    ) -> int:
        """A sale (shipment). It applies to open inbound entries (FIFO: earliest posting date
        first; LIFO: latest), or exactly to `applies_to`, and is posted at the cost of what it
        used, plus the item's unit cost for any part it could not apply (negative inventory).
        `cost` (a positive amount) overrides the posted cost. Not invoiced: expected cost."""
        entry, _, _ = self._outbound(
            on, "sale", D(quantity), location, variant, applies_to, invoiced, cost
        )
        self._posted()
        return entry.entry_no

    def negative_adjustment(
        self, on, quantity, *, cost=None, applies_to=None, location="", variant=""
    ) -> int:
        entry, _, _ = self._outbound(
            on, "negative_adjmt", D(quantity), location, variant, applies_to, True, cost
        )
        self._posted()
        return entry.entry_no

    def purchase_return(
        self, on, quantity, *, applies_to=None, cost=None, location="", variant=""
    ) -> int:
        """A purchase return or credit memo: an outbound purchase entry."""
        entry, _, _ = self._outbound(
            on, "purchase", D(quantity), location, variant, applies_to, True, cost
        )
        self._posted()
        return entry.entry_no

    def _outbound(self, on, kind, quantity, location, variant, applies_to, invoiced, cost):
        entry = self._new_entry(on, kind, location, variant, -quantity, invoiced, False)
        if applies_to is not None:
            target = self.entries[applies_to]
            assert target.positive and target.remaining >= quantity
            assert (target.location, target.variant) == (location, variant)
            entry.applies_to = applies_to
            used = [(target, quantity)]
            self._link(target, entry, quantity)
        else:
            used = []
            candidates = self._open_entries(location, variant, positive=True)
            if self.method == "lifo":
                candidates = list(reversed(candidates))
            for inbound in candidates:
                need = -entry.remaining
                if need <= 0:
                    break
                take = min(need, inbound.remaining)
                self._link(inbound, entry, take)
                used.append((inbound, take))
        total = ZERO
        valuation_date = day(on)
        for inbound, take in used:
            total += take * self._unit_cost_of(inbound.entry_no)
            source_date = self._entry_cost(inbound.entry_no)[2]
            # Spec §4.3 case 3: never valued before what it used was valued.
            if source_date and source_date > valuation_date:
                valuation_date = source_date
        total += -entry.remaining * self.unit_cost
        amount = q_amount(total) if cost is None else D(cost)
        self._add_value(
            entry.entry_no,
            DIRECT,
            on,
            valuation_date,
            entry.quantity,
            actual=-amount if invoiced else ZERO,
            expected=ZERO if invoiced else -amount,
            valued_by_average_cost=self.method == "average" and applies_to is None,
        )
        self._refresh_unit_cost()
        return entry, amount, valuation_date

    # -- later postings on existing entries ----------------------------------------------------

    def invoice(self, entry_no: int, on, quantity=None, unit_cost=None) -> list[int]:
        """Invoice (part of) a receipt or shipment posted without invoice. A purchase receipt
        is invoiced at `unit_cost`; a shipment at the cost it carries (its expected cost)."""
        entry = self.entries[entry_no]
        sign = 1 if entry.positive else -1
        not_invoiced = (entry.quantity - entry.invoiced_quantity) * sign
        quantity = not_invoiced if quantity is None else D(quantity)
        assert 0 < quantity <= not_invoiced
        own = self._by_ile[entry_no]
        original = min(own, key=lambda v: v.entry_no)
        expected_left = sum((v.expected for v in own), ZERO)
        share = quantity / not_invoiced
        released = expected_left if share == 1 else q_amount(expected_left * share)
        signed = quantity * sign
        created = []
        if entry.positive and entry.entry_type == "purchase":
            parts = self._purchase_parts(quantity, D(unit_cost))
            for index, (kind, amount) in enumerate(parts):
                created.append(
                    self._add_value(
                        entry_no,
                        kind,
                        on,
                        original.valuation_date,
                        signed,
                        actual=amount,
                        expected=-released if index == 0 else ZERO,
                    )
                )
        else:
            created.append(
                self._add_value(
                    entry_no,
                    DIRECT,
                    on,
                    original.valuation_date,
                    signed,
                    actual=released,
                    expected=-released,
                    valued_by_average_cost=original.valued_by_average_cost,
                )
            )
        entry.invoiced_quantity += signed
        self._posted()
        return created

    def item_charge(self, entry_no: int, on, amount) -> int:
        """An item charge (freight...) on an inbound entry: direct cost with the receipt's
        valuation date. For a Standard item the purchase variance takes it back."""
        entry = self.entries[entry_no]
        assert entry.positive
        original = min(self._by_ile[entry_no], key=lambda v: v.entry_no)
        amount = q_amount(D(amount))
        common = dict(valued_quantity=entry.quantity, item_charge=True)
        valuation_date = original.valuation_date
        no = self._add_value(entry_no, DIRECT, on, valuation_date, actual=amount, **common)
        if self.method == "standard":
            self._add_value(entry_no, VARIANCE, on, valuation_date, actual=-amount, **common)
        self._posted()
        return no

    def revaluation(self, entry_no: int, on, amount, valued_quantity) -> int:
        """A revaluation value entry of `amount` on `valued_quantity` of an inbound entry, dated
        (posting and valuation) `on`, as the revaluation journal posts it."""
        no = self._add_value(
            entry_no, REVALUATION, on, day(on), D(valued_quantity), actual=q_amount(D(amount))
        )
        self._posted()
        return no

    def apply(self, inbound: int, outbound: int, quantity) -> None:
        """A quantity application made by hand: `outbound` uses `quantity` of `inbound`."""
        self._link(self.entries[inbound], self.entries[outbound], D(quantity))

    # -- the engine ----------------------------------------------------------------------------

    def settings(self, until=None) -> Settings:
        return Settings(
            costing_method=self.method,
            average_per_location=self.per_location,
            average_period=self.period,
            until=day(until) if until is not None else None,
        )

    def graph(self, until=None) -> ItemGraph:
        return ItemGraph(
            self.item_id,
            self.settings(until),
            {no: e.frozen() for no, e in self.entries.items()},
            list(self.values),
            list(self.applications),
        )

    def plan(self, until=None) -> ItemPlan:
        """What the engine would write now, without writing it."""
        return adjust_item(self.graph(until))

    def adjust(self, until=None) -> ItemPlan:
        """Run the engine and write its new values; returns the plan."""
        plan = self.plan(until)
        self.apply_plan(plan)
        return plan

    def apply_plan(self, plan: ItemPlan) -> dict[int, tuple[Decimal, Decimal]]:
        """Write a plan's new values as costing/services/adjustment.py does: each copies the
        dates and valued quantity of the value entry it adjusts (a rounding entry: valued
        quantity 0). Returns every entry's (actual, expected) cost afterwards."""
        by_no = {v.entry_no: v for v in self.values}
        for new in plan.new_values:
            original = by_no[new.applies_to]
            rounding = new.entry_type == ROUNDING
            self._store(
                Value(
                    entry_no=self._take_value_no(),
                    ile=new.ile,
                    entry_type=new.entry_type,
                    posting_date=original.posting_date,
                    valuation_date=original.valuation_date,
                    valued_quantity=ZERO if rounding else original.valued_quantity,
                    actual=new.actual,
                    expected=new.expected,
                    adjustment=not rounding,
                    item_charge=False,
                    valued_by_average_cost=original.valued_by_average_cost,
                    cost_per_unit=ZERO,
                )
            )
        self._refresh_unit_cost()
        return self.costs()

    # -- reading -------------------------------------------------------------------------------

    def actual(self, entry_no: int) -> Decimal:
        return sum((v.actual for v in self._by_ile[entry_no]), ZERO)

    def expected(self, entry_no: int) -> Decimal:
        return sum((v.expected for v in self._by_ile[entry_no]), ZERO)

    def cost(self, entry_no: int) -> Decimal:
        """Cost amount (actual) + (expected) of an entry."""
        return self.actual(entry_no) + self.expected(entry_no)

    def costs(self) -> dict[int, tuple[Decimal, Decimal]]:
        return {no: (self.actual(no), self.expected(no)) for no in self.entries}

    def values_of(self, entry_no: int, entry_type: str | None = None) -> list[Value]:
        own = self._by_ile[entry_no]
        return [v for v in own if entry_type is None or v.entry_type == entry_type]

    def inventory(self, location: str | None = None) -> tuple[Decimal, Decimal]:
        """Quantity on hand and inventory value (actual + expected), optionally at a location."""
        nos = {n for n, e in self.entries.items() if location is None or e.location == location}
        quantity = sum((self.entries[n].quantity for n in nos), ZERO)
        value = sum((v.actual + v.expected for v in self.values if v.ile in nos), ZERO)
        return quantity, value

    # -- internals -----------------------------------------------------------------------------

    def _store(self, value: Value) -> None:
        self.values.append(value)
        self._by_ile[value.ile].append(value)
        self._value += value.actual + value.expected

    def _take_value_no(self) -> int:
        no = self._next_value
        self._next_value += 1
        return no

    def _new_entry(self, on, kind, location, variant, quantity, invoiced, positive) -> _Entry:
        entry = _Entry(
            entry_no=self._next_entry,
            posting_date=day(on),
            entry_type=kind,
            location=location,
            variant=variant,
            quantity=quantity,
            invoiced_quantity=quantity if invoiced else ZERO,
            positive=positive,
            applies_to=None,
            applies_from=None,
            remaining=quantity,
        )
        self._next_entry += 1
        self._on_hand += quantity
        self.entries[entry.entry_no] = entry
        self._open[(location, variant, positive)].append(entry)
        return entry

    def _open_entries(self, location: str, variant: str, positive: bool) -> list[_Entry]:
        """Open entries there, oldest first (posting date, then entry number), as posting sees
        them."""
        key = (location, variant, positive)
        self._open[key] = [e for e in self._open[key] if e.open]
        return sorted(self._open[key], key=lambda e: (e.posting_date, e.entry_no))

    def _link(self, inbound: _Entry, outbound: _Entry, quantity: Decimal) -> None:
        inbound.remaining -= quantity
        outbound.remaining += quantity
        self.applications.append(
            Application(self._next_application, inbound.entry_no, outbound.entry_no, quantity)
        )
        self._next_application += 1

    def _cover_negative(self, entry: _Entry, source: _Entry | None) -> None:
        """Negative inventory: a new inbound entry covers the open outbound entries there,
        oldest first; never the outbound it takes its cost from (spec §5)."""
        for outbound in self._open_entries(entry.location, entry.variant, positive=False):
            if entry.remaining <= 0:
                break
            if source is not None and outbound.entry_no == source.entry_no:
                continue
            self._link(entry, outbound, min(entry.remaining, -outbound.remaining))

    def _add_value(
        self,
        ile: int,
        kind: str,
        on,
        valuation_date: dt.date,
        valued_quantity: Decimal,
        *,
        actual: Decimal = ZERO,
        expected: Decimal = ZERO,
        item_charge: bool = False,
        valued_by_average_cost: bool = False,
    ) -> int:
        cost = actual if actual else expected
        value = Value(
            entry_no=self._take_value_no(),
            ile=ile,
            entry_type=kind,
            posting_date=day(on),
            valuation_date=valuation_date,
            valued_quantity=valued_quantity,
            actual=actual,
            expected=expected,
            adjustment=False,
            item_charge=item_charge,
            valued_by_average_cost=valued_by_average_cost,
            cost_per_unit=q_unit_cost(cost / valued_quantity) if valued_quantity else ZERO,
        )
        self._store(value)
        return value.entry_no

    def _inbound_values(self, entry: _Entry, on, parts, invoiced: bool, valuation_date) -> None:
        for kind, amount in parts:
            self._add_value(
                entry.entry_no,
                kind,
                on,
                valuation_date,
                entry.quantity,
                actual=amount if invoiced else ZERO,
                expected=ZERO if invoiced else amount,
            )

    def _purchase_parts(self, quantity: Decimal, direct_unit: Decimal) -> list[tuple[str, Decimal]]:
        """inventory/services/values.py purchase_parts: direct, indirect, and for a Standard
        item the purchase variance up to the standard cost."""
        direct = q_amount(quantity * direct_unit)
        if self.method == "standard":
            indirect = q_amount(
                quantity * (direct_unit * self.indirect_pct / HUNDRED + self.overhead_rate)
            )
            variance = q_amount(quantity * self.standard_cost) - direct - indirect
        else:
            indirect = q_amount(quantity * self._full_unit_cost(direct_unit)) - direct
            variance = ZERO
        parts = [(DIRECT, direct)]
        if indirect:
            parts.append((INDIRECT, indirect))
        if variance:
            parts.append((VARIANCE, variance))
        return parts

    def _expected_purchase_cost(self, quantity: Decimal, direct_unit: Decimal) -> Decimal:
        if self.method == "standard":
            return q_amount(quantity * self.standard_cost)
        return q_amount(quantity * self._full_unit_cost(direct_unit))

    def _full_unit_cost(self, direct_unit: Decimal) -> Decimal:
        return direct_unit * (1 + self.indirect_pct / HUNDRED) + self.overhead_rate

    def _entry_cost(self, entry_no: int) -> tuple[Decimal, Decimal, dt.date | None]:
        """inventory/services/context.py EntryCost: (base, revaluation per unit, latest
        valuation date) of an entry, rounding entries left out."""
        base = per_unit = ZERO
        latest = None
        for v in self._by_ile[entry_no]:
            if v.entry_type == ROUNDING:
                continue
            if v.entry_type == REVALUATION:
                if v.valued_quantity:
                    per_unit += v.actual / v.valued_quantity
            else:
                base += v.actual + v.expected
            latest = v.valuation_date if latest is None else max(latest, v.valuation_date)
        return base, per_unit, latest

    def _unit_cost_of(self, entry_no: int) -> Decimal:
        base, per_unit, _ = self._entry_cost(entry_no)
        return base / self.entries[entry_no].quantity + per_unit

    def _posted(self) -> None:
        """After each posting: the item's unit cost, and the adjustment when it runs always."""
        self._refresh_unit_cost()
        if self.auto_adjust:
            self.adjust()

    def _refresh_unit_cost(self) -> None:
        """Spec §1.2, §17: unit cost = value / quantity on hand; kept when nothing is on hand,
        never replaced by zero; the standard cost for a Standard item."""
        if self.method == "standard":
            self.unit_cost = self.standard_cost
            return
        if self._on_hand <= 0:
            return
        new = q_unit_cost(self._value / self._on_hand)
        if new != 0 or self.unit_cost == 0:
            self.unit_cost = new


@contextmanager
def adjusting_always() -> Iterator[None]:
    """Ledgers made inside run the adjustment after every posting, as with Automatic Cost
    Adjustment = Always."""
    Ledger._adjust_always = True
    try:
        yield
    finally:
        Ledger._adjust_always = False
