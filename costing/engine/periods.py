"""Average cost periods (spec §4.1): an entry point is dated at the last day of its period."""

import bisect
import calendar
import datetime as dt
from collections.abc import Sequence


def period_end(day: dt.date, period: str, accounting_starts: Sequence[dt.date] = ()) -> dt.date:
    """Last day of the average-cost period that contains `day`.

    Accounting periods are given by their starting dates (sorted); a day after the last
    defined period, or with none defined, falls in its calendar month.
    """
    if period == "accounting_period" and accounting_starts:
        index = bisect.bisect_right(accounting_starts, day)
        if 0 < index < len(accounting_starts):
            return accounting_starts[index] - dt.timedelta(days=1)
    if period == "day":
        return day
    if period == "week":  # weeks run Monday to Sunday
        return day + dt.timedelta(days=6 - day.weekday())
    if period in ("month", "accounting_period"):
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if period == "quarter":
        last_month = ((day.month - 1) // 3 + 1) * 3
        return dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1])
    if period == "year":
        return dt.date(day.year, 12, 31)
    raise ValueError(f"unknown average cost period {period!r}")
