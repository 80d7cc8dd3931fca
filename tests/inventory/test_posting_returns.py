"""Returns (DOMAIN §4.6, §5): a purchase return is an outbound entry, a sales return an inbound
one; with a fixed application they carry the exact cost of the entry they reverse."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import EntryType
from tests.inventory.helpers import (
    D,
    applications_of,
    cost_actual,
    day,
    fresh,
    fresh_item,
    ledger_snapshot,
    line,
    line_errors,
    make_item,
    post,
    post_one,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
)


def sales_return(item, quantity, posting_date, **kw):
    return post_one("sale", item, quantity, posting_date, is_return=True, **kw)


def purchase_return(item, quantity, posting_date, **kw):
    return post_one("purchase", item, quantity, posting_date, is_return=True, **kw)


def test_a_sales_return_applied_from_the_sale_comes_back_at_the_sales_cost():
    item = make_item()
    purchase(item, 5, 10, day(1, 1))
    purchase(item, 5, 20, day(1, 2))
    s = sale(item, 7, day(1, 3))  # 5 x 10 + 2 x 20 = 90
    r = sales_return(item, 2, day(1, 10), applies_from_entry=s.pk)
    assert (r.entry_type, r.is_return, r.positive, r.quantity) == (EntryType.SALE, True, True, 2)
    # The sale cost 90 for 7; 2 come back at 2 x 90 / 7 = 25.714... -> 25.71.
    assert cost_actual(r) == D("25.71")
    assert r.applies_from_entry_id == s.pk
    assert applications_of(r) == [(r.pk, s.pk, D("2"), True)]
    # The return is new stock; the sale is not reopened.
    assert (r.remaining_quantity, r.open) == (2, True)
    assert (fresh(s).remaining_quantity, fresh(s).open) == (0, False)


def test_a_sales_return_without_a_cost_source_comes_back_at_the_unit_cost():
    item = make_item()
    purchase(item, 5, 10, day(1, 1))
    purchase(item, 5, 20, day(1, 2))
    sale(item, 7, day(1, 3))  # 90
    # On hand 3, worth 150 - 90 = 60 -> unit cost 20.
    assert fresh_item(item).unit_cost == D("20")
    r = sales_return(item, 1, day(1, 10))
    assert cost_actual(r) == D("20")
    assert applications_of(r) == [(r.pk, None, D("1"), False)]


def test_a_purchase_return_applied_to_its_receipt_takes_back_exactly_that_cost():
    item = make_item()
    p1 = purchase(item, 5, 10, day(1, 1))
    p2 = purchase(item, 5, 20, day(1, 2))
    r = purchase_return(item, 2, day(1, 10), applies_to_entry=p2.pk)
    assert (r.entry_type, r.is_return, r.positive, r.quantity) == (
        EntryType.PURCHASE,
        True,
        False,
        -2,
    )
    # 2 x 20 = 40, not the older receipt's 10.
    assert cost_actual(r) == D("-40")
    assert applications_of(r) == [(p2.pk, r.pk, D("-2"), False)]
    assert fresh(p1).remaining_quantity == 5
    assert fresh(p2).remaining_quantity == 3
    assert (r.remaining_quantity, r.open) == (0, False)


def test_a_purchase_return_without_application_takes_the_oldest_receipt():
    item = make_item()
    p1 = purchase(item, 5, 10, day(1, 1))
    purchase(item, 5, 20, day(1, 2))
    r = purchase_return(item, 2, day(1, 10))
    assert cost_actual(r) == D("-20")  # 2 x 10
    assert applications_of(r) == [(p1.pk, r.pk, D("-2"), False)]


def test_a_sales_return_cannot_bring_back_more_than_the_sale_took():
    item = make_item()
    purchase(item, 5, 10, day(1, 1))
    s = sale(item, 2, day(1, 2))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        post(line("sale", item, 3, day(1, 10), is_return=True, applies_from_entry=s.pk))
    assert line_errors(error.value) == {0: {"applies_from_entry"}}
    assert ledger_snapshot() == before


def test_a_sales_return_cannot_take_its_cost_from_an_inbound_entry():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        post(line("sale", item, 1, day(1, 10), is_return=True, applies_from_entry=p.pk))
    assert line_errors(error.value) == {0: {"applies_from_entry"}}
    assert ledger_snapshot() == before


def test_an_outbound_line_cannot_name_a_cost_source():
    item = make_item()
    purchase(item, 5, 10, day(1, 1))
    s = sale(item, 1, day(1, 2))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        post(line("sale", item, 1, day(1, 10), applies_from_entry=s.pk))
    assert line_errors(error.value) == {0: {"applies_from_entry"}}
    assert ledger_snapshot() == before


def test_a_return_applied_from_an_open_sale_leaves_both_entries_open():
    item = make_item(unit_cost=D("5"))
    s = sale(item, 1, day(1, 1))  # negative inventory: -1, open
    r = sales_return(item, 1, day(1, 2), applies_from_entry=s.pk)
    # Inventory 0, one open -1 entry and one open +1 entry.
    assert (fresh(s).remaining_quantity, fresh(s).open) == (-1, True)
    assert (r.remaining_quantity, r.open) == (1, True)
    assert applications_of(r) == [(r.pk, s.pk, D("1"), True)]
