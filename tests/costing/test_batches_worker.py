"""Item batches on a real Redis broker and real Celery workers, not in-process: each batch is a
task of its own, run by a worker in its own transaction on its own database connection.

- a broken item ends isolated in a failed batch of its own, every other item adjusted;
- a batch over its timeout is rolled back and split (the timeout unit is shortened here);
- the retry limit stops the splitting;
- a worker killed during a batch leaves the ledgers exactly as they were, the batch is found
  stale, and the batch completes after a reset, with the killed task redelivered as well;
- two workers never adjust the same item at once;
- postings go on while a batch runs, and its progress can be followed;
- the logs follow Inventory Setup's Cost Adjustment Logging.

The workers run in a thread of this process (celery.contrib.testing), except the one that gets
killed, which is a `celery -A config worker` process. The data must be committed for them to
see it: these tests are transactional. See tests/costing/worker.py for the broker.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from celery.result import AsyncResult
from django.db import connection
from django.utils import timezone

from costing.bench import database_url
from costing.models import CostAdjustmentItemBatch, CostAdjustmentRun, RunStatus
from costing.services import batches as service
from inventory.errors import InvalidInput
from inventory.models import Item, ItemLedgerEntry
from inventory.services import JournalLine, inventory_setup_update, item_journal_post
from tests.costing.conftest import (
    ADJUSTMENT,
    DAY,
    adjustment_entries,
    batches,
    broken_item,
    is_adjusted,
    items_needing_adjustment,
    ledger_snapshot,
    make_item,
    tree,
)
from tests.costing.worker import (
    WorkerProcess,
    app_on_broker,
    broker_url_for_tests,
    other_sessions_in_transaction,
    published_tasks,
    thread_worker,
    wait_until,
)

pytestmark = [
    pytest.mark.celery_worker,
    # Committed data, emptied after each test; only these apps' tables, so that the rows of the
    # data migrations (roles, schedules) stay for the tests that come after.
    pytest.mark.django_db(transaction=True, available_apps=["inventory", "costing", "ledger"]),
    pytest.mark.usefixtures("batch_setup"),
    # celery's Redis result backend calls a method redis-py deprecates
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

D = Decimal
OPEN = (RunStatus.NOT_STARTED, RunStatus.RUNNING)


@pytest.fixture
def broker():
    """The project's Celery app on the Redis test database (flushed before and after)."""
    with app_on_broker(broker_url_for_tests()) as app:
        yield app


@pytest.fixture
def worker(broker):
    with thread_worker(broker) as started:
        yield started


@pytest.fixture
def slow(settings):
    """A timeout "minute" of 0.05 s and a pause of 0.2 s after each item: a batch with a
    timeout of 1 passes its deadline after its first item, a batch of one item never does."""
    settings.COST_ADJUSTMENT_TIMEOUT_UNIT_SECONDS = 0.05
    settings.COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS = 0.2


def settled() -> bool:
    """Every batch has ended and every task of a batch has finished (a task ends after it has
    queued its batch's splits, so nothing more is on its way)."""
    found = batches()
    return not any(b.status in OPEN for b in found) and all(
        AsyncResult(b.task_id).ready() for b in found if b.task_id
    )


def run_to_the_end(batch: CostAdjustmentItemBatch, timeout: float = 60) -> None:
    service.batch_queue(batch)  # autocommit: sent to the broker at once
    wait_until(settled, timeout=timeout, what="the batches to settle", details=_states)


def _states() -> str:
    return "\n".join(f"{b.pk} {b.item_filter} {b.status} {b.task_id}" for b in batches())


def wait_for_progress(batch: CostAdjustmentItemBatch, **options) -> tuple[int, int]:
    """Wait until the running batch has adjusted an item; its progress as its worker reports
    it through Celery's result backend (items done, items in the batch)."""

    def progressed():
        running = CostAdjustmentItemBatch.objects.get(pk=batch.pk)
        if running.status != RunStatus.RUNNING:
            return None
        done, total = service.batch_progress(running)
        return (done, total) if done >= 1 else None

    return wait_until(progressed, what=f"batch {batch.pk} to adjust an item", **options)


def task_result(batch: CostAdjustmentItemBatch) -> dict:
    return AsyncResult(batch.task_id).get(timeout=10)


# -- failures, timeouts, retries, logs -------------------------------------------------------------


