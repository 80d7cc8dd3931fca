"""Automatic cost adjustment right after a posting (spec §1.1, §6.4).

The setup says how far back from today a posting's values may be dated and still be adjusted
at once: Never, Day, Week, Month, Quarter, Year or Always. Only the posted items are adjusted,
in the posting's transaction, and such runs are not logged.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from costing.services.adjustment import ItemAdjustmentFailed, adjust_items
from costing.services.hooks import Adjusted, after_adjustment
from inventory.models import AutomaticCostAdjustment
from inventory.services.hooks import Posted

log = logging.getLogger(__name__)

_MONTHS = {
    AutomaticCostAdjustment.MONTH: 1,
    AutomaticCostAdjustment.QUARTER: 3,
    AutomaticCostAdjustment.YEAR: 12,
}


def earliest_date_adjusted_at_once(setting: str, today: dt.date) -> dt.date | None:
    """Values dated on or after this date are adjusted at posting; None: never."""
    if setting == AutomaticCostAdjustment.NEVER:
        return None
    if setting == AutomaticCostAdjustment.ALWAYS:
        return dt.date.min
    if setting == AutomaticCostAdjustment.DAY:
        return today
    if setting == AutomaticCostAdjustment.WEEK:
        return today - dt.timedelta(days=7)
    months = _MONTHS[setting]
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    day = min(today.day, 28)
    return dt.date(year, month + 1, day)


def adjust_after_posting(posted: Posted) -> None:
    floor = earliest_date_adjusted_at_once(
        posted.setup.automatic_cost_adjustment, timezone.localdate()
    )
    if floor is None or posted.earliest_valuation_date < floor:
        return
    try:
        with transaction.atomic():  # a savepoint: a failing item must not undo the posting
            done = adjust_items(sorted(posted.item_ids))
    except ItemAdjustmentFailed as failure:
        # The posting stands; the item stays "not adjusted" and a run or batch will show why.
        log.warning("Automatic cost adjustment of %s failed: %s", failure.item_no, failure.reason)
        return
    after_adjustment(Adjusted(items=done, automatic=True))
