"""An accountant's month end, in the browser: a purchase invoice arrives late through the API,
the item needs cost adjustment, the accountant adjusts it from the Inventory Cost Adjustment
page (Add batch and run), follows the batch, posts inventory cost to the G/L and finds no
difference in the Inventory - G/L Reconciliation.

The figures (hand-checked; the ledger is built by tests/e2e/conftest.py's `ledger`):
  receipt of 10 @ 9.50, not invoiced          expected cost  +95.00
  sale of 4, applied to it                    cost           -38.00 (4 x 9.50)
  late invoice of the 10 @ 10.00 (API)        actual cost   +100.00, the 95.00 expected reversed
  cost adjustment of the sale                                 -2.00 (4 x 0.50) -> -40.00
  inventory value 100.00 - 40.00 = 60.00 = 6 on hand x 10.00
Posted per entry with Expected Cost Posting to G/L off, only actual cost reaches the G/L:
Inventory 100.00 - 38.00 - 2.00 = 60.00, the same as the inventory ledger: no difference.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from costing.models import CostAdjustmentItemBatch, RunStatus
from inventory.models import Item
from ledger.models import GLEntry
from tests.e2e.conftest import (
    E2E_MARKS,
    INVOICE_DAY,
    ITEM_NO,
    action_buttons,
    screenshot,
    sign_in,
)
from tests.ledger.conftest import INVENTORY

pytestmark = E2E_MARKS

BATCH_TIMEOUT_MS = 30_000  # a batch runs in-process here; a worker would take a little longer


def item_row(page):
    """The item's row in the Inventory Cost Adjustment list."""
    return page.locator("table.data tbody tr").filter(
        has=page.get_by_role("rowheader", name=ITEM_NO)
    )


