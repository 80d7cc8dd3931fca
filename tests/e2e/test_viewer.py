"""Who may do what, in the browser: a wrong password is refused at the login page; a viewer
opens every page but sees no action, and an action posted anyway (with a valid CSRF token from
the page) is answered 403 and writes nothing. The API refuses the viewer's token too."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from costing.models import CostAdjustmentItemBatch
from inventory.models import Item, ValueEntry
from ledger.models import GLEntry
from tests.e2e.conftest import (
    E2E_MARKS,
    INVOICE_DAY,
    ITEM_NO,
    PASSWORD,
    TIMEOUT_MS,
    action_buttons,
    screenshot,
    sign_in,
)

pytestmark = E2E_MARKS


def test_wrong_password_is_refused(page, viewer):
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(viewer.username)
    page.get_by_label("Password").fill(PASSWORD + "-wrong")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password."
    )
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "login_refused")
    # Still signed out: any page sends back to the login.
    page.goto("/items/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/items/$"))


def test_viewer_reads_but_cannot_act(page, viewer, ledger, playwright_sync, live_server):
    sign_in(page, viewer.username)
    expect(page.get_by_role("heading", name="Where things stand")).to_be_visible()
    expect(page.locator("#home-reconciliation")).to_contain_text("Reconciliation differences")

    readable = {
        "/items/": "Items",
        f"/items/{ITEM_NO}/": f"Item {ITEM_NO}",
        "/cost-adjustment/": "Inventory Cost Adjustment",
        "/cost-adjustment/batches/": "Cost Adjustment – Item Batches",
        "/gl/post-inventory-cost/": "Post Inventory Cost to G/L",
        "/gl/reconciliation/": "Inventory – G/L Reconciliation",
        "/inventory-setup/": "Inventory Setup",
        "/inventory-periods/": "Inventory Periods",
        "/month-end-close/": "Month-End Close",
        f"/ledgers/item-entries/?item_no={ITEM_NO}": "Item Ledger Entries",
        "/diagnostics/action-messages/": "Action Messages",
        "/diagnostics/costing-issues/": "Costing Issues Detection",
        "/diagnostics/item-data/": "Item Data",
    }
    for path, heading in readable.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert action_buttons(page) == [], path

    page.goto("/cost-adjustment/")
    expect(page.get_by_role("rowheader", name=ITEM_NO)).to_be_visible()
    # Nothing to select (the filter form's check boxes are not in the items form).
    expect(page.locator("#items-form").get_by_role("checkbox")).to_have_count(0)
    screenshot(page, "viewer_cost_adjustment")
    page.goto("/gl/post-inventory-cost/")
    expect(page.get_by_text("posting needs the accountant role")).to_be_visible()
    screenshot(page, "viewer_post_inventory_cost")

    # Actions posted anyway, with the page's own CSRF token (from the sign-out form) and the
    # session cookie: refused for the role (403), not for CSRF, and nothing is written.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    actions = {
        "/cost-adjustment/add-batch-and-run/": {"item": ITEM_NO},
        "/cost-adjustment/run/": {"item": ITEM_NO},
        "/cost-adjustment/batches/add-missing-items/": {},
        "/gl/post-inventory-cost/": {"post_method": "per_entry", "post": "on"},
        "/inventory-setup/": {"automatic_cost_adjustment": "always"},
    }
    for path, form in actions.items():
        response = page.request.post(
            path, form={"csrfmiddlewaretoken": token, **form}, max_redirects=0
        )
        assert response.status == 403, (path, response.status)
        assert "CSRF" not in response.text(), path
    assert not CostAdjustmentItemBatch.objects.exists()
    assert not GLEntry.objects.exists()
    assert Item.objects.get(no=ITEM_NO).cost_is_adjusted

    # The API: the viewer's token reads, but may not invoice.
    values_before = ValueEntry.objects.count()
    key = Token.objects.create(user=viewer).key
    api = playwright_sync.request.new_context(
        base_url=live_server.url,
        extra_http_headers={"Authorization": f"Token {key}", "Accept": "application/json"},
        timeout=TIMEOUT_MS,
    )
    try:
        assert api.get(f"/api/v1/items/{ITEM_NO}/").status == 200
        response = api.post(
            f"/api/v1/item-ledger-entries/{ledger.receipt.pk}/invoice/",
            data={"posting_date": INVOICE_DAY.isoformat(), "quantity": "10", "unit_cost": "10"},
        )
        assert response.status == 403, response.text()
    finally:
        api.dispose()
    assert ValueEntry.objects.count() == values_before
