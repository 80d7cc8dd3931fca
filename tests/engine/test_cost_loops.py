"""Cost loops through an average pool (DOMAIN §4.2, §5). Posting keeps loops out of the
applications, but a pool's average can still hold part of its own cost: stock that leaves a
location and comes back, in one period, or a transfer receipt counted in the pool its shipment
is valued in. The engine solves such a loop for the costs that agree with each other, the same
however often adjustment ran before."""

import datetime as dt
from dataclasses import replace

from costing.engine.adjust import adjust_item
from tests.engine.builders import D, Ledger


def stock_swapped_between_locations():
    """Average per location, day periods. Jan 1: 1 @ 10 at BLUE, 1 @ 30 at RED. Jan 2: 1 goes
    BLUE -> RED, then 1 goes RED -> BLUE."""
    ledger = Ledger("average", per_location=True)
    ledger.purchase("2020-01-01", 1, 10, location="BLUE")
    ledger.purchase("2020-01-01", 1, 30, location="RED")
    to_red = ledger.transfer("2020-01-02", 1, "BLUE", "RED")
    to_blue = ledger.transfer("2020-01-02", 1, "RED", "BLUE")
    return ledger, to_red, to_blue


def stock_swapped_and_charged_later():
    """The same, and an item charge of 6 on the BLUE receipt afterwards."""
    ledger, to_red, to_blue = stock_swapped_between_locations()
    blue_receipt = 1  # the first entry posted
    ledger.item_charge(blue_receipt, "2020-01-20", 6)
    return ledger, to_red, to_blue


def transfer_from_an_empty_location():
    """Average per item, day periods. Jan 10: 1 goes BLUE -> RED with nothing at BLUE (posted
    at the unit cost 0). Jan 20: 1 @ 10 bought at BLUE covers it."""
    ledger = Ledger("average")
    moved = ledger.transfer("2020-01-10", 1, "BLUE", "RED")
    ledger.purchase("2020-01-20", 1, 10, location="BLUE")
    return ledger, moved


SCENARIOS = [
    stock_swapped_between_locations,
    stock_swapped_and_charged_later,
    transfer_from_an_empty_location,
]


def test_stock_swapped_between_locations_in_one_period_costs_what_the_two_pools_agree_on():
    ledger, (out_blue, in_red), (out_red, in_blue) = stock_swapped_between_locations()
    ledger.adjust()
    # Each pool's Jan 2 average counts the receipt from the other (§4.2 step 2): what goes to
    # RED is x = (10 + y) / 2, what comes back is y = (30 + x) / 2. So x = 50/3 and y = 70/3:
    # 16.67 and 23.34 to the cent (23.335 rounds up; 16.67 is what 10 + 23.34 gives over 2).
    assert (ledger.cost(out_blue), ledger.cost(in_red)) == (D("-16.67"), D("16.67"))
    assert (ledger.cost(out_red), ledger.cost(in_blue)) == (D("-23.34"), D("23.34"))
    # Nothing made or lost: BLUE holds 10 + 23.34 - 16.67, RED 30 + 16.67 - 23.34.
    assert ledger.inventory("BLUE") == (1, D("16.67"))
    assert ledger.inventory("RED") == (1, D("23.33"))


def test_a_charge_on_one_side_of_the_loop_reaches_both_sides():
    ledger, (out_blue, in_red), (out_red, in_blue) = stock_swapped_and_charged_later()
    ledger.adjust()
    # BLUE's receipt is now 16: x = (16 + y) / 2 and y = (30 + x) / 2 give x = 62/3, y = 76/3.
    assert ledger.cost(in_red) == D("20.67")
    assert ledger.cost(in_blue) == D("25.34")
    assert ledger.inventory() == (2, D(46))


def test_a_transfer_from_an_empty_location_costs_what_covered_it():
    ledger, (out, receipt) = transfer_from_an_empty_location()
    ledger.adjust()
    # §4.3: the transfer is valued on Jan 20, when the purchase covered it, and so is its
    # receipt. With one average per item the Jan 20 pool holds the purchase (10) and the
    # receipt (x, the transfer's own cost) over 2 units: x = (10 + x) / 2, so x = 10.
    assert (ledger.cost(out), ledger.cost(receipt)) == (D(-10), D(10))
    assert ledger.inventory("RED") == (1, D(10))
    assert ledger.inventory("BLUE") == (0, 0)


def test_the_tracer_says_where_a_loop_was_solved():
    ledger, _, _ = stock_swapped_between_locations()
    graph = ledger.graph()
    plan = adjust_item(replace(graph, settings=replace(graph.settings, trace=True)))
    loops = [record for record in plan.trace if record.event.startswith("cost_loop")]
    # One loop, through the two locations' Jan 2 pools: named by the earliest (then by location).
    assert [(r.event, r.location, r.valuation_date) for r in loops] == [
        ("cost_loop_solved", "BLUE", dt.date(2020, 1, 2))
    ]


def test_the_tracer_says_when_the_bound_on_passes_stopped_a_loop(monkeypatch):
    # The bound is there for a loop that sends round (nearly) all of its pool; with a bound of
    # one pass, this loop's costs have not yet agreed when it stops.
    monkeypatch.setattr("costing.engine.adjust._LOOP_PASSES", 1)
    ledger, _, _ = stock_swapped_between_locations()
    graph = ledger.graph()
    plan = adjust_item(replace(graph, settings=replace(graph.settings, trace=True)))
    assert [r.event for r in plan.trace if r.event.startswith("cost_loop")] == [
        "cost_loop_not_settled"
    ]
