"""Average cost (DOMAIN §4): per entry point (the item, or the item at a location and variant)
and per average cost period, every decrease that is not fixed-applied costs the period's
average: opening value plus the period's increases, less its fixed-applied decreases, over the
same quantities. Quantity application is still made FIFO; cost does not follow it."""

import pytest

from tests.engine.builders import D, Ledger

# -- scenarios ---------------------------------------------------------------------------------


def period_example(period: str):
    """DOMAIN §4.5: 1-unit receipts of 20 and 40 and a sale on Jan 1; a sale on Feb 1; a
    receipt of 100 on Feb 2; a sale on Feb 3."""
    ledger = Ledger("average", period=period)
    ledger.purchase("2023-01-01", 1, 20)
    ledger.purchase("2023-01-01", 1, 40)
    s3 = ledger.sale("2023-01-01", 1)
    s4 = ledger.sale("2023-02-01", 1)
    ledger.purchase("2023-02-02", 1, 100)
    s6 = ledger.sale("2023-02-03", 1)
    return ledger, (s3, s4, s6)


def backdated_receipt():
    """DOMAIN §4.4, read as 1-unit entries: receipts of 1 @ 10 (Jan 1) and 1 @ 20 (Jan 2)
    average 15, so issues of 1 on Feb 15 and Feb 16 cost -15 each; a backdated receipt of
    1 @ 21 on Jan 3 makes the average (10 + 20 + 21) / 3 = 17, so both issues become -17."""
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 10)
    ledger.purchase("2020-01-02", 1, 20)
    issues = (ledger.sale("2020-02-15", 1), ledger.sale("2020-02-16", 1))
    return ledger, issues


def credit_memo(fixed: bool, charge=None):
    """DOMAIN §4.6: 1-unit receipts of 200, 1000 (the wrong one) and 100; a purchase credit
    memo of 1, fixed-applied to the 1000 receipt or not; then a sale of 2."""
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 200)
    wrong = ledger.purchase("2020-01-01", 1, 1000)
    ledger.purchase("2020-01-01", 1, 100)
    if charge is not None:
        ledger.item_charge(wrong, "2020-01-01", charge)
    memo = ledger.purchase_return("2020-01-01", 1, applies_to=wrong if fixed else None)
    sale = ledger.sale("2020-01-01", 2)
    return ledger, memo, sale


def two_locations(per_location: bool):
    ledger = Ledger("average", per_location=per_location)
    ledger.purchase("2020-01-01", 1, 10, location="BLUE")
    ledger.purchase("2020-01-01", 1, 20, location="BLUE")
    ledger.purchase("2020-01-01", 1, 30, location="RED")
    ledger.purchase("2020-01-01", 1, 50, location="RED")
    blue = ledger.sale("2020-01-02", 1, location="BLUE")
    red = ledger.sale("2020-01-02", 1, location="RED")
    return ledger, blue, red


def transfer_between_locations(per_location: bool):
    ledger = Ledger("average", per_location=per_location)
    ledger.purchase("2020-01-01", 1, 10, location="BLUE")
    ledger.purchase("2020-01-01", 1, 20, location="BLUE")
    ledger.purchase("2020-01-01", 1, 40, location="RED")
    out, receipt = ledger.transfer("2020-01-02", 1, "BLUE", "RED")
    sale = ledger.sale("2020-01-03", 2, location="RED")
    return ledger, out, receipt, sale


def receipt_later_in_the_period(period: str, first: str, later: str):
    ledger = Ledger("average", period=period)
    ledger.purchase(first, 2, 10)
    sale = ledger.sale(first, 1)
    ledger.purchase(later, 1, 40)
    return ledger, sale


def charge_on_an_earlier_receipt():
    ledger = Ledger("average")
    p1 = ledger.purchase("2020-01-01", 1, 10)
    ledger.purchase("2020-01-01", 1, 30)
    jan = ledger.sale("2020-01-02", 1)
    feb = ledger.sale("2020-02-01", 1)
    ledger.item_charge(p1, "2020-03-01", 4)  # keeps the receipt's valuation date, Jan 1
    return ledger, jan, feb


