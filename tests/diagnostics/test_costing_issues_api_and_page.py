"""Costing Issues Detection through the API (GET, filter by item and check) and its page."""

from __future__ import annotations

from decimal import Decimal

from inventory.models import ItemLedgerEntry
from tests.ui.conftest import page_client

URL = "/api/v1/diagnostics/costing-issues/"
PAGE = "/diagnostics/costing-issues/"


def _break(ledger) -> None:
    # The receipt of A: 10 bought, 4 used by the sale, so 6 remain; 7 is wrong.
    ItemLedgerEntry.objects.filter(pk=ledger.receipt.pk).update(remaining_quantity=Decimal(7))


def test_the_api_lists_every_check_and_no_finding_on_clean_data(ledger, viewer):
    response = viewer.get(URL)
    assert response.status_code == 200
    assert response.data["errors"] == 0 and response.data["warnings"] == 0
    assert all(c["ok"] and c["findings"] == [] for c in response.data["checks"])


def test_the_api_reports_the_broken_entry_with_what_to_do(ledger, viewer):
    _break(ledger)
    response = viewer.get(URL, {"item_no": "A", "check": ["inbound_remaining", "ve_quantity"]})
    assert response.status_code == 200
    checks = {c["code"]: c for c in response.data["checks"]}
    assert set(checks) == {"inbound_remaining", "ve_quantity"}
    assert checks["ve_quantity"]["ok"]
    [finding] = checks["inbound_remaining"]["findings"]
    assert finding["item_no"] == "A"
    assert finding["item_ledger_entries"] == [ledger.receipt.pk]
    assert "remaining quantity 7" in finding["message"]
    assert "leave 6" in finding["message"]
    assert "Mark for Adjustment" in checks["inbound_remaining"]["remedy"]
    assert response.data["errors"] == 1


def test_the_api_filters_by_item(ledger, viewer):
    _break(ledger)
    assert viewer.get(URL, {"item_filter": "B|V"}).data["errors"] == 0
    assert viewer.get(URL, {"item_filter": "A..B"}).data["errors"] == 1


def test_the_api_answers_400_for_a_bad_filter_or_check(ledger, viewer):
    response = viewer.get(URL, {"item_filter": "A..B..C"})
    assert response.status_code == 400 and "item_filter" in response.data
    response = viewer.get(URL, {"check": "nonsense"})
    assert response.status_code == 400 and "check" in response.data


def test_the_api_needs_a_role(ledger, anonymous, db):
    assert anonymous.get(URL).status_code in (401, 403)


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_page_runs_the_report_and_shows_the_finding(ledger, viewer_page):
    page = viewer_page.get(PAGE).content.decode()
    assert "Run report" in page
    assert "Checking the ledgers" not in page  # runs only when asked
    # Sent: the page shows at once and fetches the report (htmx).
    waiting = viewer_page.get(PAGE, {"run": "1"}).content.decode()
    assert "Checking the ledgers" in waiting and 'hx-trigger="load"' in waiting
    assert 'id="issues-summary"' not in waiting
    clean = viewer_page.get(PAGE, {"run": "1"}, **HTMX).content.decode()
    assert "<html" not in clean and "No issues found in" in clean
    _break(ledger)
    text = viewer_page.get(PAGE, {"run": "1", "item_filter": "A"}, **HTMX).content.decode()
    assert "1 errors, 0 warnings" in text
    assert f"Inbound entry {ledger.receipt.pk} has remaining quantity 7" in text
    assert "/cost-adjustment/items/A/entries/" in text
    # Without script: the same report within the page.
    inline = viewer_page.get(PAGE, {"run": "1", "item_filter": "A", "inline": "1"})
    assert "<html" in inline.content.decode() and "1 errors, 0 warnings" in inline.content.decode()


def test_the_page_shows_a_bad_filter_in_place(ledger, viewer_page):
    text = viewer_page.get(PAGE, {"run": "1", "item_filter": "A..B..C"}, **HTMX).content.decode()
    assert "is not a range like A..C" in text
    assert 'id="issues-summary"' not in text
    inline = viewer_page.get(PAGE, {"run": "1", "item_filter": "A..B..C", "inline": "1"})
    assert "is not a range like A..C" in inline.content.decode()


def test_the_page_needs_a_role(ledger, db):
    assert page_client("nobody", None).get(PAGE).status_code == 403
