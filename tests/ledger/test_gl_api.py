"""The G/L endpoints (API.md, "Master data" and "Cost adjustment and G/L"): accounts and their
balances, posting setups, G/L entries, Post Inventory Cost to G/L and its test report; bad input
gives 400 naming the field and writes nothing; only accountants write."""

from __future__ import annotations

import pytest

from inventory.models import ValueEntry
from ledger.models import GeneralPostingSetup, GLAccount, GLEntry, InventoryPostingSetup
from tests.ledger.conftest import (
    COGS,
    DIRECT_COST_APPLIED,
    INVENTORY,
    day,
    make_item,
    post,
    post_per_entry,
    queued,
    values_of,
)

pytestmark = pytest.mark.django_db

POST_COST = "/api/v1/gl/post-inventory-cost/"
TEST_REPORT = "/api/v1/gl/post-inventory-cost/test/"


def rows(response) -> list[dict]:
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


@pytest.fixture
def ledger(gl_setup, batch_posting):
    """Purchase 10 @ 7 on Jan 5 and sale of 2 on Jan 15 (FIFO: 2 x 7 = -14), not yet posted."""
    item = make_item("A")
    receipt = post("purchase", item, 10, day(1, 5), unit_cost=7, document_no="PR-1")
    sale = post("sale", item, 2, day(1, 15), document_no="SS-1")
    return values_of(receipt)[0], values_of(sale)[0]


# -- accounts and posting setups ---------------------------------------------------------------


