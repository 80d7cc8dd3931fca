"""Negative inventory (DOMAIN §5): an outbound entry that finds nothing to apply to is posted at
the item's unit cost and stays open; the next inbound entry applies to it and becomes its cost
source. Until then the uncovered part keeps the cost it was posted with."""

from tests.engine.builders import D, Ledger


def covered_later():
    ledger = Ledger("fifo", unit_cost=8)
    s1 = ledger.sale("2020-01-01", 5)  # nothing on hand: 5 * unit cost 8 = -40
    p2 = ledger.purchase("2020-01-05", 5, 10)  # applies to the open sale
    return ledger, s1, p2


def covered_in_two_parts():
    ledger = Ledger("fifo", unit_cost=8)
    s1 = ledger.sale("2020-01-01", 5)
    p2 = ledger.purchase("2020-01-05", 3, 10)
    return ledger, s1, p2


def covered_by_a_transfer():
    ledger = Ledger("fifo", unit_cost=8)
    p1 = ledger.purchase("2020-01-01", 2, 10, location="A")
    s2 = ledger.sale("2020-01-02", 2, location="B")  # nothing at B: 2 * 8 = -16
    out, receipt = ledger.transfer("2020-01-03", 2, "A", "B")  # covers the open sale at B
    ledger.item_charge(p1, "2020-02-01", 1)
    return ledger, s2, out, receipt


SCENARIOS = [covered_later, covered_in_two_parts, covered_by_a_transfer]


def test_an_outbound_posted_before_its_inbound_gets_that_inbounds_cost():
    ledger, s1, p2 = covered_later()
    assert ledger.cost(s1) == D(-40)
    ledger.adjust()
    assert ledger.cost(s1) == D(-50)  # 5 * 10 from the purchase that covered it
    assert ledger.inventory() == (0, 0)


def test_the_uncovered_part_keeps_its_posted_unit_cost_until_an_inbound_covers_it():
    ledger, s1, p2 = covered_in_two_parts()
    ledger.adjust()
    # 3 covered at 10 + 2 still open at the posted 8 = 46.
    assert ledger.cost(s1) == D(-46)
    p3 = ledger.purchase("2020-01-06", 2, 11)
    assert ledger.inventory() == (0, D(6))  # 30 - 46 + 22 until adjusted
    ledger.adjust()
    # Now fully covered: 3 * 10 + 2 * 11 = 52.
    assert ledger.cost(s1) == D(-52)
    assert ledger.cost(p3) == D(22)
    assert ledger.inventory() == (0, 0)


def test_a_transfer_receipt_that_covers_an_open_sale_passes_on_the_original_cost():
    ledger, s2, out, receipt = covered_by_a_transfer()
    ledger.adjust()
    # Purchase 20 + charge 1 = 21 -> transfer -21 / +21 -> the sale at B it covered: -21.
    assert (ledger.cost(out), ledger.cost(receipt)) == (D(-21), D(21))
    assert ledger.cost(s2) == D(-21)
    assert ledger.inventory() == (0, 0)
