"""The G/L pages: Post Inventory Cost to G/L (DOMAIN §11.4) and the Inventory - G/L
Reconciliation (DOMAIN §12), through the browser's path (session login, CSRF, forms).

The ledger used (hand-checked): item A (FIFO, RESALE/RETAIL, no location) bought 2 @ 10 on
3 March 2025 (+20.00), 1 sold on 4 March (-10.00), an item charge of 4 on the receipt on 5 March
(+4.00); the cost adjustment adds -2.00 to the sale. Inventory value 20 - 10 + 4 - 2 = 12.00;
COGS 12.00; Direct Cost Applied -24.00. Per entry, 4 value entries post 8 G/L entries.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from costing.services import cost_adjustment_run
from inventory.models import Item, ItemLedgerEntry, PostValueEntryToGL, ValueEntry
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
)
from ledger.models import GLEntry
from tests.ledger.conftest import COGS, DIRECT_COST_APPLIED, INVENTORY, create_gl_setup
from tests.ui.conftest import page_client

D = Decimal
DAY = dt.date(2025, 3, 3)

pytestmark = pytest.mark.django_db


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _setup(db):
    """Chart of accounts and posting setups (tests/ledger/conftest.py); the batch posts to the
    G/L, nothing is adjusted at posting time."""
    create_gl_setup()
    inventory_setup_update(
        automatic_cost_posting=False,
        automatic_cost_adjustment="never",
        expected_cost_posting_to_gl=False,
    )


def make_item(no: str, **fields) -> Item:
    fields.setdefault("costing_method", "fifo")
    fields.setdefault("inventory_posting_group", "RESALE")
    fields.setdefault("gen_prod_posting_group", "RETAIL")
    return item_create(no=no, **fields)


def buy(no: str, quantity, unit_cost, on: dt.date = DAY) -> ItemLedgerEntry:
    line = JournalLine("purchase", no, on, D(quantity), unit_cost=D(unit_cost))
    return item_journal_post(lines=[line])[0]


def sell(no: str, quantity, on: dt.date = DAY) -> ItemLedgerEntry:
    return item_journal_post(lines=[JournalLine("sale", no, on, D(quantity))])[0]


@pytest.fixture
def adjusted_item() -> Item:
    """Item A of the module docstring, adjusted, nothing posted to the G/L yet."""
    make_item("A")
    receipt = buy("A", 2, 10)
    sell("A", 1, DAY + dt.timedelta(days=1))
    item_charge_assign(entry_no=receipt.pk, posting_date=DAY + dt.timedelta(days=2), amount=D(4))
    cost_adjustment_run()
    assert ValueEntry.objects.filter(adjustment=True).count() == 1
    return Item.objects.get(no="A")


def text(response) -> str:
    return response.content.decode()


def balance(account: str) -> Decimal:
    return sum((e.amount for e in GLEntry.objects.filter(account_id=account)), D(0))


PER_ENTRY = {"post_method": "per_entry", "document_no": "", "post": "on"}


# -- access --------------------------------------------------------------------------------------

READ_PAGES = [
    "/gl/post-inventory-cost/",
    "/gl/post-inventory-cost/test/",
    "/gl/reconciliation/",
    "/gl/reconciliation/?date_from=2025-03-01&date_to=2025-03-31&item_no=A&show_warning=0",
    "/gl/reconciliation/value-entries/?account_type=inventory&column=inventory",
    "/gl/reconciliation/value-entries/?account_type=total&column=total&item_no=A",
    "/gl/reconciliation/gl-entries/?account_type=cogs",
    "/gl/reconciliation/gl-entries/?account_type=total&date_to=2025-12-31",
]


@pytest.mark.parametrize("path", READ_PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", READ_PAGES)
def test_every_page_opens_for_the_viewer_and_the_accountant(
    adjusted_item, viewer_page, accountant_page, path
):
    assert viewer_page.get(path).status_code == 200
    assert accountant_page.get(path).status_code == 200


def test_the_viewer_sees_no_post_button_and_is_refused_a_post(adjusted_item, viewer_page):
    html = text(viewer_page.get("/gl/post-inventory-cost/"))
    assert "<button" not in html.split('<main id="main"')[-1]
    assert 'name="post_method"' not in html
    assert "/gl/post-inventory-cost/test/" in html  # the test report is a read
    for data in (PER_ENTRY, {"post_method": "per_entry"}):
        assert viewer_page.post("/gl/post-inventory-cost/", data).status_code == 403
    assert not GLEntry.objects.exists()


def test_a_user_without_a_role_sees_no_page():
    client = page_client("nobody", None)
    assert client.get("/gl/reconciliation/").status_code == 403
    assert client.post("/gl/post-inventory-cost/", PER_ENTRY).status_code == 403


def test_a_post_without_the_csrf_token_is_refused(adjusted_item):
    client = page_client("carl", "accountant", enforce_csrf_checks=True)
    assert client.post("/gl/post-inventory-cost/", PER_ENTRY).status_code == 403
    assert not GLEntry.objects.exists()
    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"', text(client.get("/gl/post-inventory-cost/"))
    ).group(1)
    response = client.post("/gl/post-inventory-cost/", {**PER_ENTRY, "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert GLEntry.objects.count() == 8


# -- Post Inventory Cost to G/L ------------------------------------------------------------------


def test_posting_per_entry_posts_and_reports(adjusted_item, accountant_page):
    response = accountant_page.post("/gl/post-inventory-cost/", PER_ENTRY)

    assert response.status_code == 200
    assert GLEntry.objects.count() == 8
    assert balance(INVENTORY) == D("12.00")
    assert balance(COGS) == D("12.00")
    assert balance(DIRECT_COST_APPLIED) == D("-24.00")
    assert not PostValueEntryToGL.objects.exists()
    html = text(response)
    assert "4 value entries have been posted to the general ledger." in html
    totals = {t["account_no"]: t["amount"] for t in response.context["account_totals"]}
    assert totals == {INVENTORY: D("12.00"), COGS: D("12.00"), DIRECT_COST_APPLIED: D("-24.00")}
    assert '<td class="num">-24.00</td>' in html
    assert "No entry is skipped." in html

    again = accountant_page.post("/gl/post-inventory-cost/", PER_ENTRY)
    assert "There is nothing to post to the general ledger." in text(again)
    assert GLEntry.objects.count() == 8


def test_posting_per_posting_group_needs_a_document_no_shown_at_the_field(
    adjusted_item, accountant_page
):
    response = accountant_page.post(
        "/gl/post-inventory-cost/",
        {"post_method": "per_posting_group", "document_no": "", "post": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "document_no": ["Posting per posting group needs a document no."]
    }
    html = text(response)
    assert (
        'class="field-error" id="id_document_no_error">Posting per posting group needs a '
        "document no." in html
    )
    assert not GLEntry.objects.exists()
    assert PostValueEntryToGL.objects.count() == 4


def test_posting_per_entry_refuses_a_document_no(adjusted_item, accountant_page):
    response = accountant_page.post("/gl/post-inventory-cost/", {**PER_ENTRY, "document_no": "X"})
    assert "leave it blank" in response.context["form"].errors["document_no"][0]
    assert not GLEntry.objects.exists()


def test_posting_per_posting_group_with_a_document_no(adjusted_item, accountant_page):
    response = accountant_page.post(
        "/gl/post-inventory-cost/",
        {"post_method": "per_posting_group", "document_no": "INVT-7", "post": "on"},
    )
    assert response.status_code == 200
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-7"}
    assert balance(INVENTORY) == D("12.00")


def test_with_post_unticked_the_report_shows_what_would_post_and_writes_nothing(
    adjusted_item, accountant_page
):
    response = accountant_page.post(
        "/gl/post-inventory-cost/", {"post_method": "per_entry", "document_no": ""}
    )
    html = text(response)
    assert "Test Report (not posted)" in html
    assert "4 value entries would be posted to the general ledger." in html
    assert len(response.context["lines"]) == 8
    assert not GLEntry.objects.exists()
    assert PostValueEntryToGL.objects.count() == 4


def test_the_test_report_lists_every_skipped_entry_with_its_reason(adjusted_item, viewer_page):
    make_item("N", inventory_posting_group="NOSETUP")
    (skipped,) = ValueEntry.objects.filter(item_ledger_entry=buy("N", 2, 5))

    response = viewer_page.get("/gl/post-inventory-cost/test/")

    assert response.status_code == 200
    html = text(response)
    assert "Post Invt. Cost to G/L – Test" in html
    (entry,) = response.context["skipped_page"]
    assert entry["value_entry_no"] == skipped.pk
    assert "Inventory Posting Setup" in entry["reason"] and "NOSETUP" in entry["reason"]
    assert entry["reason"] in html
    assert "<td>Direct Cost</td>" in html and "<td>Purchase</td>" in html
    assert f'<td class="num">{skipped.pk}</td>' in html
    assert "4 value entries would be posted" in html  # the others would post
    assert not GLEntry.objects.exists()


@pytest.fixture
def with_broker():
    """As when CELERY_BROKER_URL is set: tasks go to workers instead of running in-process."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = saved


