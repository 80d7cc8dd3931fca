"""Indirect cost % and overhead rate on purchases (DOMAIN §1.2, §2): the direct cost posts as
Direct Cost, the overhead on top as Indirect Cost."""

from __future__ import annotations

from django.db.models import Sum

from inventory.models import ValueEntryType
from inventory.services import item_ledger_entry_invoice
from tests.inventory.helpers import (
    D,
    cost_actual,
    cost_expected,
    day,
    fresh,
    fresh_item,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    values_of,
)


def amounts_by_type(entry):
    return [(v.entry_type, v.cost_amount_actual, v.cost_amount_expected) for v in values_of(entry)]


def test_a_purchase_with_an_overhead_rate_posts_direct_and_indirect_cost():
    item = make_item(overhead_rate=D("1"))
    p = purchase(item, 10, 7, day(1, 1))
    # DOMAIN: 10 @ 7 with overhead rate 1 -> 70 direct + 10 indirect = 80.
    assert amounts_by_type(p) == [
        (ValueEntryType.DIRECT_COST, D("70"), 0),
        (ValueEntryType.INDIRECT_COST, D("10"), 0),
    ]
    assert cost_actual(p) == D("80")
    direct, indirect = values_of(p)
    # Only the first value entry carries the item ledger entry's quantity.
    assert (direct.item_ledger_entry_quantity, indirect.item_ledger_entry_quantity) == (10, 0)
    assert (direct.valued_quantity, indirect.valued_quantity) == (10, 10)
    assert indirect.valuation_date == day(1, 1)
    item = fresh_item(item)
    assert item.unit_cost == D("8")  # 80 / 10
    assert item.last_direct_cost == D("7")


def test_indirect_cost_percent_and_overhead_rate_add_up():
    item = make_item(indirect_cost_pct=D("10"), overhead_rate=D("0.5"))
    p = purchase(item, 10, 7, day(1, 1))
    # Unit cost 7 x 1.10 + 0.50 = 8.20; 10 x 8.20 = 82 -> direct 70, indirect 82 - 70 = 12.
    assert amounts_by_type(p) == [
        (ValueEntryType.DIRECT_COST, D("70"), 0),
        (ValueEntryType.INDIRECT_COST, D("12"), 0),
    ]
    assert fresh_item(item).unit_cost == D("8.2")


def test_a_receipt_with_overhead_is_expected_at_the_full_unit_cost_and_split_when_invoiced():
    item = make_item(overhead_rate=D("1"))
    p = purchase(item, 10, 7, day(1, 1), invoiced=False)
    # Expected: 10 x (7 + 1) = 80, in one Direct Cost entry.
    assert amounts_by_type(p) == [(ValueEntryType.DIRECT_COST, 0, D("80"))]
    created = item_ledger_entry_invoice(
        entry_no=p.pk, posting_date=day(1, 10), quantity=D("10"), unit_cost=D("8")
    )
    # Invoiced at 8: direct 10 x 8 = 80 releasing the 80 expected; indirect 10 x (8 + 1) - 80 = 10.
    assert [(v.entry_type, v.cost_amount_actual, v.cost_amount_expected) for v in created] == [
        (ValueEntryType.DIRECT_COST, D("80"), D("-80")),
        (ValueEntryType.INDIRECT_COST, D("10"), 0),
    ]
    assert [v.invoiced_quantity for v in created] == [10, 0]
    p = fresh(p)
    assert cost_actual(p) == D("90")
    assert cost_expected(p) == 0
    assert fresh_item(item).unit_cost == D("9")  # 90 / 10


def test_the_invoiced_quantity_is_counted_once_over_a_purchases_value_entries():
    # Only the Direct Cost entry carries the invoiced quantity (like the entry quantity).
    item = make_item(overhead_rate=D("1"))
    p = purchase(item, 10, 7, day(1, 1))
    total = sum(v.invoiced_quantity for v in values_of(p))
    assert total == fresh(p).invoiced_quantity == 10
    assert item.value_entries.aggregate(s=Sum("invoiced_quantity"))["s"] == 10
