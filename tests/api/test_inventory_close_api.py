"""The month-end inventory close over the API: start (on a worker; in process without a
broker), the pre-run list, the close log, reversal; bad input answers 400 naming the field."""

import pytest

from inventory.models import InventoryPeriod
from ledger.models import GLEntry, InventoryClose
from tests.factories import ItemFactory
from tests.ledger.conftest import create_gl_setup

URL = "/api/v1/inventory-closes/"


@pytest.fixture(autouse=True)
def _setup(db):
    create_gl_setup()


@pytest.fixture
def eager_celery():
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def post_lines(client, *lines):
    response = client.post("/api/v1/item-journal/post/", {"lines": list(lines)}, format="json")
    assert response.status_code == 201
    return [e["entry_no"] for e in response.json()["item_ledger_entries"]]


def line(entry_type, item_no, posting_date, quantity, **kw):
    return {"entry_type": entry_type, "item_no": item_no, "posting_date": posting_date,
            "quantity": quantity, **kw}  # fmt: skip


def nothing_written():
    return InventoryClose.objects.count(), InventoryPeriod.objects.count(), GLEntry.objects.count()


def test_a_close_runs_and_its_log_and_settlements_can_be_read(
    accountant, eager_celery, django_capture_on_commit_callbacks
):
    ItemFactory(no="A", inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
    receipt, sold = post_lines(
        accountant,
        line("purchase", "A", "2025-01-05", "5", unit_cost="10"),
        line("sale", "A", "2025-01-20", "2"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = accountant.post(
            URL, {"kind": "close", "closing_date": "2025-01-31"}, format="json"
        )
    assert response.status_code == 202
    close = accountant.get(f"{URL}{response.json()['id']}/").json()
    assert (close["status"], close["issues_settled"], close["user_name"]) == ("done", 1, "alice")
    settled = accountant.get(f"{URL}{close['id']}/settlements/").json()["results"]
    # 2 units of the sale against the receipt at 10.00 a unit.
    assert [(r["outbound_entry"], r["inbound_entry"], r["quantity"], r["cost_amount"])
            for r in settled] == [(sold, receipt, "2.00000", "20.00")]  # fmt: skip
    assert accountant.get(f"{URL}{close['id']}/warnings/").json()["results"] == []
    reversed_close = accountant.post(f"{URL}{close['id']}/reverse/")
    assert reversed_close.status_code == 200
    assert reversed_close.json()["status"] == "reversed"


def test_the_prerun_lists_items_that_cannot_be_fully_settled(accountant):
    ItemFactory(no="B")
    post_lines(
        accountant,
        line("purchase", "B", "2025-01-05", "5", unit_cost="10", invoiced=False),
        line("sale", "B", "2025-01-20", "2"),
    )
    response = accountant.get(f"{URL}pre-run/", {"closing_date": "2025-01-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["items"] == ["B"]
    (issue,) = body["unsettled"]
    assert (issue["kind"], issue["quantity"]) == ("receipts_not_invoiced", "2.00000")
    assert issue["advice"] == "Invoice the receipts, or move the closing date."


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"closing_date": "2025-01-31"}, "kind"),
        ({"kind": "settle", "closing_date": "2025-01-31"}, "kind"),
        ({"kind": "close"}, "closing_date"),
        ({"kind": "close", "closing_date": "2025-02-30"}, "closing_date"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_written(accountant, body, field):
    response = accountant.post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert nothing_written() == (0, 0, 0)


def test_a_close_with_negative_inventory_is_refused_with_the_reason(accountant):
    ItemFactory(no="N")
    post_lines(
        accountant,
        line("purchase", "N", "2025-01-05", "2", unit_cost="10"),
        line("sale", "N", "2025-01-20", "3"),
    )
    before = nothing_written()
    response = accountant.post(URL, {"kind": "close", "closing_date": "2025-01-31"}, format="json")
    assert response.status_code == 400
    assert "Item N has negative inventory" in response.json()["closing_date"][0]
    assert nothing_written() == before


def test_a_bad_prerun_date_is_refused(accountant):
    response = accountant.get(f"{URL}pre-run/", {"closing_date": "31.01.2025"})
    assert response.status_code == 400
    assert list(response.json()) == ["closing_date"]


def test_a_viewer_reads_the_closes_but_cannot_start_or_reverse_one(viewer):
    assert viewer.get(URL).status_code == 200
    response = viewer.post(URL, {"kind": "recalculation"}, format="json")
    assert response.status_code == 403
    assert nothing_written() == (0, 0, 0)
