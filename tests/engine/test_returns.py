"""Returns with a cost application (applies_from, DOMAIN §5): the inbound return takes the exact
cost of the outbound entry it returns, and passes it on to whatever uses it later. A return
without one is a cost source of its own."""

from tests.engine.builders import D, Ledger


def charge_through_a_return():
    """DOMAIN §5: a purchase item charge raises the purchase; adjustment forwards it to the sale
    and from the sale to the fixed-applied return (1000 -> 1100 on all three)."""
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 1, 1000)
    s2 = ledger.sale("2020-01-10", 1)
    r3 = ledger.sales_return("2020-01-20", 1, applies_from=s2)
    ledger.item_charge(p1, "2020-02-01", 100)
    return ledger, p1, s2, r3


def returned_unit_sold_again():
    ledger, p1, s2, r3 = charge_through_a_return()
    s4 = ledger.sale("2020-01-25", 1)  # the only open inbound is the return
    return ledger, p1, s2, r3, s4


def part_returned():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 3, 10)
    s2 = ledger.sale("2020-01-10", 3)
    r3 = ledger.sales_return("2020-01-20", 1, applies_from=s2)
    ledger.item_charge(p1, "2020-02-01", 6)
    return ledger, s2, r3


def return_without_cost_application():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 1, 10)
    s2 = ledger.sale("2020-01-10", 1)
    r3 = ledger.sales_return("2020-01-20", 1, unit_cost=10)
    ledger.item_charge(p1, "2020-02-01", 2)
    return ledger, s2, r3


def average_sale_returned():
    ledger = Ledger("average")
    ledger.purchase("2020-01-01", 1, 10)
    ledger.purchase("2020-01-01", 1, 30)
    s3 = ledger.sale("2020-01-02", 1)  # FIFO application to the 10: posted at -10
    r4 = ledger.sales_return("2020-01-03", 1, applies_from=s3)  # +10 at posting
    s5 = ledger.sale("2020-01-04", 2)
    return ledger, s3, r4, s5


def charge_on_the_return():
    ledger = Ledger("fifo")
    ledger.purchase("2020-01-01", 1, 10)
    s2 = ledger.sale("2020-01-10", 1)
    r3 = ledger.sales_return("2020-01-20", 1, applies_from=s2)
    ledger.item_charge(r3, "2020-01-21", 1)  # e.g. freight on the way back
    s4 = ledger.sale("2020-01-25", 1)
    return ledger, r3, s4


SCENARIOS = [
    charge_through_a_return,
    returned_unit_sold_again,
    part_returned,
    return_without_cost_application,
    average_sale_returned,
    charge_on_the_return,
]


def test_a_charge_on_the_purchase_reaches_the_sale_and_the_return_applied_from_it():
    ledger, p1, s2, r3 = charge_through_a_return()
    assert (ledger.cost(s2), ledger.cost(r3)) == (D(-1000), D(1000))  # at posting
    ledger.adjust()
    # 1000 + 100 = 1100 on all three.
    assert ledger.cost(p1) == D(1100)
    assert ledger.cost(s2) == D(-1100)
    assert ledger.cost(r3) == D(1100)


def test_the_returned_unit_sold_again_carries_the_cost_the_return_took():
    ledger, p1, s2, r3, s4 = returned_unit_sold_again()
    assert ledger.cost(s4) == D(-1000)  # posted at the return's cost then
    ledger.adjust()
    # purchase 1100 -> sale -1100 -> return +1100 -> second sale -1100.
    assert ledger.cost(s4) == D(-1100)
    assert ledger.inventory() == (0, 0)  # 1100 - 1100 + 1100 - 1100


def test_a_part_return_takes_its_share_of_the_sale():
    ledger, s2, r3 = part_returned()
    ledger.adjust()
    # 30 + 6 = 36 for 3 -> 12 each: the sale -36, the return of 1 +12.
    assert ledger.cost(s2) == D(-36)
    assert ledger.cost(r3) == D(12)


def test_a_return_without_cost_application_keeps_its_own_cost():
    ledger, s2, r3 = return_without_cost_application()
    ledger.adjust()
    # The charge reaches the sale (10 + 2) but not the return, which came back at 10.
    assert ledger.cost(s2) == D(-12)
    assert ledger.cost(r3) == D(10)


def test_an_average_return_takes_the_average_cost_of_the_sale_it_returns():
    ledger, s3, r4, s5 = average_sale_returned()
    ledger.adjust()
    # DOMAIN §4.2 step 6. Jan 1: (10 + 30) / 2 = 20 -> the Jan 2 sale -20, the return +20.
    assert ledger.cost(s3) == D(-20)
    assert ledger.cost(r4) == D(20)
    # Jan 4: on hand 1 unit worth 20 plus the returned unit at 20 -> the sale of 2 takes 40.
    assert ledger.cost(s5) == D(-40)
    assert ledger.inventory() == (0, 0)


def test_a_charge_on_the_return_itself_is_added_to_the_cost_it_takes_from_the_sale():
    ledger, r3, s4 = charge_on_the_return()
    ledger.adjust()
    # The return: 10 from the sale + its own charge 1 = 11, and the unit sold again takes 11.
    assert ledger.cost(r3) == D(11)
    assert ledger.cost(s4) == D(-11)