def test_late_invoice_adjusted_posted_and_reconciled(page, api, accountant, ledger):
    # -- sign in (keyboard: user name, Tab, password, Enter) ---------------------------------------
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "login")
    sign_in(page, accountant.username)
    expect(page.get_by_role("heading", name="Where things stand")).to_be_visible()
    expect(page.locator(".user-name")).to_have_text(accountant.username)
    # The reconciliation figure arrives by htmx after the page has shown.
    expect(page.locator("#home-reconciliation")).to_contain_text("Reconciliation differences")
    screenshot(page, "home")

    # -- nothing needs adjustment yet --------------------------------------------------------------
    page.goto("/cost-adjustment/?needs_adjustment=1")
    expect(page.get_by_role("heading", name="Inventory Cost Adjustment")).to_be_visible()
    expect(page.get_by_text("No items match these filters.")).to_be_visible()

    # -- the late purchase invoice, through the API (an integration with a token) ------------------
    response = api.post(
        f"/api/v1/item-ledger-entries/{ledger.receipt.pk}/invoice/",
        data={"posting_date": INVOICE_DAY.isoformat(), "quantity": "10", "unit_cost": "10.00"},
    )
    assert response.status == 201, response.text()
    invoiced = response.json()["item_ledger_entry"]
    assert invoiced["invoiced_quantity"] == "10.00000"
    assert invoiced["cost_amount_actual"] == "100.00"  # 10 x 10.00
    assert invoiced["cost_amount_expected"] == "0.00"  # the 95.00 expected, reversed

    # -- the item needs adjustment -----------------------------------------------------------------
    page.reload()
    row = item_row(page)
    expect(row).to_have_count(1)
    cells = row.locator("td")
    # Columns after the check box and the No.: Description, Costing method, Cost is adjusted, ...
    expect(cells.nth(1)).to_have_text("Office chair")
    expect(cells.nth(2)).to_have_text("FIFO")
    expect(cells.nth(3)).to_have_text("No")
    expect(page.get_by_role("link", name="1 items need adjustment")).to_be_visible()
    assert {"Run now for selected", "Add batch", "Add batch and run"} <= set(action_buttons(page))
    screenshot(page, "cost_adjustment")

    # -- select it and Add batch and run -----------------------------------------------------------
    page.get_by_label(f"Select item {ITEM_NO}").check()
    page.get_by_role("button", name="Add batch and run").click()
    page.wait_for_url(re.compile(r"/cost-adjustment/batches/"))
    batch = CostAdjustmentItemBatch.objects.get()
    expect(page.locator(".messages")).to_contain_text(
        f"Batch {batch.pk} (1 items) added and queued"
    )

    # -- the batch finishes (the table polls itself every 2 s while a batch is active) -------------
    status = page.locator(f"#batch-{batch.pk} .badge")
    expect(status).to_have_text("Success", timeout=BATCH_TIMEOUT_MS)
    expect(page.locator("#batch-table .status-line")).to_have_text("Nothing is running.")
    batch.refresh_from_db()
    assert batch.status == RunStatus.SUCCESS
    screenshot(page, "batches")

    # -- the sale now costs the invoiced 10.00 a piece ---------------------------------------------
    response = api.get("/api/v1/item-ledger-entries/", params={"item_no": ITEM_NO})
    assert response.status == 200, response.text()
    entries = {e["entry_no"]: e for e in response.json()["results"]}
    assert entries[ledger.sale.pk]["cost_amount_actual"] == "-40.00"  # -38.00 - 2.00
    assert entries[ledger.receipt.pk]["cost_amount_actual"] == "100.00"
    item = api.get(f"/api/v1/items/{ITEM_NO}/").json()
    assert item["cost_is_adjusted"] is True
    assert item["inventory_value"] == "60.00"  # 100.00 - 40.00

    page.goto("/items/")
    expect(page.get_by_role("link", name=ITEM_NO)).to_be_visible()
    screenshot(page, "items")
    page.get_by_role("link", name=ITEM_NO).click()
    expect(page.get_by_role("heading", name=re.compile(f"Item {ITEM_NO}"))).to_be_visible()
    # Cost is adjusted: Yes; unit cost 60.00 / 6 = 10.00.
    expect(page.locator("dt:text-is('Cost is adjusted') + dd")).to_have_text("Yes")
    expect(page.locator("tr.subtotal td")).to_have_text("60.00")
    expect(page.locator("tr.result td")).to_have_text("10.00")
    screenshot(page, "item_card")

    page.goto(f"/ledgers/item-entries/?item_no={ITEM_NO}&entry_type=sale")
    sale_row = page.locator("table.data tbody tr").filter(has_text="SHIP-2001")
    expect(sale_row).to_have_count(1)
    expect(sale_row).to_contain_text("-40.00")

    # -- Post Inventory Cost to G/L, per entry -----------------------------------------------------
    assert not GLEntry.objects.exists()
    page.goto("/gl/post-inventory-cost/")
    expect(page.get_by_role("heading", name="Post Inventory Cost to G/L")).to_be_visible()
    screenshot(page, "post_inventory_cost")
    page.get_by_label("Posting method").select_option(label="Per Entry")
    page.get_by_label("Document no.").fill("")
    page.get_by_label("Post", exact=True).check()
    page.get_by_role("button", name="OK").click()
    expect(page.get_by_role("heading", name="Post Inventory Cost to G/L – Report")).to_be_visible()
    # Three value entries carry actual cost: the sale's (-38.00), the receipt's invoice (+100.00)
    # and the sale's adjustment (-2.00). The receipt's own entry carries expected cost only
    # (+95.00): with Expected Cost Posting to G/L off it never reached the G/L, and since the
    # receipt is invoiced there is nothing left of it to post: it leaves the queue, not skipped.
    expect(
        page.get_by_role("status").filter(has_text="value entries have been posted")
    ).to_have_text(re.compile(r"^3 value entries have been posted to the general ledger\."))
    skipped = page.locator("table.data").filter(has_text="Value entries that cannot be posted")
    expect(skipped.locator("tbody tr td.reason")).to_have_count(0)
    screenshot(page, "posting_report")
    assert sum(e.amount for e in GLEntry.objects.filter(account_id=INVENTORY)) == 60  # 100-38-2

    # -- the reconciliation: no difference ---------------------------------------------------------
    page.goto("/gl/reconciliation/")
    expect(page.get_by_role("heading", name="Inventory – G/L Reconciliation")).to_be_visible()
    rows = page.locator("table.matrix tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    for index in range(rows.count()):
        # Account type | Inventory | Inventory (Interim) | WIP | Total | G/L Total | Difference
        expect(rows.nth(index).locator("td").nth(5)).to_have_text("0.00")
    inventory = rows.filter(has=page.get_by_role("rowheader", name="Inventory", exact=True))
    expect(inventory.locator("td").nth(3)).to_have_text("60.00")  # the ledger's total
    expect(inventory.locator("td").nth(4)).to_have_text("60.00")  # the G/L's
    expect(page.locator("tr[data-difference]")).to_have_count(0)
    expect(page.locator(".warnings")).to_contain_text("No difference.")
    screenshot(page, "reconciliation")

    # Home agrees: no reconciliation difference, nothing left to adjust or to post.
    page.goto("/")
    recon_figure = page.locator("#home-reconciliation .figure").filter(
        has_text="Reconciliation differences"
    )
    expect(recon_figure.locator(".figure-value")).to_have_text("0.00")
    figures = page.locator(".figure")
    expect(figures.filter(has_text="Items not adjusted").locator(".figure-value")).to_have_text("0")
    expect(
        figures.filter(has_text="Value entries not yet posted").locator(".figure-value")
    ).to_have_text("0")
    screenshot(page, "home_after_posting")
    assert Item.objects.get(no=ITEM_NO).cost_is_adjusted
