"""The Inventory Cost Adjustment pages (DOMAIN §13): who sees what, and that each action does
what it says, through the browser's own path (Django test client, session login, CSRF).

The item that needs adjustment (as in tests/costing/conftest.py): bought 2 @ 10 on 3 March,
1 sold on 4 March, an item charge of 4 on the receipt on 5 March. Hand-check: the receipt now
costs 20 + 4 = 24 for 2 units, 12 each, so the sale must cost 12 instead of 10: adjusting adds
one value entry of -2.00 to the sale.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from costing.models import CostAdjustmentItemBatch, CostAdjustmentRun, RunStatus, TraceEvent
from costing.services import cost_adjustment_run
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
)
from tests.ui.conftest import page_client

D = Decimal
DAY = dt.date(2025, 3, 3)

pytestmark = pytest.mark.django_db


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _setup(db):
    """Month-end work: nothing adjusted or posted at posting time; every run logged."""
    inventory_setup_update(
        automatic_cost_posting=False,
        automatic_cost_adjustment="never",
        cost_adjustment_logging="all",
    )


@pytest.fixture
def eager_celery():
    """Tasks run in-process (no broker), whatever the environment says."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


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


def needs_adjustment(no: str) -> Item:
    make_item(no)
    receipt = buy(no, 2, 10)
    sell(no, 1, DAY + dt.timedelta(days=1))
    item_charge_assign(entry_no=receipt.pk, posting_date=DAY + dt.timedelta(days=2), amount=D(4))
    item = Item.objects.get(no=no)
    assert not item.cost_is_adjusted
    return item


def sale_cost(no: str) -> Decimal:
    sale = ItemLedgerEntry.objects.get(item__no=no, positive=False)
    values = ValueEntry.objects.filter(item_ledger_entry=sale)
    return sum((v.cost_amount_actual for v in values), D(0))


def text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def followed_messages(client: Client, response) -> str:
    """The flash messages shown by the page a redirect leads to."""
    assert response.status_code == 302, response.status_code
    return text(client.get(response["Location"]))


# -- access --------------------------------------------------------------------------------------

READ_PAGES = [
    "/cost-adjustment/",
    "/cost-adjustment/?needs_adjustment=1",
    "/cost-adjustment/?excluded=1&costing_method=fifo&search=A",
    "/cost-adjustment/items/A/entries/",
    "/cost-adjustment/items/A/values/",
    "/cost-adjustment/items/A/entry-points/",
    "/cost-adjustment/items/A/applications/",
    "/cost-adjustment/batches/",
    "/cost-adjustment/batches/table/",
    "/cost-adjustment/logs/",
    "/cost-adjustment/logs/items/",
    "/cost-adjustment/logs/items/?item_no=A",
    "/cost-adjustment/trace/",
    "/cost-adjustment/trace/?event=item_adjusted&item_no=A",
    "/cost-adjustment/trace/analysis/",
    "/cost-adjustment/trace/analysis/?by=item",
    "/cost-adjustment/trace/analysis/?by=location",
]

WRITE_ACTIONS = [
    "/cost-adjustment/run/",
    "/cost-adjustment/add-batch/",
    "/cost-adjustment/add-batch-and-run/",
    "/cost-adjustment/exclude/",
    "/cost-adjustment/include/",
    "/cost-adjustment/reset-cost-is-adjusted/",
    "/cost-adjustment/items/A/entries/mark-for-adjustment/",
    "/cost-adjustment/items/A/entry-points/adjust-until/",
    "/cost-adjustment/items/A/applications/reset-outbound-updated/",
    "/cost-adjustment/batches/add/",
    "/cost-adjustment/batches/add-missing-items/",
    "/cost-adjustment/batches/run/",
    "/cost-adjustment/batches/stop/",
    "/cost-adjustment/batches/{batch}/run/",
    "/cost-adjustment/batches/{batch}/cancel/",
    "/cost-adjustment/batches/{batch}/reset/",
]

# What only an accountant may press, as the pages label it.
ACTION_LABELS = [
    "Run now for selected",
    "Add batch and run",
    "Exclude from adjustment",
    "Include in adjustment",
    "Reset cost is adjusted",
    "Mark for Adjustment</button>",
    "Adjust Cost Until Valuation Date</button>",
    "Reset Outbound Entry is Updated</button>",
    "Add Missing Items",
    ">Run</button>",
    ">Cancel</button>",
    ">Reset</button>",
    "Stop</button>",
]