def sale_not_invoiced():
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 10)
    ledger.purchase("2020-01-01", 1, 30)
    sale = ledger.sale("2020-01-02", 1, invoiced=False)  # expected -10 (FIFO application)
    return ledger, sale


def two_variants():
    ledger = Ledger("average", per_location=True)
    ledger.purchase("2020-01-01", 1, 10, variant="V1")
    ledger.purchase("2020-01-01", 1, 20, variant="V1")
    ledger.purchase("2020-01-01", 1, 40, variant="V2")
    v1 = ledger.sale("2020-01-02", 1, variant="V1")
    v2 = ledger.sale("2020-01-02", 1, variant="V2")
    return ledger, v1, v2


def sold_before_any_stock():
    ledger = Ledger("average", unit_cost=8)
    sale = ledger.sale("2020-01-01", 1)  # nothing on hand: at the unit cost, -8
    ledger.purchase("2020-01-05", 1, 10)  # applies to the open sale
    return ledger, sale


def until_january():
    ledger = Ledger("average", period="month")
    ledger.purchase("2020-01-01", 1, 20)
    ledger.purchase("2020-01-01", 1, 40)
    jan = ledger.sale("2020-01-15", 1)  # FIFO: posted at -20
    ledger.purchase("2020-02-02", 1, 100)
    feb = ledger.sale("2020-02-03", 1)  # FIFO: posted at -40
    return ledger, jan, feb


def sale_larger_than_stock():
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 10)
    sale = ledger.sale("2020-01-05", 2)  # 1 applied at 10 + 1 at the unit cost 10: -20
    return ledger, sale


def return_and_sale_in_one_period():
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 10)
    ledger.purchase("2020-01-01", 1, 30)
    s3 = ledger.sale("2020-01-01", 1)
    r4 = ledger.sales_return("2020-01-01", 1, applies_from=s3)
    s5 = ledger.sale("2020-01-01", 2)
    return ledger, s3, r4, s5


def revaluation_then_later_sale():
    ledger = Ledger("average")
    p1 = ledger.purchase("2020-01-01", 2, 10)
    s2 = ledger.sale("2020-01-15", 1)
    s3 = ledger.sale("2020-02-10", 1)  # posted before the revaluation, dated after it: -10
    ledger.revaluation(p1, "2020-01-31", 2, 1)  # 1 left on Jan 31: 10 -> 12
    return ledger, s2, s3


def revaluation_then_backdated_sale():
    ledger = Ledger("average")
    p1 = ledger.purchase("2020-01-01", 2, 10)
    s2 = ledger.sale("2020-01-15", 1)
    ledger.revaluation(p1, "2020-01-31", 2, 1)  # 1 left on Jan 31: 10 -> 12
    s4 = ledger.sale("2020-01-20", 1)  # posted after the revaluation, dated before it
    return ledger, s2, s4


def resale_of_a_return_from_a_sale_valued_later():
    """A sale of 3 on Jan 1, with 1 @ 0 (Jan 1) and 1 @ 60 (Jan 2) on hand: it uses the Jan 2
    receipt; the unit it is short is covered by a receipt of 1 @ 0 dated Jan 1. Then a return
    of 1 from that sale, and a sale of 1 fixed-applied to the return, both dated Jan 1."""
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 0)
    ledger.purchase("2020-01-02", 1, 60)
    sale = ledger.sale("2020-01-01", 3)
    ledger.purchase("2020-01-01", 1, 0)
    back = ledger.sales_return("2020-01-01", 1, applies_from=sale)
    resold = ledger.sale("2020-01-01", 1, applies_to=back)
    return ledger, sale, back, resold


SCENARIOS = [
    lambda: period_example("day"),
    lambda: period_example("month"),
    backdated_receipt,
    lambda: credit_memo(True),
    lambda: credit_memo(False),
    lambda: credit_memo(True, charge=50),
    lambda: two_locations(False),
    lambda: two_locations(True),
    lambda: transfer_between_locations(False),
    lambda: transfer_between_locations(True),
    lambda: receipt_later_in_the_period("quarter", "2024-01-02", "2024-03-31"),
    until_january,
    revaluation_then_later_sale,
    charge_on_an_earlier_receipt,
    sale_not_invoiced,
    two_variants,
    resale_of_a_return_from_a_sale_valued_later,
]

