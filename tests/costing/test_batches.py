"""Cost Adjustment - Item Batches at the service level, tasks in-process (the embedded default,
no broker): split rules, retries, timeouts, Add Missing Items, cancel/reset/stop, run all, the
logs per Cost Adjustment Logging, the tracer and progress (DOMAIN §13, BC-IMPLEMENTATION §1–§2).

A batch is queued when the transaction that queues it commits; these tests run inside one
transaction, so they run the captured on-commit callbacks (and those the batches queue in turn:
their splits) with django_capture_on_commit_callbacks(execute=True).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from costing.models import (
    CostAdjustmentItemBatch,
    CostAdjustmentItemLog,
    CostAdjustmentRun,
    RunStatus,
    TraceEvent,
)
from costing.services import batches as service
from costing.services import cost_adjustment_run
from costing.services.adjustment import ItemAdjustmentFailed, adjust_items
from inventory.errors import InvalidInput
from inventory.models import Item
from inventory.services import inventory_setup_update, item_charge_assign
from tests.costing.conftest import (
    ADJUSTMENT,
    DAY,
    PROJECT_ROOT,
    adjustment_entries,
    batches,
    broken_item,
    buy,
    is_adjusted,
    is_untouched,
    items_needing_adjustment,
    ledger_snapshot,
    make_item,
    needs_adjustment,
    needs_adjustment_with_return,
    sale_cost,
    sell,
    tree,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("batch_setup", "eager_celery")]

D = Decimal


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Queue a batch and run it to the end, its splits included (in-process)."""

    def run(batch: CostAdjustmentItemBatch) -> CostAdjustmentItemBatch:
        with django_capture_on_commit_callbacks(execute=True):
            service.batch_queue(batch)
        batch.refresh_from_db()
        return batch

    return run


@pytest.fixture
def slow(settings):
    """A timeout "minute" of 0.05 s and a pause of 0.15 s after each item: a batch with a
    timeout of 1 passes its deadline after its first item, and a batch of one item never does
    (the deadline is checked before each item)."""
    settings.COST_ADJUSTMENT_TIMEOUT_UNIT_SECONDS = 0.05
    settings.COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS = 0.15


def broken_is_untouched(no: str) -> bool:
    item = Item.objects.get(no=no)
    return not item.cost_is_adjusted and adjustment_entries(no) == 0


# -- running a batch -----------------------------------------------------------------------------


def test_a_batch_adjusts_the_items_of_its_filter_in_one_task(run):
    items_needing_adjustment("A", "B", "C", "D")
    batch = run(service.batch_add(item_filter="A..C"))

    assert batch.status == RunStatus.SUCCESS
    assert [is_adjusted(no) for no in "ABC"] == [True, True, True]
    assert is_untouched("D")  # outside the filter
    assert batch.task_id  # it ran as a task of its own
    assert batch.started_at <= batch.ended_at
    assert (batch.items_done, batch.items_total) == (3, 3)
    assert service.batch_progress(batch) == (3, 3)
    assert (batch.last_error, batch.failed_item_no) == ("", "")
    assert not batch.splits.exists()


@pytest.mark.filterwarnings("ignore:Results are not stored in backend")
def test_progress_is_items_done_of_items_in_the_batch():
    items_needing_adjustment("A", "B")
    batch = service.batch_add()
    assert service.batch_progress(batch) == (0, 0)  # not started: nothing counted yet

    calls: list[tuple[int, int]] = []
    done = service.batch_execute(batch.pk, progress=lambda d, t: calls.append((d, t)))

    assert calls == [(1, 2), (2, 2)]  # reported after each item
    assert service.batch_progress(done) == (2, 2)
    # Running with a task id but no result backend to ask: what the database knows.
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
        status=RunStatus.RUNNING, task_id="no-such-task", items_done=0, items_total=2
    )
    batch.refresh_from_db()
    assert service.batch_progress(batch) == (0, 2)


def test_items_that_need_no_adjustment_or_are_excluded_are_not_in_the_run(run):
    items_needing_adjustment("A", "B")
    make_item("C")
    buy("C", 1, 5)
    Item.objects.filter(no="C").update(cost_is_adjusted=True)
    Item.objects.filter(no="B").update(excluded_from_cost_adjustment=True)

    batch = run(service.batch_add())

    assert batch.status == RunStatus.SUCCESS
    assert (batch.items_done, batch.items_total) == (1, 1)
    assert is_adjusted("A") and is_untouched("B")


