"""FIFO, LIFO and Specific: an outbound entry costs what it used of each inbound entry, pro rata
(DOMAIN §3, §6.3). The inbound entry's cost is all its value entries: direct cost, item
charges, indirect cost and revaluation; expected cost counts for the share not yet invoiced."""

from decimal import Decimal

from tests.engine.builders import D, Ledger

# -- scenarios (also replayed by test_idempotence.py) -------------------------------------------


def item_charge_after_sale():
    """DOMAIN §6 / §11.6: purchase 1 @ 10 and sale, then an item charge of 2."""
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 1, 10)
    s2 = ledger.sale("2020-01-15", 1)
    ledger.item_charge(p1, "2020-02-10", 2)
    return ledger, p1, s2


def full_cost_of_the_inbound():
    """Purchase 10 @ 7 with overhead rate 1 (direct 70, indirect 10); sales of 4 and 6; then an
    item charge of 5 and a revaluation of +20 on Jan 31, when all 10 were still there (the
    sales are dated Feb 1 and Mar 1, so they are revalued though posted earlier, §8)."""
    ledger = Ledger("fifo", overhead_rate=1)
    p1 = ledger.purchase("2020-01-01", 10, 7)
    s2 = ledger.sale("2020-02-01", 4)
    s3 = ledger.sale("2020-03-01", 6)
    ledger.item_charge(p1, "2020-04-01", 5)
    ledger.revaluation(p1, "2020-01-31", 20, 10)
    return ledger, p1, s2, s3


def two_inbounds_several_outbounds():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 5, 10)
    p2 = ledger.purchase("2020-01-02", 5, 12)
    s3 = ledger.sale("2020-01-10", 7)  # uses 5 of P1 and 2 of P2
    s4 = ledger.sale("2020-01-11", 3)  # uses the other 3 of P2
    ledger.item_charge(p2, "2020-02-01", 10)
    return ledger, p1, p2, s3, s4


def one_inbound_three_outbounds():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 10, 10)
    sales = [ledger.sale("2020-01-10", q) for q in (3, 3, 4)]
    ledger.item_charge(p1, "2020-02-01", 20)
    return ledger, p1, sales


def late_invoice_at_another_price():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 10, 10, invoiced=False)  # expected 100
    s2 = ledger.sale("2020-01-10", 10)  # invoiced, at the expected cost: -100 actual
    ledger.invoice(p1, "2020-01-20", unit_cost=11)  # actual 110, expected -100
    return ledger, p1, s2


def receipt_partly_invoiced():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 10, 10, invoiced=False)  # expected 100
    s2 = ledger.sale("2020-01-10", 4)  # -40
    ledger.invoice(p1, "2020-01-20", 5, unit_cost=12)  # actual 60, expected -50
    return ledger, p1, s2


def sale_shipped_not_invoiced():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 10, 10, invoiced=False)  # expected 100
    s2 = ledger.sale("2020-01-10", 4, invoiced=False)  # expected -40
    ledger.invoice(p1, "2020-01-20", unit_cost=12)  # actual 120, expected -100
    return ledger, p1, s2


def sale_partly_invoiced():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 10, 10)
    s2 = ledger.sale("2020-01-10", 4, invoiced=False)  # expected -40
    ledger.invoice(s2, "2020-01-12", 2)  # actual -20, expected +20 -> expected left -20
    ledger.item_charge(p1, "2020-02-01", 8)
    return ledger, p1, s2


def lifo_with_charge():
    ledger = Ledger("lifo")
    receipts = [ledger.purchase("2020-01-01", 1, cost) for cost in (10, 20, 30)]
    sales = [ledger.sale(f"2020-0{m}-01", 1) for m in (2, 3, 4)]
    return ledger, receipts, sales


def specific_with_charge():
    ledger = Ledger("specific")
    r1, r2, r3 = (ledger.purchase("2020-01-01", 1, cost) for cost in (10, 20, 30))
    sales = [
        ledger.sale(f"2020-0{m}-01", 1, applies_to=r)
        for m, r in zip((2, 3, 4), (r2, r1, r3), strict=True)
    ]
    return ledger, (r1, r2, r3), sales


