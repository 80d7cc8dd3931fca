"""What other apps do inside a posting's transaction, once its entries are written.

The inventory app knows nothing of cost adjustment or the G/L; those apps register here when
Django starts (their AppConfig.ready), and every posting service calls `after_posting`; a
period reopening asks `reopen_problem` first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inventory.models import InventoryPeriod, InventorySetup


@dataclass(frozen=True)
class Posted:
    setup: InventorySetup
    item_ids: frozenset[int]
    earliest_valuation_date: dt.date


AfterPosting = Callable[[Posted], None]
ValuesWritten = Callable[[Sequence[int]], None]
OrderFinished = Callable[[str], None]
# Why a closed inventory period may not be reopened directly, or None (a month-end close that
# holds it must be reversed instead).
ReopenCheck = Callable[[InventoryPeriod], str | None]
_after_posting: list[AfterPosting] = []
_values_written: list[ValuesWritten] = []
_order_finished: list[OrderFinished] = []
_reopen_checks: list[ReopenCheck] = []


def register_after_posting(hook: AfterPosting) -> None:
    """Called once a posting's entries are written (automatic cost adjustment)."""
    if hook not in _after_posting:
        _after_posting.append(hook)


def register_values_written(hook: ValuesWritten) -> None:
    """Called with the entry numbers of every batch of value entries written, postings and
    adjustments alike (automatic cost posting)."""
    if hook not in _values_written:
        _values_written.append(hook)


def register_reopen_check(check: ReopenCheck) -> None:
    """Called before an inventory period is reopened; a reason refuses the reopening."""
    if check not in _reopen_checks:
        _reopen_checks.append(check)


def reopen_problem(period: InventoryPeriod) -> str | None:
    for check in _reopen_checks:
        problem = check(period)
        if problem:
            return problem
    return None


def after_posting(posted: Posted) -> None:
    for hook in _after_posting:
        hook(posted)


def values_written(entry_nos: Sequence[int]) -> None:
    for hook in _values_written:
        hook(entry_nos)


def register_order_finished(hook: OrderFinished) -> None:
    """Called with a production order's number once it is finished (order adjustment)."""
    if hook not in _order_finished:
        _order_finished.append(hook)


def order_finished(order_no: str) -> None:
    for hook in _order_finished:
        hook(order_no)