def test_a_batch_whose_items_need_nothing_succeeds_with_nothing_done(run):
    make_item("A")
    before = ledger_snapshot()
    batch = run(service.batch_add())
    assert batch.status == RunStatus.SUCCESS
    assert (batch.items_done, batch.items_total) == (0, 0)
    assert ledger_snapshot() == before


# -- failures ------------------------------------------------------------------------------------


def test_the_broken_item_really_raises_in_the_engine():
    """The premise of the failure tests: the broken item fails on its own, and the same item
    without the inconsistency adjusts fine."""
    broken = broken_item("B")
    with pytest.raises(ItemAdjustmentFailed) as failure:
        adjust_items([broken.pk])
    assert failure.value.item_no == "B"
    assert isinstance(failure.value.error, KeyError)
    healthy = needs_adjustment_with_return("H")
    [result] = adjust_items([healthy.pk])
    assert result.item_no == "H" and result.entries_adjusted > 0


def test_the_failing_item_is_isolated_in_a_failed_batch_and_the_others_are_adjusted(run):
    items_needing_adjustment("A", "C", "D")
    broken_item("B")

    batch = run(service.batch_add(max_retry_attempts=5))

    assert tree(batch) == [("*", "failed"), ("B", "failed"), ("A|C|D", "success")]
    assert batch.failed_item_no == "B"
    assert batch.last_error  # the engine's error...
    assert "KeyError" in batch.last_error_traceback  # ...and where it was raised
    assert (batch.items_done, batch.items_total) == (0, 4)  # rolled back: nothing done
    isolated, rest = batch.splits.order_by("pk")
    # The failed item alone, kept Failed with the error; it is not run again.
    assert (isolated.item_filter, isolated.status, isolated.failed_item_no) == ("B", "failed", "B")
    assert isolated.last_error == batch.last_error
    assert isolated.last_error_traceback == batch.last_error_traceback
    assert isolated.task_id == ""
    assert isolated.max_retry_attempts == rest.max_retry_attempts == 4  # one retry less
    assert rest.timeout_minutes == isolated.timeout_minutes == batch.timeout_minutes
    # The rest ran again, as a task of its own.
    assert rest.task_id and rest.task_id != batch.task_id
    assert (rest.items_done, rest.items_total) == (3, 3)
    assert [is_adjusted(no) for no in "ACD"] == [True, True, True]
    assert broken_is_untouched("B")


def test_a_failed_batch_is_rolled_back_entirely(run):
    """A is adjusted before B fails, in the same transaction: A's work goes too. With no retries
    left nothing is split or rerun, so the ledgers are exactly as they were."""
    items_needing_adjustment("A", "C")
    broken_item("B")
    before = ledger_snapshot()

    batch = run(service.batch_add(max_retry_attempts=0))

    assert (batch.status, batch.failed_item_no) == (RunStatus.FAILED, "B")
    assert not batch.splits.exists()
    assert ledger_snapshot() == before
    assert is_untouched("A") and is_untouched("C")


def test_two_broken_items_are_isolated_one_after_the_other(run):
    items_needing_adjustment("A", "C", "E")
    broken_item("B")
    broken_item("D")

    batch = run(service.batch_add())

    assert tree(batch) == [
        ("*", "failed"),
        ("B", "failed"),
        ("A|C|D|E", "failed"),
        ("D", "failed"),
        ("A|C|E", "success"),
    ]
    assert [b.max_retry_attempts for b in batches()] == [10, 9, 9, 8, 8]
    assert [b.failed_item_no for b in batches()] == ["B", "B", "D", "D", ""]
    assert [is_adjusted(no) for no in "ACE"] == [True, True, True]
    assert broken_is_untouched("B") and broken_is_untouched("D")


def test_the_retry_limit_stops_the_splitting(run):
    items_needing_adjustment("A", "D")
    broken_item("B")
    broken_item("C")
    before = ledger_snapshot()

    batch = run(service.batch_add(max_retry_attempts=1))

    # Split once (retries 1 -> 0); the rest fails on C and, with no retry left, stays failed.
    assert tree(batch) == [("*", "failed"), ("B", "failed"), ("A|C|D", "failed")]
    rest = batch.splits.get(item_filter="A|C|D")
    assert (rest.max_retry_attempts, rest.failed_item_no) == (0, "C")
    assert ledger_snapshot() == before  # both runs were rolled back


