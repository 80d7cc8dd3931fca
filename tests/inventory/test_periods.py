"""Inventory periods (DOMAIN §10.1, §1.12): what stops a close, closing, reopening newest first,
the history of both, and what a closed period means for postings and cost adjustment."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from costing.services import cost_adjustment_run
from inventory.errors import InvalidInput
from inventory.models import InventoryPeriod, InventoryPeriodEntry, ItemLedgerEntry, ValueEntry
from inventory.services import item_charge_assign, item_journal_post
from inventory.services.periods import (
    NEGATIVE_INVENTORY,
    NOT_ADJUSTED,
    inventory_period_close,
    inventory_period_close_test,
    inventory_period_create,
    inventory_period_reopen,
)
from tests.inventory.helpers import (
    D,
    day,
    ledger_snapshot,
    line,
    make_item,
    posting_only,  # noqa: F401 (autouse fixture)
    purchase,
    sale,
    values_of,
)


def january() -> InventoryPeriod:
    return inventory_period_create(ending_date=day(1, 31), name="January")


def february() -> InventoryPeriod:
    return inventory_period_create(ending_date=day(2, 28), name="February")


def period_state() -> list[tuple]:
    return [
        *InventoryPeriod.objects.order_by("pk").values_list("pk", "closed"),
        *InventoryPeriodEntry.objects.values_list("pk"),
    ]


def refused_close(period: InventoryPeriod) -> list[str]:
    before = period_state(), ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        inventory_period_close(period=period)
    assert (period_state(), ledger_snapshot()) == before
    return error.value.detail["period"]


@pytest.fixture
def accountant_user(db) -> User:
    return User.objects.create_user("anna", password="pw")


# -- closing ---------------------------------------------------------------------------------


def test_a_closed_period_refuses_postings_with_an_error_naming_the_period():
    item = make_item()
    inventory_period_close(period=january())
    before = ledger_snapshot()
    with pytest.raises(InvalidInput) as error:
        item_journal_post(lines=[line("purchase", item, 1, day(1, 31), unit_cost=10)])
    assert ledger_snapshot() == before
    (message,) = error.value.detail["lines"][0]["posting_date"]
    assert "inventory period January ending 2025-01-31 is closed" in message


def test_close_records_who_closed_it_and_the_last_entry_of_the_period(accountant_user):
    item = make_item()
    purchase(item, 5, 10, day(1, 10))
    last_in_january = sale(item, 2, day(1, 20))
    purchase(item, 1, 10, day(2, 3))  # after the period: not its last entry
    cost_adjustment_run()
    period = inventory_period_close(period=january(), user=accountant_user)
    assert period.closed
    (entry,) = InventoryPeriodEntry.objects.all()
    assert (entry.entry_type, entry.user_name, entry.ending_date) == ("close", "anna", day(1, 31))
    assert entry.last_item_ledger_entry_no == last_in_january.pk


def test_close_with_a_negative_inventory_item_is_refused_with_the_reason():
    item = make_item("A")
    purchase(item, 2, 10, day(1, 5))
    short = sale(item, 3, day(1, 20))  # one unit more than was received
    cost_adjustment_run()
    test = inventory_period_close_test(january())
    assert [(b.kind, b.item_no, b.entry_nos) for b in test.blockers] == [
        (NEGATIVE_INVENTORY, "A", (short.pk,))
    ]
    (message,) = refused_close(test.period)
    assert "Item A has negative inventory" in message
    assert f"entry {short.pk} (sale of 2025-01-20) is short of 1" in message


def test_negative_inventory_after_the_period_does_not_stop_it():
    item = make_item("A")
    purchase(item, 2, 10, day(1, 5))
    sale(item, 3, day(2, 2))
    cost_adjustment_run()
    assert inventory_period_close(period=january()).closed


def test_close_needs_the_costs_of_the_period_adjusted():
    item = make_item("A")
    receipt = purchase(item, 5, 10, day(1, 10))
    sale(item, 2, day(1, 20))
    item_charge_assign(entry_no=receipt.pk, posting_date=day(1, 25), amount=D(5))
    period = january()
    (message,) = refused_close(period)
    assert message.startswith("Item A is not adjusted up to 2025-01-31: entries ")
    assert "Run Adjust Cost - Item Entries." in message
    assert [b.kind for b in inventory_period_close_test(period).blockers] == [NOT_ADJUSTED]
    cost_adjustment_run()
    assert inventory_period_close_test(period).blockers == []
    assert inventory_period_close(period=period).closed


def test_a_later_period_cannot_close_while_an_earlier_one_is_open():
    jan, feb = january(), february()
    (message,) = refused_close(feb)
    assert "inventory period January ending 2025-01-31 is still open" in message
    inventory_period_close(period=jan)
    assert inventory_period_close(period=feb).closed


def test_a_closed_period_cannot_be_closed_again():
    period = inventory_period_close(period=january())
    (message,) = refused_close(period)
    assert "is closed" in message


# -- reopening -------------------------------------------------------------------------------


def test_only_the_last_closed_period_can_be_reopened(accountant_user):
    jan = inventory_period_close(period=january())
    feb = inventory_period_close(period=february())
    before = period_state()
    with pytest.raises(InvalidInput) as error:
        inventory_period_reopen(period=jan)
    assert period_state() == before
    assert error.value.detail == {
        "period": [
            "Only the last closed period can be reopened: reopen the period February ending "
            "2025-02-28 first."
        ]
    }
    inventory_period_reopen(period=feb, user=accountant_user)
    inventory_period_reopen(period=jan)
    assert list(InventoryPeriod.objects.values_list("closed", flat=True)) == [False, False]
    history = InventoryPeriodEntry.objects.values_list("ending_date", "entry_type", "user_name")
    assert list(history) == [
        (day(1, 31), "close", ""),
        (day(2, 28), "close", ""),
        (day(2, 28), "reopen", "anna"),
        (day(1, 31), "reopen", ""),
    ]


def test_a_reopened_period_takes_postings_again():
    item = make_item()
    period = inventory_period_close(period=january())
    inventory_period_reopen(period=period)
    assert purchase(item, 1, 10, day(1, 15)).posting_date == day(1, 15)


def test_an_open_period_cannot_be_reopened():
    with pytest.raises(InvalidInput) as error:
        inventory_period_reopen(period=january())
    assert list(error.value.detail) == ["period"]


# -- creating --------------------------------------------------------------------------------


def test_a_period_must_end_after_the_last_closed_one():
    inventory_period_close(period=february())
    with pytest.raises(InvalidInput) as error:
        inventory_period_create(ending_date=day(1, 31), name="January")
    assert error.value.detail == {
        "ending_date": [
            "Inventory periods are closed up to 2025-02-28; a new period must end later."
        ]
    }
    assert InventoryPeriod.objects.count() == 1


def test_two_periods_cannot_end_on_the_same_day():
    january()
    with pytest.raises(InvalidInput) as error:
        january()
    assert list(error.value.detail) == ["ending_date"]


# -- cost adjustment after a close -----------------------------------------------------------


def test_an_adjustment_that_would_fall_in_a_closed_period_is_dated_on_the_first_open_day():
    item = make_item()
    receipt = purchase(item, 5, 10, day(1, 10))
    s = sale(item, 2, day(1, 20))
    cost_adjustment_run()
    inventory_period_close(period=january())
    # A freight charge of 5 on the January receipt, posted in February: 1.00 a unit, so the
    # January sale of 2 must cost 2.00 more. Its own date (Jan 20) is closed: Feb 1 it is.
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 5), amount=D(5))
    cost_adjustment_run()
    adjustment = ValueEntry.objects.get(item_ledger_entry=s, adjustment=True)
    assert adjustment.cost_amount_actual == D("-2")
    assert adjustment.posting_date == day(2, 1)
    assert adjustment.valuation_date == day(1, 20)
    assert sum(v.cost_amount_actual for v in values_of(s)) == D("-22")
    assert ItemLedgerEntry.objects.get(pk=s.pk).posting_date == day(1, 20)
