"""Standard cost items (DOMAIN §1.2, §3, §8, §9): inventory is valued at the standard cost, the
difference to what was paid is a Purchase variance, and the unit cost is the standard cost."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import ValueEntryType, VarianceType
from inventory.services import (
    RevaluationLine,
    item_charge_assign,
    item_ledger_entry_invoice,
    item_update,
    revaluation_journal_post,
)
from tests.inventory.helpers import (
    D,
    applications_of,
    cost_actual,
    cost_expected,
    day,
    fresh,
    fresh_item,
    inventory_value,
    ledger_snapshot,
    make_item,
    post_one,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def parts(entry_or_values):
    values = entry_or_values if isinstance(entry_or_values, list) else values_of(entry_or_values)
    return [
        (v.entry_type, v.variance_type, v.cost_amount_actual, v.cost_amount_expected)
        for v in values
    ]


def standard_item(standard_cost="100", **fields):
    return make_item("STD", "standard", standard_cost=D(standard_cost), **fields)


def test_a_standard_item_bought_below_standard_posts_a_purchase_variance():
    item = standard_item("100")
    assert item.unit_cost == D("100")
    p = purchase(item, 1, 90, day(1, 1))
    # DOMAIN §9: standard 100 bought at 90 -> direct 90 + variance +10 = 100 at standard.
    assert parts(p) == [
        (ValueEntryType.DIRECT_COST, "", D("90"), 0),
        (ValueEntryType.VARIANCE, VarianceType.PURCHASE, D("10"), 0),
    ]
    assert cost_actual(p) == D("100")
    item = fresh_item(item)
    assert item.unit_cost == D("100")
    assert item.standard_cost == D("100")
    assert item.last_direct_cost == D("90")


def test_a_standard_item_bought_above_standard_posts_a_negative_variance():
    item = standard_item("100")
    p = purchase(item, 3, 110, day(1, 1))
    # 3 x 110 = 330 direct; 3 x 100 = 300 at standard -> variance 300 - 330 = -30.
    assert parts(p) == [
        (ValueEntryType.DIRECT_COST, "", D("330"), 0),
        (ValueEntryType.VARIANCE, VarianceType.PURCHASE, D("-30"), 0),
    ]
    assert inventory_value(item) == D("300")


def test_a_standard_purchase_with_overhead_splits_direct_indirect_and_variance():
    item = standard_item("100", indirect_cost_pct=D("10"))
    p = purchase(item, 2, 80, day(1, 1))
    # direct 2 x 80 = 160; indirect 2 x 80 x 10% = 16; variance 2 x 100 - 160 - 16 = 24.
    assert parts(p) == [
        (ValueEntryType.DIRECT_COST, "", D("160"), 0),
        (ValueEntryType.INDIRECT_COST, "", D("16"), 0),
        (ValueEntryType.VARIANCE, VarianceType.PURCHASE, D("24"), 0),
    ]
    assert cost_actual(p) == D("200")


def test_a_standard_purchase_at_exactly_standard_has_no_variance():
    item = standard_item("100")
    p = purchase(item, 2, 100, day(1, 1))
    assert parts(p) == [(ValueEntryType.DIRECT_COST, "", D("200"), 0)]


def test_an_item_charge_on_a_standard_item_changes_the_variance_not_the_inventory():
    item = standard_item("100")
    p = purchase(item, 1, 90, day(1, 1))
    created = item_charge_assign(entry_no=p.pk, posting_date=day(1, 5), amount=D("20"))
    # Direct +20 and variance -20: the inventory stays at standard.
    assert parts(created) == [
        (ValueEntryType.DIRECT_COST, "", D("20"), 0),
        (ValueEntryType.VARIANCE, VarianceType.PURCHASE, D("-20"), 0),
    ]
    assert all(v.valuation_date == day(1, 1) for v in created)
    assert cost_actual(p) == D("100")  # 90 + 10 + 20 - 20
    # DOMAIN §9: PV -10 then a charge of 20 gives PV net +10; variance entries +10 - 20 = -10.
    variance = sum(v.cost_amount_actual for v in values_of(p) if v.entry_type == "variance")
    assert variance == D("-10")
    assert fresh_item(item).unit_cost == D("100")


def test_a_standard_receipt_is_expected_at_standard_and_the_invoice_posts_the_variance():
    item = standard_item("100")
    p = purchase(item, 2, 90, day(1, 1), invoiced=False)
    # Expected at standard: 2 x 100 = 200.
    assert parts(p) == [(ValueEntryType.DIRECT_COST, "", 0, D("200"))]
    created = item_ledger_entry_invoice(
        entry_no=p.pk, posting_date=day(1, 10), quantity=D("2"), unit_cost=D("90")
    )
    # Invoice: direct 180 releasing the 200 expected; variance 200 - 180 = +20.
    assert parts(created) == [
        (ValueEntryType.DIRECT_COST, "", D("180"), D("-200")),
        (ValueEntryType.VARIANCE, VarianceType.PURCHASE, D("20"), 0),
    ]
    p = fresh(p)
    assert (cost_actual(p), cost_expected(p)) == (D("200"), 0)
    assert fresh_item(item).unit_cost == D("100")


def test_a_standard_item_is_issued_at_standard_oldest_first():
    item = standard_item("15")
    p1 = purchase(item, 1, 10, day(1, 1))
    purchase(item, 1, 20, day(1, 1))
    s = sale(item, 1, day(2, 1))
    # DOMAIN §3: Standard (at 15) issues -15, FIFO application.
    assert cost_actual(s) == D("-15")
    assert applications_of(s) == [(p1.pk, s.pk, D("-1"), False)]


def test_a_positive_adjustment_of_a_standard_item_needs_no_unit_cost_and_comes_in_at_standard():
    item = standard_item("12")
    a = post_one("positive_adjmt", item, 3, day(1, 1))
    assert parts(a) == [(ValueEntryType.DIRECT_COST, "", D("36"), 0)]  # 3 x 12


def test_revaluing_a_standard_item_per_item_sets_its_standard_and_unit_cost():
    item = standard_item("10")
    p = purchase(item, 5, 10, day(1, 1))
    (value,) = revaluation_journal_post(
        lines=[RevaluationLine(item_no=item.no, posting_date=day(2, 1), unit_cost_revalued=D("12"))]
    )
    # 5 x (12 - 10) = +10.
    assert value.item_ledger_entry_id == p.pk
    assert value.entry_type == ValueEntryType.REVALUATION
    assert (value.valued_quantity, value.cost_amount_actual) == (5, D("10"))
    item = fresh_item(item)
    assert item.standard_cost == D("12")
    assert item.unit_cost == D("12")
    # DOMAIN §8/§9: revaluation doesn't change the variance.
    assert not any(v.entry_type == "variance" for v in values_of(p))


def test_revaluing_a_standard_item_includes_receipts_not_yet_invoiced():
    item = standard_item("10")
    p = purchase(item, 5, 9, day(1, 1), invoiced=False)  # expected 5 x 10 = 50
    (value,) = revaluation_journal_post(
        lines=[RevaluationLine(item_no=item.no, posting_date=day(2, 1), unit_cost_revalued=D("11"))]
    )
    # DOMAIN §3/§8: Standard includes uninvoiced quantity; 5 x 11 - 50 = +5.
    assert value.item_ledger_entry_id == p.pk
    assert (value.valued_quantity, value.cost_amount_actual) == (5, D("5"))
    assert fresh_item(item).unit_cost == D("11")


def test_a_standard_item_without_entries_may_still_change_its_costing_method_but_not_after():
    item = standard_item("10")
    item = item_update(item, costing_method="fifo")
    assert item.costing_method == "fifo"
    purchase(item, 1, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_update(item, costing_method="standard", standard_cost=D("10"))
    assert list(error.value.detail) == ["costing_method"]
    assert ledger_snapshot() == before
    assert fresh_item(item).costing_method == "fifo"