# -- DOMAIN §4.5 -------------------------------------------------------------------------------


def test_day_periods_value_each_sale_at_its_days_average():
    ledger, (s3, s4, s6) = period_example("day")
    # At posting each sale took the receipt it applied to (FIFO): -20, -40, -100.
    assert [ledger.cost(s) for s in (s3, s4, s6)] == [D(-20), D(-40), D(-100)]
    ledger.adjust()
    # Jan 1: (20 + 40) / 2 = 30. Feb 1: the opening average, 30 left for 1 unit. Feb 3:
    # after the Feb 2 receipt only that receipt is on hand: 100.
    assert [ledger.cost(s) for s in (s3, s4, s6)] == [D(-30), D(-30), D(-100)]
    assert ledger.inventory() == (0, 0)


def test_month_periods_value_both_february_sales_at_the_february_average():
    ledger, (s3, s4, s6) = period_example("month")
    ledger.adjust()
    # January: 30. February: (30 left + 100) / 2 units = 65 each.
    assert [ledger.cost(s) for s in (s3, s4, s6)] == [D(-30), D(-65), D(-65)]
    assert ledger.inventory() == (0, 0)


# -- DOMAIN §4.4 -------------------------------------------------------------------------------


def test_a_backdated_receipt_reopens_the_periods_after_it():
    ledger, issues = backdated_receipt()
    ledger.adjust()
    # (10 + 20) / 2 = 15 for each issue (posted FIFO at -10 and -20).
    assert [ledger.cost(s) for s in issues] == [D(-15), D(-15)]
    ledger.purchase("2020-01-03", 1, 21)
    ledger.adjust()
    # (10 + 20 + 21) / 3 = 17 for each; one unit worth 17 is left.
    assert [ledger.cost(s) for s in issues] == [D(-17), D(-17)]
    assert ledger.inventory() == (1, D(17))


# -- DOMAIN §4.6 -------------------------------------------------------------------------------


def test_a_credit_memo_fixed_applied_to_the_wrong_receipt_reverses_it_exactly():
    ledger, memo, sale = credit_memo(fixed=True)
    ledger.adjust()
    # The memo takes exactly -1000 and leaves the average: the sale of 2 gets 200 + 100.
    assert ledger.cost(memo) == D(-1000)
    assert ledger.cost(sale) == D(-300)
    assert ledger.inventory() == (0, 0)


def test_a_credit_memo_without_fixed_application_takes_the_average():
    ledger, memo, sale = credit_memo(fixed=False)
    ledger.adjust()
    # (200 + 1000 + 100) / 3 = 433.333 -> -433.33; the sale of 2 takes the rest: 866.67.
    assert ledger.cost(memo) == D("-433.33")
    assert ledger.cost(sale) == D("-866.67")
    assert ledger.inventory() == (0, 0)


def test_a_fixed_applied_credit_memo_follows_a_charge_on_its_receipt_and_the_average_does_not():
    ledger, memo, sale = credit_memo(fixed=True, charge=50)
    ledger.adjust()
    # The wrong receipt is now 1000 + 50: the memo reverses 1050; the sale still 200 + 100.
    assert ledger.cost(memo) == D(-1050)
    assert ledger.cost(sale) == D(-300)


# -- calc type ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "per_location, blue_cost, red_cost",
    [
        # Item: (10 + 20 + 30 + 50) / 4 = 27.50 at both locations.
        (False, D("-27.50"), D("-27.50")),
        # Item & Location & Variant: BLUE (10 + 20) / 2 = 15, RED (30 + 50) / 2 = 40.
        (True, D(-15), D(-40)),
    ],
)
def test_the_calc_type_decides_whether_locations_share_one_average(
    per_location, blue_cost, red_cost
):
    ledger, blue, red = two_locations(per_location)
    ledger.adjust()
    assert (ledger.cost(blue), ledger.cost(red)) == (blue_cost, red_cost)


