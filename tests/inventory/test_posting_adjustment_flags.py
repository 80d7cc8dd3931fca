"""What every posting tells cost adjustment (DOMAIN §1.2, §1.6, §4.1): the item's Cost is
Adjusted flag goes off, and Average items get an entry point per average-cost period touched."""

from __future__ import annotations

import pytest

from inventory.models import AvgCostAdjmtEntryPoint, Item, ItemVariant
from inventory.services import (
    RevaluationLine,
    inventory_setup_update,
    item_charge_assign,
    item_ledger_entry_invoice,
    revaluation_journal_post,
)
from tests.inventory.helpers import (
    D,
    day,
    fresh_item,
    make_item,
    make_location,
    post_one,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
)


def entry_points(item):
    return sorted(
        AvgCostAdjmtEntryPoint.objects.filter(item=item).values_list(
            "location_code", "variant_code", "valuation_date", "cost_is_adjusted"
        )
    )


def mark_adjusted(item):
    Item.objects.filter(pk=item.pk).update(cost_is_adjusted=True)
    AvgCostAdjmtEntryPoint.objects.filter(item=item).update(cost_is_adjusted=True)


POSTINGS = {
    "purchase": lambda item, p: purchase(item, 1, 10, day(2, 1)),
    "sale": lambda item, p: sale(item, 1, day(2, 1)),
    "negative adjustment": lambda item, p: post_one("negative_adjmt", item, 1, day(2, 1)),
    "invoice": lambda item, p: item_ledger_entry_invoice(
        entry_no=p.pk, posting_date=day(2, 1), quantity=D(1), unit_cost=D(11)
    ),
    "item charge": lambda item, p: item_charge_assign(
        entry_no=p.pk, posting_date=day(2, 1), amount=D(3)
    ),
    "revaluation": lambda item, p: revaluation_journal_post(
        lines=[RevaluationLine(item_no=item.no, posting_date=day(2, 1), unit_cost_revalued=D(8))]
    ),
}


@pytest.mark.parametrize("posting", list(POSTINGS))
def test_every_posting_marks_the_items_cost_as_not_adjusted(posting):
    item = make_item()
    purchase(item, 5, 10, day(1, 1))
    p = purchase(item, 5, 10, day(1, 2), invoiced=False)
    if posting == "item charge":
        p = purchase(item, 1, 10, day(1, 3))
    mark_adjusted(item)
    assert fresh_item(item).cost_is_adjusted is True
    POSTINGS[posting](item, p)
    assert fresh_item(item).cost_is_adjusted is False


def test_a_new_item_starts_adjusted_and_its_first_posting_unmarks_it():
    item = make_item()
    assert fresh_item(item).cost_is_adjusted is True
    purchase(item, 1, 10, day(1, 1))
    assert fresh_item(item).cost_is_adjusted is False


def test_a_posting_leaves_other_items_adjusted():
    item = make_item("A")
    other = make_item("B")
    purchase(item, 1, 10, day(1, 1))
    assert fresh_item(other).cost_is_adjusted is True


def test_an_average_item_gets_an_entry_point_per_day_by_default():
    item = make_item("AVG", "average")
    purchase(item, 5, 10, day(1, 10))
    sale(item, 2, day(1, 12))
    # Average cost period Day: each valuation date is its own period end.
    assert entry_points(item) == [
        ("", "", day(1, 10), False),
        ("", "", day(1, 12), False),
    ]


def test_a_monthly_average_gets_one_entry_point_at_the_month_end():
    inventory_setup_update(average_cost_period="month")
    item = make_item("AVG", "average")
    purchase(item, 5, 10, day(1, 10))
    sale(item, 2, day(1, 12))
    purchase(item, 1, 10, day(2, 3))
    assert entry_points(item) == [
        ("", "", day(1, 31), False),
        ("", "", day(2, 28), False),
    ]


def test_with_calc_type_item_the_entry_point_has_no_location_or_variant():
    make_location("BLUE")
    item = make_item("AVG", "average")
    ItemVariant.objects.create(item=item, code="V1")
    purchase(item, 5, 10, day(1, 10), location_code="BLUE", variant_code="V1")
    assert entry_points(item) == [("", "", day(1, 10), False)]


def test_with_calc_type_item_location_variant_the_entry_point_names_them():
    inventory_setup_update(average_cost_calc_type="item_location_variant")
    make_location("BLUE")
    item = make_item("AVG", "average")
    ItemVariant.objects.create(item=item, code="V1")
    purchase(item, 5, 10, day(1, 10), location_code="BLUE", variant_code="V1")
    assert entry_points(item) == [("BLUE", "V1", day(1, 10), False)]


def test_an_entry_point_follows_the_valuation_date_not_the_posting_date():
    item = make_item("AVG", "average")
    purchase(item, 5, 10, day(1, 10))
    mark_adjusted(item)
    sale(item, 1, day(1, 5))
    # The sale is valued on its source's date, Jan 10 (DOMAIN §4.3 case 3): no Jan 5 point.
    assert entry_points(item) == [("", "", day(1, 10), False)]


def test_an_invoice_marks_the_period_of_the_receipt_it_invoices():
    inventory_setup_update(average_cost_period="month")
    item = make_item("AVG", "average")
    p = purchase(item, 5, 10, day(1, 10), invoiced=False)
    mark_adjusted(item)
    item_ledger_entry_invoice(entry_no=p.pk, posting_date=day(2, 5), quantity=D(5), unit_cost=D(11))
    # The invoice is valued on the receipt's date: January's point, not February's.
    assert entry_points(item) == [("", "", day(1, 31), False)]


def test_a_backdated_posting_reopens_its_period_and_every_later_one_of_the_item():
    inventory_setup_update(average_cost_period="month")
    item = make_item("AVG", "average")
    other = make_item("OTHER", "average")
    for month in (1, 2, 3):
        purchase(item, 1, 10, day(month, 10))
    purchase(other, 1, 10, day(3, 10))
    mark_adjusted(item)
    mark_adjusted(other)
    purchase(item, 1, 10, day(2, 15))
    # February's point and March's after it go back to not adjusted; January's stays adjusted;
    # the other item's points are untouched.
    assert entry_points(item) == [
        ("", "", day(1, 31), True),
        ("", "", day(2, 28), False),
        ("", "", day(3, 31), False),
    ]
    assert entry_points(other) == [("", "", day(3, 31), True)]


def test_items_not_valued_at_average_get_no_entry_points():
    item = make_item("FIFO", "fifo")
    purchase(item, 5, 10, day(1, 10))
    sale(item, 1, day(1, 12))
    assert entry_points(item) == []
