"""An accountant's month-end close, in the browser: the pre-run list names the item whose issue
cannot be fully settled, the close runs (in process here) and its log says why and what to do,
the closed period is held by the close, and reversing the close reopens it.

The ledger is tests/e2e/conftest.py's (hand-checked there): a receipt of 10 @ 9.50 on 3 March
2025, not invoiced, and a sale of 4 on 4 March applied to it. A close at 31 March cannot settle
the sale (its receipt is not invoiced): 4 of 4 stay unsettled, and the log advises to invoice
the receipt or move the closing date.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from inventory.models import InventoryPeriod
from ledger.models import InventoryClose
from tests.e2e.conftest import E2E_MARKS, ITEM_NO, screenshot, sign_in

pytestmark = E2E_MARKS


def test_close_the_month_read_the_log_and_reverse_it(page, accountant, ledger):
    sign_in(page, accountant.username)
    page.get_by_role("navigation", name="Main").get_by_text("Month End").click()
    page.get_by_role("link", name="Month-End Close").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Month-End Close")

    # -- the pre-run list ----------------------------------------------------------------------
    page.get_by_label("Closing date").fill("2025-03-31")
    page.get_by_role("button", name="Pre-run list").click()
    prerun = page.locator("section[aria-labelledby=prerun-head]")
    expect(prerun).to_contain_text("Items that cannot be fully settled: " + ITEM_NO)
    issue = prerun.get_by_role("row").filter(has=page.get_by_role("rowheader", name=ITEM_NO))
    expect(issue).to_contain_text("4 of 4")
    expect(issue).to_contain_text(f"Receipt {ledger.receipt.pk} is not yet invoiced.")
    screenshot(page, "month_end_prerun")

    # -- the close -------------------------------------------------------------------------------
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page).to_have_url(re.compile(r"/month-end-close/\d+/$"))
    expect(page.locator("#close-status")).to_contain_text("Close done up to 2025-03-31.")
    log = page.get_by_role("table", name="Warnings")
    expect(log).to_contain_text("Invoice the receipts, or move the closing date.")
    screenshot(page, "month_end_close")
    close = InventoryClose.objects.get()
    assert InventoryPeriod.objects.get(ending_date="2025-03-31").closed

    # -- the period, held by the close ---------------------------------------------------------
    page.get_by_role("link", name="Inventory Periods").first.click()
    row = page.locator(f"#period-{close.period_id}")
    expect(row).to_contain_text("Closed")
    expect(row).to_contain_text(f"The month-end close {close.document_no} closed this period")
    expect(row.get_by_role("button", name="Reopen")).to_have_count(0)
    screenshot(page, "inventory_periods")

    # -- reversal --------------------------------------------------------------------------------
    page.go_back()
    page.get_by_role("button", name="Reverse this close").click()
    expect(page.locator(".messages")).to_contain_text("is reversed")
    expect(page.locator("#close-status")).to_contain_text("Reversed")
    screenshot(page, "month_end_reversed")
    assert InventoryClose.objects.get().status == "reversed"
    assert not InventoryPeriod.objects.get().closed
