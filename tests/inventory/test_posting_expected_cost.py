"""Expected cost (DOMAIN §2): a receipt or shipment posted without invoice carries expected cost;
invoicing it releases the expected cost pro rata and records the actual cost."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import ValueEntryType
from inventory.services import item_journal_post, item_ledger_entry_invoice
from tests.inventory.helpers import (
    D,
    cost_actual,
    cost_expected,
    day,
    fresh,
    fresh_item,
    inventory_value,
    ledger_snapshot,
    line,
    line_errors,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def invoice(entry, quantity, posting_date, unit_cost=None, unit_price=None):
    return item_ledger_entry_invoice(
        entry_no=entry.pk,
        posting_date=posting_date,
        quantity=D(str(quantity)),
        unit_cost=None if unit_cost is None else D(str(unit_cost)),
        unit_price=None if unit_price is None else D(str(unit_price)),
    )


def test_a_receipt_without_invoice_is_carried_at_expected_cost():
    item = make_item()
    p = purchase(item, 10, "9.5", day(1, 1), invoiced=False)
    (value,) = values_of(p)
    # 10 x 9.50 = 95 expected, nothing actual yet.
    assert value.entry_type == ValueEntryType.DIRECT_COST
    assert value.expected_cost is True
    assert value.cost_amount_expected == D("95")
    assert value.cost_amount_actual == 0
    assert value.item_ledger_entry_quantity == 10
    assert value.valued_quantity == 10
    assert value.invoiced_quantity == 0
    assert (p.invoiced_quantity, p.completely_invoiced) == (0, False)
    assert (p.remaining_quantity, p.open) == (10, True)
    # Expected cost counts in the inventory value and the unit cost: 95 / 10 = 9.50.
    assert inventory_value(item) == D("95")
    assert fresh_item(item).unit_cost == D("9.5")


def test_invoicing_a_receipt_releases_the_expected_cost_and_records_the_actual_cost():
    item = make_item()
    p = purchase(item, 10, "9.5", day(1, 1), invoiced=False)
    (value,) = invoice(p, 10, day(1, 20), unit_cost=10)
    # DOMAIN §2: receipt expected 95, invoice actual 100 -> Actual 100, Expected -95.
    assert value.entry_type == ValueEntryType.DIRECT_COST
    assert value.cost_amount_actual == D("100")
    assert value.cost_amount_expected == D("-95")
    assert value.invoiced_quantity == 10
    assert value.valued_quantity == 10
    assert value.item_ledger_entry_quantity == 0
    # Posted on the invoice date, valued on the receipt's date (DOMAIN §4.3 case 1).
    assert value.posting_date == day(1, 20)
    assert value.valuation_date == day(1, 1)
    p = fresh(p)
    assert cost_actual(p) == D("100")
    assert cost_expected(p) == 0  # 95 - 95
    assert (p.invoiced_quantity, p.completely_invoiced) == (10, True)
    item = fresh_item(item)
    assert item.unit_cost == D("10")  # 100 / 10
    assert item.last_direct_cost == D("10")


def test_a_partial_invoice_releases_its_share_and_the_last_one_releases_the_rest():
    item = make_item()
    p = purchase(item, 10, "9.5", day(1, 1), invoiced=False)  # expected 95
    (first,) = invoice(p, 3, day(1, 10), unit_cost=10)
    # 3 of 10 invoiced: releases 95 x 3/10 = 28.50; actual 3 x 10 = 30.
    assert (first.cost_amount_actual, first.cost_amount_expected) == (D("30"), D("-28.5"))
    p = fresh(p)
    assert (p.invoiced_quantity, p.completely_invoiced) == (3, False)
    assert cost_expected(p) == D("66.5")  # 95 - 28.50
    (last,) = invoice(p, 7, day(1, 20), unit_cost=11)
    # The last 7: all that is left (66.50); actual 7 x 11 = 77.
    assert (last.cost_amount_actual, last.cost_amount_expected) == (D("77"), D("-66.5"))
    p = fresh(p)
    assert cost_actual(p) == D("107")  # 30 + 77
    assert cost_expected(p) == 0
    assert (p.invoiced_quantity, p.completely_invoiced) == (10, True)
    assert fresh_item(item).last_direct_cost == D("11")


def test_rounded_partial_releases_leave_no_expected_cost_behind():
    item = make_item()
    p = purchase(item, 3, "3.335", day(1, 1), invoiced=False)
    # 3 x 3.335 = 10.005 -> 10.01 expected (half up).
    assert cost_expected(p) == D("10.01")
    released = []
    for n in range(3):
        (value,) = invoice(p, 1, day(1, 10 + n), unit_cost="3.335")
        released.append(-value.cost_amount_expected)
    # 10.01 x 1/3 = 3.3367 -> 3.34; then 6.67 x 1/2 = 3.335 -> 3.34; the last takes what is left:
    # 6.67 - 3.34 = 3.33.
    assert released == [D("3.34"), D("3.34"), D("3.33")]
    assert cost_expected(p) == 0
    assert fresh(p).completely_invoiced is True


def test_a_shipment_without_invoice_is_carried_at_expected_cost_until_invoiced():
    item = make_item()
    purchase(item, 10, 10, day(1, 1))
    s = sale(item, 4, day(1, 2), invoiced=False, unit_price=D("25"))
    (shipped,) = values_of(s)
    # 4 x 10 = 40 expected; sales 4 x 25 = 100 expected.
    assert (shipped.cost_amount_actual, shipped.cost_amount_expected) == (0, D("-40"))
    assert shipped.sales_amount_expected == D("100")
    assert shipped.expected_cost is True
    assert (s.invoiced_quantity, s.completely_invoiced) == (0, False)
    (invoiced,) = invoice(s, 4, day(1, 15), unit_price=30)
    # The cost carried moves from expected to actual: actual -40, expected +40.
    assert (invoiced.cost_amount_actual, invoiced.cost_amount_expected) == (D("-40"), D("40"))
    assert invoiced.sales_amount_actual == D("120")  # 4 x 30
    assert invoiced.sales_amount_expected == D("-100")
    assert invoiced.invoiced_quantity == -4
    assert invoiced.valuation_date == day(1, 2)
    s = fresh(s)
    assert (cost_actual(s), cost_expected(s)) == (D("-40"), 0)
    assert (s.invoiced_quantity, s.completely_invoiced) == (-4, True)


def test_a_sale_applied_to_a_receipt_not_yet_invoiced_takes_its_expected_cost():
    item = make_item()
    purchase(item, 10, "9.5", day(1, 1), invoiced=False)
    s = sale(item, 2, day(1, 2))
    # Cost of the receipt = its value entries / quantity = 95 / 10 = 9.50; 2 x 9.50 = 19.
    assert cost_actual(s) == D("-19")


def test_invoicing_more_than_was_received_is_refused_and_writes_nothing():
    item = make_item()
    p = purchase(item, 10, "9.5", day(1, 1), invoiced=False)
    invoice(p, 6, day(1, 5), unit_cost=10)
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        invoice(p, 5, day(1, 6), unit_cost=10)  # only 10 - 6 = 4 left
    assert list(error.value.detail) == ["quantity"]
    assert ledger_snapshot() == before


def test_invoicing_an_entry_posted_as_invoiced_is_refused():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        invoice(p, 1, day(1, 6), unit_cost=10)
    assert list(error.value.detail) == ["quantity"]
    assert ledger_snapshot() == before


def test_a_purchase_invoice_needs_its_unit_cost():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1), invoiced=False)
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        invoice(p, 10, day(1, 6))
    assert list(error.value.detail) == ["unit_cost"]
    assert ledger_snapshot() == before


def test_only_purchases_and_sales_can_be_posted_without_invoice():
    item = make_item()
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_journal_post(
            lines=[line("positive_adjmt", item, 1, day(1, 1), unit_cost=1, invoiced=False)]
        )
    assert line_errors(error.value) == {0: {"invoiced"}}
    assert ledger_snapshot() == before
