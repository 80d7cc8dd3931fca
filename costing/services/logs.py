"""The cost adjustment logs and the tracer's log (BC-IMPLEMENTATION §2).

Inventory Setup's Cost Adjustment Logging decides what is kept: Disabled keeps nothing; Errors
Only keeps a run only when it failed, with the failed item's row; All keeps every run with a row
per item (only the failed item's when the run failed, since the rest was rolled back).
Automatic adjustments at posting time are never logged. Logs are written after the run's own
transaction, so a rolled-back run is still logged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from costing.models import (
    CostAdjustmentItemBatch,
    CostAdjustmentItemLog,
    CostAdjustmentRun,
    RunStatus,
    TraceEvent,
)
from costing.services.adjustment import AdjustmentResult, ItemResult
from inventory.models import CostAdjustmentLogging, InventorySetup


def run_log_write(
    result: AdjustmentResult,
    *,
    item_filter: str,
    batch: CostAdjustmentItemBatch | None = None,
    status: str | None = None,
) -> CostAdjustmentRun | None:
    status = status or result.status
    level = InventorySetup.get().cost_adjustment_logging
    if level == CostAdjustmentLogging.DISABLED:
        return None
    failed = status != RunStatus.SUCCESS
    # BC: Errors Only keeps the runs that failed (not those that timed out or were canceled).
    if level == CostAdjustmentLogging.ERRORS_ONLY and status != RunStatus.FAILED:
        return None
    with transaction.atomic():
        run = CostAdjustmentRun.objects.create(
            run_id=result.run_id or uuid.uuid4(),
            batch=batch,
            item_filter=item_filter,
            status=status,
            started_at=result.started_at,
            ended_at=result.ended_at or timezone.now(),
            entries_adjusted=0 if failed else result.entries_adjusted,
            cost_difference=0 if failed else result.cost_difference,
            last_error=result.error,
            failed_item_no=result.failed_item_no,
        )
        rows = []
        if not failed:
            rows = [_item_row(run, item, RunStatus.SUCCESS) for item in result.items]
        elif result.failed_item_no:
            rows = [
                CostAdjustmentItemLog(
                    run=run,
                    item_no=result.failed_item_no,
                    status=status,
                    started_at=run.ended_at,
                    ended_at=run.ended_at,
                    error=result.error,
                )
            ]
        CostAdjustmentItemLog.objects.bulk_create(rows)
    result.run_id = str(run.run_id)
    return run


def _item_row(run: CostAdjustmentRun, item: ItemResult, status: str) -> CostAdjustmentItemLog:
    started = item.started_at or run.started_at
    return CostAdjustmentItemLog(
        run=run,
        item_no=item.item_no,
        status=status,
        started_at=started,
        ended_at=started + dt.timedelta(milliseconds=item.duration_ms),
        duration_ms=item.duration_ms,
        entries_adjusted=item.entries_adjusted,
        cost_difference=item.cost_difference,
    )


def trace_write(
    run_id: uuid.UUID, batch: CostAdjustmentItemBatch | None, items: Sequence[ItemResult]
) -> int:
    """Replace the trace log with this run's events (the latest traced run only), at most
    COST_ADJUSTMENT_TRACE_LIMIT of them."""
    limit = getattr(settings, "COST_ADJUSTMENT_TRACE_LIMIT", 100_000)
    rows: list[TraceEvent] = []
    for item in items:
        rows.append(
            TraceEvent(
                run_id=run_id,
                batch=batch,
                event="item_adjusted",
                item_no=item.item_no,
                amount=item.cost_difference,
                duration_us=item.duration_ms * 1000,
                details={"entries_adjusted": item.entries_adjusted},
            )
        )
        rows.extend(
            TraceEvent(
                run_id=run_id,
                batch=batch,
                event=record.event,
                item_no=item.item_no,
                location_code=record.location,
                variant_code=record.variant,
                entry_no=record.entry_no,
                valuation_date=record.valuation_date,
                amount=record.amount,
            )
            for record in item.trace
        )
    with transaction.atomic():
        TraceEvent.objects.all().delete()
        TraceEvent.objects.bulk_create(rows[:limit], batch_size=5000)
    return min(len(rows), limit)