def test_a_failure_without_an_identified_item_splits_the_batch_in_halves(run, monkeypatch):
    """E.g. the database connection lost: no item to blame, so the batch is halved."""
    items_needing_adjustment("A", "B", "C")
    real = service.adjust_one_by_one
    calls = []

    def first_call_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("connection to the database lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "adjust_one_by_one", first_call_fails)

    batch = run(service.batch_add())

    assert (batch.status, batch.failed_item_no) == (RunStatus.FAILED, "")
    assert batch.last_error == "RuntimeError: connection to the database lost"
    assert tree(batch) == [("*", "failed"), ("A", "success"), ("B|C", "success")]
    assert [is_adjusted(no) for no in "ABC"] == [True, True, True]


# -- timeouts ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("slow")
def test_a_batch_over_its_timeout_is_rolled_back_and_split_in_halves_until_done(run):
    items_needing_adjustment("A", "B", "C", "D")

    batch = run(service.batch_add(timeout_minutes=1))

    assert tree(batch) == [
        ("*", "timed_out"),
        ("A|B", "timed_out"),
        ("A", "success"),
        ("B", "success"),
        ("C|D", "timed_out"),
        ("C", "success"),
        ("D", "success"),
    ]
    assert "deadline" in batch.last_error and batch.failed_item_no == ""
    assert batch.items_done == 0
    assert [b.max_retry_attempts for b in batches()] == [10, 9, 9, 8, 8, 8, 8]  # by creation
    assert all(b.timeout_minutes == 1 for b in batches())
    # Each item adjusted once: the work of the timed-out runs was rolled back, not kept twice.
    assert [is_adjusted(no) for no in "ABCD"] == [True, True, True, True]


def test_a_batch_past_its_deadline_before_its_first_item_still_adjusts_that_item(run, settings):
    # A deadline gone before any item was adjusted (a busy database at the start): the first
    # item is adjusted all the same, the second one is not started.
    settings.COST_ADJUSTMENT_TIMEOUT_UNIT_SECONDS = 0
    items_needing_adjustment("A", "B", "C")

    single = run(service.batch_add(item_filter="A", timeout_minutes=1))
    assert (single.status, single.items_done) == (RunStatus.SUCCESS, 1) and is_adjusted("A")

    pair = run(service.batch_add(item_filter="B|C", timeout_minutes=1, max_retry_attempts=0))
    assert pair.status == RunStatus.TIMED_OUT and "before item C" in pair.last_error
    assert not is_adjusted("B")  # rolled back with the batch


@pytest.mark.usefixtures("slow")
def test_a_timed_out_batch_without_retries_is_rolled_back_and_left_timed_out(run):
    items_needing_adjustment("A", "B")
    before = ledger_snapshot()

    batch = run(service.batch_add(timeout_minutes=1, max_retry_attempts=0))

    assert batch.status == RunStatus.TIMED_OUT
    assert not batch.splits.exists()
    assert ledger_snapshot() == before  # A was adjusted, then rolled back


@pytest.mark.usefixtures("slow")
def test_the_retry_limit_stops_the_splitting_of_timed_out_batches(run):
    items_needing_adjustment("A", "B", "C", "D")
    before = ledger_snapshot()

    batch = run(service.batch_add(timeout_minutes=1, max_retry_attempts=1))

    assert tree(batch) == [("*", "timed_out"), ("A|B", "timed_out"), ("C|D", "timed_out")]
    assert ledger_snapshot() == before


@pytest.mark.usefixtures("slow")
@pytest.mark.parametrize("problem", ["broken item", "timeout"])
def test_a_traced_batch_is_never_split(run, problem):
    items_needing_adjustment("A", "C")
    if problem == "broken item":
        broken_item("B")
        batch = run(service.batch_add(trace=True))
        assert batch.status == RunStatus.FAILED
    else:
        batch = run(service.batch_add(trace=True, timeout_minutes=1))
        assert batch.status == RunStatus.TIMED_OUT
    assert not batch.splits.exists()
    assert len(batches()) == 1


def test_the_workers_soft_time_limit_during_an_item_times_the_batch_out(run, monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from costing.services import adjustment

    items_needing_adjustment("A", "B", "C", "D")
    real = adjustment.adjust_item
    calls = []

    def slow_item(graph):
        calls.append(graph.item_id)
        if len(calls) == 2:  # the second item of the first run takes too long
            raise SoftTimeLimitExceeded()
        return real(graph)

    monkeypatch.setattr(adjustment, "adjust_item", slow_item)

    batch = run(service.batch_add())

    assert (batch.status, batch.failed_item_no) == (RunStatus.TIMED_OUT, "")


def test_the_workers_soft_time_limit_between_items_times_the_batch_out(run, monkeypatch):
    """Raised outside an item's adjustment, Celery's soft time limit does time the batch out:
    rolled back and halved."""
    from celery.exceptions import SoftTimeLimitExceeded

    items_needing_adjustment("A", "B", "C", "D")
    real = service.adjust_one_by_one
    calls = []

    def limit_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise SoftTimeLimitExceeded()
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "adjust_one_by_one", limit_once)

    batch = run(service.batch_add())

    assert (batch.status, batch.failed_item_no) == (RunStatus.TIMED_OUT, "")
    assert tree(batch) == [("*", "timed_out"), ("A|B", "success"), ("C|D", "success")]


# -- the split rules, one by one -----------------------------------------------------------------


def _ended(item_filter: str, status: str, **fields) -> CostAdjustmentItemBatch:
    batch = service.batch_add(item_filter=item_filter, max_retry_attempts=3, timeout_minutes=7)
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(status=status, **fields)
    batch.refresh_from_db()
    return batch


def test_split_rules():
    items_needing_adjustment("A", "B", "C", "D", "E")

    # N = 0: every item of the filter is adjusted already; nothing to rerun.
    Item.objects.filter(no__in=["D", "E"]).update(cost_is_adjusted=True)
    assert service.batch_split(_ended("D|E", RunStatus.TIMED_OUT)) == []

    # N = 1: one new batch with that item.
    [single] = service.batch_split(_ended("C|D", RunStatus.TIMED_OUT))
    assert (single.item_filter, single.status) == ("C", RunStatus.NOT_STARTED)
    assert (single.max_retry_attempts, single.timeout_minutes) == (2, 7)

    # Timed out (no failed item): halves in item order, N div 2 first.
    Item.objects.filter(no__in=["D", "E"]).update(cost_is_adjusted=False)
    parent = _ended("*", RunStatus.TIMED_OUT)
    first, second = service.batch_split(parent)
    assert (first.item_filter, second.item_filter) == ("A|B", "C|D|E")
    assert first.split_from == second.split_from == parent

    # Failed with a failed item: that item alone (Failed, not to run), the rest to run.
    parent = _ended("*", RunStatus.FAILED, failed_item_no="C", last_error="boom")
    [rest] = service.batch_split(parent)
    assert rest.item_filter == "A|B|D|E"
    isolated = parent.splits.get(item_filter="C")
    assert (isolated.status, isolated.last_error, isolated.failed_item_no) == (
        "failed",
        "boom",
        "C",
    )

    # A batch of the failed item alone is already isolated: nothing more.
    assert service.batch_split(_ended("C", RunStatus.FAILED, failed_item_no="C")) == []

    # The failed item needs no adjustment any more: the others are halved.
    Item.objects.filter(no="C").update(cost_is_adjusted=True)
    first, second = service.batch_split(_ended("*", RunStatus.FAILED, failed_item_no="C"))
    assert (first.item_filter, second.item_filter) == ("A|B", "D|E")

    # No retries left, or traced: never split.
    assert service.batch_split(_ended("*", RunStatus.TIMED_OUT, max_retry_attempts=0)) == []
    assert service.batch_split(_ended("*", RunStatus.TIMED_OUT, trace=True)) == []


# -- add, add missing items, cancel, reset, stop, run all ---------------------------------------


def test_adding_a_batch_checks_its_fields():
    items_needing_adjustment("A", "B")
    assert service.batch_add(item_filter="  ").item_filter == "*"
    assert service.batch_add(item_nos=["B", "A"]).item_filter == "B|A"
    batch = service.batch_add(item_filter="A..B", timeout_minutes=720, max_retry_attempts=100)
    assert (batch.status, batch.timeout_minutes, batch.max_retry_attempts) == (
        "not_started",
        720,
        100,
    )
    bad = [
        ({"timeout_minutes": 0}, "timeout_minutes"),
        ({"timeout_minutes": 721}, "timeout_minutes"),
        ({"max_retry_attempts": -1}, "max_retry_attempts"),
        ({"max_retry_attempts": 101}, "max_retry_attempts"),
        ({"item_filter": "A..B..C"}, "item_filter"),
        ({"item_filter": "A*B"}, "item_filter"),
        ({"item_filter": "A||B"}, "item_filter"),
        ({"item_nos": []}, "item_nos"),
        ({"item_nos": ["A", "NOPE"]}, "item_nos"),
    ]
    count = CostAdjustmentItemBatch.objects.count()
    for options, field in bad:
        with pytest.raises(InvalidInput) as refused:
            service.batch_add(**options)
        assert field in refused.value.detail, options
    assert CostAdjustmentItemBatch.objects.count() == count


def test_add_missing_items_makes_one_batch_of_the_items_no_batch_covers():
    for no in ["A", "B", "C", "D", "E", "F", "X1", "X2"]:
        make_item(no)
    service.batch_add(item_filter="A|B")
    service.batch_add(item_filter="C..D")
    service.batch_add(item_filter="X*")
    canceled = service.batch_add(item_filter="F")
    service.batch_cancel(canceled)  # a canceled batch still covers its items

    missing = service.batch_add_missing_items(timeout_minutes=5, max_retry_attempts=2, trace=True)

    assert missing.item_filter == "E"
    assert (missing.timeout_minutes, missing.max_retry_attempts, missing.trace) == (5, 2, True)
    assert service.batch_add_missing_items() is None  # every item is covered now


def test_add_missing_items_with_no_batch_takes_every_item():
    for no in ["B", "A"]:
        make_item(no)
    assert service.batch_add_missing_items().item_filter == "A|B"


def test_cancel_and_reset():
    items_needing_adjustment("A")
    batch = service.batch_add()
    service.batch_cancel(batch)
    batch.refresh_from_db()
    assert batch.status == RunStatus.CANCELED

    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
        status=RunStatus.FAILED, started_at=timezone.now(), ended_at=timezone.now(), task_id="t"
    )
    batch.refresh_from_db()
    service.batch_reset(batch)
    batch.refresh_from_db()
    assert (batch.status, batch.started_at, batch.ended_at, batch.task_id) == (
        "not_started",
        None,
        None,
        "",
    )