def test_a_real_post_goes_to_a_worker_when_a_broker_is_configured(
    adjusted_item, accountant_page, with_broker, monkeypatch
):
    """With a broker, the page queues the task and follows it; the status partial polls."""
    from ledger import tasks

    sent = []

    class Queued:
        id = "task-123"

    monkeypatch.setattr(
        tasks.post_inventory_cost_to_gl_task, "delay", lambda *args: sent.append(args) or Queued()
    )

    response = accountant_page.post("/gl/post-inventory-cost/", PER_ENTRY)

    assert response.status_code == 302
    assert response["Location"] == "/gl/post-inventory-cost/tasks/task-123/"
    assert sent == [("per_entry", None)]
    assert not GLEntry.objects.exists()  # the worker posts, not the request

    class Running:
        def __init__(self, task_id):
            self.state, self.result = "STARTED", None

    monkeypatch.setattr("celery.result.AsyncResult", Running)
    page = accountant_page.get(response["Location"])
    assert "<html" in text(page) and "Posting…" in text(page)
    partial = accountant_page.get(response["Location"], HTTP_HX_REQUEST="true")
    assert "<html" not in text(partial)
    assert 'hx-trigger="every 2s"' in text(partial)

    class Done:
        def __init__(self, task_id):
            self.state = "SUCCESS"
            self.result = {
                "entries_adjusted": 0,
                "value_entries_posted": 4,
                "gl_entries": 8,
                "skipped": 0,
                "message": "4 value entries have been posted to the general ledger.",
            }

    monkeypatch.setattr("celery.result.AsyncResult", Done)
    done = text(accountant_page.get(response["Location"], HTTP_HX_REQUEST="true"))
    assert "4 value entries have been posted" in done and "hx-trigger" not in done


