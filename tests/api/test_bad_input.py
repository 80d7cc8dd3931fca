"""Bad input gets HTTP 400 naming the field and the reason, and nothing is written."""

import pytest

from inventory.models import InventoryPeriod, ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from tests.factories import ItemFactory, LocationFactory


def ledgers():
    return (
        ItemLedgerEntry.objects.count(),
        ValueEntry.objects.count(),
        ItemApplicationEntry.objects.count(),
        list(ItemLedgerEntry.objects.values_list("entry_no", "remaining_quantity", "open")),
    )


GOOD = {
    "entry_type": "purchase",
    "item_no": "A",
    "posting_date": "2024-01-10",
    "quantity": "5",
    "unit_cost": "10",
}


@pytest.fixture
def stock(accountant):
    """Item A (FIFO) with 5 received at BLUE; item S (Specific); item Z (FIFO) with one sale."""
    LocationFactory(code="BLUE")
    ItemFactory(no="A")
    ItemFactory(no="S", costing_method="specific")
    ItemFactory(no="Z")
    response = accountant.post(
        "/api/v1/item-journal/post/",
        {"lines": [{**GOOD, "location_code": "BLUE"}, {**GOOD, "item_no": "Z"}]},
        format="json",
    )
    assert response.status_code == 201
    return [e["entry_no"] for e in response.json()["item_ledger_entries"]]


@pytest.mark.parametrize(
    ("bad", "field", "reason"),
    [
        ({"item_no": "NOPE"}, "item_no", "does not exist"),
        ({"location_code": "MOON"}, "location_code", "does not exist"),
        ({"quantity": "0"}, "quantity", "greater than zero"),
        ({"quantity": "-3"}, "quantity", "greater than zero"),
        ({"quantity": "abc"}, "quantity", "valid number"),
        ({"quantity": "1e400"}, "quantity", ""),
        ({"unit_cost": None}, "unit_cost", "needs a unit cost"),
        ({"posting_date": "2024-13-45"}, "posting_date", "wrong format"),
        ({"entry_type": "gift"}, "entry_type", "not a valid choice"),
        ({"variant_code": "XL"}, "variant_code", "no variant"),
        ({"entry_type": "transfer", "new_location_code": ""}, "new_location_code", "location"),
        (
            {"entry_type": "transfer", "new_location_code": "MARS"},
            "new_location_code",
            "does not exist",
        ),
        ({"entry_type": "positive_adjmt", "invoiced": False}, "invoiced", "invoiced later"),
        ({"entry_type": "output"}, "order_no", "order no"),
        ({"entry_type": "consumption", "order_no": "PO-NONE"}, "order_no", "does not exist"),
        ({"item_no": "S", "entry_type": "sale", "unit_cost": None}, "applies_to_entry", "Specific"),
    ],
)
def test_a_bad_journal_line_is_refused_and_nothing_is_written(
    accountant, stock, bad, field, reason
):
    before = ledgers()
    # The first line is good; it must not be posted either.
    response = accountant.post(
        "/api/v1/item-journal/post/", {"lines": [GOOD, {**GOOD, **bad}]}, format="json"
    )
    assert response.status_code == 400, response.content
    errors = response.json()["lines"]
    assert list(errors) == ["1"]  # only the bad line is named
    assert reason in " ".join(errors["1"][field])
    assert ledgers() == before


def test_applies_to_an_entry_of_another_item_is_refused(accountant, stock):
    z_entry = stock[1]
    before = ledgers()
    sale = {**GOOD, "entry_type": "sale", "location_code": "BLUE", "applies_to_entry": z_entry}
    response = accountant.post("/api/v1/item-journal/post/", {"lines": [sale]}, format="json")
    assert response.status_code == 400
    assert "another item" in response.json()["lines"]["0"]["applies_to_entry"][0]
    assert ledgers() == before


def test_applies_to_a_closed_entry_is_refused(accountant, stock):
    a_entry = stock[0]
    sale = {**GOOD, "entry_type": "sale", "location_code": "BLUE", "applies_to_entry": a_entry}
    assert (
        accountant.post("/api/v1/item-journal/post/", {"lines": [sale]}, format="json").status_code
        == 201
    )
    before = ledgers()
    response = accountant.post("/api/v1/item-journal/post/", {"lines": [sale]}, format="json")
    assert response.status_code == 400
    assert "closed" in response.json()["lines"]["0"]["applies_to_entry"][0]
    assert ledgers() == before


def test_applies_to_a_missing_entry_is_refused(accountant, stock):
    sale = {**GOOD, "entry_type": "sale", "location_code": "BLUE", "applies_to_entry": 999999}
    response = accountant.post("/api/v1/item-journal/post/", {"lines": [sale]}, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["lines"]["0"]["applies_to_entry"][0]


def test_invoicing_more_than_was_received_is_refused(accountant, stock):
    receipt = accountant.post(
        "/api/v1/item-journal/post/", {"lines": [{**GOOD, "invoiced": False}]}, format="json"
    ).json()["item_ledger_entries"][0]["entry_no"]
    before = ledgers()
    response = accountant.post(
        f"/api/v1/item-ledger-entries/{receipt}/invoice/",
        {"posting_date": "2024-02-01", "quantity": "6", "unit_cost": "10"},
        format="json",
    )
    assert response.status_code == 400
    assert "not yet invoiced" in response.json()["quantity"][0]
    assert ledgers() == before


def test_invoicing_an_unknown_entry_is_not_found(accountant):
    response = accountant.post(
        "/api/v1/item-ledger-entries/424242/invoice/",
        {"posting_date": "2024-02-01", "quantity": "1", "unit_cost": "10"},
        format="json",
    )
    assert response.status_code == 404


def test_changing_the_costing_method_of_an_item_with_entries_is_refused(accountant, stock):
    response = accountant.patch("/api/v1/items/A/", {"costing_method": "lifo"}, format="json")
    assert response.status_code == 400
    assert "costing method" in response.json()["costing_method"][0]
    assert accountant.get("/api/v1/items/A/").json()["costing_method"] == "fifo"
    # Without entries it may change.
    ItemFactory(no="FRESH")
    assert (
        accountant.patch(
            "/api/v1/items/FRESH/", {"costing_method": "lifo"}, format="json"
        ).status_code
        == 200
    )


def test_a_duplicate_item_number_is_refused(accountant, stock):
    response = accountant.post("/api/v1/items/", {"no": "A"}, format="json")
    assert response.status_code == 400
    assert "already exists" in response.json()["no"][0]


def test_posting_into_a_closed_period_is_refused(accountant, stock):
    InventoryPeriod.objects.create(ending_date="2024-01-31", name="January", closed=True)
    before = ledgers()
    response = accountant.post("/api/v1/item-journal/post/", {"lines": [GOOD]}, format="json")
    assert response.status_code == 400
    assert "closed inventory period" in response.json()["lines"]["0"]["posting_date"][0]
    assert ledgers() == before


def test_an_empty_journal_is_refused(accountant):
    response = accountant.post("/api/v1/item-journal/post/", {"lines": []}, format="json")
    assert response.status_code == 400
    assert "lines" in response.json()


@pytest.mark.parametrize(
    "body",
    [
        {"lines": "nonsense"},
        {"lines": [None]},
        {"lines": [{"quantity": {"deep": 1}}]},
        {},
        [],
    ],
)
def test_malformed_bodies_get_a_400_not_a_500(accountant, body):
    response = accountant.post("/api/v1/item-journal/post/", body, format="json")
    assert response.status_code == 400