def test_a_canceled_batch_that_was_queued_is_not_run(django_capture_on_commit_callbacks):
    items_needing_adjustment("A")
    batch = service.batch_add()
    with django_capture_on_commit_callbacks(execute=True):
        service.batch_queue(batch)
        service.batch_cancel(batch)  # before its task starts
    batch.refresh_from_db()
    assert batch.status == RunStatus.CANCELED
    assert is_untouched("A")


def test_a_running_batch_cannot_be_queued_canceled_or_reset_until_it_is_stale():
    items_needing_adjustment("A")
    batch = service.batch_add(timeout_minutes=2)
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now(), task_id="t"
    )
    batch.refresh_from_db()
    assert not service.batch_is_stale(batch)
    for refused in (service.batch_queue, service.batch_cancel, service.batch_reset):
        with pytest.raises(InvalidInput):
            refused(batch)
    batch.refresh_from_db()
    assert batch.status == RunStatus.RUNNING

    # Its worker died: twice its timeout plus a minute later, it is stale and can be reset.
    allowed = dt.timedelta(minutes=2 * 2 + 1)
    batch.started_at = timezone.now() - allowed + dt.timedelta(seconds=5)
    assert not service.batch_is_stale(batch)
    CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
        started_at=timezone.now() - allowed - dt.timedelta(seconds=5)
    )
    batch.refresh_from_db()
    assert service.batch_is_stale(batch)
    service.batch_reset(batch)
    batch.refresh_from_db()
    assert (batch.status, batch.task_id) == (RunStatus.NOT_STARTED, "")
    assert not service.batch_is_stale(batch)