def charge_reaching_two_months():
    ledger = Ledger("fifo")
    p1 = ledger.purchase("2020-01-01", 2, 10)
    jan = ledger.sale("2020-01-10", 1)
    feb = ledger.sale("2020-02-10", 1)
    ledger.item_charge(p1, "2020-03-01", 2)
    return ledger, jan, feb


SCENARIOS = [
    item_charge_after_sale,
    full_cost_of_the_inbound,
    two_inbounds_several_outbounds,
    one_inbound_three_outbounds,
    late_invoice_at_another_price,
    receipt_partly_invoiced,
    sale_shipped_not_invoiced,
    sale_partly_invoiced,
    lifo_with_charge,
    specific_with_charge,
    charge_reaching_two_months,
]

# -- tests -------------------------------------------------------------------------------------


def test_an_item_charge_on_the_receipt_reaches_the_sale():
    ledger, p1, s2 = item_charge_after_sale()
    assert ledger.cost(s2) == D(-10)  # posted at the receipt's cost
    plan = ledger.adjust()
    # 10 + charge 2 = 12 on the receipt; the sale used all of it: -12 (DOMAIN §6: COGS 12).
    assert ledger.cost(p1) == D(12)
    assert ledger.cost(s2) == D(-12)
    # One adjustment of -2 on the sale's direct cost entry, no expected cost.
    assert [(v.ile, v.actual, v.expected) for v in plan.new_values] == [(s2, D(-2), D(0))]


def test_the_whole_inbound_cost_direct_indirect_charge_and_revaluation_goes_out_pro_rata():
    ledger, p1, s2, s3 = full_cost_of_the_inbound()
    ledger.adjust()
    # Inbound: direct 70 + indirect 10 + charge 5 + revaluation 20 = 105 for 10 units = 10.50.
    assert ledger.cost(p1) == D(105)
    assert ledger.cost(s2) == D("-42.00")  # 4 * 10.50
    assert ledger.cost(s3) == D("-63.00")  # 6 * 10.50
    assert ledger.inventory() == (0, 0)


def test_an_outbound_using_two_inbounds_costs_its_share_of_each():
    ledger, p1, p2, s3, s4 = two_inbounds_several_outbounds()
    assert ledger.cost(s3) == D(-74)  # at posting: 5 * 10 + 2 * 12
    ledger.adjust()
    # P2: 60 + charge 10 = 70 for 5 units = 14 each; P1 unchanged at 10.
    assert ledger.cost(s3) == D(-78)  # 5 * 10 + 2 * 14
    assert ledger.cost(s4) == D(-42)  # 3 * 14
    assert ledger.inventory() == (0, 0)  # 50 + 70 - 78 - 42


def test_an_inbound_used_by_several_outbounds_forwards_to_each_in_proportion():
    ledger, p1, sales = one_inbound_three_outbounds()
    ledger.adjust()
    # 100 + 20 = 120 for 10 units = 12 each: 3 -> 36, 3 -> 36, 4 -> 48.
    assert [ledger.cost(s) for s in sales] == [D(-36), D(-36), D(-48)]


def test_a_late_invoice_at_another_price_turns_the_sale_to_actual_at_the_invoiced_cost():
    ledger, p1, s2 = late_invoice_at_another_price()
    ledger.adjust()
    # Receipt: expected 100 released, actual 110 -> 110 actual, 0 expected.
    assert (ledger.actual(p1), ledger.expected(p1)) == (D(110), D(0))
    # The invoiced sale used all 10: -110 actual, no expected cost.
    assert (ledger.actual(s2), ledger.expected(s2)) == (D(-110), D(0))


