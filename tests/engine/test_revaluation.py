"""Revaluation (DOMAIN §8): which decreases a revaluation of their inbound entry reaches.

Compared by entry number and posting date: a decrease posted before the revaluation and dated
on or before its date keeps the old cost; one posted before it but dated after is revalued; one
posted after it is revalued whatever its date."""

from tests.engine.builders import D, Ledger


def domain_example():
    """6 units at 10 on Jan 1; sales of 1 on Feb 1 (A), Mar 1 (B), Apr 1 (C); revaluation to 8
    on Mar 1 while 4 remain (A and B are dated on or before it, C after): -2 * 4 = -8 on
    valued quantity 4, posted after the first three sales; then sales of 1 dated Feb 1 (D),
    Mar 1 (E), Apr 1 (F)."""
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 6, 10)
    a, b, c = (ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4))
    ledger.revaluation(p1, "2020-03-01", -8, 4)
    d, e, f = (ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4))
    return ledger, p1, (a, b, c, d, e, f)


def revalued_per_entry_among_others():
    ledger = Ledger("fifo")
    ledger.purchase("2020-01-01", 2, 10)
    p2 = ledger.purchase("2020-01-02", 2, 10)
    s3 = ledger.sale("2020-03-01", 3)  # 2 of P1, 1 of P2
    ledger.revaluation(p2, "2020-02-01", 6, 2)  # P2 only: +3 a unit on Feb 1
    return ledger, s3


SCENARIOS = [domain_example, revalued_per_entry_among_others]


def test_the_domain_example_revalues_c_to_f_and_leaves_a_and_b():
    ledger, p1, (a, b, c, d, e, f) = domain_example()
    # At posting: A, B, C took 10; D, E, F came after the revaluation and took 10 - 2 = 8.
    assert [ledger.cost(s) for s in (a, b, c, d, e, f)] == [D(-10)] * 3 + [D(-8)] * 3
    ledger.adjust()
    # A (Feb 1) and B (Mar 1): earlier entry number, dated on or before Mar 1 -> -10.
    # C: earlier entry number, dated Apr 1, after the revaluation -> -8.
    # D, E, F: posted after the revaluation -> -8 whatever their dates.
    assert [ledger.cost(s) for s in (a, b, c, d, e, f)] == [D(-10)] * 2 + [D(-8)] * 4
    # The purchase: 60 - 8 = 52 = 10 + 10 + 4 * 8; nothing left.
    assert ledger.cost(p1) == D(52)
    assert ledger.inventory() == (0, 0)


def test_a_sale_posted_before_the_revaluation_and_dated_on_its_day_keeps_the_old_cost():
    ledger, p1, (a, b, c, d, e, f) = domain_example()
    plan = ledger.adjust()
    # Only C is adjusted (+2); A and B are not touched, and no rounding is needed.
    assert [(v.ile, v.actual) for v in plan.new_values] == [(c, D(2))]


def test_a_revaluation_of_one_entry_reaches_only_what_used_that_entry():
    ledger, s3 = revalued_per_entry_among_others()
    ledger.adjust()
    # P1: 2 * 10 = 20; P2: 10 + 6 / 2 = 13 a unit; the sale (dated Mar 1, after Feb 1): 20 + 13.
    assert ledger.cost(s3) == D(-33)