@pytest.mark.parametrize("logging", ["disabled", "errors_only", "all"])
def test_a_broken_item_is_isolated_and_every_other_item_is_adjusted(worker, logging):
    inventory_setup_update(cost_adjustment_logging=logging)
    items_needing_adjustment("A", "C", "D")
    broken_item("B")

    batch = service.batch_add()
    run_to_the_end(batch)

    assert tree(batch) == [("*", "failed"), ("B", "failed"), ("A|C|D", "success")]
    isolated, rest = batch.splits.order_by("pk")
    assert (batch.failed_item_no, isolated.failed_item_no) == ("B", "B")
    assert isolated.last_error == batch.last_error != ""
    assert [is_adjusted(no) for no in "ACD"] == [True, True, True]
    assert not Item.objects.get(no="B").cost_is_adjusted and adjustment_entries("B") == 0

    # Each batch that ran was a task of its own; the isolated one did not run again.
    assert task_result(batch) == {"batch": batch.pk, "status": "failed", "failed_item_no": "B"}
    assert task_result(rest) == {"batch": rest.pk, "status": "success", "failed_item_no": ""}
    assert batch.task_id != rest.task_id and isolated.task_id == ""
    assert (rest.items_done, rest.items_total) == (3, 3)

    logged = [
        (r.batch_id, r.status, r.failed_item_no, r.entries_adjusted, r.cost_difference)
        for r in CostAdjustmentRun.objects.order_by("pk")
    ]
    failed_run = (batch.pk, "failed", "B", 0, D(0))
    rest_run = (rest.pk, "success", "", 3, 3 * ADJUSTMENT)
    assert (
        logged
        == {
            "disabled": [],
            "errors_only": [failed_run],
            "all": [failed_run, rest_run],
        }[logging]
    )
    items_logged = {
        r.status: [(i.item_no, i.status) for i in r.item_logs.all()]
        for r in CostAdjustmentRun.objects.all()
    }
    assert (
        items_logged
        == {
            "disabled": {},
            "errors_only": {"failed": [("B", "failed")]},
            "all": {
                "failed": [("B", "failed")],
                "success": [("A", "success"), ("C", "success"), ("D", "success")],
            },
        }[logging]
    )


@pytest.mark.usefixtures("slow")
def test_a_batch_over_its_timeout_is_rolled_back_and_split_until_every_item_is_done(worker):
    items_needing_adjustment("A", "B", "C", "D")

    batch = service.batch_add(timeout_minutes=1)
    run_to_the_end(batch)

    assert tree(batch) == [
        ("*", "timed_out"),
        ("A|B", "timed_out"),
        ("A", "success"),
        ("B", "success"),
        ("C|D", "timed_out"),
        ("C", "success"),
        ("D", "success"),
    ]
    assert "deadline" in batch.last_error
    # Adjusted once each: what the timed-out runs did was rolled back.
    assert [is_adjusted(no) for no in "ABCD"] == [True, True, True, True]
    timed_out = CostAdjustmentRun.objects.filter(status="timed_out")
    assert timed_out.count() == 3
    assert {r.entries_adjusted for r in timed_out} == {0}
    assert len({b.task_id for b in batches()}) == 7  # a task per batch


@pytest.mark.usefixtures("slow")
def test_the_retry_limit_stops_the_splitting_and_nothing_timed_out_is_kept(worker):
    items_needing_adjustment("A", "B", "C", "D")
    before = ledger_snapshot()

    batch = service.batch_add(timeout_minutes=1, max_retry_attempts=1)
    run_to_the_end(batch)

    assert tree(batch) == [("*", "timed_out"), ("A|B", "timed_out"), ("C|D", "timed_out")]
    assert [b.max_retry_attempts for b in batches()] == [1, 0, 0]
    # Three runs each adjusted an item before passing their deadline; all rolled back.
    assert ledger_snapshot() == before


# -- a worker that dies ------------------------------------------------------------------------


