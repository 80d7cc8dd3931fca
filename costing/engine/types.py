"""What the engine reads and what it returns: plain frozen data, no ORM.

One ItemGraph holds everything about one item that cost adjustment needs: its item ledger
entries, their value entries and the application links between them. The rows read and
written by the million (entries, values, applications, new values) are named tuples: built
three times faster than frozen dataclasses, as immutable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

# Value entry types (the same strings as the database's).
DIRECT = "direct_cost"
INDIRECT = "indirect_cost"
VARIANCE = "variance"
REVALUATION = "revaluation"
ROUNDING = "rounding"


class Entry(NamedTuple):
    """An item ledger entry."""

    entry_no: int
    posting_date: dt.date
    entry_type: str
    location: str
    variant: str
    quantity: Decimal
    invoiced_quantity: Decimal
    positive: bool
    applies_to: int | None
    applies_from: int | None  # the outbound entry a return or transfer receipt takes cost from


class Value(NamedTuple):
    """A value entry."""

    entry_no: int
    ile: int
    entry_type: str
    posting_date: dt.date
    valuation_date: dt.date
    valued_quantity: Decimal | None  # read for revaluations only
    actual: Decimal
    expected: Decimal
    adjustment: bool
    item_charge: bool
    valued_by_average_cost: bool
    cost_per_unit: Decimal | None  # read for postings only (not adjustments)


class Application(NamedTuple):
    """Outbound `outbound` used `quantity` (> 0) of inbound `inbound`."""

    entry_no: int
    inbound: int
    outbound: int
    quantity: Decimal


@dataclass(frozen=True)
class Settings:
    costing_method: str  # fifo, lifo, average, specific, standard
    average_per_location: bool = False  # calc type Item & Location & Variant
    average_period: str = "day"
    accounting_period_starts: tuple[dt.date, ...] = ()
    until: dt.date | None = None  # adjust values up to this valuation date only
    trace: bool = False  # record what the adjustment did (the tracer)


@dataclass(frozen=True)
class ItemGraph:
    item_id: int
    settings: Settings
    entries: dict[int, Entry]
    values: list[Value]
    applications: list[Application]


class NewValue(NamedTuple):
    """A value entry to add: an adjustment of `applies_to` or a rounding entry."""

    ile: int
    entry_type: str  # DIRECT for adjustments, ROUNDING for rounding residuals
    applies_to: int  # the value entry adjusted (for rounding: the inbound's last direct VE)
    actual: Decimal
    expected: Decimal

    @property
    def variance_type(self) -> str:
        return ""  # item-level adjustments are never variances (orders' are: OrderValue)


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One thing the adjustment did, for the tracer (BC's traced events)."""

    event: str
    entry_no: int | None = None
    location: str = ""
    variant: str = ""
    valuation_date: dt.date | None = None
    amount: Decimal = Decimal(0)


@dataclass
class ItemPlan:
    item_id: int
    new_values: list[NewValue] = field(default_factory=list)
    # False when values dated after the run's until-date still wait for adjustment.
    complete: bool = True
    trace: list[TraceRecord] = field(default_factory=list)

    @property
    def cost_difference(self) -> Decimal:
        return sum((v.actual + v.expected for v in self.new_values), Decimal(0))

    @property
    def entries_adjusted(self) -> int:
        return len({v.ile for v in self.new_values})
