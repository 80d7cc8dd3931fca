"""The inventory pages through the Django test client: who sees what, the Inventory Setup form,
the ledgers' filters, pages and CSV export, the item card's unit cost, number formatting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from costing.models import CostAdjustmentItemBatch, RunStatus
from inventory.models import InventorySetup, Item, ItemLedgerEntry, ValueEntry
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_create,
    item_journal_post,
    item_ledger_entry_invoice,
)
from inventory.templatetags.ui import _active_href, format_money, format_qty, format_unit_cost
from ledger.models import GLAccount, GLEntry, GLItemLedgerRelation

D = Decimal
DAY = dt.date(2025, 1, 1)

PAGES = [
    "/",
    "/inventory-setup/",
    "/items/",
    "/items/A/",
    "/ledgers/item-entries/",
    "/ledgers/value-entries/",
    "/ledgers/gl-entries/",
    "/home/figures/",
    "/home/reconciliation/",
]


# -- fixtures and helpers ------------------------------------------------------------------------


def _client(username: str, role: str | None) -> Client:
    user = User.objects.create_user(username=username)  # no password: nothing to hash
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def accountant() -> Client:
    return _client("alice", "accountant")


@pytest.fixture
def viewer() -> Client:
    return _client("victor", "viewer")


@pytest.fixture
def no_role() -> Client:
    return _client("nora", None)


@pytest.fixture(autouse=True)
def simple_setup(db):
    """Postings write no G/L entries and run no cost adjustment: the figures stay simple."""
    inventory_setup_update(automatic_cost_adjustment="never", automatic_cost_posting=False)


def make_item(no: str = "A", **fields) -> Item:
    fields.setdefault("inventory_posting_group", "RESALE")
    fields.setdefault("gen_prod_posting_group", "RETAIL")
    return item_create(no=no, **fields)


def purchase(item_no: str, quantity, unit_cost, *, invoiced: bool = True, day=DAY):
    (entry,) = item_journal_post(
        lines=[
            JournalLine(
                entry_type="purchase",
                item_no=item_no,
                posting_date=day,
                quantity=D(str(quantity)),
                unit_cost=D(str(unit_cost)),
                invoiced=invoiced,
                document_no="PR-1",
            )
        ]
    )
    return entry


def adjustments(counts: dict[str, int]) -> None:
    """Positive adjustments, one journal: `counts` entries per item, quantity 1 at cost 10."""
    lines = [
        JournalLine(
            entry_type="positive_adjmt",
            item_no=no,
            posting_date=DAY,
            quantity=D(1),
            unit_cost=D(10),
            document_no=f"ADJ-{no}",
        )
        for no, count in counts.items()
        for _ in range(count)
    ]
    item_journal_post(lines=lines)


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def body_rows(html: str) -> list[str]:
    tbody = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert tbody, "no table body"
    return [r for r in re.findall(r"<tr>(.*?)</tr>", tbody.group(1), re.S) if "empty" not in r]


def first_cells(html: str) -> list[str]:
    """The first cell (the entry no.) of every body row."""
    return [re.search(r"<td[^>]*>(.*?)</td>", row, re.S).group(1) for row in body_rows(html)]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text(response))))


# -- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_for_a_viewer_and_an_accountant(path, viewer, accountant):
    make_item("A")
    for client in (viewer, accountant):
        response = client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(path):
    make_item("A")
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_the_sign_in_page_opens_and_signs_in(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user(username="alice", password="pw-alice-1")
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'for="id_username"' in text(page) and 'for="id_password"' in text(page)
    bad = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert bad.status_code == 200 and "errorlist-block" in text(bad)
    good = client.post("/accounts/login/", {"username": "alice", "password": "pw-alice-1"})
    assert good.status_code == 302 and good["Location"] == "/"


def test_a_user_without_a_role_reads_nothing(no_role):
    make_item("A")
    home = no_role.get("/")
    assert home.status_code == 200 and "no role yet" in text(home)
    for path in PAGES[1:]:
        assert no_role.get(path).status_code == 403, path


def test_the_layout_is_accessible_and_htmx_posts_carry_the_csrf_token(viewer):
    html = text(viewer.get("/items/"))
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html and '<nav aria-label="Main">' in html
    assert re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"[^\"]+\"\}'>", html)
    assert "/static/app.css" in html and "/static/vendor/htmx.min.js" in html
    assert '<a href="/items/" aria-current="page">Items</a>' in html
    assert 'action="/accounts/logout/"' in html  # signing out is a POST
    assert "/admin/" not in html  # not staff


def test_the_navigation_marks_the_longest_matching_address():
    hrefs = ["/", "/cost-adjustment/", "/cost-adjustment/batches/", "/items/"]
    assert _active_href("/cost-adjustment/batches/3/", hrefs) == "/cost-adjustment/batches/"
    assert _active_href("/cost-adjustment/", hrefs) == "/cost-adjustment/"
    assert _active_href("/items/A/", hrefs) == "/items/"
    assert _active_href("/", hrefs) == "/"
    assert _active_href("/elsewhere/", hrefs) is None


# -- home ----------------------------------------------------------------------------------------


def test_home_says_where_things_stand(viewer):
    make_item("A")
    make_item("B")
    make_item("X", excluded_from_cost_adjustment=True)
    purchase("A", 10, 10)  # 1 value entry waiting for the G/L; A is no longer adjusted
    purchase("B", 5, 4)
    Item.objects.filter(no="B").update(cost_is_adjusted=False)
    Item.objects.filter(no="X").update(cost_is_adjusted=False)
    CostAdjustmentItemBatch.objects.create(item_filter="A", status=RunStatus.RUNNING)
    CostAdjustmentItemBatch.objects.create(item_filter="B", status=RunStatus.NOT_STARTED)
    CostAdjustmentItemBatch.objects.create(item_filter="X", status=RunStatus.SUCCESS)

    html = text(viewer.get("/"))
    figure = r'<div class="figure-value num"><a href="{}">{}</a></div>'
    assert re.search(figure.format(re.escape("/cost-adjustment/?needs_adjustment=1"), "2"), html)
    assert re.search(figure.format("/gl/post-inventory-cost/", "2"), html)
    assert re.search(figure.format("/cost-adjustment/batches/", "1"), html)
    assert "1 waiting to start" in html
    # Batches are running: the figures refresh themselves; the reconciliation loads on its own.
    assert 'hx-get="/home/figures/" hx-trigger="every 5s"' in html
    assert 'hx-get="/home/reconciliation/" hx-trigger="load"' in html
    assert 'id="action-messages-notice"' not in html  # none exist yet: none are shown

    CostAdjustmentItemBatch.objects.update(status=RunStatus.SUCCESS)
    assert "every 5s" not in text(viewer.get("/home/figures/"))


def test_home_shows_the_reconciliation_difference(viewer):
    make_item("A")
    purchase("A", 10, 10)  # 100.00 in inventory, -100.00 direct cost applied, nothing in the G/L
    html = text(viewer.get("/home/reconciliation/"))
    assert re.search(r'<a href="/gl/reconciliation/">200.00</a>', html)
    assert '<td class="num">100.00</td>' in html and '<td class="num">-100.00</td>' in html


def test_home_shows_no_difference_on_an_empty_ledger(viewer):
    html = text(viewer.get("/home/reconciliation/"))
    assert '<a href="/gl/reconciliation/">0.00</a>' in html


# -- inventory setup -----------------------------------------------------------------------------

SETUP_POST = {
    "automatic_cost_posting": "on",
    "expected_cost_posting_to_gl": "on",
    "automatic_cost_adjustment": "month",
    "adjust_cost_before_posting_to_gl": "on",
    "average_cost_calc_type": "item_location_variant",
    "average_cost_period": "month",
    "default_costing_method": "average",
    "cost_adjustment_logging": "all",
    "earliest_allowed_valuation_date": "2025-01-01",
}


def test_a_viewer_sees_the_setup_read_only_and_may_not_save_it(viewer):
    html = text(viewer.get("/inventory-setup/"))
    assert "Automatic cost adjustment" in html
    assert "How far back from today a posting may be dated" in html  # help text
    assert ">Save</button>" not in html
    assert re.search(r'<select name="automatic_cost_adjustment"[^>]*disabled', html)
    before = InventorySetup.get().automatic_cost_adjustment
    assert viewer.post("/inventory-setup/", SETUP_POST).status_code == 403
    assert InventorySetup.get().automatic_cost_adjustment == before


def test_an_accountant_saves_the_setup(accountant):
    html = text(accountant.get("/inventory-setup/"))
    assert ">Save</button>" in html
    for name in SETUP_POST:
        assert f'name="{name}"' in html, name  # every field of the setup is on the page
    response = accountant.post("/inventory-setup/", SETUP_POST, follow=True)
    assert response.redirect_chain == [("/inventory-setup/", 302)]
    assert "Inventory Setup saved." in text(response)
    setup = InventorySetup.get()
    assert setup.automatic_cost_adjustment == "month"
    assert setup.average_cost_calc_type == "item_location_variant"
    assert setup.default_costing_method == "average"
    assert setup.earliest_allowed_valuation_date == dt.date(2025, 1, 1)
    assert setup.expected_cost_posting_to_gl is True
    assert setup.automatic_cost_posting is True


def test_a_bad_value_shows_the_error_at_its_field_and_saves_nothing(accountant):
    data = {**SETUP_POST, "earliest_allowed_valuation_date": "2025-13-45"}
    response = accountant.post("/inventory-setup/", data)
    assert response.status_code == 400
    html = text(response)
    error = re.search(
        r'<input type="date" name="earliest_allowed_valuation_date".*?</div>\s*'
        r'<div class="field-error" id="id_earliest_allowed_valuation_date_error">(.*?)</div>',
        html,
        re.S,
    )
    assert error and "valid date" in error.group(1)
    assert 'aria-invalid="true"' in html
    assert '<option value="month" selected>' in html  # what was typed stays
    setup = InventorySetup.get()
    assert setup.automatic_cost_adjustment == "never"
    assert setup.earliest_allowed_valuation_date is None


def test_posting_the_setup_needs_the_csrf_token():
    user = User.objects.create_user(username="carl")
    user.groups.add(Group.objects.get(name="accountant"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/inventory-setup/", SETUP_POST).status_code == 403
    html = text(client.get("/inventory-setup/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post("/inventory-setup/", {**SETUP_POST, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


# -- ledgers: filters, pages, order, CSV ---------------------------------------------------------


def test_item_ledger_entries_are_paginated_by_50(viewer):
    make_item("A")
    make_item("B")
    adjustments({"A": 70, "B": 50})
    first = text(viewer.get("/ledgers/item-entries/"))
    assert "Showing 1–50 of 120 entries" in first
    assert len(body_rows(first)) == 50
    last = text(viewer.get("/ledgers/item-entries/?page=3"))
    assert "Showing 101–120 of 120 entries" in last and "Page 3 of 3" in last
    assert len(body_rows(last)) == 20
    nos = list(ItemLedgerEntry.objects.order_by("entry_no").values_list("entry_no", flat=True))
    assert first_cells(last) == [str(n) for n in nos[100:]]
    beyond = text(viewer.get("/ledgers/item-entries/?page=99"))  # the last page, not an error
    assert len(body_rows(beyond)) == 20


def test_item_ledger_entries_are_filtered_and_pages_keep_the_filter(viewer):
    make_item("A")
    make_item("B")
    adjustments({"A": 70, "B": 50})
    html = text(viewer.get("/ledgers/item-entries/?item_no=A"))
    assert "Showing 1–50 of 70 entries" in html
    assert 'href="?item_no=A&amp;page=2"' in html
    page2 = text(viewer.get("/ledgers/item-entries/?item_no=A&page=2"))
    assert len(body_rows(page2)) == 20
    assert all('href="/items/A/">A</a>' in row for row in body_rows(page2))
    assert 'value="A"' in page2  # the filter form shows the filter
    none = text(viewer.get("/ledgers/item-entries/?item_no=A&posting_date_from=2025-02-01"))
    assert "No entries" in none and "Nothing matches the filters." in none


def test_ledgers_sort_by_entry_no_both_ways(viewer):
    make_item("A")
    adjustments({"A": 60})
    nos = list(ItemLedgerEntry.objects.order_by("-entry_no").values_list("entry_no", flat=True))
    html = text(viewer.get("/ledgers/item-entries/?order=-entry_no"))
    assert first_cells(html) == [str(n) for n in nos[:50]]
    assert 'aria-sort="descending"' in html and 'href="?order=entry_no"' in html


def test_an_invalid_filter_shows_its_error_and_no_rows(viewer):
    make_item("A")
    adjustments({"A": 3})
    html = text(viewer.get("/ledgers/item-entries/?posting_date_from=someday"))
    assert 'class="field-error"' in html and "Enter a valid date." in html
    assert body_rows(html) == []
    csv_response = viewer.get("/ledgers/item-entries/?posting_date_from=someday&export=csv")
    assert csv_response.status_code == 400


def test_the_csv_export_streams_the_filtered_rows_only(viewer):
    make_item("A")
    make_item("B")
    adjustments({"A": 70, "B": 50})
    html = text(viewer.get("/ledgers/item-entries/?item_no=B&page=2"))
    assert 'href="?item_no=B&amp;export=csv"' in html  # keeps the filter, drops the page
    response = viewer.get("/ledgers/item-entries/?item_no=B&export=csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="item-ledger-entries.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    header, data = rows[0], rows[1:]
    assert header[:4] == ["Entry No.", "Posting date", "Entry type", "Item No."]
    assert "Quantity" in header and "Cost amount (actual)" in header
    assert len(data) == 50
    assert {row[3] for row in data} == {"B"}
    quantity = header.index("Quantity")
    cost = header.index("Cost amount (actual)")
    assert data[0][quantity] == "1" and data[0][cost] == "10.00"  # plain numbers for spreadsheets


def test_value_entries_filter_by_item_ledger_entry_and_link_to_the_gl(viewer):
    make_item("A")
    receipt = purchase("A", 10, 750, invoiced=False)
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=DAY, quantity=D(10), unit_cost=D(755)
    )
    purchase("A", 1, 1)
    ile_html = text(viewer.get("/ledgers/item-entries/"))
    link = f'href="/ledgers/value-entries/?item_ledger_entry_no={receipt.pk}"'
    assert link in ile_html
    html = text(viewer.get(f"/ledgers/value-entries/?item_ledger_entry_no={receipt.pk}"))
    values = list(ValueEntry.objects.filter(item_ledger_entry=receipt).order_by("entry_no"))
    assert len(values) == 2
    assert first_cells(html) == [str(v.entry_no) for v in values]
    assert f'href="/ledgers/gl-entries/?value_entry_no={values[0].entry_no}"' in html
    # Totals over the filtered entries: 7,550 actual; 7,500 - 7,500 expected.
    assert '<td class="num">7,550.00</td>' in html
    rows = csv_rows(
        viewer.get(f"/ledgers/value-entries/?item_ledger_entry_no={receipt.pk}&export=csv")
    )
    assert len(rows) == 3 and "G/L entries" not in rows[0]


def test_gl_entries_filter_by_value_entry_and_item(viewer):
    make_item("A")
    make_item("B")
    purchase("A", 2, 50)
    purchase("B", 3, 10)
    ve_a = ValueEntry.objects.get(item__no="A")
    ve_b = ValueEntry.objects.get(item__no="B")
    inventory = GLAccount.objects.create(no="2130", name="Inventory")
    applied = GLAccount.objects.create(no="7190", name="Direct Cost Applied")
    for tx, ve, amount in ((1, ve_a, D("100")), (2, ve_b, D("1234567.5"))):
        for account, sign in ((inventory, 1), (applied, -1)):
            gl = GLEntry.objects.create(
                transaction_no=tx, posting_date=DAY, account=account, amount=sign * amount
            )
            GLItemLedgerRelation.objects.create(gl_entry=gl, value_entry=ve)

    all_html = text(viewer.get("/ledgers/gl-entries/"))
    assert "Showing 1–4 of 4 entries" in all_html
    assert '<td class="num">1,234,567.50</td>' in all_html
    assert '<td class="num">-1,234,567.50</td>' in all_html
    assert 'href="/ledgers/value-entries/?gl_entry_no=' in all_html

    by_value = text(viewer.get(f"/ledgers/gl-entries/?value_entry_no={ve_a.entry_no}"))
    assert len(body_rows(by_value)) == 2 and "1,234,567" not in by_value
    by_item = text(viewer.get("/ledgers/gl-entries/?item_no=B"))
    assert len(body_rows(by_item)) == 2 and "Direct Cost Applied" in by_item
    gl_no = GLEntry.objects.filter(transaction_no=2).first().entry_no
    back = text(viewer.get(f"/ledgers/value-entries/?gl_entry_no={gl_no}"))
    assert first_cells(back) == [str(ve_b.entry_no)]

    rows = csv_rows(viewer.get("/ledgers/gl-entries/?item_no=A&export=csv"))
    assert rows[0][:4] == ["Entry No.", "Posting date", "Document No.", "G/L account No."]
    amount = rows[0].index("Amount")
    assert sorted(r[amount] for r in rows[1:]) == ["-100.00", "100.00"]
    assert {r[rows[0].index("Value entries")] for r in rows[1:]} == {str(ve_a.entry_no)}


# -- items ---------------------------------------------------------------------------------------


def test_the_item_list_filters_and_shows_inventory(viewer):
    make_item("A", description="Bicycle")
    make_item("B", description="Helmet", costing_method="standard", standard_cost=D("12.5"))
    purchase("A", 1000, "12.3456")
    html = text(viewer.get("/items/"))
    assert "Showing 1–2 of 2 items" in html
    assert '<td class="num">1,000</td>' in html  # inventory
    assert '<td class="num">12,345.60</td>' in html  # inventory value
    assert '<td class="num">12.3456</td>' in html  # unit cost: up to 5 decimals
    assert '<a href="/items/A/">A</a>' in html
    helmet = text(viewer.get("/items/?q=helm"))
    assert len(body_rows(helmet)) == 1 and '<a href="/items/B/">B</a>' in helmet
    standard = text(viewer.get("/items/?costing_method=standard"))
    assert len(body_rows(standard)) == 1
    rows = csv_rows(viewer.get("/items/?q=bicycle&export=csv"))
    assert [r[0] for r in rows] == ["No.", "A"]


def test_the_item_card_explains_the_unit_cost_757_20(viewer):
    """DOMAIN §17: 10 received at 750, invoiced at 755; 10 at 906.14 invoiced; 4 at 390.35
    received, not invoiced: (16,611.40 + 1,561.40) / 24 = 757.20."""
    make_item("A", description="Bicycle")
    receipt = purchase("A", 10, 750, invoiced=False)  # 7,500 expected
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=DAY, quantity=D(10), unit_cost=D(755)
    )  # 7,550 actual, -7,500 expected
    purchase("A", 10, "906.14")  # 9,061.40 actual
    purchase("A", 4, "390.35", invoiced=False)  # 1,561.40 expected
    assert Item.objects.get(no="A").unit_cost == D("757.20")

    html = text(viewer.get("/items/A/"))
    assert "Unit cost = (cost amount actual + cost amount expected) / quantity on hand" in html
    assert '<td class="num">16,611.40</td>' in html
    assert '<td class="num">1,561.40</td>' in html
    assert '<td class="num">18,172.80</td>' in html
    assert '<td class="num">24</td>' in html
    assert "= Unit cost (18,172.80 / 24)" in html
    assert re.search(r'<td class="num">757.20</td>', html)
    assert '<dd class="num">757.20</dd>' in html  # the card's own unit cost
    assert 'class="note"' not in html.split("How the unit cost")[1].split("Entries")[0]
    # Links to its ledgers, filtered by the item.
    assert 'href="/ledgers/item-entries/?item_no=A"' in html
    assert 'href="/ledgers/value-entries/?item_no=A"' in html
    assert 'href="/ledgers/gl-entries/?item_no=A"' in html
    assert 'href="/cost-adjustment/"' in html
    assert "Cost is adjusted" in html and "Excluded from cost adjustment" in html


def test_the_item_card_explains_a_standard_item_and_nothing_on_hand(viewer):
    make_item("S", costing_method="standard", standard_cost=D("20"))
    purchase("S", 2, 25)
    html = text(viewer.get("/items/S/"))
    assert "is a <strong>Standard</strong> item" in html
    make_item("E")
    purchase("E", 2, 10)
    item_journal_post(
        lines=[
            JournalLine(entry_type="sale", item_no="E", posting_date=DAY, quantity=D(2)),
        ]
    )
    html = text(viewer.get("/items/E/"))
    assert "the last good unit cost stays" in html
    assert '<td class="num">0</td>' in html  # quantity on hand


def test_an_unknown_item_is_404(viewer):
    assert viewer.get("/items/NOPE/").status_code == 404


# -- number formatting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (D("16611.4"), "16,611.40"),
        (D("-1234567.891"), "-1,234,567.89"),
        (D("0.005"), "0.01"),
        (D("-0.001"), "0.00"),
        (0, "0.00"),
        ("1234.5", "1,234.50"),
        (None, ""),
        ("n/a", "n/a"),
    ],
)
def test_money(value, expected):
    assert format_money(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (D("24.00000"), "24"),
        (D("1234.50000"), "1,234.5"),
        (D("-1000"), "-1,000"),
        (D("0E-5"), "0"),
        (D("100"), "100"),
        (None, ""),
    ],
)
def test_qty(value, expected):
    assert format_qty(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(D("757.20000"), "757.20"), (D("16.666667"), "16.66667"), (D("1234"), "1,234.00")],
)
def test_unit_cost(value, expected):
    assert format_unit_cost(value) == expected


# -- large ledgers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/items/", "/ledgers/item-entries/", "/ledgers/value-entries/", "/ledgers/gl-entries/"],
)
def test_a_list_page_costs_the_same_few_queries_whatever_the_ledger_size(
    path, viewer, django_assert_max_num_queries
):
    """One page is a COUNT, a SUM for the totals and one LIMIT 50 query (plus the prefetch of
    the G/L entries' links), never one query per row nor the whole ledger."""
    make_item("A")
    make_item("B")
    adjustments({"A": 60, "B": 60})
    ve = list(ValueEntry.objects.order_by("entry_no"))
    account = GLAccount.objects.create(no="2130", name="Inventory")
    for value in ve:
        gl = GLEntry.objects.create(
            transaction_no=value.entry_no, posting_date=DAY, account=account, amount=D(10)
        )
        GLItemLedgerRelation.objects.create(gl_entry=gl, value_entry=value)
    viewer.get(path)  # session, user and groups are cached after the first request
    with django_assert_max_num_queries(10):
        response = viewer.get(path)
    assert response.status_code == 200
