"""Quantity application at posting (DOMAIN §3, §5): which inbound entries an outbound entry uses,
the application entries that record it, and the cost the outbound entry takes from them."""

from __future__ import annotations

from inventory.models import ItemVariant, ValueEntryType
from inventory.services import production_order_create
from tests.inventory.helpers import (
    D,
    applications_of,
    cost_actual,
    cost_expected,
    day,
    fresh,
    inventory_quantity,
    inventory_value,
    line,
    make_item,
    make_location,
    post,
    post_one,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def three_receipts(item):
    """DOMAIN §3 reference example: three single-unit receipts at 10, 20 and 30."""
    return [purchase(item, 1, cost, day(1, 1)) for cost in (10, 20, 30)]


def test_fifo_issues_the_three_receipts_in_the_order_they_came_in():
    item = make_item("FIFO", "fifo")
    p1, p2, p3 = three_receipts(item)
    sales = [sale(item, 1, day(2, n)) for n in (1, 2, 3)]
    # DOMAIN §3: FIFO issues -10, -20, -30.
    assert [cost_actual(s) for s in sales] == [D("-10"), D("-20"), D("-30")]
    assert [applications_of(s) for s in sales] == [
        [(p1.pk, sales[0].pk, D("-1"), False)],
        [(p2.pk, sales[1].pk, D("-1"), False)],
        [(p3.pk, sales[2].pk, D("-1"), False)],
    ]
    # The final quantity and value are both 0 (60 in, 10 + 20 + 30 out).
    assert inventory_quantity(item) == 0
    assert inventory_value(item) == 0


def test_lifo_issues_the_most_recent_receipt_first():
    item = make_item("LIFO", "lifo")
    p1, p2, p3 = three_receipts(item)
    sales = [sale(item, 1, day(2, n)) for n in (1, 2, 3)]
    # DOMAIN §3: LIFO issues -30, -20, -10 (same date: the highest entry number is the newest).
    assert [cost_actual(s) for s in sales] == [D("-30"), D("-20"), D("-10")]
    assert [applications_of(s)[0][0] for s in sales] == [p3.pk, p2.pk, p1.pk]
    assert inventory_value(item) == 0


def test_specific_issues_exactly_the_receipt_each_sale_names():
    item = make_item("SPEC", "specific")
    p1, p2, p3 = three_receipts(item)
    sales = [
        sale(item, 1, day(2, 1), applies_to_entry=p2.pk),
        sale(item, 1, day(2, 2), applies_to_entry=p1.pk),
        sale(item, 1, day(2, 3), applies_to_entry=p3.pk),
    ]
    # DOMAIN §3: fixed application to entries 2, 1, 3 issues -20, -10, -30.
    assert [cost_actual(s) for s in sales] == [D("-20"), D("-10"), D("-30")]
    assert [applications_of(s) for s in sales] == [
        [(p2.pk, sales[0].pk, D("-1"), False)],
        [(p1.pk, sales[1].pk, D("-1"), False)],
        [(p3.pk, sales[2].pk, D("-1"), False)],
    ]
    assert [fresh(s).applies_to_entry_id for s in sales] == [p2.pk, p1.pk, p3.pk]
    assert inventory_quantity(item) == 0
    assert inventory_value(item) == 0


def test_a_fixed_application_overrides_fifo_on_a_fifo_item():
    item = make_item()
    p1 = purchase(item, 5, 10, day(1, 1))
    p2 = purchase(item, 5, 20, day(1, 2))
    s = sale(item, 2, day(1, 3), applies_to_entry=p2.pk)
    # The named entry (20 each), not the oldest one: 2 x 20 = 40.
    assert cost_actual(s) == D("-40")
    assert applications_of(s) == [(p2.pk, s.pk, D("-2"), False)]
    assert fresh(p1).remaining_quantity == 5
    assert fresh(p2).remaining_quantity == 3  # 5 - 2


def test_an_inbound_entry_records_its_own_application_with_its_full_quantity():
    item = make_item()
    p = purchase(item, 7, 10, day(1, 1))
    assert applications_of(p) == [(p.pk, None, D("7"), False)]
    assert p.remaining_quantity == 7
    assert p.open is True
    assert p.positive is True


def test_a_sale_spread_over_two_receipts_takes_each_ones_cost_pro_rata():
    item = make_item()
    p1 = purchase(item, 3, 10, day(1, 1))
    p2 = purchase(item, 5, 20, day(1, 2))
    s = sale(item, 5, day(1, 3))
    # 3 from the first at 10 (30) + 2 from the second at 20 (40) = 70.
    assert cost_actual(s) == D("-70")
    assert cost_expected(s) == 0
    assert applications_of(s) == [(p1.pk, s.pk, D("-3"), False), (p2.pk, s.pk, D("-2"), False)]
    p1, p2, s = fresh(p1), fresh(p2), fresh(s)
    assert (p1.remaining_quantity, p1.open) == (0, False)
    assert (p2.remaining_quantity, p2.open) == (3, True)  # 5 - 2
    assert (s.remaining_quantity, s.open) == (0, False)
    # On hand: 8 - 5 = 3, worth 30 + 100 - 70 = 60.
    assert inventory_quantity(item) == 3
    assert inventory_value(item) == D("60")


def test_fifo_takes_the_earliest_posting_date_first_even_when_it_was_posted_later():
    item = make_item()
    later_dated = purchase(item, 1, 10, day(1, 5))
    earlier_dated = purchase(item, 1, 20, day(1, 1))  # higher entry number, earlier date
    s = sale(item, 1, day(1, 10))
    # Oldest by posting date is the Jan 1 receipt at 20.
    assert cost_actual(s) == D("-20")
    assert applications_of(s)[0][0] == earlier_dated.pk
    assert fresh(later_dated).remaining_quantity == 1


def test_fifo_takes_the_lower_entry_number_first_on_the_same_posting_date():
    item = make_item()
    first = purchase(item, 1, 15, day(1, 1))
    purchase(item, 1, 25, day(1, 1))
    s = sale(item, 1, day(1, 2))
    assert applications_of(s)[0][0] == first.pk
    assert cost_actual(s) == D("-15")


def test_lifo_takes_the_latest_posting_date_first_even_when_it_was_posted_earlier():
    item = make_item("LIFO", "lifo")
    later_dated = purchase(item, 1, 10, day(1, 5))
    purchase(item, 1, 20, day(1, 1))
    s = sale(item, 1, day(1, 10))
    # Newest by posting date is the Jan 5 receipt at 10.
    assert applications_of(s)[0][0] == later_dated.pk
    assert cost_actual(s) == D("-10")


def test_average_items_apply_quantity_oldest_first_and_are_valued_by_average_cost():
    item = make_item("AVG", "average")
    p1 = purchase(item, 2, 10, day(1, 1))
    p2 = purchase(item, 2, 30, day(1, 2))
    s = sale(item, 3, day(1, 3))
    # DOMAIN §3/§5: quantity application for Average is made FIFO.
    assert applications_of(s) == [(p1.pk, s.pk, D("-2"), False), (p2.pk, s.pk, D("-1"), False)]
    (value,) = values_of(s)
    assert value.valued_by_average_cost is True
    assert fresh(p2).remaining_quantity == 1


def test_application_stays_within_the_same_location():
    item = make_item()
    make_location("BLUE")
    make_location("RED")
    blue = purchase(item, 5, 10, day(1, 1), location_code="BLUE")
    red = purchase(item, 5, 12, day(1, 2), location_code="RED")
    s = sale(item, 3, day(1, 3), location_code="RED")
    # Only the RED receipt: 3 x 12 = 36, although BLUE's is older.
    assert applications_of(s) == [(red.pk, s.pk, D("-3"), False)]
    assert cost_actual(s) == D("-36")
    assert fresh(blue).remaining_quantity == 5
    assert fresh(red).remaining_quantity == 2


def test_application_stays_within_the_same_variant():
    item = make_item()
    ItemVariant.objects.create(item=item, code="RED")
    plain = purchase(item, 5, 10, day(1, 1))
    red = purchase(item, 5, 14, day(1, 2), variant_code="RED")
    s = sale(item, 2, day(1, 3), variant_code="RED")
    # Only the RED variant's receipt: 2 x 14 = 28.
    assert applications_of(s) == [(red.pk, s.pk, D("-2"), False)]
    assert cost_actual(s) == D("-28")
    assert fresh(plain).remaining_quantity == 5
    assert fresh(s).variant_code == "RED"


def test_an_outbound_value_entry_is_direct_cost_for_the_whole_quantity():
    item = make_item()
    purchase(item, 10, 10, day(1, 1))
    s = sale(item, 4, day(1, 3), unit_price=D("25"))
    (value,) = values_of(s)
    assert value.entry_type == ValueEntryType.DIRECT_COST
    assert value.valued_quantity == -4
    assert value.item_ledger_entry_quantity == -4
    assert value.invoiced_quantity == -4
    assert value.cost_amount_actual == D("-40")  # 4 x 10
    assert value.sales_amount_actual == D("100")  # 4 x 25
    assert value.posting_date == day(1, 3)
    assert value.valuation_date == day(1, 3)
    assert value.expected_cost is False
    s = fresh(s)
    assert (s.quantity, s.invoiced_quantity, s.positive) == (-4, -4, False)


def test_an_outbound_dated_before_the_receipt_it_uses_is_valued_on_the_receipts_date():
    item = make_item()
    purchase(item, 5, 10, day(1, 10))
    s = sale(item, 1, day(1, 5))
    # DOMAIN §4.3 case 3: posting date (Jan 5) earlier than the applied entry's valuation
    # date (Jan 10) -> valuation date Jan 10.
    (value,) = values_of(s)
    assert value.posting_date == day(1, 5)
    assert value.valuation_date == day(1, 10)


def test_an_outbound_dated_after_the_receipt_it_uses_is_valued_on_its_own_date():
    item = make_item()
    purchase(item, 5, 10, day(1, 10))
    s = sale(item, 1, day(2, 1))
    # DOMAIN §4.3 case 2.
    assert values_of(s)[0].valuation_date == day(2, 1)


def test_a_negative_adjustment_applies_like_a_sale():
    item = make_item()
    p = purchase(item, 4, 12, day(1, 1))
    n = post_one("negative_adjmt", item, 3, day(1, 2))
    assert n.quantity == -3
    assert applications_of(n) == [(p.pk, n.pk, D("-3"), False)]
    assert cost_actual(n) == D("-36")  # 3 x 12
    assert fresh(p).remaining_quantity == 1


def test_a_positive_adjustment_comes_in_at_the_lines_unit_cost():
    item = make_item()
    a = post_one("positive_adjmt", item, 4, day(1, 1), unit_cost=D("2.5"))
    assert a.quantity == 4
    assert cost_actual(a) == D("10")  # 4 x 2.50
    assert applications_of(a) == [(a.pk, None, D("4"), False)]


def test_consumption_and_output_are_posted_against_their_order():
    item = make_item()
    finished = make_item("FG")
    production_order_create(no="PO-1", item_no="FG", quantity=D(2))
    component = purchase(item, 10, 3, day(1, 1))
    consumption = post_one("consumption", item, 4, day(1, 2), order_no="PO-1")
    output = post_one("output", finished, 2, day(1, 3), unit_cost=D("8"), order_no="PO-1")
    assert consumption.quantity == -4
    assert consumption.order_no == "PO-1"
    assert applications_of(consumption) == [(component.pk, consumption.pk, D("-4"), False)]
    assert cost_actual(consumption) == D("-12")  # 4 x 3
    assert output.quantity == 2
    assert output.order_no == "PO-1"
    # Expected cost until the order is finished and adjusted (DOMAIN §6.6): 2 x 8.
    assert (cost_actual(output), cost_expected(output)) == (D("0"), D("16"))
    assert output.invoiced_quantity == 0 and not output.completely_invoiced
    assert values_of(output)[0].order_no == "PO-1"


def test_a_sale_later_in_the_same_journal_applies_to_a_purchase_earlier_in_it():
    item = make_item()
    p, s = post(
        line("purchase", item, 5, day(1, 1), unit_cost=10),
        line("sale", item, 2, day(1, 2)),
    )
    assert applications_of(s) == [(p.pk, s.pk, D("-2"), False)]
    assert fresh(p).remaining_quantity == 3  # 5 - 2
    assert fresh(s).remaining_quantity == 0
    assert fresh(s).open is False


def test_a_sale_in_a_journal_uses_both_existing_stock_and_a_purchase_posted_above_it():
    item = make_item()
    old = purchase(item, 5, 10, day(1, 1))
    new, s = post(
        line("purchase", item, 5, day(1, 2), unit_cost=20),
        line("sale", item, 7, day(1, 4)),
    )
    # 5 from the old receipt at 10 (50) + 2 from the new one at 20 (40) = 90.
    assert cost_actual(s) == D("-90")
    assert applications_of(s) == [(old.pk, s.pk, D("-5"), False), (new.pk, s.pk, D("-2"), False)]
    assert fresh(new).remaining_quantity == 3
    assert fresh(s).open is False