@pytest.fixture
def ledger():
    """Item A needing adjustment, an average item with entry points, a batch and a logged run."""
    needs_adjustment("A")
    make_item("AVG", costing_method="average")
    buy("AVG", 2, 10, dt.date(2025, 1, 10))
    sell("AVG", 1, dt.date(2025, 1, 15))
    CostAdjustmentItemBatch.objects.create(item_filter="A")
    cost_adjustment_run(item_filter="AVG")
    return CostAdjustmentItemBatch.objects.get()


@pytest.mark.parametrize("path", READ_PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", READ_PAGES)
def test_every_page_opens_for_the_viewer_and_the_accountant(
    ledger, viewer_page, accountant_page, path
):
    assert viewer_page.get(path).status_code == 200
    assert accountant_page.get(path).status_code == 200


def test_a_user_without_a_role_sees_no_page():
    client = page_client("nobody", None)
    assert client.get("/cost-adjustment/").status_code == 403
    assert client.post("/cost-adjustment/run/", {"item": ["A"]}).status_code == 403


@pytest.mark.parametrize("path", ["/cost-adjustment/", "/cost-adjustment/batches/"])
def test_a_page_refuses_other_methods(accountant_page, path):
    assert accountant_page.put(path).status_code == 405


def test_the_viewer_sees_no_action_buttons(ledger, viewer_page, accountant_page):
    pages = [p for p in READ_PAGES if "?" not in p]
    viewer_html = "".join(text(viewer_page.get(p)) for p in pages)
    accountant_html = "".join(text(accountant_page.get(p)) for p in pages)
    for label in ACTION_LABELS:
        assert label in accountant_html, label
        assert label not in viewer_html, label
    assert 'name="item"' not in viewer_html  # no selection checkboxes either
    assert 'name="entry"' not in viewer_html


@pytest.mark.parametrize("path", WRITE_ACTIONS)
def test_the_viewer_is_refused_every_action(ledger, viewer_page, path):
    path = path.format(batch=ledger.pk)
    before = (
        ValueEntry.objects.count(),
        CostAdjustmentItemBatch.objects.count(),
        list(CostAdjustmentItemBatch.objects.values_list("status", flat=True)),
        list(Item.objects.order_by("no").values_list("excluded_from_cost_adjustment", flat=True)),
    )
    data = {"item": ["A"], "entry": ["1"], "valuation_date": "2025-12-31", "item_filter": "A"}
    assert viewer_page.post(path, data).status_code == 403
    after = (
        ValueEntry.objects.count(),
        CostAdjustmentItemBatch.objects.count(),
        list(CostAdjustmentItemBatch.objects.values_list("status", flat=True)),
        list(Item.objects.order_by("no").values_list("excluded_from_cost_adjustment", flat=True)),
    )
    assert after == before


@pytest.mark.parametrize("path", WRITE_ACTIONS)
def test_an_action_is_post_only(ledger, accountant_page, path):
    assert accountant_page.get(path.format(batch=ledger.pk)).status_code == 405


def test_a_post_without_the_csrf_token_is_refused():
    needs_adjustment("A")
    client = page_client("carl", "accountant", enforce_csrf_checks=True)
    response = client.post("/cost-adjustment/run/", {"item": ["A"]})
    assert response.status_code == 403
    assert sale_cost("A") == D(-10)
    # With the token the page gave, the same post works.
    page = client.get("/cost-adjustment/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text(page)).group(1)
    response = client.post("/cost-adjustment/run/", {"item": ["A"], "csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert sale_cost("A") == D("-12.00")


# -- the item list -------------------------------------------------------------------------------


def test_the_list_shows_costing_figures_right_aligned_with_separators(accountant_page):
    make_item("BIG", description="Big item")
    buy("BIG", 1500, "1234.5")
    html = text(accountant_page.get("/cost-adjustment/"))
    assert '<td class="num">1,500</td>' in html  # inventory
    assert '<td class="num">1,851,750.00</td>' in html  # inventory value
    assert '<td class="num">1,234.50</td>' in html  # unit cost
    assert "FIFO" in html and "Big item" in html


def test_the_filters_narrow_the_list(accountant_page):
    needs_adjustment("A")
    make_item("B")
    make_item("C", costing_method="average", excluded_from_cost_adjustment=True)
    needs_adjustment("D")
    Item.objects.filter(no="D").update(excluded_from_cost_adjustment=True)

    def listed(query: str) -> list[str]:
        page = accountant_page.get("/cost-adjustment/" + query).context["page"]
        return [item.no for item in page]

    assert listed("") == ["A", "B", "C", "D"]
    assert listed("?needs_adjustment=1") == ["A"]  # D needs it, but is excluded
    assert listed("?excluded=1") == ["C", "D"]
    assert listed("?costing_method=average") == ["C"]
    assert listed("?search=b") == ["B"]


def test_the_list_is_paginated(accountant_page):
    Item.objects.bulk_create([Item(no=f"I{n:03d}") for n in range(60)])
    first = accountant_page.get("/cost-adjustment/")
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in text(first)
    second = accountant_page.get("/cost-adjustment/?page=2")
    assert [i.no for i in second.context["page"]] == [f"I{n:03d}" for n in range(50, 60)]


def test_run_now_adjusts_the_selected_items_and_shows_the_result(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    needs_adjustment("C")

    response = accountant_page.post(
        "/cost-adjustment/run/", {"item": ["A", "B"], "next": "/cost-adjustment/"}
    )

    assert response.status_code == 200
    assert sale_cost("A") == D("-12.00") and sale_cost("B") == D("-12.00")
    assert sale_cost("C") == D(-10)  # not selected, not touched
    assert Item.objects.get(no="A").cost_is_adjusted
    assert not Item.objects.get(no="C").cost_is_adjusted
    result = response.context["result"]
    assert [(i.item_no, i.entries_adjusted, i.cost_difference) for i in result.items] == [
        ("A", 1, D("-2.00")),
        ("B", 1, D("-2.00")),
    ]
    html = text(response)
    assert "2 entries adjusted" in html
    assert '<td class="num">-4.00</td>' in html  # the total cost difference
    assert CostAdjustmentRun.objects.get().item_filter == "A|B"


def test_run_now_without_a_selection_says_so_and_adjusts_nothing(accountant_page):
    needs_adjustment("A")
    response = accountant_page.post("/cost-adjustment/run/", {"next": "/cost-adjustment/"})
    assert "Select at least one item." in followed_messages(accountant_page, response)
    assert sale_cost("A") == D(-10)


def test_an_unknown_item_in_the_selection_is_refused(accountant_page):
    needs_adjustment("A")
    response = accountant_page.post("/cost-adjustment/run/", {"item": ["A", "NOPE"]})
    assert "Unknown items: NOPE." in followed_messages(accountant_page, response)
    assert sale_cost("A") == D(-10)


def test_add_batch_adds_a_batch_of_the_selection_that_waits(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    response = accountant_page.post("/cost-adjustment/add-batch/", {"item": ["B", "A"]})
    batch = CostAdjustmentItemBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cost-adjustment/batches/#batch-{batch.pk}"
    assert (batch.item_filter, batch.status) == ("A|B", RunStatus.NOT_STARTED)
    assert sale_cost("A") == D(-10)


def test_add_batch_and_run_runs_it_as_a_task(
    accountant_page, eager_celery, django_capture_on_commit_callbacks
):
    needs_adjustment("A")
    needs_adjustment("B")
    with django_capture_on_commit_callbacks(execute=True):
        response = accountant_page.post("/cost-adjustment/add-batch-and-run/", {"item": ["A", "B"]})
    batch = CostAdjustmentItemBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith("/cost-adjustment/batches/")
    assert batch.status == RunStatus.SUCCESS
    assert (batch.items_done, batch.items_total) == (2, 2)
    assert sale_cost("A") == D("-12.00") and sale_cost("B") == D("-12.00")
    page = text(accountant_page.get(response["Location"]))
    assert f"Batch {batch.pk} (2 items) added and queued" in page
    assert "Success" in page


def test_exclude_and_include_the_selection(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    response = accountant_page.post(
        "/cost-adjustment/exclude/", {"item": ["A", "B"], "next": "/cost-adjustment/?search=A"}
    )
    assert response["Location"] == "/cost-adjustment/?search=A"  # back to the filtered list
    assert set(
        Item.objects.filter(excluded_from_cost_adjustment=True).values_list("no", flat=True)
    ) == {
        "A",
        "B",
    }
    # An excluded item is not adjusted, even when selected.
    run = accountant_page.post("/cost-adjustment/run/", {"item": ["A"]})
    assert run.context["result"].items == [] and run.context["untouched"] == ["A"]
    assert sale_cost("A") == D(-10)

    accountant_page.post("/cost-adjustment/include/", {"item": ["A"]})
    assert list(
        Item.objects.filter(excluded_from_cost_adjustment=True).values_list("no", flat=True)
    ) == ["B"]


def test_reset_cost_is_adjusted_on_the_selection(accountant_page):
    needs_adjustment("A")
    cost_adjustment_run(item_filter="A")
    assert Item.objects.get(no="A").cost_is_adjusted
    accountant_page.post("/cost-adjustment/reset-cost-is-adjusted/", {"item": ["A"]})
    assert not Item.objects.get(no="A").cost_is_adjusted


# -- the Item menu -------------------------------------------------------------------------------


def test_the_item_menu_pages_list_the_items_entries(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    entries = accountant_page.get("/cost-adjustment/items/A/entries/").context["page"]
    assert {e.item.no for e in entries} == {"A"} and len(entries) == 2
    values = accountant_page.get("/cost-adjustment/items/A/values/").context["page"]
    assert {v.item.no for v in values} == {"A"} and len(values) == 3
    applications = accountant_page.get("/cost-adjustment/items/A/applications/").context["page"]
    assert {a.item_ledger_entry.item.no for a in applications} == {"A"}
    assert accountant_page.get("/cost-adjustment/items/NOPE/entries/").status_code == 404


def test_only_inbound_entries_can_be_ticked_for_mark_for_adjustment(accountant_page):
    needs_adjustment("A")
    html = text(accountant_page.get("/cost-adjustment/items/A/entries/"))
    receipt = ItemLedgerEntry.objects.get(item__no="A", positive=True)
    sale = ItemLedgerEntry.objects.get(item__no="A", positive=False)
    assert f'name="entry" value="{receipt.pk}"' in html
    assert f'name="entry" value="{sale.pk}"' not in html


def test_mark_for_adjustment_makes_the_item_need_adjustment_again(accountant_page):
    needs_adjustment("A")
    cost_adjustment_run(item_filter="A")
    receipt = ItemLedgerEntry.objects.get(item__no="A", positive=True)
    assert Item.objects.get(no="A").cost_is_adjusted

    response = accountant_page.post(
        "/cost-adjustment/items/A/entries/mark-for-adjustment/", {"entry": [receipt.pk]}
    )

    assert response["Location"] == "/cost-adjustment/items/A/entries/"
    receipt.refresh_from_db()
    assert receipt.applied_entry_to_adjust
    assert not Item.objects.get(no="A").cost_is_adjusted
    assert "1 inbound entries marked for adjustment" in followed_messages(accountant_page, response)


def test_mark_for_adjustment_refuses_an_outbound_entry_or_another_items_entry(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    cost_adjustment_run()
    sale = ItemLedgerEntry.objects.get(item__no="A", positive=False)
    other = ItemLedgerEntry.objects.get(item__no="B", positive=True)
    for entry in (sale, other):
        response = accountant_page.post(
            "/cost-adjustment/items/A/entries/mark-for-adjustment/", {"entry": [entry.pk]}
        )
        assert "cannot be selected here" in followed_messages(accountant_page, response)
    assert Item.objects.filter(cost_is_adjusted=False).count() == 0
    response = accountant_page.post("/cost-adjustment/items/A/entries/mark-for-adjustment/", {})
    assert "Select at least one entry." in followed_messages(accountant_page, response)


def test_adjust_cost_until_a_valuation_date_adjusts_the_periods_up_to_it(accountant_page):
    """An average item (average per day) with entry points on 10 Jan, 15 Jan, 10 Feb, 15 Feb:
    adjusting until 31 Jan does January only, and the item still needs adjustment."""
    make_item("AVG", costing_method="average")
    buy("AVG", 2, 10, dt.date(2025, 1, 10))
    sell("AVG", 1, dt.date(2025, 1, 15))
    buy("AVG", 2, 16, dt.date(2025, 2, 10))
    sell("AVG", 1, dt.date(2025, 2, 15))
    points = AvgCostAdjmtEntryPoint.objects.filter(item__no="AVG")
    assert points.filter(cost_is_adjusted=False).count() == points.count() >= 2

    page = text(accountant_page.get("/cost-adjustment/items/AVG/entry-points/"))
    assert 'value="2025-01-15"' in page  # a button per entry point

    response = accountant_page.post(
        "/cost-adjustment/items/AVG/entry-points/adjust-until/", {"valuation_date": "2025-01-31"}
    )

    assert response.status_code == 302
    january = points.filter(valuation_date__lte=dt.date(2025, 1, 31))
    february = points.filter(valuation_date__gt=dt.date(2025, 1, 31))
    assert january.exists() and not january.filter(cost_is_adjusted=False).exists()
    assert february.exists() and not february.filter(cost_is_adjusted=True).exists()
    assert not Item.objects.get(no="AVG").cost_is_adjusted
    assert "still has periods to adjust" in followed_messages(accountant_page, response)

    accountant_page.post(
        "/cost-adjustment/items/AVG/entry-points/adjust-until/", {"valuation_date": "2025-02-28"}
    )
    assert Item.objects.get(no="AVG").cost_is_adjusted


def test_adjust_until_without_a_date_shows_the_error_at_the_field(accountant_page):
    make_item("AVG", costing_method="average")
    buy("AVG", 2, 10, dt.date(2025, 1, 10))
    response = accountant_page.post(
        "/cost-adjustment/items/AVG/entry-points/adjust-until/", {"valuation_date": "31.01.2025"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["valuation_date"] == ["Enter a valid date."]
    html = text(response)
    assert 'class="field-error" id="id_valuation_date_error">Enter a valid date.' in html
    assert AvgCostAdjmtEntryPoint.objects.filter(cost_is_adjusted=True).count() == 0


def test_reset_outbound_entry_is_updated_on_the_selected_applications(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    cost_adjustment_run()
    outbound = ItemApplicationEntry.objects.get(
        item_ledger_entry__item__no="A", outbound_item_entry__isnull=False
    )
    assert outbound.outbound_entry_is_updated

    response = accountant_page.post(
        "/cost-adjustment/items/A/applications/reset-outbound-updated/", {"entry": [outbound.pk]}
    )

    assert response.status_code == 302
    outbound.refresh_from_db()
    assert not outbound.outbound_entry_is_updated
    others = ItemApplicationEntry.objects.exclude(pk=outbound.pk)
    assert not others.filter(
        outbound_item_entry__isnull=False, outbound_entry_is_updated=False
    ).exists()
    # Another item's application cannot be reset from this item's page.
    other = ItemApplicationEntry.objects.filter(item_ledger_entry__item__no="B").first()
    response = accountant_page.post(
        "/cost-adjustment/items/A/applications/reset-outbound-updated/", {"entry": [other.pk]}
    )
    assert "cannot be selected here" in followed_messages(accountant_page, response)


# -- Item Batches --------------------------------------------------------------------------------


def test_the_batches_table_is_a_partial_that_polls_only_while_something_is_active(
    accountant_page,
):
    batch = CostAdjustmentItemBatch.objects.create(item_filter="A|B")
    partial = accountant_page.get("/cost-adjustment/batches/table/", HTTP_HX_REQUEST="true")
    html = text(partial)
    assert partial.status_code == 200
    assert "<html" not in html and "<table" in html
    assert 'hx-get="/cost-adjustment/batches/table/"' in html
    assert 'hx-trigger="every 2s"' in html
    full = text(accountant_page.get("/cost-adjustment/batches/"))
    assert 'id="batch-table"' in full and "<html" in full

    batch.status = RunStatus.SUCCESS
    batch.save()
    html = text(accountant_page.get("/cost-adjustment/batches/table/"))
    assert "hx-trigger" not in html and "hx-get" not in html  # polling stops


def test_a_running_batch_shows_its_progress_and_cannot_be_run_again(accountant_page):
    from django.utils import timezone

    batch = CostAdjustmentItemBatch.objects.create(
        item_filter="A..Z",
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        items_total=10,
        items_done=3,
    )
    html = text(accountant_page.get("/cost-adjustment/batches/table/"))
    assert '<progress max="10" value="3"' in html
    assert "3 / 10" in html
    assert f'id="batch-{batch.pk}-run" disabled' in html
    assert f'id="batch-{batch.pk}-cancel" disabled' in html
    assert f'id="batch-{batch.pk}-reset" disabled' in html
    assert 'hx-trigger="every 2s"' in html
    page = text(accountant_page.get("/cost-adjustment/batches/"))
    assert 'title="The cost adjustment is now running"' in page  # Run (all) is disabled

    # Refused by the service too, if posted anyway.
    response = accountant_page.post(f"/cost-adjustment/batches/{batch.pk}/run/")
    assert "is running" in followed_messages(accountant_page, response)
    response = accountant_page.post("/cost-adjustment/batches/run/")
    assert "The cost adjustment is now running" in followed_messages(accountant_page, response)


def test_a_stale_running_batch_can_be_reset(accountant_page):
    from django.utils import timezone

    batch = CostAdjustmentItemBatch.objects.create(
        item_filter="A",
        status=RunStatus.RUNNING,
        timeout_minutes=1,
        started_at=timezone.now() - dt.timedelta(hours=3),
    )
    html = text(accountant_page.get("/cost-adjustment/batches/table/"))
    assert "stale" in html
    assert f'id="batch-{batch.pk}-reset">' in html  # enabled
    accountant_page.post(f"/cost-adjustment/batches/{batch.pk}/reset/")
    batch.refresh_from_db()
    assert batch.status == RunStatus.NOT_STARTED


def test_the_split_tree_shows_splits_under_their_batch(accountant_page):
    parent = CostAdjustmentItemBatch.objects.create(item_filter="A|B|C", status=RunStatus.FAILED)
    failed = CostAdjustmentItemBatch.objects.create(
        item_filter="B", status=RunStatus.FAILED, split_from=parent, failed_item_no="B"
    )
    rest = CostAdjustmentItemBatch.objects.create(
        item_filter="A|C", status=RunStatus.SUCCESS, split_from=parent
    )
    later = CostAdjustmentItemBatch.objects.create(item_filter="D")
    rows = accountant_page.get("/cost-adjustment/batches/").context["rows"]
    assert [(r["batch"].pk, r["depth"]) for r in rows] == [
        (later.pk, 0),
        (parent.pk, 0),
        (failed.pk, 1),
        (rest.pk, 1),
    ]
    html = text(accountant_page.get("/cost-adjustment/batches/"))
    assert f'<a href="#batch-{parent.pk}">split from #{parent.pk}</a>' in html


def test_the_add_batch_form_shows_its_errors_at_the_fields(accountant_page):
    response = accountant_page.post(
        "/cost-adjustment/batches/add/",
        {"item_filter": "A*B", "timeout_minutes": "0", "max_retry_attempts": "101"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["item_filter"] == ["'A*B': * is allowed only at the end."]
    assert errors["timeout_minutes"] == ["Ensure this value is greater than or equal to 1."]
    assert errors["max_retry_attempts"] == ["Ensure this value is less than or equal to 100."]
    html = text(response)
    assert 'id="id_timeout_minutes_error">Ensure this value is greater than or equal to 1.' in html
    assert not CostAdjustmentItemBatch.objects.exists()


def test_the_add_batch_form_adds_and_can_run(
    accountant_page, eager_celery, django_capture_on_commit_callbacks
):
    needs_adjustment("A")
    response = accountant_page.post(
        "/cost-adjustment/batches/add/",
        {"item_filter": "", "timeout_minutes": "5", "max_retry_attempts": "2", "trace": "on"},
    )
    batch = CostAdjustmentItemBatch.objects.get()
    assert response.status_code == 302
    assert (batch.item_filter, batch.timeout_minutes, batch.max_retry_attempts, batch.trace) == (
        "*",
        5,
        2,
        True,
    )
    assert batch.status == RunStatus.NOT_STARTED

    with django_capture_on_commit_callbacks(execute=True):
        accountant_page.post(
            "/cost-adjustment/batches/add/",
            {"item_filter": "A", "timeout_minutes": "60", "max_retry_attempts": "10", "run": "1"},
        )
    ran = CostAdjustmentItemBatch.objects.latest("id")
    assert (ran.item_filter, ran.status) == ("A", RunStatus.SUCCESS)


def test_add_missing_items_run_all_cancel_reset_and_stop(
    accountant_page, eager_celery, django_capture_on_commit_callbacks
):
    needs_adjustment("A")
    needs_adjustment("B")
    needs_adjustment("C")
    covered = CostAdjustmentItemBatch.objects.create(item_filter="A")

    response = accountant_page.post("/cost-adjustment/batches/add-missing-items/")
    missing = CostAdjustmentItemBatch.objects.latest("id")
    assert missing.item_filter == "B|C"
    assert f"Batch {missing.pk} holds every item" in followed_messages(accountant_page, response)
    response = accountant_page.post("/cost-adjustment/batches/add-missing-items/")
    assert "Every item is in a batch already." in followed_messages(accountant_page, response)

    accountant_page.post(f"/cost-adjustment/batches/{covered.pk}/cancel/")
    covered.refresh_from_db()
    assert covered.status == RunStatus.CANCELED

    with django_capture_on_commit_callbacks(execute=True):
        accountant_page.post("/cost-adjustment/batches/run/")
    missing.refresh_from_db()
    covered.refresh_from_db()
    assert missing.status == RunStatus.SUCCESS
    assert covered.status == RunStatus.CANCELED  # canceled batches do not run
    assert sale_cost("A") == D(-10) and sale_cost("B") == D("-12.00")

    accountant_page.post(f"/cost-adjustment/batches/{covered.pk}/reset/")
    covered.refresh_from_db()
    assert covered.status == RunStatus.NOT_STARTED
    with django_capture_on_commit_callbacks(execute=True):
        accountant_page.post(f"/cost-adjustment/batches/{covered.pk}/run/")
    covered.refresh_from_db()
    assert covered.status == RunStatus.SUCCESS and sale_cost("A") == D("-12.00")

    waiting = CostAdjustmentItemBatch.objects.create(item_filter="A")
    response = accountant_page.post("/cost-adjustment/batches/stop/")
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.CANCELED
    assert "1 batches canceled." in followed_messages(accountant_page, response)


# -- logs and the tracer -------------------------------------------------------------------------


def test_the_log_per_run_drills_down_to_the_log_per_item(accountant_page):
    needs_adjustment("A")
    needs_adjustment("B")
    cost_adjustment_run(item_filter="A|B")
    run = CostAdjustmentRun.objects.get()
    listing = accountant_page.get("/cost-adjustment/logs/")
    assert list(listing.context["page"]) == [run]
    html = text(listing)
    assert f'href="/cost-adjustment/logs/{run.pk}/"' in html
    assert '<td class="num">-4.00</td>' in html
    detail = accountant_page.get(f"/cost-adjustment/logs/{run.pk}/")
    assert [(log.item_no, log.cost_difference) for log in detail.context["page"]] == [
        ("A", D("-2.00")),
        ("B", D("-2.00")),
    ]
    per_item = accountant_page.get("/cost-adjustment/logs/items/?item_no=B")
    assert [log.item_no for log in per_item.context["page"]] == ["B"]
    assert (
        accountant_page.get("/cost-adjustment/logs/?status=failed").context["page"].paginator.count
        == 0
    )


def test_a_traced_batch_fills_the_trace_log_and_its_analysis(
    accountant_page, eager_celery, django_capture_on_commit_callbacks
):
    needs_adjustment("A")
    needs_adjustment("B")
    with django_capture_on_commit_callbacks(execute=True):
        accountant_page.post(
            "/cost-adjustment/batches/add/",
            {
                "item_filter": "A|B",
                "timeout_minutes": "5",
                "max_retry_attempts": "0",
                "trace": "on",
                "run": "1",
            },
        )
    assert CostAdjustmentItemBatch.objects.get().status == RunStatus.SUCCESS
    events = TraceEvent.objects.all()
    assert events.filter(event="item_adjusted").count() == 2

    page = accountant_page.get("/cost-adjustment/trace/")
    assert page.context["page"].paginator.count == events.count()
    only_b = accountant_page.get("/cost-adjustment/trace/?item_no=B&event=item_adjusted")
    assert [(e.item_no, e.amount) for e in only_b.context["page"]] == [("B", D("-2.00"))]

    by_item = accountant_page.get("/cost-adjustment/trace/analysis/?by=item")
    rows = {row["key"]: row for row in by_item.context["page"]}
    assert set(rows) == {"A", "B"}
    assert rows["A"]["count"] == events.filter(item_no="A").count()
    by_event = accountant_page.get("/cost-adjustment/trace/analysis/")
    assert "item_adjusted" in {row["key"] for row in by_event.context["page"]}
