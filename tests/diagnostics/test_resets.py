"""Reset Cost Is Adjusted, Mark for Adjustment and Reset Outbound Entry is Updated through the
API, and Reset Cost Is Adjusted for an item filter from the diagnostics page.

On the clean ledger of conftest.py everything is adjusted; each reset makes the next run look
again, and since nothing changed in between, that run adds nothing (the engine is idempotent)."""

from __future__ import annotations

from costing.services import cost_adjustment_run
from inventory.models import AvgCostAdjmtEntryPoint, Item, ItemApplicationEntry, ItemLedgerEntry


def test_reset_cost_is_adjusted_api(ledger, accountant, viewer):
    assert Item.objects.filter(cost_is_adjusted=False).count() == 0
    url = "/api/v1/cost-adjustment/reset-cost-is-adjusted/"
    assert viewer.post(url, {"item_filter": "A|V"}, format="json").status_code == 403
    response = accountant.post(url, {"item_filter": "A|V"}, format="json")
    assert response.status_code == 200 and response.data == {"items": 2}
    assert set(Item.objects.filter(cost_is_adjusted=False).values_list("no", flat=True)) == {
        "A",
        "V",
    }
    assert not AvgCostAdjmtEntryPoint.objects.filter(item__no="V", cost_is_adjusted=True).exists()
    assert accountant.post(url, {"item_filter": "A..B..C"}, format="json").status_code == 400
    assert cost_adjustment_run().entries_adjusted == 0  # nothing changed meanwhile


def test_mark_for_adjustment_api_takes_inbound_entries_only(ledger, accountant):
    url = "/api/v1/cost-adjustment/mark-for-adjustment/"
    bad = accountant.post(url, {"entry_nos": [ledger.receipt.pk, ledger.sale.pk]}, format="json")
    assert bad.status_code == 400
    assert str(ledger.sale.pk) in str(bad.data["entry_nos"])
    assert Item.objects.filter(cost_is_adjusted=False).count() == 0  # nothing written
    response = accountant.post(url, {"entry_nos": [ledger.receipt.pk]}, format="json")
    assert response.status_code == 200 and response.data == {"marked": 1}
    assert ItemLedgerEntry.objects.get(pk=ledger.receipt.pk).applied_entry_to_adjust
    assert not Item.objects.get(no="A").cost_is_adjusted
    assert accountant.post(url, {"entry_nos": []}, format="json").status_code == 400


def test_reset_outbound_entry_is_updated_api(ledger, accountant):
    use = ledger.use()
    assert use.outbound_entry_is_updated
    url = "/api/v1/cost-adjustment/reset-outbound-entry-is-updated/"
    response = accountant.post(url, {"entry_nos": [use.pk]}, format="json")
    assert response.status_code == 200 and response.data == {"reset": 1}
    assert not ItemApplicationEntry.objects.get(pk=use.pk).outbound_entry_is_updated
    missing = accountant.post(url, {"entry_nos": [999_999]}, format="json")
    assert missing.status_code == 400 and "999999" in str(missing.data["entry_nos"])


def test_reset_cost_is_adjusted_from_the_diagnostics_page(ledger, accountant_page, viewer_page):
    assert (
        "Reset Cost Is Adjusted</button>"
        not in viewer_page.get("/diagnostics/item-data/").content.decode()
    )
    page = accountant_page.get("/diagnostics/item-data/").content.decode()
    assert "Reset Cost Is Adjusted</button>" in page
    url = "/diagnostics/reset-cost-is-adjusted/"
    assert viewer_page.post(url, {"reset-item_filter": "*"}).status_code == 403
    response = accountant_page.post(url, {"reset-item_filter": "*"})
    assert response.status_code == 302
    text = accountant_page.get(response["Location"]).content.decode()
    assert "3 items need cost adjustment again" in text
    assert Item.objects.filter(cost_is_adjusted=True).count() == 0
    bad = accountant_page.post(url, {"reset-item_filter": "A..B..C"})
    assert bad.status_code == 200 and "is not a range like A..C" in bad.content.decode()
