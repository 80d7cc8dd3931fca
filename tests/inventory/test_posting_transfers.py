"""Transfers (DOMAIN §5): an outbound entry at the from-location and an inbound entry at the new
location carrying exactly the outbound's cost and valuation date."""

from __future__ import annotations

import pytest

from inventory.models import EntryType, ItemLedgerEntry, ValueEntryType
from inventory.services import RevaluationLine, revaluation_journal_post
from tests.inventory.helpers import (
    D,
    applications_of,
    cost_actual,
    day,
    fresh,
    inventory_quantity,
    inventory_value,
    line,
    make_item,
    make_location,
    post,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


@pytest.fixture(autouse=True)
def locations():
    make_location("BLUE")
    make_location("RED")


def transfer(item, quantity, posting_date, **kw):
    outbound, inbound = post(
        line(
            "transfer",
            item,
            quantity,
            posting_date,
            location_code=kw.pop("location_code", "BLUE"),
            new_location_code=kw.pop("new_location_code", "RED"),
            **kw,
        )
    )
    return fresh(outbound), fresh(inbound)


def test_a_transfer_moves_quantity_and_cost_from_one_location_to_the_other():
    item = make_item()
    p = purchase(item, 5, 10, day(1, 1), location_code="BLUE")
    outbound, inbound = transfer(item, 3, day(1, 5))
    assert (outbound.entry_type, outbound.location_code, outbound.quantity) == (
        EntryType.TRANSFER,
        "BLUE",
        -3,
    )
    assert (inbound.entry_type, inbound.location_code, inbound.quantity) == (
        EntryType.TRANSFER,
        "RED",
        3,
    )
    # 3 x 10 = 30 leaves BLUE and arrives at RED.
    assert cost_actual(outbound) == D("-30")
    assert cost_actual(inbound) == D("30")
    assert applications_of(outbound) == [(p.pk, outbound.pk, D("-3"), False)]
    # The receipt's own record names the outbound entry as its cost source.
    assert applications_of(inbound) == [(inbound.pk, outbound.pk, D("3"), True)]
    assert inbound.applies_from_entry_id == outbound.pk
    assert (outbound.remaining_quantity, outbound.open) == (0, False)
    assert (inbound.remaining_quantity, inbound.open) == (3, True)
    assert fresh(p).remaining_quantity == 2
    # The item as a whole is unchanged: 5 on hand worth 50.
    assert inventory_quantity(item) == 5
    assert inventory_value(item) == D("50")


def test_the_transfer_receipt_carries_exactly_the_outbound_cost_from_two_receipts():
    item = make_item()
    purchase(item, 2, 10, day(1, 1), location_code="BLUE")
    purchase(item, 2, 13, day(1, 2), location_code="BLUE")
    outbound, inbound = transfer(item, 3, day(1, 5))
    # 2 x 10 + 1 x 13 = 33.
    assert cost_actual(outbound) == D("-33")
    assert cost_actual(inbound) == D("33")
    (value,) = values_of(inbound)
    assert value.entry_type == ValueEntryType.DIRECT_COST
    assert value.location_code == "RED"
    assert value.valued_quantity == 3
    assert values_of(outbound)[0].location_code == "BLUE"


def test_the_transfer_receipt_carries_the_outbound_valuation_date():
    item = make_item()
    purchase(item, 6, 10, day(1, 1), location_code="BLUE")
    revaluation_journal_post(
        lines=[RevaluationLine(item_no=item.no, posting_date=day(3, 1), unit_cost_revalued=D(8))]
    )  # 6 x (8 - 10) = -12
    outbound, inbound = transfer(item, 2, day(2, 1))
    # Posted Feb 1 after a Mar 1 revaluation of its source: valued Mar 1 (DOMAIN §4.3 case 3),
    # at 10 + (-12 / 6) = 8 per unit -> 16; the receipt at RED carries both.
    (out_value,) = values_of(outbound)
    (in_value,) = values_of(inbound)
    assert (out_value.posting_date, out_value.valuation_date) == (day(2, 1), day(3, 1))
    assert (in_value.posting_date, in_value.valuation_date) == (day(2, 1), day(3, 1))
    assert out_value.cost_amount_actual == D("-16")
    assert in_value.cost_amount_actual == D("16")


def test_a_sale_at_the_new_location_uses_the_transfer_receipt():
    item = make_item()
    purchase(item, 5, 10, day(1, 1), location_code="BLUE")
    _, inbound = transfer(item, 3, day(1, 5))
    s = sale(item, 2, day(1, 6), location_code="RED")
    assert applications_of(s) == [(inbound.pk, s.pk, D("-2"), False)]
    assert cost_actual(s) == D("-20")  # 2 x 10
    assert fresh(inbound).remaining_quantity == 1


def test_a_transfer_receipt_covers_an_open_sale_at_the_new_location():
    item = make_item(unit_cost=D("10"))
    waiting = sale(item, 1, day(1, 1), location_code="RED")  # negative at RED
    purchase(item, 5, 10, day(1, 2), location_code="BLUE")
    _, inbound = transfer(item, 3, day(1, 5))
    assert applications_of(inbound) == [
        (inbound.pk, inbound.applies_from_entry_id, D("3"), True),
        (inbound.pk, waiting.pk, D("-1"), False),
    ]
    assert fresh(waiting).open is False
    assert inbound.remaining_quantity == 2  # 3 - 1
    assert inbound.applied_entry_to_adjust is True


def test_a_transfer_beyond_stock_leaves_the_outbound_open_and_carries_its_cost():
    item = make_item()
    purchase(item, 2, 10, day(1, 1), location_code="BLUE")
    outbound, inbound = transfer(item, 3, day(1, 5))
    # 2 x 10 + 1 x unit cost 10 = 30 leaves BLUE; BLUE stays at -1.
    assert cost_actual(outbound) == D("-30")
    assert cost_actual(inbound) == D("30")
    assert (outbound.remaining_quantity, outbound.open) == (-1, True)


def test_a_transfer_back_does_not_cover_the_negative_entry_its_own_cost_comes_from():
    item = make_item()
    # 6 leave an empty BLUE for RED: BLUE is at -6.
    gone, arrived = transfer(item, 6, day(2, 26))
    # A purchase at BLUE covers 2 of them.
    purchase(item, 2, D("2.85"), day(1, 6), location_code="BLUE")
    # 4 of the 6 come back to BLUE: their cost is 4/6 of what left BLUE. Covering what left
    # BLUE with them would make that cost depend on itself, so both stay open (BC refuses a
    # cyclical application the same way).
    back, returned = transfer(
        item,
        4,
        day(1, 30),
        location_code="RED",
        new_location_code="BLUE",
        applies_to_entry=arrived.pk,
    )
    assert applications_of(returned) == [(returned.pk, back.pk, D("4"), True)]
    assert (fresh(gone).remaining_quantity, fresh(gone).open) == (-4, True)
    assert (returned.remaining_quantity, returned.open) == (4, True)
    # BLUE holds -6 + 2 + 4 = 0: one open entry of -4 and one of +4 (DOMAIN §5).
    blue = ItemLedgerEntry.objects.filter(item=item, location_id="BLUE", open=True)
    assert sorted(blue.values_list("remaining_quantity", flat=True)) == [-4, 4]
    # The next receipt at BLUE covers what is still missing there.
    covering = purchase(item, 4, D("7.77"), day(3, 1), location_code="BLUE")
    assert applications_of(covering)[1:] == [(covering.pk, gone.pk, D("-4"), False)]


def test_no_cost_loop_through_a_third_location_either():
    item = make_item()
    make_location("GREEN")
    gone, arrived = transfer(item, 3, day(2, 1))  # BLUE (empty) to RED
    on, at_green = transfer(item, 3, day(2, 2), location_code="RED", new_location_code="GREEN")
    back, returned = transfer(item, 3, day(2, 3), location_code="GREEN", new_location_code="BLUE")
    # The receipt at BLUE carries the cost of GREEN's, RED's and at last BLUE's outbound entry.
    assert applications_of(back) == [(at_green.pk, back.pk, D("-3"), False)]
    assert (fresh(gone).remaining_quantity, fresh(returned).remaining_quantity) == (-3, 3)


def test_a_transfer_of_a_standard_item_moves_the_standard_value():
    item = make_item("STD", "standard", standard_cost=D("10"))
    purchase(item, 4, 9, day(1, 1), location_code="BLUE")  # valued 4 x 10 = 40
    outbound, inbound = transfer(item, 2, day(1, 5))
    assert cost_actual(outbound) == D("-20")
    assert cost_actual(inbound) == D("20")


def test_a_specific_item_transfer_names_the_entry_it_takes():
    item = make_item("SPEC", "specific")
    purchase(item, 1, 10, day(1, 1), location_code="BLUE")
    second = purchase(item, 1, 30, day(1, 1), location_code="BLUE")
    outbound, inbound = transfer(item, 1, day(1, 5), applies_to_entry=second.pk)
    assert applications_of(outbound) == [(second.pk, outbound.pk, D("-1"), False)]
    assert cost_actual(inbound) == D("30")
    assert inbound.applies_to_entry_id is None