def test_a_transfer_carries_the_average_of_the_location_it_leaves():
    ledger, out, receipt, sale = transfer_between_locations(per_location=True)
    ledger.adjust()
    # BLUE: (10 + 20) / 2 = 15 leaves with the transfer (posted FIFO at 10).
    assert (ledger.cost(out), ledger.cost(receipt)) == (D(-15), D(15))
    # RED on Jan 3: 40 + 15 = 55 for 2 units; the sale of both takes 55.
    assert ledger.cost(sale) == D(-55)
    assert ledger.inventory("BLUE") == (1, D(15))
    assert ledger.inventory("RED") == (0, 0)


def test_with_one_average_per_item_a_transfer_moves_value_at_the_item_average():
    ledger, out, receipt, sale = transfer_between_locations(per_location=False)
    ledger.adjust()
    # Jan 1: 10 + 20 + 40 = 70 for 3 units. The transfer: 70 / 3 = 23.33 out and in.
    assert (ledger.cost(out), ledger.cost(receipt)) == (D("-23.33"), D("23.33"))
    # Jan 3: still 70 for 3 units; the sale of 2 takes 70 * 2 / 3 = 46.67.
    assert ledger.cost(sale) == D("-46.67")
    assert ledger.inventory() == (1, D("23.33"))


def test_with_one_average_per_location_and_variant_variants_do_not_share_an_average():
    ledger, v1, v2 = two_variants()
    ledger.adjust()
    # V1: (10 + 20) / 2 = 15 (posted FIFO at 10); V2: 40.
    assert (ledger.cost(v1), ledger.cost(v2)) == (D(-15), D(-40))


# -- average cost periods ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "period, first, same_period, next_period",
    [
        ("day", "2024-01-02", "2024-01-02", "2024-01-03"),
        ("week", "2024-01-02", "2024-01-07", "2024-01-08"),  # Tue; Sun ends the week; Mon
        ("month", "2024-01-02", "2024-01-31", "2024-02-01"),
        ("quarter", "2024-01-02", "2024-03-31", "2024-04-01"),
        ("year", "2024-01-02", "2024-12-31", "2025-01-01"),
    ],
)
def test_a_receipt_later_in_the_same_period_counts_in_the_average_and_one_after_it_does_not(
    period, first, same_period, next_period
):
    # 2 @ 10 and a sale of 1 on `first`, then 1 @ 40.
    ledger, sale = receipt_later_in_the_period(period, first, same_period)
    ledger.adjust()
    assert ledger.cost(sale) == D(-20)  # same period: (20 + 40) / 3
    ledger, sale = receipt_later_in_the_period(period, first, next_period)
    ledger.adjust()
    assert ledger.cost(sale) == D(-10)  # next period: 20 / 2


def test_an_item_charge_on_an_earlier_receipt_reaches_every_later_period():
    ledger, jan, feb = charge_on_an_earlier_receipt()
    ledger.adjust()
    # Jan 1 is now (10 + 4 + 30) / 2 = 22: the Jan 2 sale -22, and Feb 1 the 22 left.
    assert (ledger.cost(jan), ledger.cost(feb)) == (D(-22), D(-22))
    assert ledger.inventory() == (0, 0)


def test_an_average_sale_not_yet_invoiced_is_adjusted_in_expected_cost():
    ledger, sale = sale_not_invoiced()
    ledger.adjust()
    # (10 + 30) / 2 = 20, nothing invoiced: expected -10 -> -20, actual stays 0.
    assert (ledger.actual(sale), ledger.expected(sale)) == (D(0), D(-20))


# -- until date --------------------------------------------------------------------------------


def test_adjusting_until_a_date_leaves_later_periods_and_says_the_item_is_not_done():
    ledger, jan, feb = until_january()
    plan = ledger.adjust(until="2020-01-31")
    # January: (20 + 40) / 2 = 30, posted at 20 -> -10. February waits (it should be
    # (30 + 100) / 2 = 65, posted at 40), so the plan is not complete.
    assert [(v.ile, v.actual) for v in plan.new_values] == [(jan, D(-10))]
    assert plan.complete is False
    assert (ledger.cost(jan), ledger.cost(feb)) == (D(-30), D(-40))
    again = ledger.plan(until="2020-01-31")
    assert again.new_values == [] and again.complete is False
    plan = ledger.adjust()
    assert plan.complete is True
    assert (ledger.cost(jan), ledger.cost(feb)) == (D(-30), D(-65))


