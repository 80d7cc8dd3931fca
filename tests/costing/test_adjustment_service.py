"""Adjust Cost - Item Entries as the accountant runs it: filters, until-date, flags, dating."""

import datetime as dt
from decimal import Decimal as D

import pytest

from costing import services
from costing.services import automatic
from inventory.models import (
    AvgCostAdjmtEntryPoint,
    InventoryPeriod,
    Item,
    ItemLedgerEntry,
    Location,
    ValueEntry,
)
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_journal_post,
    item_ledger_entry_invoice,
)
from tests.factories import ItemFactory


@pytest.fixture(autouse=True)
def manual_adjustment(db):
    inventory_setup_update(automatic_cost_adjustment="never")


def day(month: int, dd: int) -> dt.date:
    return dt.date(2024, month, dd)


def buy(item, qty, cost, on, **kw):
    return item_journal_post(
        lines=[JournalLine("purchase", item.no, on, D(qty), unit_cost=D(cost), **kw)]
    )[0]


def sell(item, qty, on, **kw):
    return item_journal_post(lines=[JournalLine("sale", item.no, on, D(qty), **kw)])[0]


def cost(entry) -> tuple[D, D]:
    values = ValueEntry.objects.filter(item_ledger_entry=entry)
    return (
        sum((v.cost_amount_actual for v in values), D(0)),
        sum((v.cost_amount_expected for v in values), D(0)),
    )


def test_a_late_item_charge_reaches_the_sale_and_the_run_says_so():
    item = ItemFactory(no="A")
    receipt = buy(item, 1, 10, day(1, 1))
    sale = sell(item, 1, day(1, 15))
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    result = services.cost_adjustment_run()
    assert cost(sale) == (D("-12.00"), D(0))  # 10 + 2 (spec §6 example)
    assert [(r.item_no, r.entries_adjusted, r.cost_difference) for r in result.items] == [
        ("A", 1, D("-2.00"))
    ]
    adjustment = ValueEntry.objects.get(item_ledger_entry=sale, adjustment=True)
    # Dated like the entry it adjusts (the sale's Jan 15), pointing at it.
    assert adjustment.posting_date == day(1, 15)
    assert (
        adjustment.applies_to_entry_id
        == ValueEntry.objects.filter(item_ledger_entry=sale, adjustment=False).get().pk
    )
    assert adjustment.source_code == "INVTADJMT"
    assert Item.objects.get(no="A").cost_is_adjusted


def test_a_second_run_finds_nothing_to_do():
    item = ItemFactory(no="A")
    receipt = buy(item, 3, 10, day(1, 1), invoiced=False)
    sell(item, 2, day(1, 5))
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 20), quantity=D(3), unit_cost=D(11)
    )
    first = services.cost_adjustment_run()
    assert first.entries_adjusted == 1
    Item.objects.filter(no="A").update(cost_is_adjusted=False)
    count = ValueEntry.objects.count()
    second = services.cost_adjustment_run()
    assert second.entries_adjusted == 0
    assert ValueEntry.objects.count() == count


def test_an_adjustment_dated_in_a_closed_period_moves_to_the_first_open_day():
    item = ItemFactory(no="A")
    receipt = buy(item, 1, 10, day(1, 1))
    sale = sell(item, 1, day(1, 15))
    InventoryPeriod.objects.create(ending_date=day(1, 31), closed=True)
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(5))
    services.cost_adjustment_run()
    adjustment = ValueEntry.objects.get(item_ledger_entry=sale, adjustment=True)
    assert adjustment.posting_date == day(2, 1)  # spec §6.5
    assert adjustment.valuation_date == day(1, 15)
    assert adjustment.cost_amount_actual == D("-5.00")


def test_an_adjustment_posts_with_the_groups_the_entry_was_posted_with():
    item = ItemFactory(no="A", inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
    receipt = buy(item, 1, 10, day(1, 1))
    sale = sell(item, 1, day(1, 15), gen_bus_posting_group="EU")
    Item.objects.filter(pk=item.pk).update(
        inventory_posting_group="NEW", gen_prod_posting_group="X"
    )
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(5))
    services.cost_adjustment_run()
    adjustment = ValueEntry.objects.get(item_ledger_entry=sale, adjustment=True)
    # Spec §16: the original transaction's accounts, whatever the item says now.
    assert (
        adjustment.inventory_posting_group,
        adjustment.gen_prod_posting_group,
        adjustment.gen_bus_posting_group,
    ) == ("RESALE", "RETAIL", "EU")


