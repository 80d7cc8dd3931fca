"""Cost Adjustment - Item Batches (spec §13, BC-IMPLEMENTATION §1).

Each batch runs as its own Celery task, in one database transaction. When an item fails, the
work of the whole batch is rolled back, the batch is marked Failed and split: the failed item
alone in a batch of its own (kept Failed, with the error), the other items in a new batch that
runs again. When a batch passes its timeout it is rolled back, marked Timed out, split in halves
and both halves run again. Each split batch has one retry less; at zero nothing more is split.
A batch with Trace on is never split (its trace is what it is for).
"""

from __future__ import annotations

import time
import traceback
import uuid
from collections.abc import Callable, Sequence

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from costing.item_filter import item_filter_q
from costing.models import CostAdjustmentItemBatch, RunStatus
from costing.services.adjustment import (
    AdjustmentCanceled,
    AdjustmentResult,
    AdjustmentTimedOut,
    ItemAdjustmentFailed,
    ItemResult,
    adjust_one_by_one,
    items_to_adjust,
)
from costing.services.hooks import Adjusted, after_adjustment
from costing.services.logs import run_log_write, trace_write
from inventory.errors import InvalidInput
from inventory.models import Item

Enqueue = Callable[[CostAdjustmentItemBatch], None]


def _timeout_unit_seconds() -> float:
    """Seconds in a timeout "minute" (tests shorten it)."""
    return float(getattr(settings, "COST_ADJUSTMENT_TIMEOUT_UNIT_SECONDS", 60))


def item_filter_of(item_nos: Sequence[str]) -> str:
    return "|".join(item_nos)


def batch_add(
    *,
    item_filter: str | None = None,
    item_nos: Sequence[str] | None = None,
    timeout_minutes: int = 60,
    max_retry_attempts: int = 10,
    trace: bool = False,
    split_from: CostAdjustmentItemBatch | None = None,
    status: str = RunStatus.NOT_STARTED,
) -> CostAdjustmentItemBatch:
    """A new batch, from an item filter or a selection of item numbers."""
    if item_nos is not None:
        if not item_nos:
            raise InvalidInput.on("item_nos", "Select at least one item.")
        unknown = set(item_nos) - set(
            Item.objects.filter(no__in=item_nos).values_list("no", flat=True)
        )
        if unknown:
            raise InvalidInput.on("item_nos", f"Unknown items: {', '.join(sorted(unknown))}.")
        item_filter = item_filter_of(item_nos)
    item_filter = (item_filter or "*").strip() or "*"
    item_filter_q(item_filter)  # refuses a malformed filter with a clear error
    if not 1 <= timeout_minutes <= 720:
        raise InvalidInput.on("timeout_minutes", "Must be from 1 to 720 minutes.")
    if not 0 <= max_retry_attempts <= 100:
        raise InvalidInput.on("max_retry_attempts", "Must be from 0 to 100.")
    return CostAdjustmentItemBatch.objects.create(
        item_filter=item_filter,
        timeout_minutes=timeout_minutes,
        max_retry_attempts=max_retry_attempts,
        trace=trace,
        split_from=split_from,
        status=status,
    )


def batch_add_missing_items(**options) -> CostAdjustmentItemBatch | None:
    """One batch holding every item that no existing batch's filter covers."""
    covered = Q(pk__in=[])
    for item_filter in CostAdjustmentItemBatch.objects.values_list("item_filter", flat=True):
        covered |= item_filter_q(item_filter)
    missing = list(Item.objects.exclude(covered).order_by("no").values_list("no", flat=True))
    if not missing:
        return None
    return batch_add(item_nos=missing, **options)


def batch_queue(batch: CostAdjustmentItemBatch) -> None:
    """Send the batch to a worker once the current transaction commits."""
    from costing.tasks import enqueue_batch

    if batch.status == RunStatus.RUNNING:
        raise InvalidInput.on("status", f"Batch {batch.pk} is running.")
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
        status=RunStatus.NOT_STARTED,
        started_at=None,
        ended_at=None,
        last_error="",
        last_error_traceback="",
        failed_item_no="",
        items_done=0,
    )
    transaction.on_commit(lambda: enqueue_batch(batch.pk, batch.timeout_minutes, batch.trace))


