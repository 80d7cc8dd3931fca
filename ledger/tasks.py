"""The scheduled Post Inventory Cost to G/L (a django-celery-beat periodic task)."""

from celery import shared_task
from django.utils import timezone

from costing.services import cost_adjustment_run
from inventory.models import InventorySetup
from ledger.services import PER_POSTING_GROUP, inventory_cost_post_to_gl


@shared_task(name="ledger.post_inventory_cost_to_gl", acks_late=True)
def post_inventory_cost_to_gl_task(
    post_method: str = PER_POSTING_GROUP, document_no: str | None = None
) -> dict:
    """Adjust cost first when the setup asks for it, then post; returns a short summary."""
    adjusted = 0
    if InventorySetup.get().adjust_cost_before_posting_to_gl:
        adjusted = cost_adjustment_run().entries_adjusted
    if post_method == PER_POSTING_GROUP and not document_no:
        document_no = timezone.localtime().strftime("INVT%y%m%d%H%M")
    report = inventory_cost_post_to_gl(post_method=post_method, document_no=document_no or "")
    return {
        "entries_adjusted": adjusted,
        "value_entries_posted": report.value_entries_posted,
        "gl_entries": len(report.lines),
        "skipped": len(report.skipped),
        "message": report.message,
    }


@shared_task(
    bind=True,
    name="ledger.run_inventory_close",
    acks_late=True,
    reject_on_worker_lost=True,  # a killed worker's close goes back to the queue
)
def run_inventory_close(self, close_id: int) -> dict:
    """A month-end close or recalculation: fetch by id, run the service."""
    from ledger.services.closing import inventory_close_execute

    def progress(done: int, total: int) -> None:
        if not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    close = inventory_close_execute(close_id, task_id=self.request.id or "", progress=progress)
    if close is None:
        return {"close": close_id, "status": "not claimed"}
    return {"close": close_id, "status": close.status}


def enqueue_close(close_id: int) -> None:
    run_inventory_close.delay(close_id)
