"""The month-end inventory close (spec §16, the Dynamics AX way), beside Business Central's
inventory periods (spec §10.1).

- Close at date D: adjust cost (every item that needs it, up to D, item by item), then in one
  transaction settle the issues against the receipts up to D (ledger.services.settling), post
  the inventory cost to the G/L (per posting group, the close's own document no.) and close the
  inventory period ending on D (created when there is none). After it nothing can be posted on
  or before D.
- Recalculation: adjust and post, without settling and without closing; any day.
- Reverse: the latest close only (ledger.services.close_reversal).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from costing.engine.money import ZERO
from costing.services.adjustment import ItemAdjustmentFailed, adjust_one_by_one
from costing.services.orders import orders_multi_level
from inventory.errors import InvalidInput
from inventory.models import (
    InventoryPeriod,
    InventorySetup,
    Item,
    PostValueEntryToGL,
    ValueEntry,
)
from inventory.services.guards import period_lock
from inventory.services.periods import (
    EARLIER_PERIOD_OPEN,
    NEGATIVE_INVENTORY,
    ORDER_IN_PROGRESS,
    Blocker,
    inventory_period_close,
    inventory_period_close_test,
    inventory_period_for_closing,
    items_waiting_for_adjustment,
)
from ledger.models import (
    GLEntry,
    InventoryClose,
    InventoryCloseGLPosting,
    InventoryCloseKind,
    InventoryCloseSettlement,
    InventoryCloseStatus,
    InventoryCloseWarning,
)
from ledger.services import posting
from ledger.services.close_reversal import (
    REVERSAL_SOURCE_CODE,
    inventory_close_reverse,
    latest_reversible_close,
    period_held_by_close,
    user_name,
)
from ledger.services.settling import (
    ADJUSTMENT_FAILED,
    ADVICE,
    CLOSE_REFUSED,
    ISSUE_NOT_INVOICED,
    MORE_ISSUES_THAN_RECEIPTS,
    NOT_POSTED_TO_GL,
    PRODUCTION_NOT_COSTED,
    RECEIPTS_NOT_INVOICED,
    SettlementPlan,
    UnsettledIssue,
    settlement_plan,
)

log = logging.getLogger(__name__)

_START_LOCK_KEY = 5811  # one close or recalculation started at a time (PostgreSQL)
_RUN_LOCK_KEY = 5812  # with the close's id: held by the worker running it

Progress = Callable[[int, int], None]


@dataclass
class PreRun:
    """What a close at the date would meet: what stops it, and the issues it cannot settle."""

    closing_date: dt.date
    blockers: list[Blocker]
    unsettled: list[UnsettledIssue]
    standard_items_skipped: int

    @property
    def items(self) -> list[str]:
        """Items that cannot be fully settled."""
        nos = {u.item_no for u in self.unsettled}
        nos |= {b.item_no for b in self.blockers if b.item_no}
        return sorted(nos)


# -- the pre-run list --------------------------------------------------------------------------


def inventory_close_prerun(*, closing_date: dt.date | None) -> PreRun:
    """Before a close: what stops it (earlier periods open, negative inventory, the date
    already closed) and every issue it could not fully settle. Nothing written."""
    if closing_date is None:
        raise InvalidInput.on("closing_date", "Give the closing date.")
    blockers = _start_blockers(closing_date)
    plan = settlement_plan(closing_date)
    return PreRun(closing_date, blockers, plan.unsettled, plan.standard_items_skipped)


def _start_blockers(closing_date: dt.date) -> list[Blocker]:
    closed = InventoryPeriod.last_closed_ending_date()
    if closed is not None and closing_date <= closed:
        return [
            Blocker(
                "closed",
                f"Inventory is closed up to {closed}; the closing date must be later (reverse "
                "the later closes first to close an earlier date again).",
            )
        ]
    # Costs not adjusted yet are no blocker here: the close adjusts first (items and finished
    # orders). A released order waiting in the period it cannot adjust.
    test = inventory_period_close_test(InventoryPeriod(ending_date=closing_date))
    stopping = (EARLIER_PERIOD_OPEN, NEGATIVE_INVENTORY, ORDER_IN_PROGRESS)
    return [b for b in test.blockers if b.kind in stopping]


# -- starting and running ----------------------------------------------------------------------


def inventory_close_start(
    *, kind: str, closing_date: dt.date | None, user: Any = None, enqueue: bool = True
) -> InventoryClose:
    """Check and record a close or recalculation and send it to a worker once committed (in
    process without a broker). A close that cannot succeed (negative inventory, an earlier
    period open, the date closed already) is refused with the reasons, and nothing written."""
    if kind not in InventoryCloseKind.values:
        raise InvalidInput.on("kind", f"Choose one of {', '.join(InventoryCloseKind.values)}.")
    if kind == InventoryCloseKind.CLOSE and closing_date is None:
        raise InvalidInput.on("closing_date", "A close needs a closing date.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_START_LOCK_KEY])
        running = InventoryClose.objects.filter(
            status__in=(InventoryCloseStatus.QUEUED, InventoryCloseStatus.RUNNING)
        ).first()
        if running is not None and close_is_stale(running):
            _failed(
                running,
                "Its worker stopped before it finished; nothing of its last step "
                "was kept. Start it again.",
            )
            running = None
        if running is not None:
            raise InvalidInput.on("kind", f"{running} is under way; wait until it has finished.")
        if kind == InventoryCloseKind.CLOSE:
            assert closing_date is not None
            blockers = _start_blockers(closing_date)
            if blockers:
                raise InvalidInput({"closing_date": [b.message for b in blockers]})
        close = InventoryClose.objects.create(
            kind=kind, closing_date=closing_date, user_name=user_name(user)
        )
        prefix = "CLOSE" if kind == InventoryCloseKind.CLOSE else "RECALC"
        close.document_no = f"{prefix}-{close.pk:06d}"
        close.save(update_fields=["document_no"])
        if enqueue:
            from ledger.tasks import enqueue_close

            transaction.on_commit(lambda: enqueue_close(close.pk))
    return close


class _Refused(Exception):
    def __init__(self, blockers: list[Blocker]):
        super().__init__("; ".join(b.message for b in blockers))
        self.blockers = blockers


def inventory_close_execute(
    close_id: int, *, task_id: str = "", progress: Progress | None = None
) -> InventoryClose | None:
    """Run a queued close or recalculation (a worker's task): claimed under its run lock by a
    conditional update, so a second delivery does nothing, and a close whose worker died may be
    taken over (adjustment is idempotent and the rest is one transaction)."""
    if not _run_lock(close_id):
        return None  # another worker runs it now
    try:
        # A running close whose run lock was free has lost its worker: this one takes over.
        statuses = [InventoryCloseStatus.QUEUED]
        if connection.vendor == "postgresql":
            statuses.append(InventoryCloseStatus.RUNNING)
        claimed = InventoryClose.objects.filter(pk=close_id, status__in=statuses).update(
            status=InventoryCloseStatus.RUNNING,
            started_at=timezone.now(),
            task_id=task_id,
            phase="adjusting",
            error="",
        )
        if not claimed:
            return None
        return _execute(close_id, progress)
    finally:
        _run_unlock(close_id)


def _run_lock(close_id: int) -> bool:
    """A session-level PostgreSQL advisory lock held while a close runs: a second delivery of
    its task finds it taken and does nothing; when a worker dies its connection goes and the
    lock with it, so a redelivered task may take the close over."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_RUN_LOCK_KEY, close_id])
        return bool(cursor.fetchone()[0])


def _run_unlock(close_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_RUN_LOCK_KEY, close_id])