def batches_run_all() -> int:
    """Queue every batch that has not started (Item Batches → Run)."""
    if CostAdjustmentItemBatch.objects.filter(status=RunStatus.RUNNING).exists():
        raise InvalidInput.on("status", "The cost adjustment is now running.")
    batches = list(CostAdjustmentItemBatch.objects.filter(status=RunStatus.NOT_STARTED))
    for batch in batches:
        batch_queue(batch)
    return len(batches)


def batch_cancel(batch: CostAdjustmentItemBatch) -> None:
    if batch.status == RunStatus.RUNNING:
        raise InvalidInput.on("status", f"Batch {batch.pk} is running; stop it instead.")
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(status=RunStatus.CANCELED)
    batch.refresh_from_db()


def batch_reset(batch: CostAdjustmentItemBatch) -> None:
    """Back to Not started; also the way to rerun a batch left Running by a worker that died."""
    if batch.status == RunStatus.RUNNING and not batch_is_stale(batch):
        raise InvalidInput.on("status", f"Batch {batch.pk} is running.")
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
        status=RunStatus.NOT_STARTED, started_at=None, ended_at=None, task_id=""
    )
    batch.refresh_from_db()


def batches_stop() -> int:
    """Cancel every batch that has not finished; running tasks are revoked."""
    from costing.tasks import revoke

    open_batches = CostAdjustmentItemBatch.objects.filter(
        status__in=[RunStatus.NOT_STARTED, RunStatus.RUNNING]
    )
    for task_id in open_batches.exclude(task_id="").values_list("task_id", flat=True):
        revoke(task_id)
    return open_batches.update(status=RunStatus.CANCELED, ended_at=timezone.now())


def batch_is_stale(batch: CostAdjustmentItemBatch) -> bool:
    """Running for longer than its timeout allows (twice it, plus a minute): its worker died."""
    if batch.status != RunStatus.RUNNING or batch.started_at is None:
        return False
    allowed = batch.timeout_minutes * _timeout_unit_seconds() * 2 + 60
    return (timezone.now() - batch.started_at).total_seconds() > allowed


def batch_progress(batch: CostAdjustmentItemBatch) -> tuple[int, int]:
    """Items done of items in the batch. While it runs, its worker reports progress through
    Celery's result backend (its own transaction is not visible until it commits)."""
    from config.celery import app

    if batch.status == RunStatus.RUNNING and batch.task_id and not app.conf.task_always_eager:
        from celery.result import AsyncResult

        try:
            info = AsyncResult(batch.task_id).info
        except Exception:  # no result backend reachable: say what the database knows
            info = None
        if isinstance(info, dict) and "done" in info:
            return int(info["done"]), int(info.get("total", batch.items_total))
    return batch.items_done, batch.items_total


# -- running one batch (the Celery task calls this) --------------------------------------------


