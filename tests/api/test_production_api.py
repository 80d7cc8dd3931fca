"""Production orders, the capacity journal and assembly orders through the API (API.md), as an
integration would post them, with the costs an accountant checks."""

from decimal import Decimal

import pytest

from inventory.models import (
    CapacityLedgerEntry,
    InventoryAdjmtEntryOrder,
    ItemLedgerEntry,
    ProductionOrder,
    ValueEntry,
)
from tests.factories import ItemFactory

D = Decimal


def journal(client, *lines):
    return client.post("/api/v1/item-journal/post/", {"lines": list(lines)}, format="json")


def line(entry_type, item_no, quantity, **fields):
    return {
        "entry_type": entry_type,
        "item_no": item_no,
        "posting_date": "2025-03-10",
        "quantity": str(quantity),
        **fields,
    }


def entry(client, no):
    return client.get(f"/api/v1/item-ledger-entries/{no}/").json()


@pytest.fixture
def factory(accountant):
    """A component C bought 10 @ 3.00 = 30.00, a finished item FG (FIFO, indirect cost 10 %,
    overhead rate 1.00 per unit) and a work center at 4.00 an hour plus 2.00 overhead."""
    ItemFactory(no="C", costing_method="fifo")
    ItemFactory(no="FG", costing_method="fifo", indirect_cost_pct=D("10"), overhead_rate=D("1"))
    response = accountant.post(
        "/api/v1/work-centers/",
        {"code": "WC1", "unit_cost": "4.00", "overhead_rate": "2.00"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert journal(accountant, line("purchase", "C", 10, unit_cost="3")).status_code == 201
    return accountant


def test_a_production_order_from_release_to_finish(factory):
    client = factory
    response = client.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "2"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "released"

    consumed = journal(client, line("consumption", "C", 10, order_no="PO1")).json()
    assert consumed["item_ledger_entries"][0]["cost_amount_actual"] == "-30.00"  # 10 x 3
    response = client.post(
        "/api/v1/capacity-journal/post/",
        {
            "lines": [
                {
                    "order_no": "PO1",
                    "posting_date": "2025-03-11",
                    "work_center": "WC1",
                    "quantity": "5",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    (capacity,) = response.json()["capacity_ledger_entries"]
    # 5 hours x 4.00 = 20.00 direct, 5 x 2.00 = 10.00 overhead (the work center's unit cost).
    assert (capacity["direct_cost"], capacity["overhead_cost"]) == ("20.00", "10.00")
    assert (capacity["work_center"], capacity["item_no"]) == ("WC1", "FG")

    # Output 2 at 20.00: expected cost 40.00 until the order is finished.
    out = journal(client, line("output", "FG", 2, order_no="PO1", unit_cost="20")).json()
    output_no = out["item_ledger_entries"][0]["entry_no"]
    assert (
        out["item_ledger_entries"][0]["cost_amount_actual"],
        out["item_ledger_entries"][0]["cost_amount_expected"],
    ) == ("0.00", "40.00")
    # One of the two is sold before the finish, at 20.00 (half of the expected 40.00).
    sold = journal(client, line("sale", "FG", 1, unit_price="50")).json()["item_ledger_entries"][0]
    assert sold["cost_amount_actual"] == "-20.00"

    response = client.post("/api/v1/production-orders/PO1/finish/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "finished"
    assert response.json()["cost_is_adjusted"] is True  # finishing adjusted it (setup: Always)

    # Actual: material 30 + capacity 20 + capacity overhead 10 = 60 direct; manufacturing
    # overhead 60 x 10 % + 2 x 1.00 = 8; the output carries 68.00, all actual.
    output = entry(client, output_no)
    assert (output["cost_amount_actual"], output["cost_amount_expected"]) == ("68.00", "0.00")
    assert output["completely_invoiced"] is True
    # The sale then takes half of it: 34.00 (an adjustment of -14.00 on top of the -20.00).
    assert entry(client, sold["entry_no"])["cost_amount_actual"] == "-34.00"
    fg = client.get("/api/v1/items/FG/").json()
    assert (fg["inventory"], fg["inventory_value"], fg["unit_cost"]) == (
        "1.00000",
        "34.00",
        "34.00000",
    )
    row = InventoryAdjmtEntryOrder.objects.get(order_type="production", order_no="PO1")
    assert (row.material_cost, row.capacity_cost, row.capacity_overhead_cost) == (30, 20, 10)
    assert row.manufacturing_overhead_cost == 8

    # Nothing more goes to a finished order.
    refused = journal(client, line("consumption", "C", 1, order_no="PO1"))
    assert refused.status_code == 400
    assert "finished" in refused.json()["lines"]["0"]["order_no"][0]
    again = client.post("/api/v1/production-orders/PO1/finish/", {}, format="json")
    assert again.status_code == 400 and "status" in again.json()


def test_a_rerun_of_the_adjustment_finds_nothing_more_for_a_finished_order(factory):
    client = factory
    client.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "1"}, format="json"
    )
    journal(client, line("consumption", "C", 4, order_no="PO1"))  # 4 x 3 = 12
    journal(client, line("output", "FG", 1, order_no="PO1", unit_cost="5"))
    client.post("/api/v1/production-orders/PO1/finish/", {}, format="json")
    before = ValueEntry.objects.count()
    run = client.post("/api/v1/cost-adjustment/run/", {}, format="json")
    assert run.status_code in (200, 201), run.content
    assert ValueEntry.objects.count() == before
    # 12 direct; overhead 12 x 10 % + 1 x 1.00 = 2.20: 14.20.
    output = ItemLedgerEntry.objects.get(entry_type="output")
    assert entry(client, output.pk)["cost_amount_actual"] == "14.20"


def test_production_orders_are_listed_with_their_status(factory):
    client = factory
    for no in ("PO1", "PO2"):
        client.post(
            "/api/v1/production-orders/",
            {"no": no, "item_no": "FG", "quantity": "1"},
            format="json",
        )
    client.post(
        "/api/v1/production-orders/PO2/finish/", {"finished_date": "2025-03-20"}, format="json"
    )
    listed = client.get("/api/v1/production-orders/").json()["results"]
    assert [(o["no"], o["status"]) for o in listed] == [("PO1", "released"), ("PO2", "finished")]
    finished = client.get("/api/v1/production-orders/?status=finished").json()["results"]
    assert [o["no"] for o in finished] == ["PO2"]
    assert finished[0]["finished_date"] == "2025-03-20"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"no": "PO9", "item_no": "NOPE", "quantity": "1"}, "item_no"),
        ({"no": "PO9", "item_no": "FG", "quantity": "0"}, "quantity"),
        ({"no": "PO9", "item_no": "FG", "quantity": "1", "location_code": "MARS"}, "location_code"),
        ({"no": "PO9", "item_no": "FG", "quantity": "1", "status": "finished"}, "status"),
        ({"no": "PO1", "item_no": "FG", "quantity": "1"}, "no"),  # exists already
    ],
)
def test_a_bad_production_order_is_refused_on_its_field(factory, body, field):
    factory.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "1"}, format="json"
    )
    response = factory.post("/api/v1/production-orders/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ProductionOrder.objects.count() == 1


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"order_no": "NOPE"}, "order_no"),
        ({"work_center": "WC9"}, "work_center"),
        ({"quantity": "0"}, "quantity"),
        ({"unit_cost": "-1"}, "unit_cost"),
    ],
)
def test_a_bad_capacity_line_is_refused_and_nothing_is_written(factory, bad, field):
    factory.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "1"}, format="json"
    )
    good = {"order_no": "PO1", "posting_date": "2025-03-11", "work_center": "WC1", "quantity": "1"}
    values = ValueEntry.objects.count()
    response = factory.post(
        "/api/v1/capacity-journal/post/", {"lines": [good, {**good, **bad}]}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["lines"]["1"]
    assert "0" not in response.json()["lines"]
    assert CapacityLedgerEntry.objects.count() == 0
    assert ValueEntry.objects.count() == values


def test_output_of_another_item_than_the_orders_is_refused(factory):
    ItemFactory(no="OTHER", costing_method="fifo")
    factory.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "1"}, format="json"
    )
    response = journal(factory, line("output", "OTHER", 1, order_no="PO1", unit_cost="1"))
    assert response.status_code == 400
    assert "item_no" in response.json()["lines"]["0"]
    assert not ItemLedgerEntry.objects.filter(entry_type="output").exists()