def test_a_partly_invoiced_receipt_counts_expected_cost_for_its_uninvoiced_share():
    ledger, p1, s2 = receipt_partly_invoiced()
    ledger.adjust()
    # Receipt: 5 invoiced at 12 = 60 actual, 5 still expected at 10 = 50 -> 110 / 10 = 11.
    assert ledger.cost(s2) == D(-44)  # 4 * 11


def test_a_shipped_not_invoiced_sale_gets_an_expected_cost_adjustment_not_an_actual_one():
    ledger, p1, s2 = sale_shipped_not_invoiced()
    plan = ledger.adjust()
    # Receipt now 120 actual for 10 -> 12 each; the sale of 4 should carry 48, none invoiced:
    # expected -40 -> -48, actual stays 0.
    assert [(v.ile, v.actual, v.expected) for v in plan.new_values] == [(s2, D(0), D(-8))]
    assert (ledger.actual(s2), ledger.expected(s2)) == (D(0), D(-48))
    # Invoicing the sale then releases the adjusted expected cost: -48 actual, 0 expected.
    ledger.invoice(s2, "2020-01-25")
    assert (ledger.actual(s2), ledger.expected(s2)) == (D(-48), D(0))
    assert ledger.plan().new_values == []


def test_a_partly_invoiced_sale_splits_the_adjustment_by_its_invoiced_share():
    ledger, p1, s2 = sale_partly_invoiced()
    ledger.adjust()
    # Receipt 100 + 8 = 108 for 10 -> 10.80; the sale of 4 should carry 43.20, half invoiced:
    # actual -20 -> -21.60, expected -20 -> -21.60.
    assert (ledger.actual(s2), ledger.expected(s2)) == (D("-21.60"), D("-21.60"))


def test_lifo_issues_take_the_latest_receipts_and_a_charge_reaches_only_the_issue_that_used_it():
    ledger, (r1, r2, r3), sales = lifo_with_charge()
    ledger.adjust()
    # DOMAIN §3: LIFO issues -30, -20, -10.
    assert [ledger.cost(s) for s in sales] == [D(-30), D(-20), D(-10)]
    ledger.item_charge(r3, "2020-05-01", 3)
    ledger.adjust()
    # Receipt 3 (30 + 3) went to the first issue only.
    assert [ledger.cost(s) for s in sales] == [D(-33), D(-20), D(-10)]
    assert ledger.inventory() == (0, 0)


def test_specific_issues_take_the_exact_cost_of_the_entry_they_name():
    ledger, (r1, r2, r3), sales = specific_with_charge()
    ledger.adjust()
    # DOMAIN §3: fixed application to entries 2, 1, 3 gives -20, -10, -30.
    assert [ledger.cost(s) for s in sales] == [D(-20), D(-10), D(-30)]
    ledger.item_charge(r1, "2020-05-01", 1)
    ledger.adjust()
    # Entry 1 (10 + 1) went to the second issue only.
    assert [ledger.cost(s) for s in sales] == [D(-20), D(-11), D(-30)]


def test_nothing_to_adjust_when_every_outbound_already_carries_its_cost():
    ledger = Ledger("fifo")
    ledger.purchase("2020-01-01", 3, 10)
    ledger.sale("2020-01-02", 2)  # posted at 2 * 10
    plan = ledger.plan()
    assert plan.new_values == [] and plan.complete
    assert plan.cost_difference == Decimal(0)


def test_adjusting_until_a_date_leaves_outbounds_valued_after_it_for_later():
    ledger, jan, feb = charge_reaching_two_months()
    plan = ledger.adjust(until="2020-01-31")
    # (20 + 2) / 2 = 11 a unit: the January sale -10 -> -11; February's waits.
    assert [(v.ile, v.actual) for v in plan.new_values] == [(jan, D(-1))]
    assert plan.complete is False
    assert (ledger.cost(jan), ledger.cost(feb)) == (D(-11), D(-10))
    plan = ledger.adjust()
    assert plan.complete is True
    assert (ledger.cost(jan), ledger.cost(feb)) == (D(-11), D(-11))