# -- Inventory - G/L Reconciliation --------------------------------------------------------------


def _row(response, account_type: str):
    return next(r["row"] for r in response.context["rows"] if r["row"].account_type == account_type)


def test_the_reconciliation_shows_a_difference_before_posting_and_none_after(
    adjusted_item, accountant_page
):
    before = accountant_page.get("/gl/reconciliation/")
    inventory = _row(before, "inventory")
    assert (inventory.inventory, inventory.total, inventory.gl_total) == (D(12), D(12), D(0))
    assert inventory.difference == D(-12)
    assert _row(before, "cogs").difference == D(-12)
    assert [w.code for w in before.context["result"].warnings] == ["cost_not_posted"]
    html = text(before)
    assert "Cost not posted to G/L" in html
    assert '<td class="num difference">-12.00</td>' in html

    accountant_page.post("/gl/post-inventory-cost/", PER_ENTRY)

    after = accountant_page.get("/gl/reconciliation/")
    assert all(r["row"].difference == 0 for r in after.context["rows"])
    assert _row(after, "inventory").gl_total == D(12)
    assert [w.code for w in after.context["result"].warnings] == ["no_difference"]
    assert "difference" not in re.findall(r'<td class="num( difference)?">', text(after))


def test_show_warning_off_hides_the_warnings(adjusted_item, accountant_page):
    response = accountant_page.get("/gl/reconciliation/?show_warning=0")
    assert response.context["result"].warnings == []
    assert "Cost not posted to G/L" not in text(response)


def test_the_filters_show_their_errors_at_the_fields(adjusted_item, accountant_page):
    response = accountant_page.get(
        "/gl/reconciliation/?date_from=2025-03-31&date_to=2025-03-01&item_no=NOPE"
    )
    errors = response.context["form"].errors
    assert errors["date_to"] == ["The end of the date range is before its start."]
    assert errors["item_no"] == ["Item NOPE does not exist."]
    assert "result" not in response.context
    assert 'id="id_item_no_error">Item NOPE does not exist.' in text(response)


