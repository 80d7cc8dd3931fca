"""The month-end close over random postings (DOMAIN §16): a close, its reversal and a second
close leave the ledgers a single close leaves, a reversal takes the G/L back to where it was
before the close, and after a close the Inventory - G/L Reconciliation shows no difference (but
for the expected cost, not posted here).

Each example plays a random scenario of tests/costing/strategies.py (1-3 items of any costing
method, purchases, sales, transfers, returns, late invoices, charges, revaluations; the negative
inventory left covered at the end) with nothing adjusted or posted at posting time, then closes
at a date from a third of the way through its dates to just after them. Every example runs in
a savepoint that is rolled back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import event, given
from hypothesis import strategies as st

from inventory.errors import InvalidInput
from inventory.models import InventoryPeriod, PostValueEntryToGL, ValueEntry
from inventory.services import inventory_setup_update
from ledger.models import InventoryClose, InventoryCloseSettlement, InventoryCloseStatus
from ledger.reconciliation import EXPECTED_COST_ROWS, reconciliation_matrix
from ledger.services.closing import (
    inventory_close_execute,
    inventory_close_reverse,
    inventory_close_start,
)
from tests.costing.strategies import DAYS, START, Scenario, play, scenarios
from tests.costing.test_properties import PROPERTY, rolled_back
from tests.ledger.conftest import balances, create_gl_setup, nonzero, unbalanced_transactions

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(db):
    create_gl_setup()


def close(closing_date: dt.date) -> InventoryClose:
    started = inventory_close_start(kind="close", closing_date=closing_date, enqueue=False)
    done = inventory_close_execute(started.pk)
    assert done.status == InventoryCloseStatus.DONE, done.error
    return done


def reconciliation_differences() -> dict:
    """Inventory - G/L Reconciliation rows that differ, but for the interim rows: expected cost
    is not posted here (expected cost posting off), by design."""
    return {
        row.account_type: row.difference
        for row in reconciliation_matrix().role_rows
        if row.difference and row.account_type not in EXPECTED_COST_ROWS
    }


def snapshot() -> dict:
    """Per item ledger entry its cost and posted amounts; G/L balances; the G/L queue (by entry
    and amount); settlements in force; closed periods."""
    per_entry = {
        r["item_ledger_entry_id"]: (r["a"], r["e"], r["p"], r["x"])
        for r in ValueEntry.objects.values("item_ledger_entry_id").annotate(
            a=Sum("cost_amount_actual"),
            e=Sum("cost_amount_expected"),
            p=Sum("cost_posted_to_gl"),
            x=Sum("expected_cost_posted_to_gl"),
        )
    }
    return {
        "entries": per_entry,
        "gl": nonzero(balances()),
        "queue": sorted(
            PostValueEntryToGL.objects.values_list(
                "value_entry__item_ledger_entry_id",
                "value_entry__cost_amount_actual",
                "value_entry__cost_amount_expected",
            )
        ),
        "settled": sorted(
            InventoryCloseSettlement.objects.filter(active=True).values_list(
                "application_id", "quantity", "cost_amount"
            )
        ),
        "closed": list(InventoryPeriod.objects.filter(closed=True).values_list("ending_date")),
    }


@PROPERTY
@given(scenario=scenarios(), closing_day=st.integers(DAYS // 3, DAYS + 5))
def test_close_reverse_close_leaves_what_one_close_leaves(scenario: Scenario, closing_day: int):
    closing_date = START + dt.timedelta(days=closing_day)
    with rolled_back():
        inventory_setup_update(automatic_cost_posting=False, expected_cost_posting_to_gl=False)
        play(scenario, automatic="never", settle=True)
        before = nonzero(balances())
        try:
            with transaction.atomic():
                close(closing_date)
                single = snapshot()
                assert reconciliation_differences() == {}
                transaction.set_rollback(True)
        except InvalidInput as refused:  # negative inventory in the period, covered after it
            assert "negative inventory" in str(refused.detail)
            event("refused: negative inventory")
            return
        event("closed")
        if single["settled"]:
            event("settled something")
        first = close(closing_date)
        inventory_close_reverse(close=first)
        assert nonzero(balances()) == before  # the close's G/L effects undone
        close(closing_date)
        assert snapshot() == single
        assert unbalanced_transactions() == {}
        assert reconciliation_differences() == {}