def test_an_accountant_sets_up_accounts_and_posting_setups(accountant):
    for no in ("2130", "7291", "7290"):
        response = accountant.post("/api/v1/gl-accounts/", {"no": no, "name": no}, format="json")
        assert response.status_code == 201, response.json()
    response = accountant.post(
        "/api/v1/inventory-posting-setups/",
        {"location_code": "", "inventory_posting_group": "RESALE", "inventory_account": "2130"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["inventory_account"] == "2130"
    response = accountant.post(
        "/api/v1/general-posting-setups/",
        {
            "gen_bus_posting_group": "",
            "gen_prod_posting_group": "RETAIL",
            "cogs_account": "7290",
            "direct_cost_applied_account": "7291",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    setup_id = response.json()["id"]
    response = accountant.patch(
        f"/api/v1/general-posting-setups/{setup_id}/",
        {"inventory_adjmt_account": "2130"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    setup = GeneralPostingSetup.objects.get(pk=setup_id)
    assert (setup.cogs_account_id, setup.inventory_adjmt_account_id) == ("7290", "2130")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/inventory-posting-setups/",
            {"location_code": "", "inventory_posting_group": "RESALE", "wip_account": "9999"},
            "wip_account",
        ),
        (
            "/api/v1/general-posting-setups/",
            {
                "gen_bus_posting_group": "",
                "gen_prod_posting_group": "RETAIL",
                "cogs_account": "9999",
            },
            "cogs_account",
        ),
    ],
)
def test_a_posting_setup_naming_an_unknown_account_is_refused(accountant, path, body, field):
    response = accountant.post(path, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not InventoryPostingSetup.objects.exists()
    assert not GeneralPostingSetup.objects.exists()


def test_a_second_account_or_setup_with_the_same_key_is_refused(accountant, gl_setup):
    response = accountant.post("/api/v1/gl-accounts/", {"no": INVENTORY}, format="json")
    assert response.status_code == 400
    assert "no" in response.json()
    response = accountant.post(
        "/api/v1/inventory-posting-setups/",
        {"location_code": "", "inventory_posting_group": "RESALE", "inventory_account": "2130"},
        format="json",
    )
    assert response.status_code == 400
    assert InventoryPostingSetup.objects.filter(inventory_posting_group="RESALE").count() == 3


def test_changing_a_setup_to_an_unknown_account_is_refused_and_keeps_the_old_one(
    accountant, gl_setup
):
    setup = InventoryPostingSetup.objects.get(location_code="", inventory_posting_group="RESALE")
    response = accountant.patch(
        f"/api/v1/inventory-posting-setups/{setup.pk}/",
        {"inventory_account": "NOPE"},
        format="json",
    )
    assert response.status_code == 400
    assert "inventory_account" in response.json()
    setup.refresh_from_db()
    assert setup.inventory_account_id == INVENTORY


def test_a_viewer_reads_the_g_l_but_cannot_change_or_post_anything(viewer, ledger):
    assert viewer.get("/api/v1/gl-accounts/").status_code == 200
    assert viewer.get("/api/v1/gl-entries/").status_code == 200
    assert viewer.get("/api/v1/inventory-posting-setups/").status_code == 200
    assert viewer.get("/api/v1/general-posting-setups/").status_code == 200
    assert viewer.get(TEST_REPORT).status_code == 200
    refused = [
        viewer.post(POST_COST, {"post_method": "per_entry"}, format="json"),
        viewer.post("/api/v1/gl-accounts/", {"no": "1000"}, format="json"),
        viewer.post(
            "/api/v1/general-posting-setups/",
            {"gen_bus_posting_group": "", "gen_prod_posting_group": "X"},
            format="json",
        ),
        viewer.post(
            "/api/v1/inventory-posting-setups/",
            {"location_code": "", "inventory_posting_group": "X"},
            format="json",
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert not GLEntry.objects.exists()
    assert len(queued()) == 2
    assert not GLAccount.objects.filter(no="1000").exists()


def test_an_anonymous_client_gets_nothing(anonymous, ledger):
    assert anonymous.get("/api/v1/gl-entries/").status_code in (401, 403)
    response = anonymous.post(POST_COST, {"post_method": "per_entry"}, format="json")
    assert response.status_code in (401, 403)
    assert not GLEntry.objects.exists()


# -- balances ----------------------------------------------------------------------------------


def test_an_account_balance_can_be_read_as_of_a_date(accountant, ledger):
    post_per_entry()
    # Inventory: +70 on Jan 5, -14 on Jan 15.
    response = accountant.get(f"/api/v1/gl-accounts/{INVENTORY}/?date_to=2025-01-10")
    assert response.status_code == 200
    assert response.json()["balance"] == "70.00"
    assert accountant.get(f"/api/v1/gl-accounts/{INVENTORY}/").json()["balance"] == "56.00"
    assert (
        accountant.get(f"/api/v1/gl-accounts/{COGS}/?date_to=2025-01-14").json()["balance"]
        == "0.00"
    )
    listed = {
        a["no"]: a["balance"]
        for a in rows(accountant.get("/api/v1/gl-accounts/?date_to=2025-01-31&page_size=1000"))
    }
    assert listed[INVENTORY] == "56.00"  # 70 - 14
    assert listed[DIRECT_COST_APPLIED] == "-70.00"
    assert listed[COGS] == "14.00"


@pytest.mark.parametrize("path", ["/api/v1/gl-accounts/2130/", "/api/v1/gl-accounts/"])
def test_a_balance_date_that_is_not_a_date_is_refused(accountant, gl_setup, path):
    response = accountant.get(f"{path}?date_to=bad")
    assert response.status_code == 400
    assert "date_to" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/gl-accounts/2130/", "/api/v1/gl-accounts/"])
def test_a_balance_date_that_does_not_exist_is_refused(accountant, gl_setup, path):
    response = accountant.get(f"{path}?date_to=2025-02-30")
    assert response.status_code == 400
    assert "date_to" in response.json()


def test_an_unknown_account_is_not_found(accountant, gl_setup):
    assert accountant.get("/api/v1/gl-accounts/NOPE/").status_code == 404


# -- posting -----------------------------------------------------------------------------------


def test_posting_per_entry_returns_the_report_and_the_g_l_entries_trace_back(accountant, ledger):
    receipt, sale = ledger
    response = accountant.post(POST_COST, {"post_method": "per_entry"}, format="json")

    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["posted"] is True
    assert report["message"] == "2 value entries have been posted to the general ledger."
    assert report["value_entries_posted"] == 2
    assert report["skipped_entries"] == []
    assert report["dimension_conflicts"] == []
    # 70 - 14 = 56 on Inventory; DCA -70; COGS 14.
    assert report["account_totals"] == {
        INVENTORY: "56.00",
        DIRECT_COST_APPLIED: "-70.00",
        COGS: "14.00",
    }
    assert sorted(
        (line["account_no"], line["amount"], line["document_no"]) for line in report["gl_entries"]
    ) == sorted(
        [
            (INVENTORY, "70.00", "PR-1"),
            (DIRECT_COST_APPLIED, "-70.00", "PR-1"),
            (INVENTORY, "-14.00", "SS-1"),
            (COGS, "14.00", "SS-1"),
        ]
    )

    entries = rows(accountant.get(f"/api/v1/gl-entries/?value_entry_no={sale.pk}"))
    assert sorted((e["account_no"], e["amount"]) for e in entries) == [
        (INVENTORY, "-14.00"),
        (COGS, "14.00"),
    ]
    assert all(e["value_entry_nos"] == [sale.pk] for e in entries)
    assert all(e["posting_date"] == "2025-01-15" for e in entries)
    assert {e["transaction_no"] for e in entries} == {entries[0]["transaction_no"]}
    on_inventory = rows(accountant.get(f"/api/v1/gl-entries/?account_no={INVENTORY}"))
    assert sorted(e["amount"] for e in on_inventory) == ["-14.00", "70.00"]
    by_document = rows(accountant.get("/api/v1/gl-entries/?document_no=PR-1"))
    assert {e["value_entry_nos"][0] for e in by_document} == {receipt.pk}


def test_posting_per_posting_group_uses_the_document_no(accountant, ledger):
    response = accountant.post(
        POST_COST, {"post_method": "per_posting_group", "document_no": "INVT-7"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["document_no"] == "INVT-7"
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-7"}
    assert queued() == set()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"post_method": "per_posting_group"}, "document_no"),
        ({"post_method": "per_posting_group", "document_no": ""}, "document_no"),
        ({"post_method": "per_entry", "document_no": "INVT-1"}, "document_no"),
        ({"post_method": "per_item"}, "post_method"),
        ({"post_method": "per_entry", "post": "maybe"}, "post"),
        ({"post_method": "per_posting_group", "document_no": "X" * 21}, "document_no"),
    ],
)
def test_bad_posting_requests_are_refused_and_post_nothing(accountant, ledger, body, field):
    before = queued()
    response = accountant.post(POST_COST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not GLEntry.objects.exists()
    assert queued() == before
    assert all(v.cost_posted_to_gl == 0 for v in ValueEntry.objects.all())


def test_a_preview_through_the_api_writes_nothing(accountant, ledger):
    response = accountant.post(
        POST_COST, {"post_method": "per_entry", "post": False}, format="json"
    )
    assert response.status_code == 200
    report = response.json()
    assert report["posted"] is False
    assert report["message"] == "2 value entries would be posted to the general ledger."
    assert len(report["gl_entries"]) == 4
    assert not GLEntry.objects.exists()
    assert len(queued()) == 2


def test_the_test_report_lists_what_would_be_skipped_and_why(accountant, ledger):
    nosetup = make_item("N", inventory_posting_group="NOSETUP")
    (value,) = values_of(post("purchase", nosetup, 1, day(1, 6), unit_cost=3))

    response = accountant.get(TEST_REPORT)

    assert response.status_code == 200
    report = response.json()
    assert report["posted"] is False
    (skipped,) = report["skipped_entries"]
    assert skipped["value_entry_no"] == value.pk
    assert skipped["item_no"] == "N"
    assert skipped["inventory_posting_group"] == "NOSETUP"
    assert skipped["cost_amount"] == "3.00"
    assert "Inventory Posting Setup" in skipped["reason"] and "NOSETUP" in skipped["reason"]
    assert report["value_entries_posted"] == 2
    assert not GLEntry.objects.exists()
    assert len(queued()) == 3