def test_each_amount_links_to_the_entries_behind_it(adjusted_item, accountant_page):
    response = accountant_page.get("/gl/reconciliation/?item_no=A")
    html = text(response)
    link = "/gl/reconciliation/value-entries/?account_type=cogs&amp;column=inventory&amp;item_no=A"
    assert f'href="{link}"' in html
    assert 'href="/gl/reconciliation/gl-entries/?account_type=cogs&amp;item_no=A"' in html


def test_a_value_entry_drill_down_lists_exactly_the_entries_behind_the_cell(
    adjusted_item, accountant_page
):
    make_item("B")
    buy("B", 1, 7)  # another item: not in COGS, in Inventory only without the item filter
    sale = ItemLedgerEntry.objects.get(item__no="A", positive=False)
    sale_values = set(
        ValueEntry.objects.filter(item_ledger_entry=sale).values_list("entry_no", flat=True)
    )
    assert len(sale_values) == 2  # the sale and its adjustment

    cogs = accountant_page.get(
        "/gl/reconciliation/value-entries/?account_type=cogs&column=inventory"
    )
    assert {row["value"].entry_no for row in cogs.context["rows"]} == sale_values
    assert sum(row["amount"] for row in cogs.context["rows"]) == cogs.context["amount"] == D(12)

    inventory = accountant_page.get(
        "/gl/reconciliation/value-entries/?account_type=inventory&column=inventory&item_no=A"
    )
    assert {row["value"].entry_no for row in inventory.context["rows"]} == set(
        ValueEntry.objects.filter(item__no="A").values_list("entry_no", flat=True)
    )
    assert inventory.context["amount"] == D(12)
    assert 'Cell amount <strong class="num">12.00</strong>' in text(inventory)


def test_a_g_l_drill_down_lists_the_entries_behind_the_g_l_total(adjusted_item, accountant_page):
    accountant_page.post("/gl/post-inventory-cost/", PER_ENTRY)
    response = accountant_page.get("/gl/reconciliation/gl-entries/?account_type=inventory")
    listed = {entry.entry_no for entry in response.context["page"]}
    assert listed == set(
        GLEntry.objects.filter(account_id=INVENTORY).values_list("entry_no", flat=True)
    )
    assert response.context["amount"] == D(12)


@pytest.mark.parametrize(
    "path",
    [
        "/gl/reconciliation/value-entries/",
        "/gl/reconciliation/value-entries/?account_type=nope&column=inventory",
        "/gl/reconciliation/value-entries/?account_type=cogs&column=nope",
        "/gl/reconciliation/gl-entries/?account_type=cogs&date_from=31.01.2025",
    ],
)
def test_a_drill_down_with_bad_parameters_says_why(accountant_page, path):
    response = accountant_page.get(path)
    assert response.status_code == 400
    assert "The drill-down cannot be shown" in text(response)


def test_the_chart_compares_inventory_value_and_g_l_inventory_at_month_ends(
    adjusted_item, accountant_page
):
    buy("A", 1, 5, dt.date(2025, 4, 20))  # April: +5.00
    accountant_page.post("/gl/post-inventory-cost/", PER_ENTRY)  # all of it reaches the G/L
    buy("A", 1, 3, dt.date(2025, 5, 2))  # May: +3.00, not posted

    response = accountant_page.get("/gl/reconciliation/")
    points = response.context["chart"]["points"]
    assert [(p.day, p.inventory_value, p.gl_inventory) for p in points] == [
        (dt.date(2025, 3, 31), D("12.00"), D("12.00")),
        (dt.date(2025, 4, 30), D("17.00"), D("17.00")),
        (dt.date(2025, 5, 31), D("20.00"), D("17.00")),
    ]
    html = text(response)
    assert html.count("<polyline") == 2
    assert "Inventory value (value entries)" in html and "G/L inventory (Inventory" in html
    assert '<th scope="row">2025-05-31</th>' in html  # the data table under the chart
    assert '<td class="num">-3.00</td>' in html

    cut = accountant_page.get("/gl/reconciliation/?date_to=2025-04-15")
    assert [(p.day, p.inventory_value) for p in cut.context["chart"]["points"]] == [
        (dt.date(2025, 3, 31), D("12.00")),
        (dt.date(2025, 4, 15), D("12.00")),
    ]


def test_the_chart_says_so_when_there_is_nothing(accountant_page):
    response = accountant_page.get("/gl/reconciliation/")
    assert response.context["chart"]["points"] == []
    assert "No entries to chart for these filters." in text(response)