def close_is_stale(close: InventoryClose) -> bool:
    """Running, but no worker holds its run lock any more (PostgreSQL only)."""
    if close.status != InventoryCloseStatus.RUNNING or connection.vendor != "postgresql":
        return False
    if not _run_lock(close.pk):
        return False
    _run_unlock(close.pk)
    return True


def _execute(close_id: int, progress: Progress | None) -> InventoryClose:
    close = InventoryClose.objects.get(pk=close_id)
    warnings: list[InventoryCloseWarning] = []
    try:
        warnings.extend(_adjust(close, progress))
        with transaction.atomic():
            warnings.extend(_finish(close))
            InventoryCloseWarning.objects.bulk_create(warnings)
            warnings = []
    except _Refused as refused:
        warnings.extend(
            InventoryCloseWarning(
                close=close,
                kind=CLOSE_REFUSED,
                item_no=b.item_no,
                entry_no=b.entry_nos[0] if b.entry_nos else None,
                message=b.message,
                advice=ADVICE[CLOSE_REFUSED],
            )
            for b in refused.blockers
        )
        _failed(close, f"The period could not be closed: {refused}")
    except Exception as error:  # rolled back; recorded on the close, traceback in the log
        log.exception("inventory close %s failed", close.pk)
        _failed(close, f"{type(error).__name__}: {error}")
    InventoryCloseWarning.objects.bulk_create(warnings)
    close.refresh_from_db()
    return close


