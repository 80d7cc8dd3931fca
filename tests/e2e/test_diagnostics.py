"""The diagnostics pages in the browser: an accountant runs the action message tests, sees the
notification on the Inventory Cost Adjustment page and snoozes it; runs Costing Issues Detection
(the report loads through htmx) on a ledger with one entry broken behind the services' back."""

from __future__ import annotations

from decimal import Decimal

from playwright.sync_api import expect

from inventory.models import Item, ItemLedgerEntry
from tests.e2e.conftest import E2E_MARKS, ITEM_NO, screenshot, sign_in

pytestmark = E2E_MARKS


def test_action_messages_notification_and_snooze(page, accountant, ledger):
    # An item excluded from adjustment and not adjusted: message 70 ("one item is excluded").
    Item.objects.filter(no=ITEM_NO).update(
        excluded_from_cost_adjustment=True, cost_is_adjusted=False
    )
    sign_in(page, accountant.username)
    expect(page.get_by_role("heading", name="Where things stand")).to_be_visible()
    page.goto("/diagnostics/action-messages/")
    # The ledger's cost adjustment ran its checks already; Run Tests runs all of them anew.
    page.get_by_role("button", name="Run Tests", exact=True).click()
    expect(page.get_by_text("checks found an issue")).to_be_visible()
    row = page.locator("#message-70")
    expect(row).to_contain_text(
        f"One item is excluded from cost adjustment and not adjusted ({ITEM_NO})"
    )
    screenshot(page, "action_messages")

    page.goto("/cost-adjustment/")
    notice = page.locator("#action-messages-notice")
    expect(notice).to_be_visible()
    notice.get_by_role("link", name="Action Messages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action Messages")
    for _ in range(page.get_by_role("button", name="Snooze 30 days").count()):
        page.get_by_role("button", name="Snooze 30 days").first.click()
        expect(page.get_by_text("snoozed until").first).to_be_visible()
    page.goto("/cost-adjustment/")
    expect(page.locator("#action-messages-notice")).to_have_count(0)


def test_costing_issues_detection_finds_the_broken_entry(page, accountant, ledger):
    # The receipt: 10 received, 4 used by the sale; 7 remaining is wrong (6 is right).
    ItemLedgerEntry.objects.filter(pk=ledger.receipt.pk).update(remaining_quantity=Decimal(7))
    sign_in(page, accountant.username)
    expect(page.get_by_role("heading", name="Where things stand")).to_be_visible()
    page.goto("/diagnostics/costing-issues/")
    page.get_by_label("Item filter").fill(ITEM_NO)
    page.get_by_role("button", name="Run report").click()
    summary = page.locator("#issues-summary")
    expect(summary).to_contain_text("1 errors, 0 warnings")
    expect(
        page.get_by_text(f"Inbound entry {ledger.receipt.pk} has remaining quantity 7")
    ).to_be_visible()
    screenshot(page, "costing_issues")
    page.get_by_role("link", name=ITEM_NO).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ITEM_NO)