def batch_execute(
    batch_id: int,
    *,
    task_id: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> CostAdjustmentItemBatch | None:
    """Claim the batch, adjust its items in one transaction, record the outcome, split and
    queue the splits when it failed or timed out. None if someone else has it."""
    claimed = CostAdjustmentItemBatch.objects.filter(
        Q(status=RunStatus.NOT_STARTED) | Q(status=RunStatus.RUNNING, task_id=task_id or "-"),
        pk=batch_id,
    ).update(status=RunStatus.RUNNING, started_at=timezone.now(), task_id=task_id, items_done=0)
    if not claimed:
        return None
    batch = CostAdjustmentItemBatch.objects.get(pk=batch_id)
    items = list(items_to_adjust(batch.item_filter))
    CostAdjustmentItemBatch.objects.filter(pk=batch_id).update(items_total=len(items))
    result = AdjustmentResult(started_at=batch.started_at, run_id=str(uuid.uuid4()))
    done: list[ItemResult] = []
    limit = batch.timeout_minutes * _timeout_unit_seconds()
    deadline = time.monotonic() + limit
    status = RunStatus.SUCCESS

    def canceled() -> bool:
        # Stop / Cancel commit a new status from another session; the batch looks between items.
        return CostAdjustmentItemBatch.objects.filter(
            pk=batch_id, status=RunStatus.CANCELED
        ).exists()

    try:
        with transaction.atomic():
            adjust_one_by_one(
                items,
                trace=batch.trace,
                deadline=deadline,
                progress=progress,
                results=done,
                should_stop=canceled,
            )
            # Production and assembly orders whose output or components are the batch's
            # items; never waiting for another batch's items or order rows (services/orders.py).
            from costing.services.orders import item_results_merge, orders_multi_level

            levels = orders_multi_level(items=batch_items(batch, items), skip_locked=True)
            # The run log counts what the order levels adjusted too, as a plain run's does.
            done[:] = item_results_merge(done, levels.items)
    except ItemAdjustmentFailed as failure:
        status = RunStatus.FAILED
        result.error, result.failed_item_no = failure.reason, failure.item_no
        result.traceback = "".join(traceback.format_exception(failure.error))
    except (AdjustmentTimedOut, SoftTimeLimitExceeded) as timeout:
        status, result.error = RunStatus.TIMED_OUT, str(timeout) or "The time limit passed."
    except AdjustmentCanceled as stop:
        status, result.error = RunStatus.CANCELED, str(stop)
    except Exception as error:  # e.g. a write failing for one of several items: which is unknown
        status, result.error = RunStatus.FAILED, f"{type(error).__name__}: {error}"
        result.traceback = "".join(traceback.format_exception(error))
    result.status = status
    result.items = done if status == RunStatus.SUCCESS else []
    result.ended_at = timezone.now()
    # Only a batch still Running records its outcome: a Stop that came in meanwhile wins.
    recorded = CostAdjustmentItemBatch.objects.filter(pk=batch_id, status=RunStatus.RUNNING).update(
        status=status,
        ended_at=result.ended_at,
        items_done=len(done) if status == RunStatus.SUCCESS else 0,
        last_error=result.error,
        last_error_traceback=result.traceback,
        failed_item_no=result.failed_item_no,
    )
    if not recorded:
        status = RunStatus.CANCELED
    run_log_write(result, item_filter=batch.item_filter, batch=batch, status=status)
    after_adjustment(Adjusted(items=done, automatic=False))
    if batch.trace:
        trace_write(uuid.UUID(result.run_id), batch, done)
    batch.refresh_from_db()
    if status in (RunStatus.FAILED, RunStatus.TIMED_OUT):
        for split in batch_split(batch):
            batch_queue(split)
    return batch


def batch_items(batch: CostAdjustmentItemBatch, adjusted: Sequence[Item] = ()) -> QuerySet[Item]:
    """The items a batch stands for: those of its filter (a selection or a split is stored as
    "A|B|C"); a blank filter stands for the items it adjusted, never for every item."""
    if (batch.item_filter or "").strip():
        return Item.objects.filter(item_filter_q(batch.item_filter))
    return Item.objects.filter(pk__in=[item.pk for item in adjusted])


def batch_split(batch: CostAdjustmentItemBatch) -> list[CostAdjustmentItemBatch]:
    """BC's Reschedule: the items of the batch still to adjust, split by the failed item or in
    halves; returns the new batches that should run."""
    if batch.max_retry_attempts <= 0 or batch.trace:
        return []
    waiting = list(items_to_adjust(batch.item_filter).values_list("no", flat=True))
    options = {
        "timeout_minutes": batch.timeout_minutes,
        "max_retry_attempts": batch.max_retry_attempts - 1,
        "split_from": batch,
    }
    if not waiting:
        return []
    if waiting == [batch.failed_item_no]:
        return []  # the failed item is alone already
    if batch.failed_item_no and batch.failed_item_no in waiting:
        # The failed item is isolated in a batch of its own that keeps the error.
        isolated = batch_add(item_nos=[batch.failed_item_no], status=RunStatus.FAILED, **options)
        CostAdjustmentItemBatch.objects.filter(pk=isolated.pk).update(
            last_error=batch.last_error,
            last_error_traceback=batch.last_error_traceback,
            failed_item_no=batch.failed_item_no,
            started_at=batch.started_at,
            ended_at=batch.ended_at,
        )
        rest = [no for no in waiting if no != batch.failed_item_no]
        return [batch_add(item_nos=rest, **options)] if rest else []
    if len(waiting) == 1:
        return [batch_add(item_nos=waiting, **options)]
    half = len(waiting) // 2
    return [
        batch_add(item_nos=waiting[:half], **options),
        batch_add(item_nos=waiting[half:], **options),
    ]