def test_adjusting_until_a_date_after_every_period_is_complete():
    ledger, jan, feb = until_january()
    plan = ledger.adjust(until="2020-02-29")
    assert plan.complete is True
    assert (ledger.cost(jan), ledger.cost(feb)) == (D(-30), D(-65))


# -- revaluation -------------------------------------------------------------------------------


def test_an_average_revaluation_reaches_the_decreases_dated_after_its_period():
    ledger, s2, s3 = revaluation_then_later_sale()
    ledger.adjust()
    # Jan 15: (10 + 10) / 2 = 10. Jan 31: the 1 left is revalued 10 -> 12. Feb 10: 12.
    assert (ledger.cost(s2), ledger.cost(s3)) == (D(-10), D(-12))
    assert ledger.inventory() == (0, 0)


def test_an_average_sale_backdated_before_a_revaluation_picks_up_the_revalued_cost():
    ledger, s2, s4 = revaluation_then_backdated_sale()
    # At posting it took the revalued cost of what it used (10 + 2) and, §4.3 case 3, the
    # revaluation's valuation date Jan 31.
    assert ledger.cost(s4) == D(-12)
    ledger.adjust()
    # DOMAIN §4.3: "a sale posted on Feb 1 after a Mar 1 revaluation of its source gets
    # valuation date Mar 1, so it picks up the revalued cost": the last unit, 10 + 2 = 12.
    assert (ledger.cost(s2), ledger.cost(s4)) == (D(-10), D(-12))
    assert ledger.inventory() == (0, 0)  # DOMAIN §3: the final value is always 0


# -- negative inventory and decreases beyond what is on hand ----------------------------


def test_an_average_sale_larger_than_the_stock_is_valued_at_the_average_for_every_unit():
    ledger, sale = sale_larger_than_stock()
    assert ledger.cost(sale) == D(-20)  # at posting: 10 applied + 10 at the unit cost
    ledger.adjust()
    # DOMAIN §4.2 step 5: every decrease of the period at the average, here 10 / 1 = 10:
    # 2 units -> -20 (posting already had it right).
    assert ledger.cost(sale) == D(-20)


def test_an_average_return_counts_for_the_sales_after_it_in_the_same_period():
    ledger, s3, r4, s5 = return_and_sale_in_one_period()
    ledger.adjust()
    # Jan 1: (10 + 30) / 2 = 20. The sale of 1 takes 20, its return brings back 20 (§4.2
    # step 6), which leaves the average at 20: the sale of 2 takes 40, nothing is left.
    assert (ledger.cost(s3), ledger.cost(r4)) == (D(-20), D(20))
    assert ledger.cost(s5) == D(-40)
    assert ledger.inventory() == (0, 0)


def test_an_average_sale_made_before_any_stock_takes_the_cost_of_the_receipt_that_covers_it():
    ledger, sale = sold_before_any_stock()
    ledger.adjust()
    # DOMAIN §5: the next increase applies to the open decrease and is its cost source; §4.3:
    # its valuation date moves to that increase's (Jan 5), where the average is 10 / 1 = 10.
    assert ledger.cost(sale) == D(-10)
    assert ledger.inventory() == (0, 0)  # DOMAIN §3: the final value is always 0


def test_a_sale_fixed_applied_to_a_return_is_valued_where_the_return_is():
    ledger, sale, back, resold = resale_of_a_return_from_a_sale_valued_later()
    ledger.adjust()
    # DOMAIN §4.3: the sale used the Jan 2 receipt, so it is valued on Jan 2; the return takes
    # its cost from the sale, so it is valued there too, and so is the sale fixed-applied to
    # the return. Jan 1: 2 @ 0. Jan 2: (0 + 60) / 3 = 20; the sale of 3 takes all 60, the
    # return brings 1 back at 20 (§4.2 step 6) and the resale takes those 20.
    assert (ledger.cost(sale), ledger.cost(back), ledger.cost(resold)) == (D(-60), D(20), D(-20))
    assert ledger.inventory() == (0, 0)