@pytest.mark.parametrize(
    ("item_filter", "adjusted"),
    [
        (None, ["A1", "A2", "B1", "C1"]),
        ("*", ["A1", "A2", "B1", "C1"]),
        ("A1|C1", ["A1", "C1"]),
        ("A2..B1", ["A2", "B1"]),
        ("..A2", ["A1", "A2"]),
        ("B1..", ["B1", "C1"]),
        ("A*", ["A1", "A2"]),
    ],
)
def test_an_item_filter_picks_the_items_to_adjust(item_filter, adjusted):
    for no in ["A1", "A2", "B1", "C1"]:
        buy(ItemFactory(no=no), 1, 10, day(1, 1))
    services.cost_adjustment_run(item_filter=item_filter)
    assert sorted(Item.objects.filter(cost_is_adjusted=True).values_list("no", flat=True)) == (
        adjusted
    )


def test_excluded_items_wait_while_the_others_are_adjusted():
    for no in ["A", "B"]:
        buy(ItemFactory(no=no), 1, 10, day(1, 1))
    Item.objects.filter(no="B").update(excluded_from_cost_adjustment=True)
    result = services.cost_adjustment_run()
    assert [r.item_no for r in result.items] == ["A"]
    assert not Item.objects.get(no="B").cost_is_adjusted


def test_item_by_item_gives_the_same_result_as_one_run():
    a, b = ItemFactory(no="A"), ItemFactory(no="B", costing_method="lifo")
    for item in (a, b):
        receipt = buy(item, 2, 10, day(1, 1))
        buy(item, 2, 20, day(1, 2))
        sell(item, 3, day(1, 3))
        item_charge_assign(entry_no=receipt.pk, posting_date=day(1, 9), amount=D(4))
    result = services.cost_adjustment_run(item_by_item=True)
    # FIFO: 2 x 12 + 1 x 20 = 44; LIFO: 2 x 20 + 1 x 12 = 52 (the charge adds 2 a unit);
    # posted at 2 x 10 + 20 = 40 and 2 x 20 + 10 = 50.
    sales = ItemLedgerEntry.objects.filter(entry_type="sale").order_by("item__no")
    assert [cost(s)[0] for s in sales] == [D("-44.00"), D("-52.00")]
    assert [r.cost_difference for r in result.items] == [D("-4.00"), D("-2.00")]


def average_item_over_three_months():
    inventory_setup_update(average_cost_period="month")
    item = ItemFactory(no="AVG", costing_method="average")
    buy(item, 2, 10, day(1, 1))
    sell(item, 1, day(1, 20))  # January average 10
    buy(item, 1, 40, day(2, 1))
    sell(item, 1, day(2, 20))  # February: (10 + 40) / 2 = 25
    buy(item, 1, 70, day(3, 1))
    sell(item, 1, day(3, 20))  # March: (25 + 70) / 2 = 47.50
    return item


def test_adjusting_until_a_valuation_date_leaves_later_periods_waiting():
    item = average_item_over_three_months()
    services.cost_adjustment_run(item_filter="AVG", until=day(2, 29))
    sales = list(ItemLedgerEntry.objects.filter(item=item, positive=False).order_by("entry_no"))
    # Posted at the applied receipts' cost: 10, 10, 40; adjusted through February only.
    assert [cost(s)[0] for s in sales] == [D("-10.00"), D("-25.00"), D("-40.00")]
    points = AvgCostAdjmtEntryPoint.objects.filter(item=item).order_by("valuation_date")
    assert [(p.valuation_date, p.cost_is_adjusted) for p in points] == [
        (day(1, 31), True),
        (day(2, 29), True),
        (day(3, 31), False),
    ]
    assert not Item.objects.get(no="AVG").cost_is_adjusted
    services.cost_adjustment_run(item_filter="AVG")
    assert [cost(s)[0] for s in sales] == [D("-10.00"), D("-25.00"), D("-47.50")]
    assert Item.objects.get(no="AVG").cost_is_adjusted


