"""The API of Cost Adjustment - Item Batches, its logs and its tracer (DOMAIN §13):
/api/v1/cost-adjustment/batches/ (run, run-all, stop, cancel, reset, add-missing-items),
/runs/ and /runs/{id}/items/, /trace/ and /trace/analysis/, and exclude/include an item.

Tasks run in-process (no broker). Queuing happens when the request's transaction commits; the
tests run inside a transaction, so they run the captured on-commit callbacks themselves, after
the response. The last test is transactional and shows the embedded default as it is: the
batch has run by the time the response is sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from costing.models import CostAdjustmentItemBatch, CostAdjustmentRun, RunStatus
from costing.services import batches as service
from inventory.models import Item
from tests.costing.conftest import (
    ADJUSTMENT,
    batches,
    broken_item,
    is_adjusted,
    is_untouched,
    items_needing_adjustment,
    make_item,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("batch_setup", "eager_celery"),
    # the progress of a Running batch asks Celery's result backend, which eager mode warns of
    pytest.mark.filterwarnings("ignore:Results are not stored in backend"),
]

BATCHES = "/api/v1/cost-adjustment/batches/"
RUNS = "/api/v1/cost-adjustment/runs/"
TRACE = "/api/v1/cost-adjustment/trace/"


def batch_url(batch_id: int, action: str = "") -> str:
    return f"{BATCHES}{batch_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def post_and_run(accountant, django_capture_on_commit_callbacks):
    """POST as the accountant and run what the request queued."""

    def post(url: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return accountant.post(url, data or {}, format="json")

    return post


def set_running(batch_id: int, started: dt.datetime | None = None) -> None:
    CostAdjustmentItemBatch.objects.filter(pk=batch_id).update(
        status=RunStatus.RUNNING, started_at=started or timezone.now(), task_id="t-1"
    )


# -- creating batches ----------------------------------------------------------------------------


def test_an_accountant_adds_a_batch_for_a_filter_or_a_selection_of_items(accountant):
    items_needing_adjustment("A", "B")

    response = accountant.post(
        BATCHES,
        {"item_filter": "A..B", "timeout_minutes": 5, "max_retry_attempts": 3, "trace": True},
        format="json",
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert {k: data[k] for k in ("item_filter", "status", "timeout_minutes")} == {
        "item_filter": "A..B",
        "status": "not_started",
        "timeout_minutes": 5,
    }
    assert (data["max_retry_attempts"], data["trace"]) == (3, True)
    assert (data["progress"], data["stale"], data["split_into"], data["split_from"]) == (
        {"done": 0, "total": 0},
        False,
        [],
        None,
    )
    assert "item_nos" not in data

    selection = accountant.post(BATCHES, {"item_nos": ["B", "A"]}, format="json")
    assert selection.status_code == 201 and selection.data["item_filter"] == "B|A"
    everything = accountant.post(BATCHES, {}, format="json")
    assert everything.status_code == 201
    assert (everything.data["item_filter"], everything.data["timeout_minutes"]) == ("*", 60)
    assert everything.data["max_retry_attempts"] == 10


@pytest.mark.parametrize(
    "data, field",
    [
        ({"timeout_minutes": 0}, "timeout_minutes"),
        ({"timeout_minutes": 721}, "timeout_minutes"),
        ({"timeout_minutes": "soon"}, "timeout_minutes"),
        ({"max_retry_attempts": 101}, "max_retry_attempts"),
        ({"max_retry_attempts": -1}, "max_retry_attempts"),
        ({"item_filter": "A..B..C"}, "item_filter"),
        ({"item_filter": "A*B"}, "item_filter"),
        ({"item_filter": "A|"}, "item_filter"),
        ({"item_nos": []}, "item_nos"),
        ({"item_nos": ["A", "NOPE"]}, "item_nos"),
    ],
)
def test_bad_batch_fields_are_refused(accountant, data, field):
    make_item("A")
    response = accountant.post(BATCHES, data, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not CostAdjustmentItemBatch.objects.exists()


def test_the_limits_themselves_are_accepted(accountant):
    response = accountant.post(
        BATCHES, {"timeout_minutes": 720, "max_retry_attempts": 0}, format="json"
    )
    assert response.status_code == 201, response.data
    response = accountant.post(
        BATCHES, {"timeout_minutes": 1, "max_retry_attempts": 100}, format="json"
    )
    assert response.status_code == 201, response.data


# -- who may do what -----------------------------------------------------------------------------


def test_a_viewer_reads_but_cannot_add_or_run(viewer):
    items_needing_adjustment("A")
    batch = service.batch_add()
    for path in (
        BATCHES,
        batch_url(batch.pk),
        RUNS,
        TRACE,
        f"{TRACE}analysis/?by=item",
    ):
        assert viewer.get(path).status_code == 200, path

    for path in (
        BATCHES,
        batch_url(batch.pk, "run"),
        batch_url(batch.pk, "cancel"),
        batch_url(batch.pk, "reset"),
        f"{BATCHES}run-all/",
        f"{BATCHES}stop/",
        f"{BATCHES}add-missing-items/",
        "/api/v1/items/A/exclude-from-cost-adjustment/",
        "/api/v1/items/A/include-in-cost-adjustment/",
    ):
        assert viewer.post(path, {}, format="json").status_code == 403, path

    batch.refresh_from_db()
    assert batch.status == RunStatus.NOT_STARTED and CostAdjustmentItemBatch.objects.count() == 1
    assert is_untouched("A") and not Item.objects.get(no="A").excluded_from_cost_adjustment


def test_an_anonymous_client_is_refused(anonymous):
    assert anonymous.get(BATCHES).status_code in (401, 403)
    assert anonymous.post(BATCHES, {}, format="json").status_code in (401, 403)
    assert anonymous.get(RUNS).status_code in (401, 403)


# -- running -------------------------------------------------------------------------------------


def test_run_queues_the_batch_and_it_runs(accountant, post_and_run):
    items_needing_adjustment("A", "B")
    batch = service.batch_add()

    response = post_and_run(batch_url(batch.pk, "run"))

    assert response.status_code == 202, response.data
    assert response.data["status"] == "not_started"  # queued; it runs once the request commits
    data = accountant.get(batch_url(batch.pk)).data
    assert data["status"] == "success"
    assert data["progress"] == {"done": 2, "total": 2}
    assert (data["items_done"], data["items_total"]) == (2, 2)
    assert data["task_id"] and data["started_at"] and data["ended_at"]
    assert is_adjusted("A") and is_adjusted("B")


def test_a_failed_batch_shows_its_error_and_the_batches_it_was_split_into(accountant, post_and_run):
    items_needing_adjustment("A", "C")
    broken_item("B")
    batch = service.batch_add()

    post_and_run(batch_url(batch.pk, "run"))

    data = accountant.get(batch_url(batch.pk)).data
    assert (data["status"], data["failed_item_no"]) == ("failed", "B")
    assert data["last_error"] and "KeyError" in data["last_error_traceback"]
    isolated, rest = batches()[1:]
    assert data["split_into"] == [isolated.pk, rest.pk]
    failed = accountant.get(BATCHES, {"status": "failed"}).data["results"]
    assert [b["id"] for b in failed] == [batch.pk, isolated.pk]
    splits = accountant.get(BATCHES, {"split_from": batch.pk}).data["results"]
    assert [(b["item_filter"], b["status"]) for b in splits] == [
        ("B", "failed"),
        ("A|C", "success"),
    ]
    assert splits[0]["failed_item_no"] == "B" and splits[0]["split_from"] == batch.pk


def test_a_running_batch_cannot_be_run_canceled_or_reset_until_stale(accountant):
    items_needing_adjustment("A")
    batch = service.batch_add(timeout_minutes=1)
    set_running(batch.pk)
    assert accountant.get(batch_url(batch.pk)).data["stale"] is False
    for action in ("run", "cancel", "reset"):
        response = accountant.post(batch_url(batch.pk, action), {}, format="json")
        assert response.status_code == 400, action
        assert "status" in response.data

    set_running(batch.pk, timezone.now() - dt.timedelta(minutes=4))  # 2 x 1 + 1 minutes
    assert accountant.get(batch_url(batch.pk)).data["stale"] is True
    response = accountant.post(batch_url(batch.pk, "reset"), {}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["stale"]) == ("not_started", False)


def test_cancel_and_reset(accountant):
    items_needing_adjustment("A")
    batch = service.batch_add()
    response = accountant.post(batch_url(batch.pk, "cancel"), {}, format="json")
    assert (response.status_code, response.data["status"]) == (200, "canceled")
    response = accountant.post(batch_url(batch.pk, "reset"), {}, format="json")
    assert (response.status_code, response.data["status"]) == (200, "not_started")


def test_run_all_runs_the_batches_not_started_and_is_refused_while_one_runs(
    accountant, post_and_run
):
    items_needing_adjustment("A", "B", "C")
    first = service.batch_add(item_filter="A")
    service.batch_add(item_filter="B")
    third = service.batch_add(item_filter="C")
    set_running(third.pk)

    response = accountant.post(f"{BATCHES}run-all/", {}, format="json")
    assert response.status_code == 400 and "running" in str(response.data["status"])
    first.refresh_from_db()
    assert first.status == RunStatus.NOT_STARTED and is_untouched("A")

    CostAdjustmentItemBatch.objects.filter(pk=third.pk).update(status=RunStatus.CANCELED)
    response = post_and_run(f"{BATCHES}run-all/")
    assert (response.status_code, response.data) == (202, {"queued": 2})
    assert [b.status for b in batches()] == ["success", "success", "canceled"]
    assert is_adjusted("A") and is_adjusted("B") and is_untouched("C")


def test_stop_cancels_what_has_not_finished(accountant):
    items_needing_adjustment("A", "B")
    service.batch_add(item_filter="A")
    running = service.batch_add(item_filter="B")
    set_running(running.pk)
    done = service.batch_add(item_filter="A")
    CostAdjustmentItemBatch.objects.filter(pk=done.pk).update(status=RunStatus.SUCCESS)

    response = accountant.post(f"{BATCHES}stop/", {}, format="json")

    assert (response.status_code, response.data) == (200, {"canceled": 2})
    assert [b.status for b in batches()] == ["canceled", "canceled", "success"]


def test_add_missing_items(accountant):
    for no in ("A", "B", "C"):
        make_item(no)
    service.batch_add(item_filter="B")

    response = accountant.post(
        f"{BATCHES}add-missing-items/", {"timeout_minutes": 9, "trace": True}, format="json"
    )
    assert response.status_code == 201, response.data
    assert (response.data["item_filter"], response.data["timeout_minutes"]) == ("A|C", 9)
    assert response.data["trace"] is True

    again = accountant.post(f"{BATCHES}add-missing-items/", {}, format="json")
    assert again.status_code == 200 and "detail" in again.data
    assert CostAdjustmentItemBatch.objects.count() == 2

    bad = accountant.post(f"{BATCHES}add-missing-items/", {"timeout_minutes": 0}, format="json")
    assert bad.status_code == 400 and "timeout_minutes" in bad.data


# -- logs ----------------------------------------------------------------------------------------


def test_the_run_log_and_the_item_log(accountant, post_and_run):
    items_needing_adjustment("A", "C")
    broken_item("B")
    batch = service.batch_add()
    post_and_run(batch_url(batch.pk, "run"))
    rest = batches()[2]

    runs = accountant.get(RUNS).data["results"]
    assert [(r["batch"], r["status"], r["failed_item_no"]) for r in runs] == [
        (rest.pk, "success", ""),  # newest first
        (batch.pk, "failed", "B"),
    ]
    success = runs[0]
    assert (success["entries_adjusted"], success["cost_difference"]) == (2, str(2 * ADJUSTMENT))
    assert success["item_filter"] == "A|C" and success["duration_ms"] >= 0

    items = accountant.get(f"{RUNS}{success['id']}/items/").data["results"]
    assert [
        (i["item_no"], i["status"], i["entries_adjusted"], i["cost_difference"]) for i in items
    ] == [
        ("A", "success", 1, str(ADJUSTMENT)),
        ("C", "success", 1, str(ADJUSTMENT)),
    ]
    failed_items = accountant.get(f"{RUNS}{runs[1]['id']}/items/").data["results"]
    assert [(i["item_no"], i["status"]) for i in failed_items] == [("B", "failed")]
    assert failed_items[0]["error"] == runs[1]["last_error"] != ""

    assert [r["status"] for r in accountant.get(RUNS, {"status": "failed"}).data["results"]] == [
        "failed"
    ]
    assert [r["batch"] for r in accountant.get(RUNS, {"batch": rest.pk}).data["results"]] == [
        rest.pk
    ]


# -- the tracer ----------------------------------------------------------------------------------


def test_the_trace_and_its_analysis(accountant, post_and_run):
    items_needing_adjustment("A", "B")
    batch = service.batch_add(trace=True)
    post_and_run(batch_url(batch.pk, "run"))

    events = accountant.get(TRACE).data["results"]
    assert [(e["event"], e["item_no"], e["amount"]) for e in events] == [
        ("item_adjusted", "A", str(ADJUSTMENT)),
        ("outbound_adjusted", "A", str(ADJUSTMENT)),
        ("item_adjusted", "B", str(ADJUSTMENT)),
        ("outbound_adjusted", "B", str(ADJUSTMENT)),
    ]
    assert {e["batch"] for e in events} == {batch.pk}
    assert [e["event"] for e in accountant.get(TRACE, {"item_no": "B"}).data["results"]] == [
        "item_adjusted",
        "outbound_adjusted",
    ]

    def analysis(by: str) -> list[tuple]:
        response = accountant.get(f"{TRACE}analysis/", {"by": by})
        assert response.status_code == 200 and response.data["by"] == by
        return sorted((r["key"], r["count"], r["amount"]) for r in response.data["rows"])

    assert analysis("event") == [("item_adjusted", 2, "-4.00"), ("outbound_adjusted", 2, "-4.00")]
    assert analysis("item") == [("A", 2, "-4.00"), ("B", 2, "-4.00")]
    assert analysis("location") == [("", 4, "-8.00")]
    rows = accountant.get(f"{TRACE}analysis/").data["rows"]  # by event unless told
    assert {r["key"] for r in rows} == {"item_adjusted", "outbound_adjusted"}
    assert all(r["duration_ms"] >= 0 for r in rows)

    bad = accountant.get(f"{TRACE}analysis/", {"by": "colour"})
    assert bad.status_code == 400 and "by" in bad.data


# -- exclude / include an item -------------------------------------------------------------------


def test_an_excluded_item_is_left_alone_until_included_again(accountant, post_and_run):
    items_needing_adjustment("A", "B")

    response = accountant.post("/api/v1/items/A/exclude-from-cost-adjustment/", format="json")
    assert response.status_code == 200
    assert response.data == {"item_no": "A", "excluded_from_cost_adjustment": True}
    batch = service.batch_add()
    post_and_run(batch_url(batch.pk, "run"))
    assert is_untouched("A") and is_adjusted("B")

    response = accountant.post("/api/v1/items/A/include-in-cost-adjustment/", format="json")
    assert response.data == {"item_no": "A", "excluded_from_cost_adjustment": False}
    post_and_run(batch_url(batch.pk, "run"))
    assert is_adjusted("A")

    assert accountant.post("/api/v1/items/NOPE/exclude-from-cost-adjustment/").status_code == 404


# -- the embedded default, as it runs --------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("restore_migrated_data")
def test_without_a_broker_the_batch_has_run_when_the_answer_comes(accountant):
    items_needing_adjustment("A", "B")
    batch = service.batch_add()

    response = accountant.post(batch_url(batch.pk, "run"), {}, format="json")

    assert response.status_code == 202
    assert response.data["status"] == "success"  # run in-process, before the answer
    assert response.data["progress"] == {"done": 2, "total": 2}
    assert is_adjusted("A") and is_adjusted("B")
    assert CostAdjustmentRun.objects.get().batch_id == batch.pk
