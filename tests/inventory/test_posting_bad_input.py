"""Bad input is refused with InvalidInput naming the line and the field, and writes nothing: no
item ledger, value or application entry, no changed remaining quantity, no changed item."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import ItemVariant
from inventory.services import item_journal_post, item_update
from tests.inventory.helpers import (
    D,
    day,
    fresh,
    fresh_item,
    ledger_snapshot,
    line,
    line_errors,
    make_item,
    make_location,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
)


@pytest.fixture
def stocked():
    """A FIFO item with 5 on hand at BLUE and 5 with no location, plus a Specific item."""
    make_location("BLUE")
    make_location("RED")
    item = make_item("FIFO", "fifo")
    ItemVariant.objects.create(item=item, code="V1")
    blue = purchase(item, 5, 10, day(1, 1), location_code="BLUE")
    plain = purchase(item, 5, 10, day(1, 1))
    other = make_item("OTHER", "fifo")
    other_entry = purchase(other, 5, 10, day(1, 1))
    specific = make_item("SPEC", "specific")
    purchase(specific, 5, 10, day(1, 1))
    return {"item": item, "blue": blue, "plain": plain, "other": other_entry}


def refused(*lines):
    """Post the lines, expect a refusal that changed nothing; return the per-line fields."""
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_journal_post(lines=list(lines))
    assert ledger_snapshot() == before
    return line_errors(error.value)


def good():
    return line("purchase", "FIFO", 1, day(2, 1), unit_cost=10)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(entry_type="purchase", item="NOPE", unit_cost=1), "item_no"),
        (
            dict(entry_type="purchase", item="FIFO", unit_cost=1, location_code="MOON"),
            "location_code",
        ),
        (dict(entry_type="purchase", item="FIFO", unit_cost=1, variant_code="V9"), "variant_code"),
        (dict(entry_type="purchase", item="FIFO", quantity=0, unit_cost=1), "quantity"),
        (dict(entry_type="sale", item="FIFO", quantity=-1), "quantity"),
        (dict(entry_type="purchase", item="FIFO"), "unit_cost"),
        (dict(entry_type="positive_adjmt", item="FIFO"), "unit_cost"),
        # No such production order (output itself needs no unit cost: it takes the item's).
        (dict(entry_type="output", item="FIFO", order_no="PO-1"), "order_no"),
        (dict(entry_type="purchase", item="FIFO", unit_cost=-1), "unit_cost"),
        (dict(entry_type="sale", item="FIFO", unit_price=D(-1)), "unit_price"),
        (dict(entry_type="sale", item="SPEC"), "applies_to_entry"),
        (dict(entry_type="negative_adjmt", item="SPEC"), "applies_to_entry"),
        (dict(entry_type="transfer", item="SPEC", new_location_code="RED"), "applies_to_entry"),
        (dict(entry_type="consumption", item="FIFO"), "order_no"),
        (dict(entry_type="output", item="FIFO", unit_cost=1), "order_no"),
        (dict(entry_type="transfer", item="FIFO", location_code="BLUE"), "new_location_code"),
        (
            dict(
                entry_type="transfer", item="FIFO", location_code="BLUE", new_location_code="MOON"
            ),
            "new_location_code",
        ),
        (
            dict(
                entry_type="transfer", item="FIFO", location_code="BLUE", new_location_code="BLUE"
            ),
            "new_location_code",
        ),
        (dict(entry_type="sale", item="FIFO", new_location_code="RED"), "new_location_code"),
        (dict(entry_type="positive_adjmt", item="FIFO", unit_cost=1, is_return=True), "is_return"),
        (dict(entry_type="negative_adjmt", item="FIFO", invoiced=False), "invoiced"),
        (dict(entry_type="teleport", item="FIFO"), "entry_type"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bad_line_is_refused_on_its_field_and_writes_nothing(stocked, kwargs, field):
    kwargs = dict(kwargs)
    entry_type = kwargs.pop("entry_type")
    item_no = kwargs.pop("item")
    quantity = kwargs.pop("quantity", 1)
    assert refused(line(entry_type, item_no, quantity, day(2, 1), **kwargs)) == {0: {field}}


def test_an_unknown_item_at_an_unknown_location_reports_both_fields(stocked):
    bad = line("purchase", "NOPE", 0, day(2, 1), unit_cost=1, location_code="MOON")
    assert refused(bad) == {0: {"item_no", "quantity", "location_code"}}


def test_every_bad_line_of_a_journal_is_reported_at_once(stocked):
    errors = refused(
        line("purchase", "FIFO", 0, day(2, 1), unit_cost=1),
        good(),
        line("sale", "FIFO", 1, day(2, 1), location_code="MOON"),
    )
    assert errors == {0: {"quantity"}, 2: {"location_code"}}


def test_a_journal_whose_second_line_is_bad_writes_nothing_from_the_first(stocked):
    assert refused(good(), line("purchase", "NOPE", 1, day(2, 1), unit_cost=1)) == {1: {"item_no"}}


def test_a_line_that_fails_while_posting_undoes_the_lines_before_it(stocked):
    # Line 0 passes every check and is posted in memory (it even uses BLUE stock); line 1 names
    # a closed entry, which is only found out while posting.
    closed = sale("OTHER", 5, day(1, 2))  # closes the OTHER receipt
    assert fresh(stocked["other"]).open is False
    errors = refused(
        line("sale", "FIFO", 2, day(2, 1), location_code="BLUE"),
        line("sale", "OTHER", 1, day(2, 1), applies_to_entry=stocked["other"].pk),
    )
    assert errors == {1: {"applies_to_entry"}}
    assert fresh(stocked["blue"]).remaining_quantity == 5
    assert fresh(closed).remaining_quantity == 0
    assert fresh_item("FIFO").unit_cost == D("10")


def test_an_empty_journal_is_refused():
    with pytest.raises(InvalidInput) as error:
        item_journal_post(lines=[])
    assert list(error.value.detail) == ["lines"]


def test_applies_to_an_entry_of_another_item_is_refused(stocked):
    bad = line("sale", "FIFO", 1, day(2, 1), applies_to_entry=stocked["other"].pk)
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_applies_to_a_closed_entry_is_refused(stocked):
    sale("FIFO", 5, day(1, 5))  # takes all of the no-location receipt
    assert fresh(stocked["plain"]).open is False
    bad = line("sale", "FIFO", 1, day(2, 1), applies_to_entry=stocked["plain"].pk)
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_applies_to_an_entry_with_too_little_remaining_is_refused(stocked):
    bad = line("sale", "FIFO", 6, day(2, 1), applies_to_entry=stocked["plain"].pk)  # only 5 left
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_applies_to_an_entry_at_another_location_is_refused(stocked):
    bad = line("sale", "FIFO", 1, day(2, 1), applies_to_entry=stocked["blue"].pk)  # no location
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_applies_to_an_entry_of_another_variant_is_refused(stocked):
    bad = line(
        "sale", "FIFO", 1, day(2, 1), variant_code="V1", applies_to_entry=stocked["plain"].pk
    )
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_applies_to_an_entry_that_does_not_exist_is_refused(stocked):
    bad = line("sale", "FIFO", 1, day(2, 1), applies_to_entry=stocked["plain"].pk + 10_000)
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_an_inbound_line_cannot_apply_to_an_inbound_entry(stocked):
    bad = line(
        "positive_adjmt", "FIFO", 1, day(2, 1), unit_cost=1, applies_to_entry=stocked["plain"].pk
    )
    assert refused(bad) == {0: {"applies_to_entry"}}


def test_the_costing_method_of_an_item_with_entries_cannot_change(stocked):
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_update(stocked["item"], costing_method="lifo")
    assert list(error.value.detail) == ["costing_method"]
    assert ledger_snapshot() == before
    assert fresh_item("FIFO").costing_method == "fifo"


def test_the_costing_method_of_an_item_without_entries_can_change():
    item = make_item("NEW", "fifo")
    assert item_update(item, costing_method="average").costing_method == "average"