def test_a_backdated_receipt_reopens_every_later_period():
    item = average_item_over_three_months()
    services.cost_adjustment_run()
    buy(item, 1, 4, day(1, 10))  # January: (20 + 4) / 3 = 8
    points = AvgCostAdjmtEntryPoint.objects.filter(item=item, cost_is_adjusted=False)
    assert points.count() == 3
    services.cost_adjustment_run()
    sales = ItemLedgerEntry.objects.filter(item=item, positive=False).order_by("entry_no")
    # Jan: 8; Feb: (16 + 40) / 3 = 18.67 a unit; Mar: (37.33 + 70) / 3 = 35.78 a unit.
    assert [cost(s)[0] for s in sales] == [D("-8.00"), D("-18.67"), D("-35.78")]


def test_the_unit_cost_follows_the_adjustment():
    item = ItemFactory(no="A")
    receipt = buy(item, 4, 10, day(1, 1), invoiced=False)
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 5), quantity=D(4), unit_cost=D(12)
    )
    sell(item, 1, day(1, 10))
    services.cost_adjustment_run()
    # 3 left at 12.
    assert Item.objects.get(no="A").unit_cost == D("12.00000")


def test_mark_for_adjustment_and_reset_make_items_need_adjustment_again():
    item = ItemFactory(no="A")
    receipt = buy(item, 1, 10, day(1, 1))
    services.cost_adjustment_run()
    assert services.mark_for_adjustment(entry_nos=[receipt.pk]) == 1
    assert not Item.objects.get(no="A").cost_is_adjusted
    assert ItemLedgerEntry.objects.get(pk=receipt.pk).applied_entry_to_adjust
    services.cost_adjustment_run()
    assert Item.objects.get(no="A").cost_is_adjusted
    assert services.reset_cost_is_adjusted(item_filter="A") == 1
    assert not Item.objects.get(no="A").cost_is_adjusted


@pytest.mark.parametrize(
    ("setting", "posted_on", "adjusted_at_once"),
    [
        ("never", day(3, 14), False),
        ("always", day(1, 2), True),
        ("day", day(3, 15), True),
        ("day", day(3, 14), False),
        ("week", day(3, 8), True),
        ("week", day(3, 7), False),
        ("month", day(2, 15), True),
        ("month", day(2, 14), False),
        ("quarter", day(1, 2), True),
        ("year", dt.date(2023, 3, 15), True),
        ("year", dt.date(2023, 3, 14), False),
    ],
)
def test_automatic_adjustment_reaches_back_as_far_as_the_setup_says(
    monkeypatch, setting, posted_on, adjusted_at_once
):
    monkeypatch.setattr(automatic.timezone, "localdate", lambda: day(3, 15))
    inventory_setup_update(automatic_cost_adjustment=setting)
    item = ItemFactory(no="A")
    buy(item, 1, 10, posted_on)
    assert Item.objects.get(no="A").cost_is_adjusted is adjusted_at_once


def test_automatic_adjustment_forwards_a_charge_at_once():
    inventory_setup_update(automatic_cost_adjustment="always")
    item = ItemFactory(no="A")
    receipt = buy(item, 1, 10, day(1, 10))
    sale = sell(item, 1, day(1, 15))
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 5), amount=D(3))
    assert cost(sale) == (D("-13.00"), D(0))