def test_a_viewer_may_read_production_orders_but_not_post(factory, viewer):
    assert viewer.get("/api/v1/production-orders/").status_code == 200
    response = viewer.post(
        "/api/v1/production-orders/", {"no": "PO5", "item_no": "FG", "quantity": "1"}, format="json"
    )
    assert response.status_code == 403


def test_orders_needing_adjustment_are_listed_and_adjusted_on_request(factory):
    client = factory
    client.patch("/api/v1/inventory-setup/", {"automatic_cost_adjustment": "never"}, format="json")
    client.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "1"}, format="json"
    )
    journal(client, line("consumption", "C", 4, order_no="PO1"))  # 4 x 3 = 12
    journal(client, line("output", "FG", 1, order_no="PO1", unit_cost="5"))
    client.post("/api/v1/production-orders/PO1/finish/", {}, format="json")

    waiting = client.get("/api/v1/cost-adjustment/orders/?cost_is_adjusted=false").json()
    assert [(o["order_type"], o["order_no"]) for o in waiting["results"]] == [("production", "PO1")]
    response = client.post(
        "/api/v1/cost-adjustment/orders/adjust/",
        {"orders": [{"order_type": "production", "order_no": "PO1"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    # 12 direct and 12 x 10 % + 1.00 = 2.20 overhead on the output, 5.00 expected released:
    # 14.20 - 5.00 = 9.20 more.
    assert response.json()["orders"][0]["cost_difference"] == "9.20"
    assert (
        client.get("/api/v1/cost-adjustment/orders/?cost_is_adjusted=false").json()["results"] == []
    )

    reset = client.post(
        "/api/v1/cost-adjustment/orders/reset/",
        {"orders": [{"order_type": "production", "order_no": "PO1"}]},
        format="json",
    )
    assert reset.json() == {"reset": 1}
    bad = client.post(
        "/api/v1/cost-adjustment/orders/adjust/",
        {"orders": [{"order_type": "production", "order_no": "PO7"}]},
        format="json",
    )
    assert bad.status_code == 400 and "orders" in bad.json()


def test_an_assembly_order_posts_through_the_api(factory):
    ItemFactory(no="KIT", costing_method="fifo")
    response = factory.post(
        "/api/v1/assembly-orders/post/",
        {
            "no": "AO1",
            "item_no": "KIT",
            "posting_date": "2025-03-12",
            "quantity": "1",
            "components": [{"item_no": "C", "quantity": "2"}],
            "resources": [{"quantity": "1.5", "unit_cost": "10"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    entries = response.json()["item_ledger_entries"]
    # 2 x 3.00 = 6.00 consumed, 1.5 x 10.00 = 15.00 of resources: the kit costs 21.00.
    assert [(e["entry_type"], e["cost_amount_actual"]) for e in entries] == [
        ("assembly_consumption", "-6.00"),
        ("assembly_output", "21.00"),
    ]
    assert factory.get("/api/v1/assembly-orders/").json()["results"][0]["no"] == "AO1"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"no": ""}, "no"),
        ({"item_no": "NOPE"}, "item_no"),
        ({"quantity": "0"}, "quantity"),
        ({"components": [{"item_no": "NOPE", "quantity": "1"}]}, "components"),
        ({"components": [{"item_no": "C", "quantity": "0"}]}, "components"),
        ({"resources": [{"quantity": "1", "unit_cost": "-2"}]}, "resources"),
        ({"components": [], "resources": []}, "components"),
    ],
)
def test_a_bad_assembly_order_is_refused_and_nothing_is_written(factory, bad, field):
    ItemFactory(no="KIT", costing_method="fifo")
    good = {
        "no": "AO1",
        "item_no": "KIT",
        "posting_date": "2025-03-12",
        "quantity": "1",
        "components": [{"item_no": "C", "quantity": "2"}],
    }
    entries, values = ItemLedgerEntry.objects.count(), ValueEntry.objects.count()
    response = factory.post("/api/v1/assembly-orders/post/", {**good, **bad}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert (ItemLedgerEntry.objects.count(), ValueEntry.objects.count()) == (entries, values)


def test_output_at_another_location_than_the_orders_is_refused(factory):
    from tests.factories import LocationFactory

    LocationFactory(code="BLUE")
    factory.post(
        "/api/v1/production-orders/",
        {"no": "PO1", "item_no": "FG", "quantity": "1", "location_code": "BLUE"},
        format="json",
    )
    response = journal(factory, line("output", "FG", 1, order_no="PO1", unit_cost="1"))
    assert response.status_code == 400
    assert "BLUE" in response.json()["lines"]["0"]["location_code"][0]
    ok = journal(factory, line("output", "FG", 1, order_no="PO1", location_code="BLUE"))
    assert ok.status_code == 201, ok.content


def test_value_entries_filter_by_order(factory):
    client = factory
    client.post(
        "/api/v1/production-orders/", {"no": "PO1", "item_no": "FG", "quantity": "1"}, format="json"
    )
    journal(client, line("consumption", "C", 4, order_no="PO1"))
    client.post(
        "/api/v1/capacity-journal/post/",
        {
            "lines": [
                {
                    "order_no": "PO1",
                    "posting_date": "2025-03-11",
                    "work_center": "WC1",
                    "quantity": "1",
                }
            ]
        },
        format="json",
    )
    rows = client.get("/api/v1/value-entries/?order_no=PO1").json()["results"]
    # The consumption (-12.00), the capacity's direct 4.00 and overhead 2.00 (no item).
    assert sorted((r["item_no"] or "", r["entry_type"], r["cost_amount_actual"]) for r in rows) == [
        ("", "direct_cost", "4.00"),
        ("", "indirect_cost", "2.00"),
        ("C", "direct_cost", "-12.00"),
    ]
    assert {r["item_no"] for r in rows} == {None, "C"}
    capacity_only = client.get("/api/v1/value-entries/?order_type=production").json()["results"]
    assert len(capacity_only) == 2
