"""Transfers (DOMAIN §5): the inbound transfer entry takes the cost of the outbound one, which
traces back to the original receipt (non-Average), over any number of hops."""

import sys

from tests.engine.builders import D, Ledger


def one_hop():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 2, 10, location="A")
    out, receipt = ledger.transfer("2020-01-02", 2, "A", "B")
    ledger.item_charge(p1, "2020-02-01", 4)
    return ledger, p1, out, receipt


def three_hops():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 2, 10, location="A")
    hops = [
        ledger.transfer("2020-01-02", 2, "A", "B"),
        ledger.transfer("2020-01-03", 2, "B", "C"),
        ledger.transfer("2020-01-04", 2, "C", "D"),
    ]
    sale = ledger.sale("2020-01-05", 2, location="D")
    ledger.item_charge(p1, "2020-02-01", 4)
    return ledger, p1, hops, sale


def part_transferred():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 4, 10, location="A")
    out, receipt = ledger.transfer("2020-01-02", 1, "A", "B")
    sale_a = ledger.sale("2020-01-03", 3, location="A")
    sale_b = ledger.sale("2020-01-03", 1, location="B")
    ledger.item_charge(p1, "2020-02-01", 8)
    return ledger, out, receipt, sale_a, sale_b


def long_chain(hops: int = 2000):
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 1, 10, location="A")
    here, there = "A", "B"
    transfers = []
    for _ in range(hops):
        transfers.append(ledger.transfer("2020-01-02", 1, here, there))
        here, there = there, here
    sale = ledger.sale("2020-01-03", 1, location=here)
    ledger.item_charge(p1, "2020-02-01", 5)
    return ledger, p1, transfers, sale


SCENARIOS = [one_hop, three_hops, part_transferred, lambda: long_chain(200)]


def test_a_transfer_receipt_carries_the_cost_of_what_left():
    ledger, p1, out, receipt = one_hop()
    assert (ledger.cost(out), ledger.cost(receipt)) == (D(-20), D(20))  # at posting
    ledger.adjust()
    # Purchase 20 + charge 4 = 24: the outbound takes -24, the receipt +24.
    assert (ledger.cost(out), ledger.cost(receipt)) == (D(-24), D(24))
    assert ledger.inventory("A") == (0, 0)
    assert ledger.inventory("B") == (2, D(24))


def test_cost_follows_a_three_hop_chain_to_the_sale():
    ledger, p1, hops, sale = three_hops()
    ledger.adjust()
    # 2 @ 10 + charge 4 = 24 travels A -> B -> C -> D and out with the sale.
    for out, receipt in hops:
        assert (ledger.cost(out), ledger.cost(receipt)) == (D(-24), D(24))
    assert ledger.cost(sale) == D(-24)
    for location in "ABCD":
        assert ledger.inventory(location) == (0, 0)


def test_a_part_transfer_takes_its_share_and_the_rest_stays_with_the_sale_at_home():
    ledger, out, receipt, sale_a, sale_b = part_transferred()
    ledger.adjust()
    # 4 @ 10 + charge 8 = 48 -> 12 a unit: transfer of 1 -> 12, sale at A of 3 -> 36.
    assert (ledger.cost(out), ledger.cost(receipt)) == (D(-12), D(12))
    assert ledger.cost(sale_b) == D(-12)
    assert ledger.cost(sale_a) == D(-36)


def test_cost_follows_a_chain_of_two_thousand_transfers_without_recursion():
    limit = sys.getrecursionlimit()
    ledger, p1, transfers, sale = long_chain(2000)
    plan = ledger.adjust()
    assert sys.getrecursionlimit() == limit  # the engine did not need a deeper stack
    # 10 + charge 5 = 15 reaches every hop and the sale at the end.
    assert all(ledger.cost(out) == D(-15) for out, _ in transfers)
    assert all(ledger.cost(receipt) == D(15) for _, receipt in transfers)
    assert ledger.cost(sale) == D(-15)
    # One +-5 adjustment per transfer entry (2 * 2000) and one for the sale.
    assert len(plan.new_values) == 2 * 2000 + 1
    assert ledger.plan().new_values == []