def test_stop_cancels_every_batch_that_has_not_finished():
    make_item("A")
    statuses = ["not_started", "running", "success", "failed", "timed_out", "canceled"]
    for status in statuses:
        batch = service.batch_add(item_filter="A")
        CostAdjustmentItemBatch.objects.filter(pk=batch.pk).update(
            status=status, task_id=f"task-{status}" if status == "running" else ""
        )

    assert service.batches_stop() == 2

    assert [b.status for b in batches()] == [
        "canceled",
        "canceled",
        "success",
        "failed",
        "timed_out",
        "canceled",
    ]
    assert all(b.ended_at for b in batches()[:2])


def test_run_all_queues_every_batch_not_started(django_capture_on_commit_callbacks):
    items_needing_adjustment("A", "B", "C")
    service.batch_add(item_filter="A")
    service.batch_add(item_filter="B")
    done = service.batch_add(item_filter="C")
    CostAdjustmentItemBatch.objects.filter(pk=done.pk).update(status=RunStatus.CANCELED)

    with django_capture_on_commit_callbacks(execute=True):
        assert service.batches_run_all() == 2

    assert [b.status for b in batches()] == ["success", "success", "canceled"]
    assert is_adjusted("A") and is_adjusted("B") and is_untouched("C")
    assert len({b.task_id for b in batches()[:2]}) == 2  # a task per batch


