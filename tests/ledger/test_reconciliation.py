"""Inventory - G/L Reconciliation (DOMAIN §12), told as an accountant's month end.

Every account type has its own G/L account (9000 Inventory, 9001 Inventory (Interim), ...);
the posting setups for locations blank, RED and BLUE x group RESALE and for gen. product group
RETAIL point at them. Nothing posts to the G/L on its own (Automatic Cost Posting off) and cost
is not adjusted on its own: each story posts to the G/L when it says so.

Value entries are placed where they will land once posted: a purchase of 70 is +70 on the
Inventory row and -70 on the Direct Cost Applied row, both in the Inventory column (actual cost);
a receipt not invoiced is +95 Inventory (Interim) and -95 Invt. Accrual (Interim), in the
Inventory (Interim) column. Difference = G/L Total - Total.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from inventory.models import ValueEntry
from inventory.services import inventory_setup_update, item_ledger_entry_invoice
from ledger.accounts import GENERAL_SETUP_FIELDS, INVENTORY_SETUP_FIELDS, Role
from ledger.models import GeneralPostingSetup, GLAccount, GLEntry, InventoryPostingSetup
from ledger.reconciliation import COLUMNS, TOTAL, signed_amount
from ledger.services import inventory_cost_post_to_gl
from tests.inventory.helpers import D, day, line, make_item, make_location, post, purchase, sale

ACCOUNTS = {role: f"9{index:03d}" for index, role in enumerate(Role)}
INVENTORY_ACCOUNT = ACCOUNTS[Role.INVENTORY]
BANK = "2910"  # not an inventory account: the other side of manual postings
URL = "/api/v1/reconciliation/"


@pytest.fixture(autouse=True)
def books():
    inventory_setup_update(
        automatic_cost_posting=False,
        automatic_cost_adjustment="never",
        expected_cost_posting_to_gl=False,
    )
    for role, no in ACCOUNTS.items():
        GLAccount.objects.create(no=no, name=role.label)
    GLAccount.objects.create(no=BANK, name="Bank")
    make_location("RED")
    make_location("BLUE")
    for location in ("", "RED", "BLUE"):
        InventoryPostingSetup.objects.create(
            location_code=location,
            inventory_posting_group="RESALE",
            **{f"{f}_id": ACCOUNTS[role] for role, f in INVENTORY_SETUP_FIELDS.items()},
        )
    GeneralPostingSetup.objects.create(
        gen_bus_posting_group="",
        gen_prod_posting_group="RETAIL",
        **{f"{f}_id": ACCOUNTS[role] for role, f in GENERAL_SETUP_FIELDS.items()},
    )


# -- reading the matrix --------------------------------------------------------------------------


def matrix(client, **params) -> dict:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def row(data: dict, account_type: str) -> dict:
    return next(r for r in data["rows"] if r["account_type"] == account_type)


def cell(data: dict, account_type: str, column: str) -> Decimal:
    return D(row(data, account_type)[column])


def non_zero(data: dict, column: str) -> dict[str, Decimal]:
    """The rows with a non-zero amount in a column (Total row left out)."""
    return {
        r["account_type"]: D(r[column])
        for r in data["rows"]
        if r["account_type"] != TOTAL and D(r[column])
    }


def codes(data: dict) -> list[str]:
    return [w["code"] for w in data["warnings"]]


def warning(data: dict, code: str) -> dict:
    return next(w for w in data["warnings"] if w["code"] == code)


def post_per_entry():
    return inventory_cost_post_to_gl(post_method="per_entry")


def post_per_group(document_no="INVT-01"):
    return inventory_cost_post_to_gl(post_method="per_posting_group", document_no=document_no)


def manual_gl_entry(account_no: str, amount: str, posting_date, other_account: str = BANK):
    """A general journal line posted straight to an account (no value entry behind it)."""
    first = GLEntry.objects.create(
        transaction_no=0,
        posting_date=posting_date,
        document_no="GJ-1",
        account_id=account_no,
        amount=D(amount),
        description="Manual correction",
    )
    GLEntry.objects.filter(pk=first.pk).update(transaction_no=first.pk)
    GLEntry.objects.create(
        transaction_no=first.pk,
        posting_date=posting_date,
        document_no="GJ-1",
        account_id=other_account,
        amount=-D(amount),
        description="Manual correction",
    )


def buy_and_sell():
    """DOMAIN §11.6: purchase 10 @ 7 with overhead rate 1 (direct 70 + indirect 10), then the
    sale of all 10 (cost -80)."""
    item = make_item("CHAIR", overhead_rate=D("1"))
    purchase(item, 10, 7, day(1, 10))
    sale(item, 10, day(1, 20))
    return item


# -- the worked example ------------------------------------------------------------------------


def test_before_posting_to_gl_the_matrix_shows_what_the_gl_should_hold(accountant):
    buy_and_sell()
    data = matrix(accountant)

    # Inventory +70 +10 -80 = 0; the other sides: Direct Cost Applied -70, Overhead Applied -10,
    # COGS +80. All invoiced, so all in the Inventory column.
    assert non_zero(data, "inventory") == {
        "direct_cost_applied": D("-70"),
        "overhead_applied": D("-10"),
        "cogs": D("80"),
    }
    assert cell(data, "inventory", "inventory") == 0
    assert non_zero(data, "inventory_interim") == {}
    assert non_zero(data, "wip_inventory") == {}
    assert non_zero(data, "total") == non_zero(data, "inventory")
    # Nothing is in the G/L yet: Difference = G/L Total - Total = 0 - (-70) = 70, ...
    assert non_zero(data, "gl_total") == {}
    assert non_zero(data, "difference") == {
        "direct_cost_applied": D("70"),
        "overhead_applied": D("10"),
        "cogs": D("-80"),
    }
    # Every amount has its matching side: the Total row is zero in every column.
    total = row(data, TOTAL)
    assert [total[c] for c in (*COLUMNS, "total", "gl_total", "difference")] == ["0.00"] * 6
    assert total["label"] == "Total"
    assert row(data, "cogs")["label"] == "COGS"
    assert row(data, "direct_cost_applied")["total"] == "-70.00"  # decimals as strings

    # Warning 3: the cost is not posted yet, and the rows that differ say what to do.
    assert codes(data) == ["cost_not_posted"]
    message = warning(data, "cost_not_posted")["message"]
    assert "3 value entries" in message
    assert "Post Inventory Cost to G/L" in message
    for account_type in ("direct_cost_applied", "overhead_applied", "cogs"):
        assert row(data, account_type)["warning"] == message
    assert row(data, "inventory")["warning"] is None
    assert row(data, TOTAL)["warning"] is None


def test_after_posting_per_entry_nothing_differs(accountant):
    buy_and_sell()
    post_per_entry()
    data = matrix(accountant)

    # The G/L now holds exactly what the value entries said (DOMAIN §11.6).
    assert non_zero(data, "gl_total") == {
        "direct_cost_applied": D("-70"),
        "overhead_applied": D("-10"),
        "cogs": D("80"),
    }
    assert cell(data, "inventory", "gl_total") == 0
    assert non_zero(data, "difference") == {}
    assert codes(data) == ["no_difference"]
    assert "nothing to reconcile" in data["warnings"][0]["message"]
    assert all(r["warning"] is None for r in data["rows"])


def test_the_response_says_its_filters_and_columns(viewer):
    data = matrix(viewer, date_from="2025-01-01", date_to="2025-01-31")
    assert data["filters"] == {
        "date_from": "2025-01-01",
        "date_to": "2025-01-31",
        "item_no": "",
        "location_code": "",
        "show_warning": True,
    }
    assert [c["label"] for c in data["columns"]] == [
        "Inventory",
        "Inventory (Interim)",
        "WIP Inventory",
        "Total",
        "G/L Total",
        "Difference",
        "Warning",
    ]
    assert [r["account_type"] for r in data["rows"]] == [*(r.value for r in Role), TOTAL]
    # An empty ledger: nothing to reconcile.
    assert codes(data) == ["no_difference"]


def test_without_show_warning_no_warnings_are_given(accountant):
    buy_and_sell()
    data = matrix(accountant, show_warning="false")
    assert data["filters"]["show_warning"] is False
    assert data["warnings"] == []
    assert all(r["warning"] is None for r in data["rows"])
    assert cell(data, "cogs", "difference") == D("-80")


# -- expected cost -----------------------------------------------------------------------------


def test_expected_cost_posted_to_gl_goes_through_the_interim_accounts(accountant):
    inventory_setup_update(expected_cost_posting_to_gl=True)
    item = make_item("DESK")
    receipt = purchase(item, 10, "9.5", day(1, 5), invoiced=False)

    # Received, not invoiced: 95 expected, in the Inventory (Interim) column.
    data = matrix(accountant)
    assert non_zero(data, "inventory_interim") == {
        "inventory_interim": D("95"),
        "invt_accrual_interim": D("-95"),
    }
    assert non_zero(data, "inventory") == {}
    assert codes(data) == ["cost_not_posted"]  # expected cost posting is on: it should post

    post_per_entry()
    data = matrix(accountant)
    assert non_zero(data, "gl_total") == {
        "inventory_interim": D("95"),
        "invt_accrual_interim": D("-95"),
    }
    assert codes(data) == ["no_difference"]

    # Invoiced at 10: actual 100 replaces the expected 95 (DOMAIN §11.6).
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 25), quantity=D(10), unit_cost=D(10)
    )
    data = matrix(accountant)
    assert non_zero(data, "inventory") == {"inventory": D("100"), "direct_cost_applied": D("-100")}
    assert non_zero(data, "inventory_interim") == {}  # +95 - 95
    assert non_zero(data, "difference") == {
        "inventory": D("-100"),
        "direct_cost_applied": D("100"),
        "inventory_interim": D("95"),  # the G/L still holds the receipt's 95
        "invt_accrual_interim": D("-95"),
    }
    post_per_entry()
    data = matrix(accountant)
    assert non_zero(data, "gl_total") == {"inventory": D("100"), "direct_cost_applied": D("-100")}
    assert codes(data) == ["no_difference"]


def test_with_expected_cost_posting_off_the_interim_difference_is_explained(accountant):
    item = make_item("DESK")
    receipt = purchase(item, 10, "9.5", day(1, 5), invoiced=False)
    post_per_entry()  # skips the receipt: expected cost, and expected cost posting is off

    data = matrix(accountant)
    assert non_zero(data, "inventory_interim") == {
        "inventory_interim": D("95"),
        "invt_accrual_interim": D("-95"),
    }
    assert non_zero(data, "gl_total") == {}
    assert non_zero(data, "difference") == {
        "inventory_interim": D("-95"),
        "invt_accrual_interim": D("95"),
    }
    # Warning 1 alone: nothing else differs.
    assert codes(data) == ["expected_cost"]
    message = warning(data, "expected_cost")["message"]
    assert "turn on expected cost posting to g/l" in message.lower()
    assert "ignore the interim difference" in message
    assert row(data, "inventory_interim")["warning"] == message
    assert row(data, "invt_accrual_interim")["warning"] == message
    assert row(data, "inventory")["warning"] is None

    # Once invoiced and posted, the expected cost is released (+95 - 95) and the actual cost
    # is in the G/L: nothing differs any more.
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 25), quantity=D(10), unit_cost=D(10)
    )
    post_per_entry()
    data = matrix(accountant)
    assert non_zero(data, "difference") == {}
    assert codes(data) == ["no_difference"]


def test_expected_cost_warning_comes_with_the_explanation_of_the_other_rows(accountant):
    make_item("DESK")
    purchase("DESK", 10, "9.5", day(1, 5), invoiced=False)
    purchase("DESK", 1, 3, day(1, 6))  # invoiced at once, not posted
    data = matrix(accountant)
    assert codes(data) == ["expected_cost", "cost_not_posted"]
    assert row(data, "inventory_interim")["warning"] == warning(data, "expected_cost")["message"]
    assert row(data, "inventory")["warning"] == warning(data, "cost_not_posted")["message"]
    assert "1 value entry has" in warning(data, "cost_not_posted")["message"]


# -- filters -----------------------------------------------------------------------------------


def test_item_filter(accountant):
    make_item("CHAIR")
    make_item("TABLE")
    chair = purchase("CHAIR", 10, 7, day(1, 10))
    purchase("TABLE", 5, 4, day(1, 10))
    chair_values = ValueEntry.objects.filter(item_ledger_entry=chair).values_list("pk", flat=True)
    inventory_cost_post_to_gl(post_method="per_entry", value_entry_nos=list(chair_values))

    # The chair is posted: its own value entries and G/L entries agree.
    data = matrix(accountant, item_no="CHAIR")
    assert data["filters"]["item_no"] == "CHAIR"
    assert non_zero(data, "total") == {"inventory": D("70"), "direct_cost_applied": D("-70")}
    assert non_zero(data, "gl_total") == {"inventory": D("70"), "direct_cost_applied": D("-70")}
    assert codes(data) == ["no_difference"]

    # The table is not.
    data = matrix(accountant, item_no="TABLE")
    assert non_zero(data, "total") == {"inventory": D("20"), "direct_cost_applied": D("-20")}
    assert non_zero(data, "gl_total") == {}
    assert codes(data) == ["cost_not_posted"]

    # Both together.
    data = matrix(accountant)
    assert non_zero(data, "total") == {"inventory": D("90"), "direct_cost_applied": D("-90")}
    assert non_zero(data, "difference") == {
        "inventory": D("-20"),
        "direct_cost_applied": D("20"),
    }


def test_location_filter_with_a_transfer_posted_per_posting_group(accountant):
    item = make_item("CHAIR")
    purchase(item, 10, 7, day(1, 10), location_code="RED")
    post(line("transfer", item, 4, day(1, 15), location_code="RED", new_location_code="BLUE"))
    post_per_group()

    # RED: bought 70, sent 28 away (Inventory Adjmt. takes the other side of the transfer).
    red = matrix(accountant, location_code="RED")
    assert non_zero(red, "total") == {
        "inventory": D("42"),
        "direct_cost_applied": D("-70"),
        "inventory_adjmt": D("28"),
    }
    assert non_zero(red, "gl_total") == non_zero(red, "total")
    assert codes(red) == ["no_difference"]

    blue = matrix(accountant, location_code="BLUE")
    assert non_zero(blue, "total") == {"inventory": D("28"), "inventory_adjmt": D("-28")}
    assert non_zero(blue, "gl_total") == non_zero(blue, "total")
    assert codes(blue) == ["no_difference"]

    # Company-wide the transfer nets out.
    data = matrix(accountant)
    assert non_zero(data, "total") == {"inventory": D("70"), "direct_cost_applied": D("-70")}
    assert codes(data) == ["no_difference"]


def test_item_filter_with_entries_posted_per_posting_group_for_several_items(accountant):
    make_item("CHAIR")
    make_item("TABLE")
    purchase("CHAIR", 10, 7, day(1, 10))
    purchase("TABLE", 5, 4, day(1, 10))
    post_per_group()  # one Inventory and one Direct Cost Applied G/L entry for both items

    data = matrix(accountant, item_no="CHAIR")
    assert non_zero(data, "total") == {"inventory": D("70"), "direct_cost_applied": D("-70")}
    assert non_zero(data, "gl_total") == {"inventory": D("90"), "direct_cost_applied": D("-90")}
    assert codes(data) == ["combined_gl_entries"]
    message = warning(data, "combined_gl_entries")["message"]
    assert "2 G/L entries" in message and "post per entry" in message
    assert codes(matrix(accountant)) == ["no_difference"]


def test_date_range(accountant):
    buy_and_sell()  # bought on Jan 10, sold on Jan 20
    make_item("DESK")
    purchase("DESK", 2, 50, day(2, 3))
    post_per_entry()

    january = matrix(accountant, date_from="2025-01-01", date_to="2025-01-31")
    assert non_zero(january, "total") == {
        "direct_cost_applied": D("-70"),
        "overhead_applied": D("-10"),
        "cogs": D("80"),
    }
    assert codes(january) == ["no_difference"]

    # The sale alone.
    data = matrix(accountant, date_from="2025-01-15", date_to="2025-01-31")
    assert non_zero(data, "total") == {"inventory": D("-80"), "cogs": D("80")}
    assert non_zero(data, "gl_total") == {"inventory": D("-80"), "cogs": D("80")}

    # From February on.
    data = matrix(accountant, date_from="2025-02-01")
    assert non_zero(data, "total") == {"inventory": D("100"), "direct_cost_applied": D("-100")}
    assert codes(data) == ["no_difference"]


def test_g_l_entries_dated_differently_from_their_value_entries(accountant):
    buy_and_sell()
    post_per_entry()
    # Someone moved the sale's G/L entries to February.
    GLEntry.objects.filter(posting_date=day(1, 20)).update(posting_date=day(2, 2))

    data = matrix(accountant, date_from="2025-01-01", date_to="2025-01-31")
    assert non_zero(data, "difference") == {"inventory": D("80"), "cogs": D("-80")}
    assert codes(data) == ["posting_date"]
    message = warning(data, "posting_date")["message"]
    assert "posting dates" in message
    assert row(data, "cogs")["warning"] == message
    # Without a date range it all agrees.
    assert codes(matrix(accountant)) == ["no_difference"]


def test_a_manual_posting_to_the_inventory_account(accountant):
    buy_and_sell()
    post_per_entry()
    manual_gl_entry(INVENTORY_ACCOUNT, "5", day(1, 31))

    data = matrix(accountant)
    assert cell(data, "inventory", "gl_total") == D("5")
    assert non_zero(data, "difference") == {"inventory": D("5")}
    # The other side is on the bank: the mapped accounts no longer balance.
    assert row(data, TOTAL)["gl_total"] == "5.00"
    assert row(data, TOTAL)["difference"] == "5.00"
    assert codes(data) == ["direct_postings"]
    message = warning(data, "direct_postings")["message"]
    assert "1 G/L entry was posted to inventory accounts directly" in message
    assert f"{INVENTORY_ACCOUNT} (5.00)" in message
    assert row(data, "inventory")["warning"] == message
    assert row(data, TOTAL)["warning"] == message

    # The manual entry belongs to no item: an item filter leaves it out.
    assert codes(matrix(accountant, item_no="CHAIR")) == ["no_difference"]
    # Outside the date range it does not count either.
    assert codes(matrix(accountant, date_to="2025-01-30")) == ["no_difference"]


def test_an_account_shared_by_two_account_types(accountant):
    GeneralPostingSetup.objects.update(inventory_adjmt_account_id=ACCOUNTS[Role.COGS])
    item = make_item("CHAIR")
    purchase(item, 10, 7, day(1, 10))
    sale(item, 2, day(1, 12))
    post(line("negative_adjmt", item, 1, day(1, 13)))
    post_per_entry()

    data = matrix(accountant)
    # The shared account counts once, on the first of its account types in row order
    # (Inventory Adjmt. comes before COGS): COGS 14 + Inventory Adjmt. 7.
    assert cell(data, "inventory_adjmt", "gl_total") == D("21")
    assert cell(data, "cogs", "gl_total") == 0
    assert non_zero(data, "difference") == {"inventory_adjmt": D("14"), "cogs": D("-14")}
    assert codes(data) == ["shared_accounts"]
    assert f"{ACCOUNTS[Role.COGS]}: Inventory Adjmt., COGS" in data["warnings"][0]["message"]


def test_unknown_filters_and_bad_dates_are_refused(accountant):
    response = accountant.get(URL, {"item_no": "NOPE"})
    assert response.status_code == 400
    assert "item_no" in response.json()
    response = accountant.get(URL, {"location_code": "NOPE"})
    assert response.status_code == 400
    assert "location_code" in response.json()
    response = accountant.get(URL, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()
    response = accountant.get(URL, {"date_from": "yesterday"})
    assert response.status_code == 400
    assert "date_from" in response.json()


# -- drill-down --------------------------------------------------------------------------------


def drill_values(client, account_type, column, **params):
    response = client.get(
        f"{URL}value-entries/",
        {"account_type": account_type, "column": column, "page_size": 1000, **params},
    )
    assert response.status_code == 200, response.content
    return response.json()


def drill_gl(client, account_type, **params):
    response = client.get(
        f"{URL}gl-entries/", {"account_type": account_type, "page_size": 1000, **params}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_drill_down_returns_exactly_the_entries_behind_each_cell(accountant):
    inventory_setup_update(expected_cost_posting_to_gl=True)
    item = make_item("CHAIR", overhead_rate=D("1"))
    purchase(item, 10, 7, day(1, 10), location_code="RED")
    receipt = purchase(item, 4, 9, day(1, 11), location_code="RED", invoiced=False)
    sale(item, 3, day(1, 12), location_code="RED", invoiced=False)
    post(line("transfer", item, 2, day(1, 13), location_code="RED", new_location_code="BLUE"))
    post_per_entry()
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(2, 1), quantity=D(2), unit_cost=D(10)
    )
    post(line("negative_adjmt", item, 1, day(2, 2), location_code="BLUE"))

    for params in ({}, {"location_code": "RED"}, {"date_from": "2025-02-01"}):
        data = matrix(accountant, **params)
        everything = ValueEntry.objects.all()
        if "location_code" in params:
            everything = everything.filter(location_id=params["location_code"])
        if "date_from" in params:
            everything = everything.filter(posting_date__gte=day(2, 1))
        checked = 0
        for account_type in (*(r.value for r in Role), TOTAL):
            for column in (*COLUMNS, "total"):
                amount = cell(data, account_type, column)
                drilled = drill_values(accountant, account_type, column, **params)
                nos = {v["entry_no"] for v in drilled["results"]}
                # Exactly the entries with an amount in the cell (for the Total row: in any
                # row of the column; their two sides cancel there)...
                rows = [r.value for r in Role] if account_type == TOTAL else [account_type]
                expected = {
                    v.pk for v in everything if any(signed_amount(v, r, column) for r in rows)
                }
                assert nos == expected, (account_type, column, params)
                # ... and their amounts, as mapped, make up the cell.
                mapped = sum(
                    (signed_amount(v, account_type, column) for v in everything.filter(pk__in=nos)),
                    D(0),
                )
                assert mapped == amount, (account_type, column, params)
                assert D(drilled["amount"]) == amount
                assert drilled["count"] == len(nos)
                checked += bool(nos)
        assert checked >= 5

        for account_type in (*(r.value for r in Role), TOTAL):
            drilled = drill_gl(accountant, account_type, **params)
            gl_total = sum((D(e["amount"]) for e in drilled["results"]), D(0))
            assert gl_total == cell(data, account_type, "gl_total")
            assert D(drilled["amount"]) == gl_total


def test_drill_down_into_the_worked_example(accountant):
    buy_and_sell()
    post_per_entry()
    drilled = drill_values(accountant, "cogs", "inventory")
    assert [(v["item_ledger_entry_type"], v["cost_amount_actual"]) for v in drilled["results"]] == [
        ("sale", "-80.00")
    ]
    assert drilled["amount"] == "80.00"
    drilled = drill_values(accountant, "inventory", "inventory")
    assert [v["entry_type"] for v in drilled["results"]] == [
        "direct_cost",
        "indirect_cost",
        "direct_cost",
    ]
    assert drilled["amount"] == "0.00"
    drilled = drill_gl(accountant, "overhead_applied")
    assert [(e["account_no"], e["amount"]) for e in drilled["results"]] == [
        (ACCOUNTS[Role.OVERHEAD_APPLIED], "-10.00")
    ]
    assert drilled["results"][0]["value_entry_nos"]
    assert drilled["amount"] == "-10.00"


def test_drill_down_refuses_unknown_rows_and_columns(accountant):
    response = accountant.get(f"{URL}value-entries/", {"account_type": "bank", "column": "wip"})
    assert response.status_code == 400
    assert set(response.json()) >= {"account_type", "column"}
    response = accountant.get(f"{URL}gl-entries/")
    assert response.status_code == 400
    assert "account_type" in response.json()


# -- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        URL,
        f"{URL}value-entries/?account_type=inventory&column=inventory",
        f"{URL}gl-entries/?account_type=inventory",
    ],
)
def test_a_viewer_may_read_and_anonymous_users_may_not(viewer, anonymous, path):
    assert viewer.get(path).status_code == 200
    assert anonymous.get(path).status_code in (401, 403)


def test_the_matrix_is_a_handful_of_aggregate_queries(accountant, django_assert_max_num_queries):
    """However many entries there are: grouped sums, not a loop over the entries."""
    buy_and_sell()
    make_item("DESK")
    for n in range(30):
        purchase("DESK", 1, n + 1, day(1, 1 + n % 28), location_code=("RED", "BLUE")[n % 2])
    post_per_entry()
    make_item("LAMP")
    purchase("LAMP", 1, 1, day(1, 2))  # not posted
    manual_gl_entry(INVENTORY_ACCOUNT, "5", day(1, 31))
    # The role check, the two setups, one grouped query for the value entries and one for
    # the G/L, and a few for the warnings (today 7 to 11).
    with django_assert_max_num_queries(12):
        data = matrix(accountant, date_from="2025-01-01", date_to="2025-01-31")
    assert codes(data) == ["cost_not_posted"]
    with django_assert_max_num_queries(12):
        matrix(accountant, item_no="DESK", location_code="RED", date_to="2025-01-31")
