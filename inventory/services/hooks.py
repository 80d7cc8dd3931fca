"""What other apps do inside a posting's transaction, once its entries are written.

The inventory app knows nothing of cost adjustment or the G/L; those apps register here when
Django starts (their AppConfig.ready), and every posting service calls `after_posting`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from inventory.models import InventorySetup


@dataclass(frozen=True)
class Posted:
    setup: InventorySetup
    item_ids: frozenset[int]
    earliest_valuation_date: dt.date


AfterPosting = Callable[[Posted], None]
_after_posting: list[AfterPosting] = []


def register_after_posting(hook: AfterPosting) -> None:
    if hook not in _after_posting:
        _after_posting.append(hook)


def after_posting(posted: Posted) -> None:
    for hook in _after_posting:
        hook(posted)
