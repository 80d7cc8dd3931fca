"""Posting through the API as an integration would, and reading the ledgers back."""

from decimal import Decimal

import pytest

from tests.factories import ItemFactory, LocationFactory


def post_lines(client, *lines):
    return client.post("/api/v1/item-journal/post/", {"lines": list(lines)}, format="json")


def line(**fields):
    base = {"entry_type": "purchase", "item_no": "A", "posting_date": "2024-01-10", "quantity": "1"}
    return {**base, **fields}


@pytest.fixture
def item_a():
    return ItemFactory(no="A", costing_method="fifo")


def test_a_journal_returns_its_entries_in_line_order_and_a_transfer_gives_two(accountant, item_a):
    LocationFactory(code="BLUE")
    LocationFactory(code="RED")
    response = post_lines(
        accountant,
        line(location_code="BLUE", quantity="4", unit_cost="2.50"),
        line(entry_type="transfer", location_code="BLUE", new_location_code="RED", quantity="3"),
        line(entry_type="sale", location_code="RED", quantity="1", unit_price="9"),
    )
    assert response.status_code == 201, response.content
    entries = response.json()["item_ledger_entries"]
    assert [(e["entry_type"], e["location_code"], Decimal(e["quantity"])) for e in entries] == [
        ("purchase", "BLUE", 4),
        ("transfer", "BLUE", -3),
        ("transfer", "RED", 3),
        ("sale", "RED", -1),
    ]
    # 4 x 2.50 = 10.00 in; the transfer moves 3 x 2.50 = 7.50; the sale takes 1 x 2.50.
    assert [e["cost_amount_actual"] for e in entries] == ["10.00", "-7.50", "7.50", "-2.50"]
    assert entries[3]["sales_amount_actual"] == "9.00"


def test_the_item_shows_its_inventory_value_and_unit_cost(accountant, item_a):
    post_lines(accountant, line(quantity="3", unit_cost="10"), line(quantity="1", unit_cost="14"))
    item = accountant.get("/api/v1/items/A/").json()
    # (30 + 14) / 4 = 11.00
    assert (item["inventory"], item["inventory_value"], item["unit_cost"]) == (
        "4.00000",
        "44.00",
        "11.00000",
    )


def test_a_receipt_invoiced_later_at_another_price(accountant, item_a):
    receipt = post_lines(accountant, line(quantity="2", unit_cost="95", invoiced=False)).json()
    no = receipt["item_ledger_entries"][0]["entry_no"]
    assert receipt["item_ledger_entries"][0]["cost_amount_expected"] == "190.00"
    response = accountant.post(
        f"/api/v1/item-ledger-entries/{no}/invoice/",
        {"posting_date": "2024-01-20", "quantity": "2", "unit_cost": "100"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # The invoice releases the 190 expected and records 2 x 100 actual.
    assert body["item_ledger_entry"]["cost_amount_actual"] == "200.00"
    assert body["item_ledger_entry"]["cost_amount_expected"] == "0.00"
    assert [
        (v["cost_amount_actual"], v["cost_amount_expected"]) for v in body["value_entries"]
    ] == [("200.00", "-190.00")]


def test_an_item_charge_is_added_to_the_receipt(accountant, item_a):
    no = post_lines(accountant, line(quantity="1", unit_cost="10")).json()["item_ledger_entries"][
        0
    ]["entry_no"]
    response = accountant.post(
        f"/api/v1/item-ledger-entries/{no}/item-charges/",
        {"posting_date": "2024-02-10", "amount": "2", "item_charge_no": "FREIGHT"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["item_ledger_entry"]["cost_amount_actual"] == "12.00"
    charge = response.json()["value_entries"][0]
    assert (charge["item_charge_no"], charge["posting_date"], charge["valuation_date"]) == (
        "FREIGHT",
        "2024-02-10",
        "2024-01-10",
    )


def test_a_revaluation_through_the_api(accountant, item_a):
    post_lines(accountant, line(quantity="6", unit_cost="10", posting_date="2024-01-01"))
    response = accountant.post(
        "/api/v1/revaluation-journal/post/",
        {"lines": [{"item_no": "A", "posting_date": "2024-03-01", "unit_cost_revalued": "8"}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    # 6 on hand revalued from 10 to 8: 6 x (8 - 10) = -12.00
    [value] = response.json()["value_entries"]
    assert (value["entry_type"], value["cost_amount_actual"], value["valued_quantity"]) == (
        "revaluation",
        "-12.00",
        "6.00000",
    )
    assert accountant.get("/api/v1/items/A/").json()["inventory_value"] == "48.00"


def test_ledgers_are_filterable_and_paginated(accountant, item_a):
    ItemFactory(no="B")
    post_lines(accountant, *[line(quantity="1", unit_cost="1") for _ in range(5)])
    post_lines(accountant, line(item_no="B", quantity="1", unit_cost="1"))
    page = accountant.get("/api/v1/item-ledger-entries/?item_no=A&page_size=2").json()
    assert page["count"] == 5
    assert len(page["results"]) == 2
    assert page["next"]
    values = accountant.get("/api/v1/value-entries/?item_no=B").json()
    assert values["count"] == 1
    applications = accountant.get("/api/v1/item-application-entries/").json()
    assert applications["count"] == 6


def test_item_setup_and_master_data_round_trip(accountant):
    response = accountant.post(
        "/api/v1/items/",
        {"no": "STD", "costing_method": "standard", "standard_cost": "15", "unit_cost": "99"},
        format="json",
    )
    assert response.status_code == 201, response.content
    # A Standard item's unit cost is its standard cost, whatever was sent.
    assert response.json()["unit_cost"] == "15.00000"
    setup = accountant.patch(
        "/api/v1/inventory-setup/",
        {"average_cost_period": "month", "average_cost_calc_type": "item_location_variant"},
        format="json",
    )
    assert setup.status_code == 200
    assert setup.json()["average_cost_period"] == "month"
    assert accountant.get("/api/v1/inventory-setup/").json()["average_cost_calc_type"] == (
        "item_location_variant"
    )
