"""Negative inventory (DOMAIN §1.3, §5): an outbound entry that finds too little to apply to stays
open with negative remaining quantity, is valued at the item's unit cost for the part it could not
apply, and the next inbound entry of the same item, location and variant applies to it."""

from __future__ import annotations

from tests.inventory.helpers import (
    D,
    applications_of,
    cost_actual,
    day,
    fresh,
    fresh_item,
    inventory_quantity,
    inventory_value,
    line,
    make_item,
    make_location,
    post,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def test_a_sale_with_nothing_on_hand_stays_open_at_the_items_unit_cost():
    item = make_item(unit_cost=D("7"))
    s = sale(item, 3, day(1, 1))
    # Nothing to apply: 3 x unit cost 7 = 21.
    assert cost_actual(s) == D("-21")
    assert (s.remaining_quantity, s.open) == (-3, True)
    assert applications_of(s) == []
    # Valued on its own posting date when it makes inventory negative (DOMAIN §4.3).
    assert values_of(s)[0].valuation_date == day(1, 1)


def test_a_sale_beyond_stock_uses_what_there_is_and_the_unit_cost_for_the_rest():
    item = make_item()
    p1 = purchase(item, 2, 10, day(1, 1))
    p2 = purchase(item, 2, 16, day(1, 2))
    # Unit cost now (20 + 32) / 4 = 13.
    assert fresh_item(item).unit_cost == D("13")
    s = sale(item, 6, day(1, 3))
    # 2 x 10 + 2 x 16 + (6 - 4) x 13 = 20 + 32 + 26 = 78.
    assert cost_actual(s) == D("-78")
    assert applications_of(s) == [(p1.pk, s.pk, D("-2"), False), (p2.pk, s.pk, D("-2"), False)]
    assert (s.remaining_quantity, s.open) == (-2, True)
    # On hand 4 - 6 = -2, worth 52 - 78 = -26; the unit cost keeps its last good value.
    assert inventory_quantity(item) == -2
    assert inventory_value(item) == D("-26")
    assert fresh_item(item).unit_cost == D("13")


def test_the_next_purchase_applies_to_the_open_sale_and_is_marked_for_adjustment():
    item = make_item(unit_cost=D("10"))
    s = sale(item, 2, day(1, 1))  # -20 at unit cost 10
    p = purchase(item, 5, 20, day(1, 2))
    # The purchase's own record, then its use by the waiting sale.
    assert applications_of(p) == [(p.pk, None, D("5"), False), (p.pk, s.pk, D("-2"), False)]
    s, p = fresh(s), fresh(p)
    assert (s.remaining_quantity, s.open) == (0, False)
    assert (p.remaining_quantity, p.open) == (3, True)  # 5 - 2
    assert p.applied_entry_to_adjust is True
    # The sale keeps its posting cost until cost adjustment runs.
    assert cost_actual(s) == D("-20")
    # On hand 3, worth -20 + 100 = 80 -> unit cost 80 / 3 = 26.66667.
    assert fresh_item(item).unit_cost == D("26.66667")


def test_a_purchase_covers_several_open_outbound_entries_oldest_first():
    item = make_item(unit_cost=D("1"))
    first = sale(item, 2, day(1, 2))
    second = sale(item, 3, day(1, 3))
    p = purchase(item, 4, 5, day(1, 4))
    assert applications_of(p) == [
        (p.pk, None, D("4"), False),
        (p.pk, first.pk, D("-2"), False),
        (p.pk, second.pk, D("-2"), False),  # 4 - 2 = 2 left for the second sale
    ]
    assert fresh(first).open is False
    assert (fresh(second).remaining_quantity, fresh(second).open) == (-1, True)  # -3 + 2
    assert (fresh(p).remaining_quantity, fresh(p).open) == (0, False)


def test_a_purchase_at_another_location_leaves_the_open_sale_alone():
    item = make_item(unit_cost=D("4"))
    make_location("BLUE")
    make_location("RED")
    s = sale(item, 2, day(1, 1), location_code="BLUE")
    p = purchase(item, 5, 4, day(1, 2), location_code="RED")
    assert applications_of(p) == [(p.pk, None, D("5"), False)]
    assert fresh(s).remaining_quantity == -2
    assert fresh(p).remaining_quantity == 5
    assert fresh(p).applied_entry_to_adjust is False


def test_a_purchase_later_in_the_same_journal_covers_a_sale_that_went_negative_above_it():
    item = make_item(unit_cost=D("10"))
    s, p = post(
        line("sale", item, 3, day(1, 3)),
        line("purchase", item, 5, day(1, 4), unit_cost=10),
    )
    assert applications_of(p) == [(p.pk, None, D("5"), False), (p.pk, s.pk, D("-3"), False)]
    assert fresh(s).open is False
    assert fresh(p).remaining_quantity == 2  # 5 - 3
