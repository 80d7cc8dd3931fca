"""Automatic Cost Posting (DOMAIN §1.1, §11.5): with it on (the default), every posting, and every
adjustment it triggers, posts its G/L entries in its own transaction, dated like the entry."""

from __future__ import annotations

import pytest
from django.db import transaction

from costing.services import cost_adjustment_run
from inventory.models import InventorySetup, ValueEntry
from inventory.services import inventory_setup_update, item_charge_assign, item_ledger_entry_invoice
from ledger.models import GLEntry, InventoryPostingSetup
from tests.ledger.conftest import (
    COGS,
    DIRECT_COST_APPLIED,
    INVENTORY,
    INVENTORY_ADJMT,
    INVENTORY_INTERIM,
    INVT_ACCRUAL_INTERIM,
    OVERHEAD_APPLIED,
    D,
    assert_every_transaction_balances,
    balances,
    day,
    gl_rows,
    inventory_gl_balance,
    inventory_value,
    make_item,
    nonzero,
    post,
    post_per_entry,
    queued,
    values_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gl_setup")]


def test_automatic_cost_posting_and_adjustment_are_on_by_default():
    setup = InventorySetup.get()
    assert setup.automatic_cost_posting is True
    assert setup.automatic_cost_adjustment == "always"


def test_a_posting_posts_its_g_l_entries_before_the_journal_call_returns():
    item = make_item("A", overhead_rate=D(1))
    receipt = post("purchase", item, 10, day(1, 1), unit_cost=7, document_no="PR-1")

    # Direct 70 and overhead 10 are on the G/L already, dated and numbered like the entry.
    direct, indirect = values_of(receipt)
    assert gl_rows(direct) == [(INVENTORY, D("70")), (DIRECT_COST_APPLIED, D("-70"))]
    assert gl_rows(indirect)[0] == (INVENTORY, D("10"))
    assert set(GLEntry.objects.values_list("posting_date", "document_no")) == {(day(1, 1), "PR-1")}
    assert queued() == set()
    for value in (direct, indirect):
        value.refresh_from_db()
        assert value.cost_posted_to_gl == value.cost_amount_actual

    post("sale", item, 10, day(1, 15))
    # 10 x 8 = 80 to COGS; the batch finds nothing left to do.
    assert nonzero(balances()) == {
        DIRECT_COST_APPLIED: D("-70"),
        OVERHEAD_APPLIED: D("-10"),
        COGS: D("80"),
    }
    assert queued() == set()
    assert post_per_entry().message == "There is nothing to post to the general ledger."
    assert_every_transaction_balances()


def test_an_automatic_adjustment_posts_its_entries_too():
    item = make_item("A")
    receipt = post("purchase", item, 1, day(1, 1, 2020), unit_cost=10)
    sale = post("sale", item, 1, day(1, 15, 2020))

    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10, 2020), amount=D(2))

    # Automatic adjustment (Always) passed the charge to the sale, and both posted at once:
    # COGS 10 + 2 = 12, Direct Cost Applied -12, Inventory 0 (DOMAIN §11.6).
    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    assert gl_rows(adjustment) == [(INVENTORY, D("-2")), (COGS, D("2"))]
    assert nonzero(balances()) == {DIRECT_COST_APPLIED: D("-12"), COGS: D("12")}
    assert queued() == set()
    assert all(v.cost_posted_to_gl == v.cost_amount_actual for v in ValueEntry.objects.all())
    assert_every_transaction_balances()


def test_an_adjustment_run_posts_its_entries_when_automatic_posting_is_on():
    inventory_setup_update(automatic_cost_adjustment="never")
    item = make_item("A")
    receipt = post("purchase", item, 1, day(1, 1), unit_cost=10)
    sale = post("sale", item, 1, day(1, 15))
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    assert not [v for v in values_of(sale) if v.adjustment]  # not adjusted yet

    cost_adjustment_run()

    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    assert gl_rows(adjustment) == [(INVENTORY, D("-2")), (COGS, D("2"))]
    assert queued() == set()


def test_a_rolled_back_posting_leaves_no_g_l_entries_behind():
    item = make_item("A")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        post("purchase", item, 1, day(1, 1), unit_cost=10)
        assert GLEntry.objects.count() == 2  # posted inside the posting's transaction
        raise Abort

    assert not ValueEntry.objects.exists()
    assert not GLEntry.objects.exists()
    assert queued() == set()


def test_with_automatic_posting_off_the_value_entries_wait_in_the_queue():
    inventory_setup_update(automatic_cost_posting=False)
    item = make_item("A")
    (value,) = values_of(post("purchase", item, 1, day(1, 1), unit_cost=10))
    assert not GLEntry.objects.exists()
    assert queued() == {value.pk}
    post_per_entry()
    assert gl_rows(value) == [(INVENTORY, D("10")), (DIRECT_COST_APPLIED, D("-10"))]


def test_a_posting_does_not_fail_for_a_missing_setup_and_its_entry_waits_until_fixed():
    item = make_item("N", inventory_posting_group="NOSETUP")
    (value,) = values_of(post("purchase", item, 1, day(1, 1), unit_cost=10))

    assert not GLEntry.objects.exists()
    assert queued() == {value.pk}

    InventoryPostingSetup.objects.create(
        location_code="", inventory_posting_group="NOSETUP", inventory_account_id=INVENTORY
    )
    report = post_per_entry()
    assert report.value_entries_posted == 1
    assert gl_rows(value) == [(INVENTORY, D("10")), (DIRECT_COST_APPLIED, D("-10"))]
    assert queued() == set()


def test_automatic_posting_of_expected_cost_follows_the_expected_cost_setting():
    inventory_setup_update(expected_cost_posting_to_gl=True)
    item = make_item("A")
    receipt = post("purchase", item, 10, day(1, 1), unit_cost="9.5", invoiced=False)
    # 10 x 9.50 = 95 to the interim accounts at once.
    assert nonzero(balances()) == {INVENTORY_INTERIM: D("95"), INVT_ACCRUAL_INTERIM: D("-95")}

    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 20), quantity=D(10), unit_cost=D(10)
    )
    # Interim cleared (95 - 95), actual 100 posted.
    assert nonzero(balances()) == {INVENTORY: D("100"), DIRECT_COST_APPLIED: D("-100")}
    assert queued() == set()
    assert inventory_gl_balance() == inventory_value()
    assert_every_transaction_balances()


def test_positive_and_negative_adjustments_post_automatically_against_inventory_adjmt():
    inventory_setup_update(automatic_cost_adjustment="never")
    item = make_item("A")
    post("positive_adjmt", item, 4, day(1, 1), unit_cost=5)  # 4 x 5 = 20
    post("negative_adjmt", item, 1, day(1, 2))  # 1 x 5 = -5
    # Inventory 20 - 5 = 15; Inventory Adjmt. -20 + 5 = -15.
    assert nonzero(balances()) == {INVENTORY: D("15"), INVENTORY_ADJMT: D("-15")}
    assert queued() == set()