def test_run_all_refuses_while_a_batch_is_running():
    items_needing_adjustment("A", "B")
    waiting = service.batch_add(item_filter="A")
    running = service.batch_add(item_filter="B")
    CostAdjustmentItemBatch.objects.filter(pk=running.pk).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    with pytest.raises(InvalidInput, match="now running"):
        service.batches_run_all()
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.NOT_STARTED and not waiting.task_id


def test_a_batch_can_run_again(run):
    items_needing_adjustment("A")
    batch = run(service.batch_add())
    first_task = batch.task_id
    needs_adjustment("B")
    batch = run(batch)
    assert batch.status == RunStatus.SUCCESS and batch.task_id != first_task
    assert (batch.items_done, batch.items_total) == (1, 1)
    assert is_adjusted("A") and is_adjusted("B")


# -- logs ----------------------------------------------------------------------------------------


def _logged() -> list[tuple]:
    return [
        (
            run.item_filter,
            run.status,
            run.failed_item_no,
            run.entries_adjusted,
            run.cost_difference,
            [
                (i.item_no, i.status, i.entries_adjusted, i.cost_difference)
                for i in run.item_logs.all()
            ],
        )
        for run in CostAdjustmentRun.objects.order_by("pk")
    ]


FAILED_RUN = ("*", "failed", "B", 0, D(0), [("B", "failed", 0, D(0))])
REST_RUN = (
    "A|C",
    "success",
    "",
    2,
    2 * ADJUSTMENT,
    [("A", "success", 1, ADJUSTMENT), ("C", "success", 1, ADJUSTMENT)],
)


@pytest.mark.parametrize(
    "level, expected",
    [("disabled", []), ("errors_only", [FAILED_RUN]), ("all", [FAILED_RUN, REST_RUN])],
)
def test_the_logs_follow_the_logging_setting(run, level, expected):
    inventory_setup_update(cost_adjustment_logging=level)
    items_needing_adjustment("A", "C")
    broken_item("B")

    batch = run(service.batch_add())

    assert _logged() == expected
    for logged in CostAdjustmentRun.objects.all():
        assert logged.batch.item_filter == logged.item_filter
        assert logged.started_at <= logged.ended_at and logged.duration_ms >= 0
    if level != "disabled":
        failed = CostAdjustmentRun.objects.get(status="failed")
        assert failed.batch == batch and failed.last_error == batch.last_error
        assert failed.item_logs.get().error == batch.last_error
    if level == "all":
        rest = CostAdjustmentRun.objects.get(status="success")
        for row in rest.item_logs.all():
            assert rest.started_at <= row.started_at <= row.ended_at <= rest.ended_at


@pytest.mark.usefixtures("slow")
def test_a_timed_out_run_is_logged_without_item_rows(run):
    inventory_setup_update(cost_adjustment_logging="all")
    items_needing_adjustment("A", "B")

    run(service.batch_add(timeout_minutes=1, max_retry_attempts=0))

    [logged] = CostAdjustmentRun.objects.all()
    assert (logged.status, logged.entries_adjusted, logged.failed_item_no) == ("timed_out", 0, "")
    assert "deadline" in logged.last_error
    assert not logged.item_logs.exists()  # its work was rolled back; no item to blame


@pytest.mark.usefixtures("slow")
def test_errors_only_keeps_failed_runs_not_timed_out_ones(run):
    # BC: with Errors Only, a log row is written only when the status is Failed.
    inventory_setup_update(cost_adjustment_logging="errors_only")
    items_needing_adjustment("A", "B")

    run(service.batch_add(timeout_minutes=1, max_retry_attempts=0))

    assert not CostAdjustmentRun.objects.exists()


