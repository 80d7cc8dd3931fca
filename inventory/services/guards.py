"""Posting barriers (spec §10): closed inventory periods and the earliest allowed valuation date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from inventory.models import InventoryPeriod, InventorySetup


@dataclass(frozen=True)
class PostingGuard:
    closed_until: dt.date | None
    earliest_valuation_date: dt.date | None

    @classmethod
    def load(cls, setup: InventorySetup) -> PostingGuard:
        return cls(InventoryPeriod.last_closed_ending_date(), setup.earliest_allowed_valuation_date)

    def posting_date_problem(self, posting_date: dt.date) -> str | None:
        """Why nothing may be posted on this date, or None when it may."""
        if self.closed_until is not None and posting_date <= self.closed_until:
            return (
                f"{posting_date} is in a closed inventory period (closed up to "
                f"{self.closed_until}); post on a later date or reopen the period."
            )
        return self.valuation_date_problem(posting_date)

    def valuation_date_problem(self, valuation_date: dt.date) -> str | None:
        floor = self.earliest_valuation_date
        if floor is not None and valuation_date < floor:
            return (
                f"{valuation_date} is before the earliest allowed valuation date {floor} "
                "(Inventory Setup)."
            )
        return None