def _failed(close: InventoryClose, error: str) -> None:
    InventoryClose.objects.filter(pk=close.pk).update(
        status=InventoryCloseStatus.FAILED, error=error, ended_at=timezone.now(), phase=""
    )


def _adjust(close: InventoryClose, progress: Progress | None) -> list[InventoryCloseWarning]:
    """Adjust every item that needs it (flagged so, or with costs up to the closing date that
    wait), up to the closing date, each item committed on its own (short locks, live progress);
    a failing item is logged and the others go on."""
    waiting = items_waiting_for_adjustment(close.closing_date)
    items = list(
        Item.objects.filter(Q(cost_is_adjusted=False) | Q(no__in=waiting))
        .filter(excluded_from_cost_adjustment=False)
        .order_by("no")
    )
    InventoryClose.objects.filter(pk=close.pk).update(items_total=len(items), items_done=0)
    warnings = []
    adjusted, difference = 0, ZERO
    for done, item in enumerate(items, start=1):
        try:
            for result in adjust_one_by_one([item], until=close.closing_date, commit_each=True):
                adjusted += result.entries_adjusted
                difference += result.cost_difference
        except ItemAdjustmentFailed as failure:
            warnings.append(
                InventoryCloseWarning(
                    close=close,
                    kind=ADJUSTMENT_FAILED,
                    item_no=failure.item_no,
                    message=f"Item {failure.item_no} could not be adjusted: {failure.reason}",
                    advice=ADVICE[ADJUSTMENT_FAILED],
                )
            )
        InventoryClose.objects.filter(pk=close.pk).update(
            items_done=done, entries_adjusted=adjusted, cost_difference=difference
        )
        if progress:
            progress(done, len(items))
    # Then the orders (finished production orders, assembly orders) and, level by level, the
    # items their output reaches: spec §10.1 point 3 wants them adjusted too. One transaction.
    try:
        with transaction.atomic():
            orders = orders_multi_level(until=close.closing_date)
    except ItemAdjustmentFailed as failure:
        warnings.append(
            InventoryCloseWarning(
                close=close,
                kind=ADJUSTMENT_FAILED,
                item_no=failure.item_no,
                message=f"The orders could not be adjusted: item {failure.item_no} failed: "
                f"{failure.reason}",
                advice=ADVICE[ADJUSTMENT_FAILED],
            )
        )
    else:
        if orders.orders:
            adjusted += sum(o.entries_adjusted for o in orders.orders)
            adjusted += sum(i.entries_adjusted for i in orders.items)
            difference += orders.cost_difference + sum(
                (i.cost_difference for i in orders.items), ZERO
            )
            InventoryClose.objects.filter(pk=close.pk).update(
                entries_adjusted=adjusted, cost_difference=difference
            )
    return warnings


def _finish(close: InventoryClose) -> list[InventoryCloseWarning]:
    """Settle, post and close (a close) or post (a recalculation), in the caller's
    transaction."""
    warnings: list[InventoryCloseWarning] = []
    is_close = close.kind == InventoryCloseKind.CLOSE
    period = None
    if is_close:
        assert close.closing_date is not None
        period_lock(exclusive=True)  # no posting slips into the period from here on
        period = inventory_period_for_closing(
            ending_date=close.closing_date, name=_period_name(close.closing_date)
        )
        test = inventory_period_close_test(period)
        if not test.can_close:
            raise _Refused(test.blockers)
        InventoryClose.objects.filter(pk=close.pk).update(phase="settling", period=period)
        warnings.extend(_settle(close))
    InventoryClose.objects.filter(pk=close.pk).update(phase="posting")
    warnings.extend(_post(close))
    if is_close:
        assert period is not None
        inventory_period_close(
            period=period,
            description=f"Month-end close {close.document_no}",
            user_name=close.user_name,
        )
    InventoryClose.objects.filter(pk=close.pk).update(
        status=InventoryCloseStatus.DONE, ended_at=timezone.now(), phase=""
    )
    return warnings


