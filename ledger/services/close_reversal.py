"""Reversing a month-end close (spec §16): the latest close only, newest first. In one
transaction it reopens the close's period, posts a reversing G/L entry for every G/L entry the
close posted, takes back what the close added to the value entries' posted amounts (so they wait
in the G/L queue again) and makes its settlements inactive. Nothing is deleted; the cost
adjustments stay (adjustment is idempotent: the next close finds nothing more to adjust).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from inventory.errors import InvalidInput
from inventory.models import InventoryPeriod, PostValueEntryToGL, ValueEntry
from inventory.numbering import allocate
from inventory.services.guards import period_lock
from inventory.services.periods import inventory_period_reopen
from ledger.models import (
    GLEntry,
    GLItemLedgerRelation,
    InventoryClose,
    InventoryCloseGLPosting,
    InventoryCloseKind,
    InventoryCloseSettlement,
    InventoryCloseStatus,
)

REVERSAL_SOURCE_CODE = "INVTCLREV"


def user_name(user: Any) -> str:
    """The name a close or its reversal records: the signed-in user's, or blank."""
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()
    return ""


def period_held_by_close(period: InventoryPeriod) -> str | None:
    """A period a close in force has closed reopens only through the close's reversal, which
    also undoes its settlements and G/L posting."""
    close = InventoryClose.objects.filter(
        period=period, kind=InventoryCloseKind.CLOSE, status=InventoryCloseStatus.DONE
    ).first()
    if close is None:
        return None
    return (
        f"The month-end close {close.document_no} closed this period: reverse the close "
        "(Month-End Close) to reopen it."
    )


def latest_reversible_close() -> InventoryClose | None:
    return (
        InventoryClose.objects.filter(
            kind=InventoryCloseKind.CLOSE, status=InventoryCloseStatus.DONE
        )
        .order_by("-closing_date", "-id")
        .first()
    )


def inventory_close_reverse(*, close: InventoryClose, user: Any = None) -> InventoryClose:
    """Reverse the latest close: reopen its period, reverse its G/L entries with new ones, put
    its value entries back in the G/L queue, make its settlements inactive. One transaction."""
    with transaction.atomic():
        period_lock(exclusive=True)
        close = InventoryClose.objects.select_for_update().get(pk=close.pk)
        if close.kind != InventoryCloseKind.CLOSE:
            raise InvalidInput.on(
                "close", "A recalculation settles and closes nothing; there is nothing to reverse."
            )
        if close.status != InventoryCloseStatus.DONE:
            raise InvalidInput.on(
                "close",
                f"The close is {close.get_status_display().lower()}; only a done close "
                "can be reversed.",
            )
        latest = latest_reversible_close()
        if latest is not None and latest.pk != close.pk:
            raise InvalidInput.on(
                "close",
                f"Only the latest close can be reversed: reverse the close of "
                f"{latest.closing_date} ({latest.document_no}) first.",
            )
        assert close.period is not None
        close.status = InventoryCloseStatus.REVERSED  # first: the period is no longer held
        close.reversed_at = timezone.now()
        close.reversed_by = user_name(user)
        close.save(update_fields=["status", "reversed_at", "reversed_by"])
        try:
            inventory_period_reopen(
                period=close.period, user=user, description=f"Reversal of {close.document_no}"
            )
        except InvalidInput as problem:
            raise InvalidInput({"close": problem.detail["period"]}) from problem
        close.reversal_gl_transaction_no = _reverse_gl(close)
        close.save(update_fields=["reversal_gl_transaction_no"])
        InventoryCloseSettlement.objects.filter(close=close, active=True).update(active=False)
    return close


def _reverse_gl(close: InventoryClose) -> int | None:
    if close.gl_transaction_no is None:
        return None
    originals = list(
        GLEntry.objects.filter(transaction_no=close.gl_transaction_no).order_by("entry_no")
    )
    numbers = allocate(GLEntry, len(originals))
    reversal = {
        original.pk: GLEntry(
            entry_no=number,
            transaction_no=numbers[0],
            posting_date=original.posting_date,
            document_no=original.document_no,
            account_id=original.account_id,
            amount=-original.amount,
            description=f"Reversal: {original.description}"[:100],
            source_code=REVERSAL_SOURCE_CODE,
            dimensions=original.dimensions,
        )
        for number, original in zip(numbers, originals, strict=True)
    }
    GLEntry.objects.bulk_create(reversal.values(), batch_size=5000)
    GLItemLedgerRelation.objects.bulk_create(
        [
            GLItemLedgerRelation(gl_entry_id=reversal[gl].entry_no, value_entry_id=value)
            for gl, value in GLItemLedgerRelation.objects.filter(
                gl_entry_id__in=list(reversal)
            ).values_list("gl_entry_id", "value_entry_id")
        ],
        batch_size=5000,
    )
    # What the close added to each value entry's posted amounts, taken back in one statement.
    posting = InventoryCloseGLPosting.objects.filter(close=close, value_entry=OuterRef("pk"))
    ValueEntry.objects.filter(pk__in=close.postings.values("value_entry_id")).update(
        cost_posted_to_gl=F("cost_posted_to_gl") - Subquery(posting.values("actual")[:1]),
        expected_cost_posted_to_gl=F("expected_cost_posted_to_gl")
        - Subquery(posting.values("expected")[:1]),
    )
    postings = list(close.postings.values_list("value_entry_id", flat=True))
    PostValueEntryToGL.objects.bulk_create(
        [PostValueEntryToGL(value_entry_id=no) for no in postings],
        ignore_conflicts=True,
        batch_size=5000,
    )
    return numbers[0] if numbers else None
