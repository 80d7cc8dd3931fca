"""The revaluation journal (DOMAIN §3, §8): per item or per entry, to a unit cost or an
inventory value, on the quantity that remained on the revaluation date."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import AvgCostAdjmtEntryPoint, ValueEntryType
from inventory.services import RevaluationLine, inventory_setup_update, revaluation_journal_post
from tests.inventory.helpers import (
    D,
    cost_actual,
    day,
    fresh,
    fresh_item,
    inventory_value,
    ledger_snapshot,
    line_errors,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def revalue(item, posting_date, *, entry=None, unit_cost=None, inventory_value=None):
    return revaluation_journal_post(
        lines=[
            RevaluationLine(
                item_no=item.no,
                posting_date=posting_date,
                applies_to_entry=entry.pk if entry is not None else None,
                unit_cost_revalued=None if unit_cost is None else D(str(unit_cost)),
                inventory_value_revalued=(
                    None if inventory_value is None else D(str(inventory_value))
                ),
            )
        ]
    )


def revaluations(entry):
    return [v for v in values_of(entry) if v.entry_type == ValueEntryType.REVALUATION]


def test_the_domain_example_revalues_the_four_units_left_on_the_revaluation_date():
    item = make_item()
    p = purchase(item, 6, 10, day(1, 1))
    for month in (2, 3, 4):
        sale(item, 1, day(month, 1))
    (value,) = revalue(item, day(3, 1), unit_cost=8)
    # DOMAIN §8: on Mar 1, 6 - 1 (Feb 1) - 1 (Mar 1) = 4 remain; the Apr 1 sale is dated after.
    # 4 x 8 - 4 x 10 = -8.
    assert value.item_ledger_entry_id == p.pk
    assert value.entry_type == ValueEntryType.REVALUATION
    assert value.valued_quantity == 4
    assert value.cost_amount_actual == D("-8")
    assert value.cost_amount_expected == 0
    assert value.posting_date == day(3, 1)
    assert value.valuation_date == day(3, 1)
    assert value.source_code == "REVALINL"
    assert fresh(p).applied_entry_to_adjust is True
    # On hand 3, worth 60 - 30 - 8 = 22 -> unit cost 22 / 3 = 7.33333.
    assert inventory_value(item) == D("22")
    assert fresh_item(item).unit_cost == D("7.33333")


def test_a_sale_posted_after_the_revaluation_takes_the_revalued_cost():
    item = make_item()
    purchase(item, 6, 10, day(1, 1))
    for month in (2, 3, 4):
        sale(item, 1, day(month, 1))
    revalue(item, day(3, 1), unit_cost=8)
    s = sale(item, 1, day(4, 15))
    # Cost per unit: 60 / 6 + (-8) / 4 = 10 - 2 = 8.
    assert cost_actual(s) == D("-8")
    # DOMAIN §4.3: valued no earlier than the revaluation (Mar 1): its own date Apr 15.
    assert values_of(s)[0].valuation_date == day(4, 15)


def test_a_sale_dated_before_the_revaluation_but_posted_after_it_is_valued_on_its_date():
    item = make_item()
    purchase(item, 6, 10, day(1, 1))
    revalue(item, day(3, 1), unit_cost=8)  # 6 x (8 - 10) = -12
    s = sale(item, 1, day(2, 1))
    # DOMAIN §4.3 case 3: posted Feb 1 after a Mar 1 revaluation of its source -> valued Mar 1,
    # at the revalued cost 10 + (-12 / 6) = 8.
    (value,) = values_of(s)
    assert value.posting_date == day(2, 1)
    assert value.valuation_date == day(3, 1)
    assert value.cost_amount_actual == D("-8")


def test_revaluing_one_entry_leaves_the_others_alone():
    item = make_item()
    p1 = purchase(item, 5, 10, day(1, 1))
    p2 = purchase(item, 5, 20, day(1, 2))
    (value,) = revalue(item, day(2, 1), entry=p2, unit_cost=15)
    # 5 x 15 - 5 x 20 = -25, on entry 2 only.
    assert value.item_ledger_entry_id == p2.pk
    assert (value.valued_quantity, value.cost_amount_actual) == (5, D("-25"))
    assert revaluations(p1) == []
    # On hand 10, worth 50 + 100 - 25 = 125 -> 12.50.
    assert fresh_item(item).unit_cost == D("12.5")


def test_revaluing_to_an_inventory_value_spreads_it_over_the_entries_by_quantity():
    item = make_item()
    p1 = purchase(item, 5, 10, day(1, 1))
    p2 = purchase(item, 5, 20, day(1, 2))
    created = revalue(item, day(2, 1), inventory_value=120)
    # 120 over 5 + 5 -> 60 each: 60 - 50 = +10 on entry 1, 60 - 100 = -40 on entry 2.
    assert [(v.item_ledger_entry_id, v.valued_quantity, v.cost_amount_actual) for v in created] == [
        (p1.pk, 5, D("10")),
        (p2.pk, 5, D("-40")),
    ]
    assert inventory_value(item) == D("120")
    assert fresh_item(item).unit_cost == D("12")  # 120 / 10


def test_an_entry_already_at_the_revalued_cost_gets_no_revaluation_entry():
    item = make_item()
    p1 = purchase(item, 5, 10, day(1, 1))
    p2 = purchase(item, 5, 20, day(1, 2))
    created = revalue(item, day(2, 1), unit_cost=10)
    # Entry 1 is already worth 5 x 10; only entry 2 changes: 50 - 100 = -50.
    assert [(v.item_ledger_entry_id, v.cost_amount_actual) for v in created] == [(p2.pk, D("-50"))]
    assert revaluations(p1) == []


def test_receipts_not_completely_invoiced_are_not_revalued():
    item = make_item()
    invoiced = purchase(item, 5, 10, day(1, 1))
    received = purchase(item, 5, 20, day(1, 2), invoiced=False)
    (value,) = revalue(item, day(2, 1), unit_cost=12)
    # DOMAIN §8: only completely invoiced entries: 5 x 12 - 50 = +10.
    assert value.item_ledger_entry_id == invoiced.pk
    assert value.cost_amount_actual == D("10")
    assert revaluations(received) == []


def test_receipts_posted_after_the_revaluation_date_are_not_revalued():
    item = make_item()
    early = purchase(item, 5, 10, day(1, 1))
    late = purchase(item, 5, 20, day(3, 10))
    (value,) = revalue(item, day(3, 1), unit_cost=11)
    assert value.item_ledger_entry_id == early.pk
    assert value.cost_amount_actual == D("5")  # 5 x 11 - 50
    assert revaluations(late) == []


def test_a_second_revaluation_starts_from_the_first():
    item = make_item()
    p = purchase(item, 6, 10, day(1, 1))
    revalue(item, day(2, 1), unit_cost=8)  # 6 x (8 - 10) = -12
    (second,) = revalue(item, day(3, 1), unit_cost=9)
    # Calculated value on Mar 1: 60 - 12 = 48; revalued 6 x 9 = 54 -> +6.
    assert second.cost_amount_actual == D("6")
    assert cost_actual(p) == D("54")


def test_an_average_item_is_revalued_per_item_at_a_period_end_at_its_average():
    inventory_setup_update(average_cost_period="month")
    item = make_item("AVG", "average")
    p1 = purchase(item, 2, 10, day(1, 1))
    p2 = purchase(item, 2, 20, day(1, 2))
    created = revalue(item, day(1, 31), unit_cost=12)
    # Average on Jan 31: 60 / 4 = 15, so each entry's 2 units are worth 30; 2 x 12 - 30 = -6.
    assert [(v.item_ledger_entry_id, v.valued_quantity, v.cost_amount_actual) for v in created] == [
        (p1.pk, 2, D("-6")),
        (p2.pk, 2, D("-6")),
    ]
    assert inventory_value(item) == D("48")  # 60 - 12 = 4 x 12
    assert fresh_item(item).unit_cost == D("12")
    # The revaluation is a value posted into the January period.
    point = AvgCostAdjmtEntryPoint.objects.get(item=item, valuation_date=day(1, 31))
    assert point.cost_is_adjusted is False


def test_an_average_item_cannot_be_revalued_per_entry():
    item = make_item("AVG", "average")
    p = purchase(item, 2, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revalue(item, day(1, 31), entry=p, unit_cost=12)
    assert line_errors(error.value) == {0: {"applies_to_entry"}}
    assert ledger_snapshot() == before


def test_an_average_item_cannot_be_revalued_in_the_middle_of_an_average_cost_period():
    inventory_setup_update(average_cost_period="month")
    item = make_item("AVG", "average")
    purchase(item, 2, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revalue(item, day(1, 15), unit_cost=12)  # January ends on the 31st
    assert line_errors(error.value) == {0: {"posting_date"}}
    assert ledger_snapshot() == before


def test_an_average_item_cannot_be_revalued_when_the_average_is_per_location():
    inventory_setup_update(average_cost_calc_type="item_location_variant")
    item = make_item("AVG", "average")
    purchase(item, 2, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revalue(item, day(1, 31), unit_cost=12)
    assert line_errors(error.value) == {0: {"item_no"}}
    assert ledger_snapshot() == before


def test_a_revaluation_with_nothing_to_revalue_is_refused():
    item = make_item()
    purchase(item, 2, 10, day(1, 1), invoiced=False)  # not invoiced: nothing revaluable
    purchase(item, 2, 10, day(3, 1))  # after the date
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revalue(item, day(2, 1), unit_cost=12)
    assert line_errors(error.value) == {0: {"posting_date"}}
    assert ledger_snapshot() == before


def test_a_revaluation_of_an_item_with_everything_sold_is_refused():
    item = make_item()
    purchase(item, 2, 10, day(1, 1))
    sale(item, 2, day(1, 2))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revalue(item, day(2, 1), unit_cost=12)
    assert line_errors(error.value) == {0: {"posting_date"}}
    assert ledger_snapshot() == before


def test_a_revaluation_line_needs_exactly_one_of_unit_cost_and_inventory_value():
    item = make_item()
    purchase(item, 2, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as neither:
        revalue(item, day(2, 1))
    with pytest.raises(InvalidInput) as both:
        revalue(item, day(2, 1), unit_cost=5, inventory_value=10)
    with pytest.raises(InvalidInput) as negative:
        revalue(item, day(2, 1), unit_cost=-1)
    assert line_errors(neither.value) == {0: {"unit_cost_revalued"}}
    assert line_errors(both.value) == {0: {"unit_cost_revalued"}}
    assert line_errors(negative.value) == {0: {"unit_cost_revalued"}}
    assert ledger_snapshot() == before


def test_a_revaluation_of_an_unknown_item_is_refused():
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revaluation_journal_post(
            lines=[RevaluationLine(item_no="NOPE", posting_date=day(2, 1), unit_cost_revalued=D(1))]
        )
    assert line_errors(error.value) == {0: {"item_no"}}
    assert ledger_snapshot() == before


def test_a_revaluation_journal_whose_second_line_is_bad_writes_nothing_from_the_first():
    good = make_item("GOOD")
    purchase(good, 2, 10, day(1, 1))
    bad = make_item("BAD")
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        revaluation_journal_post(
            lines=[
                RevaluationLine(item_no=good.no, posting_date=day(2, 1), unit_cost_revalued=D(12)),
                RevaluationLine(item_no=bad.no, posting_date=day(2, 1), unit_cost_revalued=D(12)),
            ]
        )
    assert line_errors(error.value) == {1: {"posting_date"}}  # BAD has nothing to revalue
    assert ledger_snapshot() == before
    assert fresh_item(good).unit_cost == D("10")


def test_an_empty_revaluation_journal_is_refused():
    with pytest.raises(InvalidInput) as error:
        revaluation_journal_post(lines=[])
    assert list(error.value.detail) == ["lines"]
