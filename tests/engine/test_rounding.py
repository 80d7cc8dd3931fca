"""Rounding (DOMAIN §7). Average carries the residual from decrease to decrease, so no rounding
entry is needed. The other methods value each decrease at its rounded share and, once the
increase is used up and completely invoiced, post one Rounding entry on it (valued quantity 0,
dated like its last invoiced value entry) so that what went out equals what came in."""

from costing.engine.types import DIRECT, ROUNDING
from tests.engine.builders import D, Ledger

# 3 units for 10.00: a unit cost of 3.33333 makes the line amount round to 3 * 3.33333 = 10.00.
THIRD = "3.33333"


def average_three_periods():
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 3, THIRD)
    sales = [ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4)]
    return ledger, sales


def fifo_sold_one_at_a_time(count: int = 3):
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 3, THIRD)
    sales = [ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4)[:count]]
    return ledger, p1, sales


def fifo_receipt_not_invoiced():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 3, THIRD, invoiced=False)  # expected 10.00
    sales = [ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4)]
    return ledger, p1, sales


def transferred_then_sold():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 3, THIRD, location="A")
    out, receipt = ledger.transfer("2020-01-02", 3, "A", "B")
    sales = [ledger.sale(f"2020-0{m}-01", 1, location="B") for m in (2, 3, 4)]
    return ledger, p1, receipt, sales


SCENARIOS = [
    average_three_periods,
    fifo_sold_one_at_a_time,
    lambda: fifo_sold_one_at_a_time(2),
    fifo_receipt_not_invoiced,
    transferred_then_sold,
]


def test_average_carries_the_residual_so_no_rounding_entry_is_needed():
    ledger, sales = average_three_periods()
    plan = ledger.adjust()
    # 10 / 3 = 3.3333 -> 3.33 (residual 0.0033); 6.67 / 2 + 0.0033 = 3.3383 -> 3.34;
    # the last unit takes the 3.33 left.
    assert [ledger.cost(s) for s in sales] == [D("-3.33"), D("-3.34"), D("-3.33")]
    assert all(v.entry_type == DIRECT for v in plan.new_values)
    assert ledger.inventory() == (0, 0)


def test_fifo_posts_one_rounding_entry_on_the_inbound_once_it_is_used_up():
    ledger, p1, sales = fifo_sold_one_at_a_time()
    plan = ledger.adjust()
    # Each sale: 10.00 / 3 = 3.333 -> -3.33; together -9.99. Residual: -(10.00 - 9.99) = -0.01
    # on the purchase, which then carries exactly what went out.
    assert [ledger.cost(s) for s in sales] == [D("-3.33")] * 3
    assert [(v.ile, v.entry_type, v.actual) for v in plan.new_values] == [
        (p1, ROUNDING, D("-0.01"))
    ]
    assert ledger.cost(p1) == D("9.99")
    (rounding,) = ledger.values_of(p1, ROUNDING)
    assert rounding.valued_quantity == 0
    assert ledger.inventory() == (0, 0)


def test_no_rounding_entry_while_the_inbound_is_still_open():
    ledger, p1, sales = fifo_sold_one_at_a_time(2)
    plan = ledger.adjust()
    # 1 unit of the 3 is still on hand, worth 10.00 - 6.66 = 3.34.
    assert plan.new_values == []
    assert ledger.inventory() == (1, D("3.34"))


def test_no_rounding_entry_until_the_inbound_is_completely_invoiced():
    ledger, p1, sales = fifo_receipt_not_invoiced()
    assert ledger.plan().new_values == []  # used up but not invoiced
    invoice = ledger.invoice(p1, "2020-05-01", unit_cost=THIRD)[0]
    plan = ledger.adjust()
    # Invoiced at the same 10.00: the sales stay -3.33 and the residual -0.01 now goes on the
    # purchase, against its last invoiced value entry (DOMAIN §7: dated like it).
    assert [(v.ile, v.entry_type, v.applies_to, v.actual) for v in plan.new_values] == [
        (p1, ROUNDING, invoice, D("-0.01"))
    ]
    assert ledger.inventory() == (0, 0)


def test_a_later_charge_that_divides_evenly_takes_the_rounding_back():
    ledger, p1, sales = fifo_sold_one_at_a_time()
    ledger.adjust()  # rounding -0.01
    ledger.item_charge(p1, "2020-05-01", "0.02")
    plan = ledger.adjust()
    # 10.02 / 3 = 3.34 exactly: each sale -0.01 more, and the rounding entry is undone (+0.01).
    assert [ledger.cost(s) for s in sales] == [D("-3.34")] * 3
    assert sum(v.actual for v in ledger.values_of(p1, ROUNDING)) == 0
    assert sorted(v.actual for v in plan.new_values) == [D("-0.01")] * 3 + [D("0.01")]
    assert ledger.inventory() == (0, 0)


def test_a_transfer_receipt_used_up_takes_the_rounding_of_what_it_passed_on():
    ledger, p1, receipt, sales = transferred_then_sold()
    plan = ledger.adjust()
    # The transfer moved all 10.00; the three sales at B take -3.33 each, so the receipt (the
    # inbound they used) gets the -0.01; the purchase went out whole and needs none.
    assert [ledger.cost(s) for s in sales] == [D("-3.33")] * 3
    assert [(v.ile, v.entry_type, v.actual) for v in plan.new_values] == [
        (receipt, ROUNDING, D("-0.01"))
    ]
    assert ledger.inventory() == (0, 0)
