"""The production and assembly pages and Cost Adjmt. Orders: what an accountant and a viewer see
and may do."""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.models import (
    AssemblyOrder,
    CapacityLedgerEntry,
    InventoryAdjmtEntryOrder,
    ProductionOrder,
    WorkCenter,
)
from inventory.services import inventory_setup_update, production_order_create
from tests.inventory.helpers import day, make_item, post_one

D = Decimal
PAGES = [
    "/production-orders/",
    "/production-orders/PO1/",
    "/capacity-journal/",
    "/assembly-orders/",
    "/cost-adjustment/orders/",
    "/cost-adjustment/",
]


@pytest.fixture
def shop(db):
    """Component C (10 @ 3.00), finished item FG, work center WC1 at 4.00, order PO1 for 2 FG
    with 4 C consumed (12.00) and 2 FG output at 5.00 (expected 10.00)."""
    inventory_setup_update(automatic_cost_adjustment="never")
    make_item("C")
    make_item("FG")
    WorkCenter.objects.create(code="WC1", unit_cost=D("4.00"))
    post_one("purchase", "C", 10, day(1, 1), unit_cost=3)
    production_order_create(no="PO1", item_no="FG", quantity=D(2))
    post_one("consumption", "C", 4, day(1, 2), order_no="PO1")
    post_one("output", "FG", 2, day(1, 3), order_no="PO1", unit_cost=5)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_for_the_viewer_and_the_accountant(
    shop, viewer_page, accountant_page, path
):
    assert viewer_page.get(path).status_code == 200
    assert accountant_page.get(path).status_code == 200


def test_the_order_card_shows_what_went_in_and_came_out(shop, accountant_page):
    page = accountant_page.get("/production-orders/PO1/").content.decode()
    assert "Material (consumption)" in page and "12.00" in page  # 4 x 3.00
    assert "10.00" in page  # the output's expected cost, 2 x 5.00
    assert "Finish" in page


def test_the_viewer_sees_no_buttons_and_is_refused_every_action(shop, viewer_page):
    assert "Finish</button>" not in viewer_page.get("/production-orders/PO1/").content.decode()
    assert "Release</button>" not in viewer_page.get("/production-orders/").content.decode()
    for path, data in [
        ("/production-orders/PO1/finish/", {}),
        ("/production-orders/", {"no": "PO2", "item_no": "FG", "quantity": "1"}),
        ("/capacity-journal/", {"order_no": "PO1", "posting_date": "2025-01-04"}),
        ("/assembly-orders/", {"no": "AO1"}),
        ("/cost-adjustment/orders/adjust/", {"order": "production:PO1"}),
        ("/cost-adjustment/orders/reset/", {"order": "production:PO1"}),
    ]:
        assert viewer_page.post(path, data).status_code == 403, path
    assert ProductionOrder.objects.get(no="PO1").status == "released"


def test_an_accountant_releases_posts_capacity_finishes_and_adjusts(shop, accountant_page):
    response = accountant_page.post(
        "/production-orders/", {"no": "PO2", "item_no": "FG", "quantity": "1"}
    )
    assert response.status_code == 302 and ProductionOrder.objects.filter(no="PO2").exists()

    response = accountant_page.post(
        "/capacity-journal/",
        {"order_no": "PO1", "posting_date": "2025-01-04", "work_center": "WC1", "quantity": "2"},
    )
    assert response.status_code == 302
    (entry,) = CapacityLedgerEntry.objects.all()
    assert entry.direct_cost == D("8.00")  # 2 x 4.00

    response = accountant_page.post(
        "/production-orders/PO1/finish/", {"finished_date": "2025-01-05"}
    )
    assert response.status_code == 302
    assert ProductionOrder.objects.get(no="PO1").status == "finished"
    # Automatic adjustment is Never: the order waits, and the cost adjustment page says so.
    page = accountant_page.get("/cost-adjustment/").content.decode()
    assert "1 orders need adjustment" in page and "PO1" in page

    response = accountant_page.post(
        "/cost-adjustment/orders/adjust/", {"order": "production:PO1"}, follow=True
    )
    assert "1 orders adjusted" in response.content.decode()
    assert InventoryAdjmtEntryOrder.objects.get(order_no="PO1").cost_is_adjusted
    # The output now carries 12.00 material + 8.00 capacity = 20.00.
    card = accountant_page.get("/production-orders/PO1/").content.decode()
    assert "20.00" in card


def test_a_bad_capacity_line_shows_its_error_on_the_field(shop, accountant_page):
    response = accountant_page.post(
        "/capacity-journal/",
        {"order_no": "PO1", "posting_date": "2025-01-04", "work_center": "NOPE", "quantity": "1"},
    )
    assert response.status_code == 400
    assert "Work center &#x27;NOPE&#x27; does not exist." in response.content.decode()
    assert not CapacityLedgerEntry.objects.exists()


def test_an_assembly_order_is_posted_from_its_page(shop, accountant_page):
    make_item("KIT")
    response = accountant_page.post(
        "/assembly-orders/",
        {
            "no": "AO1",
            "item_no": "KIT",
            "quantity": "1",
            "posting_date": "2025-01-06",
            "component_1": "C",
            "component_quantity_1": "2",
            "resource_quantity_1": "1",
            "resource_unit_cost_1": "5",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert AssemblyOrder.objects.filter(no="AO1").exists()
    # 2 x 3.00 + 1 x 5.00 = 11.00
    assert "11.00" in response.content.decode()


def test_a_bad_assembly_component_is_shown_on_its_row(shop, accountant_page):
    make_item("KIT")
    response = accountant_page.post(
        "/assembly-orders/",
        {
            "no": "AO1",
            "item_no": "KIT",
            "quantity": "1",
            "posting_date": "2025-01-06",
            "component_1": "NOPE",
            "component_quantity_1": "2",
        },
    )
    assert response.status_code == 400
    assert "Item &#x27;NOPE&#x27; does not exist." in response.content.decode()
    assert not AssemblyOrder.objects.exists()


def test_a_run_from_the_cost_adjustment_page_lists_the_orders_it_adjusted(shop, accountant_page):
    ProductionOrder.objects.filter(no="PO1").update(status="finished")
    InventoryAdjmtEntryOrder.objects.filter(order_no="PO1").update(cost_is_adjusted=False)
    response = accountant_page.post("/cost-adjustment/run/", {"item": ["FG"]})
    page = response.content.decode()
    assert response.status_code == 200
    # The output: 12.00 material instead of the expected 10.00: +2.00.
    assert "Orders adjusted" in page and "PO1" in page and "2.00" in page


def test_a_standard_items_card_shows_its_standard_cost_shares(db, accountant_page):
    make_item(
        "STD",
        "standard",
        standard_cost=D("150"),
        single_level_capacity_cost=D("40"),
        single_level_mfg_overhead_cost=D("10"),
    )
    page = accountant_page.get("/items/STD/").content.decode()
    assert "Of which capacity" in page and "40.00" in page and "10.00" in page
    make_item("PLAIN")
    assert "Of which capacity" not in accountant_page.get("/items/PLAIN/").content.decode()
