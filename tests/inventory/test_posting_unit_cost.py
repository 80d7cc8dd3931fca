"""The item's unit cost after each posting (DOMAIN §1.2, §17): (actual + expected cost) / quantity
on hand for non-Standard items, kept when nothing is on hand, never replaced by zero."""

from __future__ import annotations

from inventory.services import RevaluationLine, item_ledger_entry_invoice, revaluation_journal_post
from tests.inventory.helpers import (
    D,
    day,
    fresh_item,
    inventory_quantity,
    inventory_value,
    make_item,
    make_location,
    post_one,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
)


def test_the_item_card_example_gives_757_20():
    item = make_item()
    first = purchase(item, 10, 750, day(1, 1), invoiced=False)  # 7,500 expected
    item_ledger_entry_invoice(
        entry_no=first.pk, posting_date=day(1, 10), quantity=D(10), unit_cost=D(755)
    )  # 7,550 actual, -7,500 expected
    purchase(item, 10, "906.14", day(1, 15))  # 9,061.40 actual
    purchase(item, 4, "390.35", day(1, 20), invoiced=False)  # 1,561.40 expected
    # DOMAIN §17: 24 on hand, actual 7,550 + 9,061.40 = 16,611.40, expected 1,561.40;
    # (16,611.40 + 1,561.40) / 24 = 18,172.80 / 24 = 757.20.
    assert inventory_quantity(item) == 24
    assert inventory_value(item) == D("18172.80")
    assert fresh_item(item).unit_cost == D("757.20")


def test_the_unit_cost_is_the_average_of_what_is_on_hand_after_a_sale():
    item = make_item()
    purchase(item, 10, 10, day(1, 1))
    purchase(item, 10, 20, day(1, 2))
    assert fresh_item(item).unit_cost == D("15")  # (100 + 200) / 20
    sale(item, 5, day(1, 3))  # FIFO: 5 x 10 = 50
    # (300 - 50) / 15 = 16.666... -> 16.66667.
    assert fresh_item(item).unit_cost == D("16.66667")


def test_the_unit_cost_counts_every_location():
    item = make_item()
    make_location("BLUE")
    make_location("RED")
    purchase(item, 1, 10, day(1, 1), location_code="BLUE")
    purchase(item, 3, 30, day(1, 1), location_code="RED")
    assert fresh_item(item).unit_cost == D("25")  # (10 + 90) / 4


def test_the_unit_cost_is_kept_when_nothing_is_left_on_hand():
    item = make_item()
    purchase(item, 2, 10, day(1, 1))
    sale(item, 2, day(1, 2))
    # 0 on hand, worth 0: the figure means nothing, 10 stays.
    assert inventory_quantity(item) == 0
    assert fresh_item(item).unit_cost == D("10")
    sale(item, 1, day(1, 3))  # -1 on hand at the unit cost 10
    assert inventory_quantity(item) == -1
    assert fresh_item(item).unit_cost == D("10")


def test_a_non_zero_unit_cost_is_not_replaced_by_zero_after_a_revaluation_to_zero():
    item = make_item()
    purchase(item, 1, 10, day(1, 1))
    revaluation_journal_post(
        lines=[RevaluationLine(item_no=item.no, posting_date=day(2, 1), unit_cost_revalued=D(0))]
    )
    # 1 on hand worth 10 - 10 = 0; DOMAIN §1.2: a non-zero unit cost is never replaced by 0.
    assert inventory_value(item) == 0
    assert fresh_item(item).unit_cost == D("10")


def test_a_positive_adjustment_at_zero_cost_lowers_the_unit_cost():
    item = make_item()
    purchase(item, 1, 10, day(1, 1))
    post_one("positive_adjmt", item, 1, day(1, 2), unit_cost=0)
    assert fresh_item(item).unit_cost == D("5")  # (10 + 0) / 2


def test_the_unit_cost_of_a_standard_item_is_its_standard_cost():
    item = make_item("STD", "standard", standard_cost=D("100"))
    purchase(item, 2, 90, day(1, 1))
    sale(item, 1, day(1, 2))
    assert fresh_item(item).unit_cost == D("100")
