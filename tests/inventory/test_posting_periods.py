"""Posting barriers (DOMAIN §10): closed inventory periods and the earliest allowed valuation
date. A refused posting writes nothing."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import InventoryPeriod
from inventory.services import (
    RevaluationLine,
    inventory_setup_update,
    item_charge_assign,
    item_journal_post,
    item_ledger_entry_invoice,
    revaluation_journal_post,
)
from tests.inventory.helpers import (
    D,
    applications_of,
    cost_actual,
    day,
    fresh,
    ledger_snapshot,
    line,
    line_errors,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def refused_journal(*lines):
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_journal_post(lines=list(lines))
    assert ledger_snapshot() == before
    return line_errors(error.value)


def refused(call, *args, **kwargs):
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        call(*args, **kwargs)
    assert ledger_snapshot() == before
    return error.value


def close_january():
    InventoryPeriod.objects.create(ending_date=day(1, 31), name="January", closed=True)


def revaluation(item, posting_date, **kw):
    return RevaluationLine(item_no=item.no, posting_date=posting_date, **kw)


# -- closed inventory periods --------------------------------------------------------------------


@pytest.mark.parametrize("posting_date", [day(1, 15), day(1, 31)], ids=["inside", "ending-date"])
def test_nothing_may_be_posted_on_or_before_the_end_of_a_closed_period(posting_date):
    item = make_item()
    close_january()
    errors = refused_journal(line("purchase", item, 1, posting_date, unit_cost=10))
    assert errors == {0: {"posting_date"}}


def test_the_day_after_a_closed_period_is_open():
    item = make_item()
    close_january()
    p = purchase(item, 1, 10, day(2, 1))
    assert cost_actual(p) == D("10")


def test_a_period_that_is_not_closed_blocks_nothing():
    item = make_item()
    InventoryPeriod.objects.create(ending_date=day(1, 31), closed=False)
    p = purchase(item, 1, 10, day(1, 15))
    assert p.posting_date == day(1, 15)


def test_only_the_last_closed_period_counts():
    item = make_item()
    close_january()
    InventoryPeriod.objects.create(ending_date=day(2, 28), name="February", closed=False)
    assert purchase(item, 1, 10, day(2, 10)).posting_date == day(2, 10)
    assert refused_journal(line("sale", item, 1, day(1, 31))) == {0: {"posting_date"}}


def test_a_new_sale_may_use_a_receipt_dated_in_a_closed_period():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10))
    close_january()
    s = sale(item, 2, day(2, 5))
    # DOMAIN §10.1: applying a new outbound to an open inbound of a closed period is allowed.
    assert applications_of(s) == [(p.pk, s.pk, D("-2"), False)]
    assert cost_actual(s) == D("-20")
    assert values_of(s)[0].valuation_date == day(2, 5)


def test_an_invoice_dated_in_a_closed_period_is_refused():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10), invoiced=False)
    close_january()
    error = refused(
        item_ledger_entry_invoice,
        entry_no=p.pk,
        posting_date=day(1, 31),
        quantity=D(5),
        unit_cost=D(10),
    )
    assert list(error.detail) == ["posting_date"]


def test_an_item_charge_dated_in_a_closed_period_is_refused():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10))
    close_january()
    error = refused(item_charge_assign, entry_no=p.pk, posting_date=day(1, 20), amount=D(5))
    assert list(error.detail) == ["posting_date"]


def test_a_revaluation_dated_in_a_closed_period_is_refused():
    item = make_item()
    purchase(item, 5, 10, day(1, 10))
    close_january()
    error = refused(
        revaluation_journal_post, lines=[revaluation(item, day(1, 31), unit_cost_revalued=D(8))]
    )
    assert line_errors(error) == {0: {"posting_date"}}


# -- earliest allowed valuation date --------------------------------------------------------------


def test_a_posting_dated_before_the_earliest_allowed_valuation_date_is_refused():
    item = make_item()
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    errors = refused_journal(line("purchase", item, 1, day(1, 31), unit_cost=10))
    assert errors == {0: {"posting_date"}}


def test_a_posting_dated_on_the_earliest_allowed_valuation_date_is_allowed():
    item = make_item()
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    p = purchase(item, 1, 10, day(2, 1))
    assert values_of(p)[0].valuation_date == day(2, 1)


def test_a_backdated_revaluation_is_refused():
    item = make_item()
    purchase(item, 5, 10, day(1, 10))
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    error = refused(
        revaluation_journal_post, lines=[revaluation(item, day(1, 31), unit_cost_revalued=D(8))]
    )
    assert line_errors(error) == {0: {"posting_date"}}


def test_an_item_charge_on_a_receipt_from_before_the_date_is_refused_even_when_posted_after_it():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10))
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    # The charge would be valued on the receipt's date, Jan 10 (DOMAIN §10.3).
    error = refused(item_charge_assign, entry_no=p.pk, posting_date=day(2, 5), amount=D(5))
    assert list(error.detail) == ["entry_no"]


def test_a_new_sale_may_apply_automatically_to_a_receipt_from_before_the_date():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10))
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    s = sale(item, 2, day(2, 5))
    # Allowed; the sale posts on its own date and the older receipt is flagged for adjustment.
    assert applications_of(s) == [(p.pk, s.pk, D("-2"), False)]
    assert values_of(s)[0].valuation_date == day(2, 5)
    assert fresh(p).applied_entry_to_adjust is True


def test_an_invoice_of_a_receipt_from_before_the_date_is_valued_on_the_invoice_date():
    item = make_item()
    p = purchase(item, 5, "9.5", day(1, 10), invoiced=False)  # expected 47.50
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    (value,) = item_ledger_entry_invoice(
        entry_no=p.pk, posting_date=day(2, 5), quantity=D(5), unit_cost=D(10)
    )
    assert (value.cost_amount_actual, value.cost_amount_expected) == (D("50"), D("-47.5"))
    assert value.posting_date == day(2, 5)
    assert value.valuation_date == day(2, 5)


def test_a_fixed_application_to_an_entry_from_before_the_date_is_refused():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10))
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    errors = refused_journal(line("sale", item, 1, day(2, 5), applies_to_entry=p.pk))
    assert errors == {0: {"applies_to_entry"}}


def test_a_per_entry_revaluation_of_an_entry_from_before_the_date_is_refused():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 10))
    inventory_setup_update(earliest_allowed_valuation_date=day(2, 1))
    error = refused(
        revaluation_journal_post,
        lines=[revaluation(item, day(2, 5), applies_to_entry=p.pk, unit_cost_revalued=D(8))],
    )
    assert line_errors(error) == {0: {"applies_to_entry"}}
