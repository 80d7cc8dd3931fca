"""Indirect cost (DOMAIN §1.2, §2, §11.6): a purchase line's unit cost is direct * (1 +
indirect %) + overhead rate; the indirect part is its own value entry and is part of the cost
that goes out with the sale."""

from costing.engine.types import DIRECT, INDIRECT
from tests.engine.builders import D, Ledger


def sold_before_bought():
    """DOMAIN §11.6: purchase 10 @ 7 with overhead rate 1 (direct 70, indirect 10). The sale
    of 10 is posted first, with nothing on hand, at the item's unit cost 0."""
    ledger = Ledger("fifo", overhead_rate=1)
    s1 = ledger.sale("2020-01-01", 10)
    p2 = ledger.purchase("2020-01-02", 10, 7)
    return ledger, s1, p2


def charge_on_top():
    ledger = Ledger("fifo", indirect_pct=10)
    p1 = ledger.purchase("2020-01-01", 10, 7)  # direct 70, indirect 10% of 70 = 7
    s2 = ledger.sale("2020-01-02", 10)
    ledger.item_charge(p1, "2020-02-01", 5)
    return ledger, p1, s2


SCENARIOS = [sold_before_bought, charge_on_top]


def test_a_sale_takes_the_direct_and_the_indirect_cost_of_the_purchase():
    ledger, s1, p2 = sold_before_bought()
    assert [v.actual for v in ledger.values_of(p2, DIRECT)] == [D(70)]
    assert [v.actual for v in ledger.values_of(p2, INDIRECT)] == [D(10)]
    assert ledger.cost(s1) == D(0)
    ledger.adjust()
    # 70 direct + 10 indirect = 80 (DOMAIN §11.6: Inventory +70 +10 -80, COGS +80).
    assert ledger.cost(s1) == D(-80)
    assert ledger.inventory() == (0, 0)


def test_indirect_cost_and_an_item_charge_both_go_out_with_the_sale():
    ledger, p1, s2 = charge_on_top()
    assert ledger.cost(s2) == D(-77)  # at posting: 70 + 7
    ledger.adjust()
    assert ledger.cost(s2) == D(-82)  # 70 + 7 + charge 5