def test_adjustment_at_posting_time_is_never_logged():
    inventory_setup_update(automatic_cost_adjustment="always", cost_adjustment_logging="all")
    make_item("A")
    receipt = buy("A", 2, 10)
    sell("A", 1, DAY + dt.timedelta(days=1))
    item_charge_assign(entry_no=receipt.pk, posting_date=DAY + dt.timedelta(days=2), amount=D(4))

    # Adjusted at once, by the postings themselves...
    assert Item.objects.get(no="A").cost_is_adjusted
    assert sale_cost("A") == D("-12.00") and adjustment_entries("A") == 1
    # ...and not logged.
    assert not CostAdjustmentRun.objects.exists()
    assert not CostAdjustmentItemLog.objects.exists()

    # A manual run is logged (and finds nothing left to do).
    cost_adjustment_run()
    assert CostAdjustmentRun.objects.get().entries_adjusted == 0


# -- the tracer ----------------------------------------------------------------------------------


def test_a_traced_batch_records_what_it_did(run):
    items_needing_adjustment("A", "B")

    batch = run(service.batch_add(trace=True))

    events = list(TraceEvent.objects.order_by("pk"))
    assert {e.run_id for e in events} == {CostAdjustmentRun.objects.get().run_id}
    assert {e.batch_id for e in events} == {batch.pk}
    assert [(e.event, e.item_no, e.amount) for e in events] == [
        ("item_adjusted", "A", ADJUSTMENT),
        ("outbound_adjusted", "A", ADJUSTMENT),
        ("item_adjusted", "B", ADJUSTMENT),
        ("outbound_adjusted", "B", ADJUSTMENT),
    ]
    outbound = events[1]
    assert outbound.entry_no is not None and outbound.valuation_date == DAY + dt.timedelta(days=1)
    assert events[0].details == {"entries_adjusted": 1}


def test_the_trace_holds_the_latest_traced_run_only(run):
    items_needing_adjustment("A", "B", "C")
    run(service.batch_add(item_filter="A", trace=True))
    first = set(TraceEvent.objects.values_list("run_id", flat=True))
    assert len(first) == 1

    run(service.batch_add(item_filter="C"))  # not traced: the trace stays as it was
    assert set(TraceEvent.objects.values_list("run_id", flat=True)) == first

    second = run(service.batch_add(item_filter="B", trace=True))
    assert set(TraceEvent.objects.values_list("item_no", "batch")) == {("B", second.pk)}

    # A traced run with nothing to do leaves an empty trace: it is the latest traced run.
    run(service.batch_add(item_filter="B", trace=True))
    assert not TraceEvent.objects.exists()


@override_settings(COST_ADJUSTMENT_TRACE_LIMIT=3)
def test_the_trace_is_bounded_by_the_trace_limit(run):
    items_needing_adjustment("A", "B")
    run(service.batch_add(trace=True))
    assert list(TraceEvent.objects.order_by("pk").values_list("event", "item_no")) == [
        ("item_adjusted", "A"),
        ("outbound_adjusted", "A"),
        ("item_adjusted", "B"),
    ]


def test_the_trace_survives_a_failed_batch(run):
    """A is adjusted, then B fails: A's values are rolled back, but what the tracer saw of A is
    kept (that is what the trace is for)."""
    items_needing_adjustment("A")
    broken_item("B")
    before = ledger_snapshot()

    batch = run(service.batch_add(trace=True))

    assert (batch.status, batch.failed_item_no) == (RunStatus.FAILED, "B")
    assert ledger_snapshot() == before
    assert list(TraceEvent.objects.values_list("event", "item_no")) == [
        ("item_adjusted", "A"),
        ("outbound_adjusted", "A"),
    ]


# -- the embedded default ------------------------------------------------------------------------


def test_without_a_broker_tasks_run_in_process():
    """No CELERY_BROKER_URL: the settings make Celery run tasks eagerly, in-process, so a batch
    needs nothing but the web process (what the tests above rely on)."""
    env = {**os.environ, "CELERY_BROKER_URL": "", "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("CELERY_RESULT_BACKEND", None)
    code = (
        "import django; django.setup();"
        "from config.celery import app;"
        "print(app.conf.task_always_eager, app.conf.broker_url)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "memory://"]
