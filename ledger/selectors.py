"""Read-side queries of the ledger app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from ledger.models import GLAccount, GLEntry


def gl_account_list(date_to: dt.date | None = None) -> QuerySet[GLAccount]:
    """Accounts with their balance (debit-positive) up to a date, all dates when absent."""
    entries = GLEntry.objects.filter(account=OuterRef("no"))
    if date_to is not None:
        entries = entries.filter(posting_date__lte=date_to)
    total = entries.order_by().values("account").annotate(s=Sum("amount")).values("s")
    output = DecimalField(max_digits=20, decimal_places=2)
    return GLAccount.objects.annotate(
        balance=Coalesce(
            Subquery(total, output_field=output), Value(Decimal("0")), output_field=output
        )
    ).order_by("no")


def gl_entry_list() -> QuerySet[GLEntry]:
    return GLEntry.objects.prefetch_related("value_links").order_by("entry_no")
