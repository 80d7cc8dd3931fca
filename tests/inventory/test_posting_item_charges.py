"""Item charges (DOMAIN §2, §5): freight, insurance and the like add Direct Cost to an inbound
entry, posted on their own date but valued on the receipt's valuation date."""

from __future__ import annotations

import pytest

from inventory.errors import InvalidInput
from inventory.models import ValueEntryType
from inventory.services import item_charge_assign
from tests.inventory.helpers import (
    D,
    cost_actual,
    cost_expected,
    day,
    fresh,
    fresh_item,
    inventory_value,
    ledger_snapshot,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def charge(entry, amount, posting_date, item_charge_no="FREIGHT"):
    return item_charge_assign(
        entry_no=entry.pk,
        posting_date=posting_date,
        amount=D(str(amount)),
        item_charge_no=item_charge_no,
    )


def test_an_item_charge_adds_direct_cost_to_the_receipt_valued_on_the_receipts_date():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1))
    (value,) = charge(p, 20, day(1, 15))
    assert value.item_ledger_entry_id == p.pk
    assert value.entry_type == ValueEntryType.DIRECT_COST
    assert value.item_charge_no == "FREIGHT"
    assert value.cost_amount_actual == D("20")
    assert value.cost_amount_expected == 0
    assert value.posting_date == day(1, 15)
    assert value.valuation_date == day(1, 1)
    assert value.valued_quantity == 10
    assert value.item_ledger_entry_quantity == 0  # the quantity was posted with the receipt
    p = fresh(p)
    assert cost_actual(p) == D("120")  # 100 + 20
    assert p.applied_entry_to_adjust is True
    assert p.remaining_quantity == 10
    # Unit cost: 120 / 10 = 12.
    assert fresh_item(item).unit_cost == D("12")


def test_a_sale_after_the_charge_takes_the_charged_cost():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1))
    charge(p, 20, day(1, 15))
    s = sale(item, 5, day(1, 20))
    # (100 + 20) / 10 = 12 per unit; 5 x 12 = 60.
    assert cost_actual(s) == D("-60")


def test_a_charge_on_a_partly_sold_receipt_raises_the_value_of_what_is_left():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1))
    s = sale(item, 4, day(1, 2))  # -40
    charge(p, 20, day(1, 15))
    # The sale keeps its posting cost until cost adjustment forwards the charge.
    assert cost_actual(s) == D("-40")
    # On hand 6, worth 100 - 40 + 20 = 80 -> unit cost 80 / 6 = 13.33333.
    assert inventory_value(item) == D("80")
    assert fresh_item(item).unit_cost == D("13.33333")


def test_a_charge_on_a_receipt_not_yet_invoiced_is_actual_cost_beside_the_expected_cost():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1), invoiced=False)
    charge(p, 5, day(1, 3))
    # DOMAIN §2: item charges never have expected cost.
    assert cost_expected(p) == D("100")
    assert cost_actual(p) == D("5")


def test_a_negative_charge_lowers_the_receipts_cost():
    item = make_item()
    p = purchase(item, 4, 10, day(1, 1))
    charge(p, "-2", day(1, 5), item_charge_no="DISCOUNT")
    assert cost_actual(p) == D("38")  # 40 - 2
    assert fresh_item(item).unit_cost == D("9.5")  # 38 / 4


def test_an_item_charge_on_an_outbound_entry_is_refused_and_writes_nothing():
    item = make_item()
    purchase(item, 10, 10, day(1, 1))
    s = sale(item, 2, day(1, 2))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        charge(s, 20, day(1, 15))
    assert list(error.value.detail) == ["entry_no"]
    assert ledger_snapshot() == before
    assert values_of(s)[0].cost_amount_actual == D("-20")


def test_an_item_charge_of_zero_is_refused():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        charge(p, 0, day(1, 15))
    assert list(error.value.detail) == ["amount"]
    assert ledger_snapshot() == before


def test_an_item_charge_on_an_entry_that_does_not_exist_is_refused():
    item = make_item()
    p = purchase(item, 10, 10, day(1, 1))
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_charge_assign(entry_no=p.pk + 10_000, posting_date=day(1, 15), amount=D("5"))
    assert list(error.value.detail) == ["entry_no"]
    assert ledger_snapshot() == before
