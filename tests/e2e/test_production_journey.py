"""A production order in the browser: released on its page, components and output posted by an
integration (API), capacity from the Capacity Journal page, finished from its card, adjusted
from the Inventory Cost Adjustment page (Adjust Cost for Selected Orders).

The figures (hand-checked):
  component E2E-LEG: 8 bought @ 5.00                       +40.00
  order PO-E2E makes 2 E2E-TABLE (FIFO): consumes the 8     material 40.00
  capacity: 30 minutes @ 1.50 = 45.00 (no overhead)         capacity 45.00
  output 2 @ 20.00, expected until the order is adjusted    expected 40.00
  after the adjustment the output carries 40 + 45 = 85.00, all actual.
"""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from inventory.models import InventoryAdjmtEntryOrder, ProductionOrder, WorkCenter
from inventory.services import inventory_setup_update, item_create
from tests.e2e.conftest import E2E_MARKS, screenshot, sign_in

pytestmark = E2E_MARKS


def test_an_order_released_finished_and_adjusted_from_the_pages(page, api, accountant):
    inventory_setup_update(automatic_cost_adjustment="never", automatic_cost_posting=False)
    for no in ("E2E-LEG", "E2E-TABLE"):
        item_create(no=no, costing_method="fifo", inventory_posting_group="RESALE")
    WorkCenter.objects.create(code="WC-E2E", unit_cost=Decimal("1.50"))
    sign_in(page, accountant.username)
    expect(page.get_by_role("heading", name="Where things stand")).to_be_visible()

    # -- release the order on the Production Orders page -------------------------------------------
    page.goto("/production-orders/")
    page.get_by_label("No.", exact=True).fill("PO-E2E")
    page.get_by_label("Item No.").fill("E2E-TABLE")
    page.get_by_label("Quantity").fill("2")
    page.get_by_role("button", name="Release").click()
    expect(page.get_by_role("heading", name="Production Order PO-E2E")).to_be_visible()

    # -- the integration posts the component, its consumption and the output ----------------------
    lines = [
        {"entry_type": "purchase", "item_no": "E2E-LEG", "posting_date": "2026-05-04",
         "quantity": "8", "unit_cost": "5.00"},
        {"entry_type": "consumption", "item_no": "E2E-LEG", "posting_date": "2026-05-05",
         "quantity": "8", "order_no": "PO-E2E"},
        {"entry_type": "output", "item_no": "E2E-TABLE", "posting_date": "2026-05-06",
         "quantity": "2", "order_no": "PO-E2E", "unit_cost": "20.00"},
    ]  # fmt: skip
    response = api.post("/api/v1/item-journal/post/", data={"lines": lines})
    assert response.status == 201, response.text()

    # -- capacity from the Capacity Journal page ---------------------------------------------------
    page.goto("/capacity-journal/")
    page.get_by_label("Production order no.").fill("PO-E2E")
    page.get_by_label("Posting date").fill("2026-05-05")
    page.get_by_label("Work center", exact=True).fill("WC-E2E")
    page.get_by_label("Time (quantity)").fill("30")
    page.get_by_role("button", name="Post").click()
    expect(page.locator(".messages")).to_contain_text("45.00")

    # -- finish from the card ----------------------------------------------------------------------
    page.goto("/production-orders/PO-E2E/")
    expect(page.locator("main")).to_contain_text("40.00")  # the output's expected cost
    page.get_by_label("Finished on").fill("2026-05-07")
    page.get_by_role("button", name="Finish").click()
    expect(page.locator("main")).to_contain_text("Finished")
    assert ProductionOrder.objects.get(no="PO-E2E").status == "finished"
    screenshot(page, "production-order")

    # -- adjust it from the Inventory Cost Adjustment page -----------------------------------------
    page.goto("/cost-adjustment/")
    waiting = page.get_by_role("table", name="Orders that need adjustment")
    expect(waiting).to_contain_text("PO-E2E")
    page.get_by_role("button", name="Adjust Cost for Selected Orders").click()
    expect(page.locator(".messages")).to_contain_text("1 orders adjusted")
    assert InventoryAdjmtEntryOrder.objects.get(order_no="PO-E2E").cost_is_adjusted

    page.goto("/production-orders/PO-E2E/")
    expect(page.locator("main")).to_contain_text("85.00")  # 40 material + 45 capacity
