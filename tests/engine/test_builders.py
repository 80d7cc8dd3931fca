"""The test ledger writes what the posting services write (inventory/services/journal.py), so
that the engine tests start from realistic graphs."""

from costing.engine.types import DIRECT, Application
from tests.engine.builders import D, Ledger


def test_a_sale_is_posted_at_the_cost_it_applied_with_one_direct_cost_value_entry():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 4, 10)
    s2 = ledger.sale("2020-01-05", 3)
    (value,) = ledger.values_of(s2)
    assert (value.entry_type, value.actual, value.expected) == (DIRECT, D(-30), D(0))
    assert (value.valued_quantity, value.cost_per_unit) == (D(-3), D(10))
    assert value.valuation_date == value.posting_date
    assert ledger.applications == [Application(1, p1, s2, D(3))]
    assert ledger.entries[p1].remaining == 1


def test_a_sale_not_invoiced_carries_expected_cost_only():
    ledger = Ledger("fifo")
    ledger.purchase("2020-01-01", 4, 10)
    s2 = ledger.sale("2020-01-05", 3, invoiced=False)
    (value,) = ledger.values_of(s2)
    assert (value.actual, value.expected) == (D(0), D(-30))
    assert ledger.graph().entries[s2].invoiced_quantity == 0


def test_a_transfer_receipt_takes_cost_and_valuation_date_from_its_outbound():
    ledger = Ledger("fifo")
    ledger.purchase("2020-01-01", 1, 10, location="A")
    out, receipt = ledger.transfer("2020-01-02", 1, "A", "B")
    graph = ledger.graph()
    assert graph.entries[receipt].applies_from == out
    assert graph.entries[receipt].positive and not graph.entries[out].positive
    (value,) = ledger.values_of(receipt)
    assert (value.actual, value.valuation_date) == (D(10), ledger.values_of(out)[0].valuation_date)
    # The cost application is not a quantity application: the engine sees only the outbound's.
    assert [(a.inbound, a.outbound) for a in graph.applications] == [(1, out)]


def test_entries_and_value_entries_are_numbered_in_posting_order():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 6, 10)
    s2 = ledger.sale("2020-04-01", 1)
    reval = ledger.revaluation(p1, "2020-03-01", -10, 5)
    s3 = ledger.sale("2020-02-01", 1)
    assert (p1, s2, s3) == (1, 2, 3)
    assert ledger.values_of(s2)[0].entry_no < reval < ledger.values_of(s3)[0].entry_no
    # Posted after the revaluation of Mar 1: 10 - 10 / 5 = 8, and (DOMAIN §4.3 case 3) valued
    # on the revaluation's date, not before it.
    (value,) = ledger.values_of(s3)
    assert value.actual == D(-8)
    assert str(value.valuation_date) == "2020-03-01"


def test_a_later_inbound_covers_an_open_outbound():
    ledger = Ledger("fifo", unit_cost=7)
    s1 = ledger.sale("2020-01-01", 2)
    assert ledger.cost(s1) == D(-14)  # nothing to apply to: 2 * the unit cost
    p2 = ledger.purchase("2020-01-02", 3, 10)
    assert ledger.applications == [Application(1, p2, s1, D(2))]
    assert (ledger.entries[s1].remaining, ledger.entries[p2].remaining) == (0, 1)


def test_writing_a_plan_copies_the_adjusted_entrys_dates_and_marks_it_an_adjustment():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 1, 10)
    s2 = ledger.sale("2020-01-15", 1)
    ledger.item_charge(p1, "2020-02-10", 2)
    ledger.adjust()
    original, adjustment = ledger.values_of(s2)
    assert adjustment.adjustment and adjustment.actual == D(-2)
    assert (adjustment.posting_date, adjustment.valuation_date) == (
        original.posting_date,
        original.valuation_date,
    )
    assert adjustment.valued_quantity == original.valued_quantity