def test_a_worker_killed_during_a_batch_leaves_the_ledgers_as_they_were():
    url = broker_url_for_tests()
    items_needing_adjustment("A", "B", "C", "D")
    before = ledger_snapshot()
    batch = service.batch_add(timeout_minutes=1)

    # A visibility timeout of 1 s lets the next worker of this test take back the killed
    # worker's unacknowledged task at once (Redis's default is an hour).
    with app_on_broker(url, broker_transport_options={"visibility_timeout": 1}) as app:
        doomed = WorkerProcess(url, database_url(), COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS="1")
        try:
            service.batch_queue(batch)
            progress = wait_for_progress(batch, timeout=60, details=doomed.output)
            assert progress == (1, 4)
            # The worker adjusted A in the batch's transaction, not committed: nothing shows.
            assert ledger_snapshot() == before
            doomed.kill()
            killed_at = time.monotonic()
        finally:
            doomed.close()
        killed_task = CostAdjustmentItemBatch.objects.get(pk=batch.pk).task_id

        # The database rolls back what the dead worker's session had done.
        wait_until(lambda: other_sessions_in_transaction() == 0, what="the rollback")
        assert ledger_snapshot() == before
        assert not CostAdjustmentRun.objects.exists()

        # The batch still says Running; it is stale once twice its timeout and a minute passed.
        batch.refresh_from_db()
        assert batch.status == RunStatus.RUNNING
        assert not service.batch_is_stale(batch)
        with pytest.raises(InvalidInput):
            service.batch_reset(batch)
        CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
            started_at=timezone.now() - dt.timedelta(minutes=1 * 2 + 1, seconds=1)
        )
        batch.refresh_from_db()
        assert service.batch_is_stale(batch)

        # Reset and run again. The next worker also gets the killed task back (acknowledged
        # late, so still on the broker; taken back once older than the visibility timeout, when
        # the worker starts): whichever comes first runs the batch, the other claims nothing.
        service.batch_reset(batch)
        batch.refresh_from_db()
        with published_tasks() as sent:
            service.batch_queue(batch)
        [rerun_task] = sent
        time.sleep(max(0.0, killed_at + 1.2 - time.monotonic()))
        with thread_worker(app):
            wait_until(
                lambda: AsyncResult(killed_task).ready() and AsyncResult(rerun_task).ready(),
                what="both deliveries",
                details=_states,
            )
        batch.refresh_from_db()
        results = [AsyncResult(task).get(timeout=5) for task in (killed_task, rerun_task)]
        assert sorted(r["status"] for r in results) == ["not claimed", "success"]

    assert batch.status == RunStatus.SUCCESS
    assert [is_adjusted(no) for no in "ABCD"] == [True, True, True, True]
    [logged] = CostAdjustmentRun.objects.all()  # the killed run left no trace
    assert (logged.status, logged.entries_adjusted) == ("success", 4)


# -- concurrency ---------------------------------------------------------------------------------


def test_two_workers_never_adjust_the_same_item_at_once(broker, settings):
    """Two batches over the same items run at the same moment on two workers. Each locks an
    item while it adjusts it, until its transaction ends, so the second waits and then finds
    the work done: one adjustment per item, not two."""
    inventory_setup_update(automatic_cost_posting=False)  # no G/L posting lock in between
    settings.COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS = 0.3
    items_needing_adjustment("A", "B", "C")
    first = service.batch_add(item_filter="A..C")
    second = service.batch_add(item_filter="A|B|C")

    with thread_worker(broker, pool="threads", concurrency=2):
        service.batch_queue(first)
        service.batch_queue(second)
        wait_until(settled, what="both batches", details=_states)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == RunStatus.SUCCESS
    # They ran at the same time...
    assert max(first.started_at, second.started_at) < min(first.ended_at, second.ended_at)
    # ...yet every item was adjusted once, by one of them.
    assert [is_adjusted(no) for no in "ABC"] == [True, True, True]
    loser, winner = sorted(CostAdjustmentRun.objects.all(), key=lambda r: r.entries_adjusted)
    assert (loser.entries_adjusted, winner.entries_adjusted) == (0, 3)
    # The loser got A only once the winner was through with C (and had committed).
    loser_a = loser.item_logs.get(item_no="A")
    winner_c = winner.item_logs.get(item_no="C")
    assert loser_a.ended_at > winner_c.ended_at


@pytest.mark.parametrize(
    "automatic_cost_posting",
    [False, True],
)
def test_postings_go_on_while_a_batch_runs(worker, settings, automatic_cost_posting):
    inventory_setup_update(automatic_cost_posting=automatic_cost_posting)
    settings.COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS = 0.5
    items_needing_adjustment("A", "B", "C", "D")
    make_item("Z")
    batch = service.batch_add(item_filter="A..D")
    service.batch_queue(batch)

    done, total = wait_for_progress(batch)
    assert total == 4 and 1 <= done < 4  # items done of items in the batch, while it runs
    # The database knows the figures only once the batch's transaction has committed.
    assert CostAdjustmentItemBatch.objects.get(pk=batch.pk).items_done == 0

    # A posting of another item goes through at once...
    posted = {}

    def post_z():
        try:
            posted["entries"] = item_journal_post(
                lines=[JournalLine("purchase", "Z", DAY, D(1), unit_cost=D(7))]
            )
        finally:
            connection.close()

    poster = threading.Thread(target=post_z)
    started = time.monotonic()
    poster.start()
    poster.join(timeout=10)
    waited = time.monotonic() - started
    still_running = CostAdjustmentItemBatch.objects.get(pk=batch.pk).status == RunStatus.RUNNING
    wait_until(settled, what="the batch", details=_states)
    assert posted.get("entries"), "the posting failed"
    assert waited < 1 and still_running, f"the posting waited {waited:.1f}s for the batch"

    batch.refresh_from_db()
    assert batch.status == RunStatus.SUCCESS and (batch.items_done, batch.items_total) == (4, 4)
    assert [is_adjusted(no) for no in "ABCD"] == [True, True, True, True]
    assert ItemLedgerEntry.objects.filter(item__no="Z").count() == 1


