"""Posting barriers (spec §10): closed inventory periods and the earliest allowed valuation date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from inventory.models import InventoryPeriod, InventorySetup

# Postings hold this PostgreSQL advisory lock shared for their transaction, closing a period
# holds it exclusively: a close waits for the postings under way and the postings that start
# meanwhile wait for the close, so none slips into the period between its test and its close.
PERIOD_LOCK_KEY = 5810


def period_lock(*, exclusive: bool = False) -> None:
    """Take the period lock for the current transaction (PostgreSQL; SQLite writers are
    serialised anyway)."""
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [PERIOD_LOCK_KEY])


@dataclass(frozen=True)
class PostingGuard:
    closed_until: dt.date | None
    earliest_valuation_date: dt.date | None
    closed_period_name: str = ""

    @classmethod
    def load(cls, setup: InventorySetup) -> PostingGuard:
        period_lock()
        period = InventoryPeriod.last_closed()
        if period is None:
            return cls(None, setup.earliest_allowed_valuation_date)
        return cls(period.ending_date, setup.earliest_allowed_valuation_date, period.name)

    def posting_date_problem(self, posting_date: dt.date) -> str | None:
        """Why nothing may be posted on this date, or None when it may."""
        if self.closed_until is not None and posting_date <= self.closed_until:
            name = f" {self.closed_period_name}" if self.closed_period_name else ""
            return (
                f"{posting_date} is in a closed inventory period: the inventory period{name} "
                f"ending {self.closed_until} is closed, and nothing may be posted on or before "
                "that date; post on a later date or reopen the period."
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