def _period_name(closing_date: dt.date) -> str:
    if (closing_date + dt.timedelta(days=1)).day == 1:
        return closing_date.strftime("%B %Y")
    return ""


def _settle(close: InventoryClose) -> list[InventoryCloseWarning]:
    assert close.closing_date is not None
    plan = settlement_plan(close.closing_date)
    InventoryCloseSettlement.objects.bulk_create(
        [
            InventoryCloseSettlement(
                close=close,
                application_id=link.application_id,
                item_id=link.item_id,
                outbound_entry_id=link.outbound_id,
                inbound_entry_id=link.inbound_id,
                quantity=link.quantity,
                cost_amount=link.cost_amount,
            )
            for link in plan.links
        ],
        batch_size=5000,
    )
    InventoryClose.objects.filter(pk=close.pk).update(
        issues_settled=len({link.outbound_id for link in plan.links}),
        standard_items_skipped=plan.standard_items_skipped,
    )
    return [
        InventoryCloseWarning(
            close=close,
            kind=issue.kind,
            item_no=issue.item_no,
            entry_no=issue.entry_no,
            message=issue.message,
            advice=issue.advice,
        )
        for issue in plan.unsettled
    ]


def _posted_amounts(nos: list[int]) -> dict[int, tuple[Decimal, Decimal]]:
    return {
        no: (actual, expected)
        for no, actual, expected in ValueEntry.objects.filter(pk__in=nos).values_list(
            "pk", "cost_posted_to_gl", "expected_cost_posted_to_gl"
        )
    }


def _post(close: InventoryClose) -> list[InventoryCloseWarning]:
    """Post Inventory Cost to G/L under the close's document no., remembering what it added to
    each value entry's posted amounts."""
    queued = list(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True))
    before = _posted_amounts(queued)
    report = posting.inventory_cost_post_to_gl(
        post_method=posting.PER_POSTING_GROUP, document_no=close.document_no
    )
    after = _posted_amounts(queued)
    InventoryCloseGLPosting.objects.bulk_create(
        [
            InventoryCloseGLPosting(
                close=close, value_entry_id=no, actual=actual - old[0], expected=expected - old[1]
            )
            for no, old in before.items()
            for actual, expected in [after[no]]
            if (actual, expected) != old
        ],
        batch_size=5000,
    )
    transaction_no = GLEntry.objects.filter(
        document_no=close.document_no, source_code=posting.SOURCE_CODE
    ).aggregate(t=Min("transaction_no"))["t"]
    InventoryClose.objects.filter(pk=close.pk).update(
        value_entries_posted=report.value_entries_posted, gl_transaction_no=transaction_no
    )
    expected_posting = InventorySetup.get().expected_cost_posting_to_gl
    warnings = []
    for skipped in report.skipped:
        if skipped.expected_cost and not expected_posting:
            continue  # expected cost waits for its invoice by design
        if close.closing_date is not None and skipped.posting_date > close.closing_date:
            continue
        warnings.append(
            InventoryCloseWarning(
                close=close,
                kind=NOT_POSTED_TO_GL,
                item_no=skipped.item_no,
                entry_no=skipped.value_entry_no,
                message=f"Value entry {skipped.value_entry_no} of item {skipped.item_no} "
                f"({skipped.posting_date}) was not posted to the G/L: {skipped.reason}",
                advice=ADVICE[NOT_POSTED_TO_GL],
            )
        )
    return warnings


__all__ = [
    "ADJUSTMENT_FAILED",
    "ADVICE",
    "CLOSE_REFUSED",
    "ISSUE_NOT_INVOICED",
    "MORE_ISSUES_THAN_RECEIPTS",
    "NOT_POSTED_TO_GL",
    "PRODUCTION_NOT_COSTED",
    "RECEIPTS_NOT_INVOICED",
    "REVERSAL_SOURCE_CODE",
    "PreRun",
    "SettlementPlan",
    "UnsettledIssue",
    "close_is_stale",
    "inventory_close_execute",
    "inventory_close_prerun",
    "inventory_close_reverse",
    "inventory_close_start",
    "latest_reversible_close",
    "period_held_by_close",
    "settlement_plan",
]
