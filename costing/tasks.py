"""Celery tasks of cost adjustment: thin, they fetch by id and call the service."""

from __future__ import annotations

import logging

from celery import shared_task

from costing.services.batches import _timeout_unit_seconds, batch_execute

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="costing.run_item_batch",
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's batch goes back to the queue
)
def run_item_batch(self, batch_id: int) -> dict:
    def progress(done: int, total: int) -> None:
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    batch = batch_execute(batch_id, task_id=self.request.id or "", progress=progress)
    if batch is None:
        return {"batch": batch_id, "status": "not claimed"}
    return {"batch": batch_id, "status": batch.status, "failed_item_no": batch.failed_item_no}


def enqueue_batch(batch_id: int, timeout_minutes: int, trace: bool) -> None:
    """Send a batch to the workers. The engine checks its deadline between items; Celery's
    time limits are the backstop for one item that runs too long (twice the timeout when
    tracing, to leave time for the rollback, as Business Central does)."""
    seconds = timeout_minutes * _timeout_unit_seconds() * (2 if trace else 1)
    run_item_batch.apply_async(
        args=[batch_id], soft_time_limit=seconds + 5, time_limit=seconds + 35
    )


def revoke(task_id: str) -> None:
    from config.celery import app

    try:
        app.control.revoke(task_id, terminate=True, signal="SIGTERM")
    except Exception:  # no broker (tasks run in-process): nothing is queued to revoke
        log.info("could not revoke task %s", task_id, exc_info=True)
