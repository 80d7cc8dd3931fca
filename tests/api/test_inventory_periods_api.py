"""Inventory periods over the API (API.md: GET, POST /api/v1/inventory-periods/, POST
…/{id}/close/ and …/{id}/reopen/), with the close test as a GET and the history."""

import pytest

from inventory.models import InventoryPeriod, InventoryPeriodEntry
from tests.factories import ItemFactory

URL = "/api/v1/inventory-periods/"


def periods():
    return list(InventoryPeriod.objects.order_by("pk").values_list("ending_date", "closed")), list(
        InventoryPeriodEntry.objects.values_list("pk", flat=True)
    )


@pytest.fixture
def short_sale(accountant):
    """Item A: 2 received on 5 Jan, 3 sold on 20 Jan: one unit of negative inventory."""
    ItemFactory(no="A")
    lines = [
        {"entry_type": "purchase", "item_no": "A", "posting_date": "2025-01-05", "quantity": "2"},
        {"entry_type": "sale", "item_no": "A", "posting_date": "2025-01-20", "quantity": "3"},
    ]
    lines[0]["unit_cost"] = "10"
    response = accountant.post("/api/v1/item-journal/post/", {"lines": lines}, format="json")
    assert response.status_code == 201
    return response.json()["item_ledger_entries"][1]["entry_no"]


def create(client, **body):
    return client.post(URL, body, format="json")


def test_create_list_close_reopen(accountant):
    response = create(accountant, ending_date="2025-01-31", name="January")
    assert response.status_code == 201
    period = response.json()
    assert period == {"id": period["id"], "ending_date": "2025-01-31", "name": "January",
                      "closed": False}  # fmt: skip
    assert accountant.get(URL).json()["results"] == [period]
    closed = accountant.post(f"{URL}{period['id']}/close/")
    assert closed.status_code == 200 and closed.json()["closed"] is True
    reopened = accountant.post(f"{URL}{period['id']}/reopen/")
    assert reopened.status_code == 200 and reopened.json()["closed"] is False
    history = accountant.get(f"{URL}{period['id']}/entries/").json()["results"]
    assert [(e["entry_type"], e["user_name"]) for e in history] == [
        ("close", "alice"),
        ("reopen", "alice"),
    ]


def test_the_close_test_lists_what_stops_the_close(accountant, short_sale):
    period = create(accountant, ending_date="2025-01-31").json()
    response = accountant.get(f"{URL}{period['id']}/close-test/")
    assert response.status_code == 200
    body = response.json()
    assert body["can_close"] is False
    kinds = {(b["kind"], b["item_no"], tuple(b["entry_nos"])) for b in body["blockers"]}
    assert ("negative_inventory", "A", (short_sale,)) in kinds


def test_a_close_with_negative_inventory_is_refused_and_nothing_written(accountant, short_sale):
    period = create(accountant, ending_date="2025-01-31").json()
    before = periods()
    response = accountant.post(f"{URL}{period['id']}/close/")
    assert response.status_code == 400
    assert any("negative inventory" in m for m in response.json()["period"])
    assert periods() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "January"}, "ending_date"),
        ({"ending_date": "2025-13-01"}, "ending_date"),
        ({"ending_date": "2025-01-31", "name": "x" * 51}, "name"),
    ],
)
def test_bad_input_is_refused_naming_the_field(accountant, body, field):
    response = create(accountant, **body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert periods() == ([], [])


def test_a_period_before_the_last_closed_one_is_refused(accountant):
    period = create(accountant, ending_date="2025-02-28").json()
    accountant.post(f"{URL}{period['id']}/close/")
    before = periods()
    response = create(accountant, ending_date="2025-01-31")
    assert response.status_code == 400
    assert "closed up to 2025-02-28" in response.json()["ending_date"][0]
    assert periods() == before


def test_reopening_an_earlier_period_is_refused(accountant):
    jan = create(accountant, ending_date="2025-01-31").json()
    feb = create(accountant, ending_date="2025-02-28").json()
    accountant.post(f"{URL}{jan['id']}/close/")
    accountant.post(f"{URL}{feb['id']}/close/")
    response = accountant.post(f"{URL}{jan['id']}/reopen/")
    assert response.status_code == 400
    assert "Only the last closed period can be reopened" in response.json()["period"][0]


def test_a_viewer_reads_but_cannot_close(viewer, accountant):
    period = create(accountant, ending_date="2025-01-31").json()
    assert viewer.get(URL).status_code == 200
    assert viewer.get(f"{URL}{period['id']}/close-test/").status_code == 200
    assert viewer.post(f"{URL}{period['id']}/close/").status_code == 403
    assert create(viewer, ending_date="2025-02-28").status_code == 403
    assert InventoryPeriod.objects.get().closed is False


def test_a_second_period_on_the_same_day_is_refused(accountant):
    assert create(accountant, ending_date="2025-01-31").status_code == 201
    response = create(accountant, ending_date="2025-01-31", name="Again")
    assert response.status_code == 400
    assert response.json() == {
        "ending_date": ["An inventory period ending 2025-01-31 exists already."]
    }
    assert InventoryPeriod.objects.count() == 1