# -- stop ----------------------------------------------------------------------------------------


def test_stop_ends_a_running_batch_on_a_prefork_worker():
    """The worker as it is run by default (prefork): Stop revokes the running task, the worker
    terminates it, its work is rolled back and the batch stays Canceled, not split."""
    url = broker_url_for_tests()
    items_needing_adjustment("A", "C", "D")
    broken_item("E")  # left to run, the batch would fail on E and be split
    before = ledger_snapshot()
    batch = service.batch_add()

    with app_on_broker(url):
        prefork = WorkerProcess(
            url, database_url(), pool="prefork", COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS="1"
        )
        try:
            service.batch_queue(batch)
            wait_for_progress(batch, timeout=60, details=prefork.output)
            task = CostAdjustmentItemBatch.objects.get(pk=batch.pk).task_id

            assert service.batches_stop() == 1

            wait_until(
                lambda: AsyncResult(task).state == "REVOKED",
                what="the task to be terminated",
                details=prefork.output,
            )
            wait_until(lambda: other_sessions_in_transaction() == 0, what="the rollback")
        finally:
            prefork.close()

    assert tree(batch) == [("*", "canceled")]
    assert ledger_snapshot() == before
    assert not CostAdjustmentRun.objects.exists()


def test_stop_ends_a_running_batch_on_a_solo_worker(worker, settings):
    settings.COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS = 0.3
    items_needing_adjustment("A", "C", "D")
    broken_item("E")
    before = ledger_snapshot()
    batch = service.batch_add()
    service.batch_queue(batch)
    wait_for_progress(batch)

    assert service.batches_stop() == 1

    wait_until(settled, what="the batches to settle", details=_states)
    assert tree(batch) == [("*", "canceled")]
    assert ledger_snapshot() == before


def _cost_by_entry() -> list[tuple[Decimal, Decimal]]:
    """Actual and expected cost of every item ledger entry in entry order (the numbers differ
    between two builds of the same ledger, the order does not), capacity last."""
    from django.db.models import F, Sum

    from inventory.models import ValueEntry

    rows = (
        ValueEntry.objects.values("item_ledger_entry_id")
        .annotate(a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected"))
        .order_by(F("item_ledger_entry_id").asc(nulls_last=True))
    )
    return [(r["a"], r["e"]) for r in rows]


def test_the_bench_on_worker_processes_adjusts_as_one_process_does():
    """bench_costing --workers 2: the full adjustment as item batches on a prefork worker the
    bench starts and stops. The same ledger (same seed, rebuilt with --reset) adjusted in-process
    and on the workers ends with the same cost on every entry and the same figures."""
    import io
    import json

    from django.core.management import call_command

    def bench(*args: str) -> dict:
        out = io.StringIO()
        call_command(
            "bench_costing",
            "--entries",
            "800",
            "--items",
            "12",
            *args,
            stdout=out,
            stderr=io.StringIO(),
        )
        return json.loads(out.getvalue().strip().splitlines()[-1])

    one = bench()
    in_process = _cost_by_entry()
    with app_on_broker(broker_url_for_tests()):
        two = bench("--reset", "--workers", "2")
    assert (one["adjust_full_workers"], two["adjust_full_workers"]) == (0, 2)
    assert two["adjust_full_batches"] >= 2
    assert _cost_by_entry() == in_process
    assert two["adjust_full_entries_adjusted"] == one["adjust_full_entries_adjusted"] > 0
    assert two["reconcile_difference"] == "0.00"
    assert not Item.objects.filter(cost_is_adjusted=False).exists()
    assert set(CostAdjustmentItemBatch.objects.values_list("status", flat=True)) == {"success"}
