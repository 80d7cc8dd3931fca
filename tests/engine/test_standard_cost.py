"""Standard cost (DOMAIN §3, §9): increases are valued at the standard cost, the difference to
the purchase price goes to a Purchase variance entry, and decreases go out at standard. Purchase
prices, late invoices and item charges change the variance, never what the sales carry; a
revaluation does reach them."""

from costing.engine.types import DIRECT, VARIANCE
from tests.engine.builders import D, Ledger


def bought_below_standard():
    """DOMAIN §9: standard 100, bought at 90, then a charge of 20."""
    ledger = Ledger("standard", standard_cost=100)
    p1 = ledger.purchase("2020-01-01", 1, 90)
    s2 = ledger.sale("2020-01-10", 1)
    ledger.item_charge(p1, "2020-02-01", 20)
    return ledger, p1, s2


def invoiced_late_at_another_price():
    ledger = Ledger("standard", standard_cost=15)
    p1 = ledger.purchase("2020-01-01", 2, 10, invoiced=False)  # expected 2 * 15 = 30
    s2 = ledger.sale("2020-01-10", 1)  # -15
    ledger.invoice(p1, "2020-01-20", unit_cost=12)  # direct 24, expected -30, variance +6
    return ledger, p1, s2


def revalued_before_a_later_dated_sale():
    ledger = Ledger("standard", standard_cost=100)
    p1 = ledger.purchase("2020-01-01", 2, 100)
    s2 = ledger.sale("2020-04-01", 1)  # posted at 100
    ledger.revaluation(p1, "2020-03-01", -60, 2)  # both units on Mar 1: 100 -> 70
    return ledger, p1, s2


SCENARIOS = [
    bought_below_standard,
    invoiced_late_at_another_price,
    revalued_before_a_later_dated_sale,
]


def test_a_purchase_is_valued_at_standard_with_the_difference_as_purchase_variance():
    ledger = Ledger("standard", standard_cost=15)
    p1 = ledger.purchase("2020-01-01", 3, 10)
    # Direct 30, variance 3 * 15 - 30 = 15: the receipt carries 45 = 3 * 15.
    assert [v.actual for v in ledger.values_of(p1, DIRECT)] == [D(30)]
    assert [v.actual for v in ledger.values_of(p1, VARIANCE)] == [D(15)]
    sales = [ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4)]
    plan = ledger.adjust()
    # DOMAIN §3: Standard (at 15) issues -15 each; nothing to adjust.
    assert [ledger.cost(s) for s in sales] == [D(-15)] * 3
    assert plan.new_values == []


def test_an_item_charge_on_a_standard_receipt_changes_the_variance_not_the_sale():
    ledger, p1, s2 = bought_below_standard()
    plan = ledger.adjust()
    # Receipt: direct 90 + variance 10 + charge 20 + variance -20 = 100, still the standard.
    assert ledger.cost(p1) == D(100)
    # Variance entries: +10 then -20, net -10 (Purchase Variance account net +10, DOMAIN §9).
    assert sum(v.actual for v in ledger.values_of(p1, VARIANCE)) == D(-10)
    assert ledger.cost(s2) == D(-100)
    assert plan.new_values == []


def test_a_late_invoice_at_another_price_changes_no_sale():
    ledger, p1, s2 = invoiced_late_at_another_price()
    plan = ledger.adjust()
    # Receipt: expected 30 - 30 released + direct 24 + variance 6 = 30 = 2 * 15.
    assert (ledger.actual(p1), ledger.expected(p1)) == (D(30), D(0))
    assert ledger.cost(s2) == D(-15)
    assert plan.new_values == []


def test_a_revaluation_of_a_standard_receipt_reaches_a_sale_dated_after_it():
    ledger, p1, s2 = revalued_before_a_later_dated_sale()
    ledger.adjust()
    # 200 - 60 = 140 for 2 units = 70; the sale (dated Apr 1, after Mar 1) takes 70.
    assert ledger.cost(s2) == D(-70)
    assert ledger.inventory() == (1, D(70))