def test_the_run_endpoint_adjusts_and_reports(accountant, viewer):
    item = ItemFactory(no="A")
    receipt = buy(item, 1, 10, day(1, 1))
    sell(item, 1, day(1, 15))
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    assert viewer.post("/api/v1/cost-adjustment/run/", {}, format="json").status_code == 403
    response = accountant.post("/api/v1/cost-adjustment/run/", {"item_filter": "A"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["entries_adjusted"] == 1
    assert body["cost_difference"] == "-2.00"
    assert body["status"] == "success"
    assert [(i["item_no"], i["entries_adjusted"], i["cost_difference"]) for i in body["items"]] == [
        ("A", 1, "-2.00")
    ]


@pytest.mark.parametrize("bad", ["A|", "A..B..C", "*A", "A**"])
def test_a_malformed_item_filter_is_refused(accountant, bad):
    response = accountant.post("/api/v1/cost-adjustment/run/", {"item_filter": bad}, format="json")
    assert response.status_code == 400
    assert "item_filter" in response.json()


def test_averages_follow_the_accounting_periods_when_the_setup_says_so():
    from inventory.models import AccountingPeriod

    # Periods: Jan 1 - Feb 14, Feb 15 - Mar 31 (and April on).
    for start in (day(1, 1), day(2, 15), day(4, 1)):
        AccountingPeriod.objects.create(starting_date=start)
    inventory_setup_update(average_cost_period="accounting_period")
    item = ItemFactory(no="AP", costing_method="average")
    buy(item, 2, 10, day(1, 5))
    first = sell(item, 1, day(2, 10))  # first period: 20 / 2 = 10
    buy(item, 1, 40, day(2, 20))
    second = sell(item, 1, day(2, 25))  # second period: (10 + 40) / 2 = 25
    services.cost_adjustment_run()
    # With calendar months both February sales would cost (20 + 40) / 3 = 20.
    assert cost(first)[0] == D("-10.00")
    assert cost(second)[0] == D("-25.00")
    points = AvgCostAdjmtEntryPoint.objects.filter(item=item).order_by("valuation_date")
    assert [p.valuation_date for p in points] == [day(2, 14), day(3, 31)]


@pytest.mark.parametrize("automatic", ["never", "always"])
def test_stock_sent_back_where_it_was_missing_gets_the_cost_of_what_covered_it(automatic):
    """6 leave BLUE with nothing there, 2 bought at BLUE cover part of them, 4 come back from RED
    (which cannot cover the rest: their cost is 4/6 of it, a loop), 4 bought at BLUE at last
    cover it. Adjusted once at the end or after every posting, the figures are the same."""
    inventory_setup_update(automatic_cost_adjustment=automatic)
    item = ItemFactory(no="LOOP", unit_cost=D(0))
    for code in ("BLUE", "RED"):
        Location.objects.create(code=code, name=code)

    def move(qty, on, frm, to, **kw):
        return item_journal_post(
            lines=[
                JournalLine(
                    "transfer", item.no, on, D(qty), location_code=frm, new_location_code=to, **kw
                )
            ]
        )

    gone, arrived = move(6, day(2, 26), "BLUE", "RED")
    buy(item, 2, "2.85", day(1, 6), location_code="BLUE")
    back, returned = move(4, day(1, 30), "RED", "BLUE", applies_to_entry=arrived.pk)
    buy(item, 4, "7.77", day(3, 1), location_code="BLUE")
    services.cost_adjustment_run()
    # What left BLUE: 2 x 2.85 + 4 x 7.77 = 5.70 + 31.08 = 36.78; what came back: 4/6 of it.
    assert cost(gone) == (D("-36.78"), D(0))
    assert cost(arrived) == (D("36.78"), D(0))
    assert cost(back) == (D("-24.52"), D(0))
    assert cost(returned) == (D("24.52"), D(0))


@pytest.mark.parametrize("automatic", ["never", "always"])
def test_stock_swapped_between_two_locations_costs_what_both_averages_agree_on(automatic):
    """Average per location: 1 @ 10 at BLUE and 1 @ 30 at RED, then on one day 1 goes BLUE ->
    RED and 1 RED -> BLUE. Each location's average counts the receipt from the other, whose
    cost comes from that other average: the loop x = (10 + y) / 2, y = (30 + x) / 2."""
    inventory_setup_update(
        automatic_cost_adjustment=automatic, average_cost_calc_type="item_location_variant"
    )
    item = ItemFactory(no="SWAP", costing_method="average", unit_cost=D(0))
    for code in ("BLUE", "RED"):
        Location.objects.create(code=code, name=code)
    buy(item, 1, 10, day(1, 2), location_code="BLUE")
    buy(item, 1, 30, day(1, 2), location_code="RED")
    swaps = [
        item_journal_post(
            lines=[
                JournalLine(
                    "transfer", item.no, day(1, 3), D(1), location_code=frm, new_location_code=to
                )
            ]
        )
        for frm, to in (("BLUE", "RED"), ("RED", "BLUE"))
    ]
    result = services.cost_adjustment_run()
    assert result.status == "success"
    (to_red, in_red), (to_blue, in_blue) = swaps
    # x = 50/3 and y = 70/3: 16.67 and 23.34 (23.335 rounds up, and (10 + 23.34) / 2 = 16.67).
    assert (cost(to_red), cost(in_red)) == ((D("-16.67"), D(0)), (D("16.67"), D(0)))
    assert (cost(to_blue), cost(in_blue)) == ((D("-23.34"), D(0)), (D("23.34"), D(0)))
    item.refresh_from_db()
    assert item.unit_cost == D(20)  # 2 units worth 40.00 in all, nothing made or lost
    assert services.cost_adjustment_run().entries_adjusted == 0
