"""The worked G/L examples of DOMAIN §11.6, posted with Post Inventory Cost to G/L (automatic
cost posting and automatic cost adjustment off, as in the encoded scenarios)."""

from __future__ import annotations

import pytest

from costing.services import cost_adjustment_run
from inventory.models import ValueEntry
from inventory.services import inventory_setup_update, item_charge_assign, item_ledger_entry_invoice
from ledger.models import GLEntry
from tests.ledger.conftest import (
    COGS,
    COGS_INTERIM,
    DIRECT_COST_APPLIED,
    INVENTORY,
    INVENTORY_INTERIM,
    INVT_ACCRUAL_INTERIM,
    OVERHEAD_APPLIED,
    D,
    assert_every_transaction_balances,
    balances,
    day,
    gl_rows,
    make_item,
    nonzero,
    post,
    post_per_entry,
    queued,
    values_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gl_setup", "batch_posting")]


def amounts_on(account: str) -> list[D]:
    return list(
        GLEntry.objects.filter(account_id=account)
        .order_by("entry_no")
        .values_list("amount", flat=True)
    )


def test_purchase_with_overhead_then_sale_posts_inventory_direct_cost_overhead_and_cogs():
    item = make_item("A", overhead_rate=D(1))
    post("purchase", item, 10, day(1, 1, 2020), unit_cost=7)  # direct 10 x 7 = 70, overhead 10 x 1
    post("sale", item, 10, day(1, 15, 2020))  # 10 x (7 + 1) = -80

    report = post_per_entry()

    assert report.message == "3 value entries have been posted to the general ledger."
    # Inventory +70 +10 -80, Direct Cost Applied -70, Overhead Applied -10, COGS +80.
    assert amounts_on(INVENTORY) == [D("70"), D("10"), D("-80")]
    assert amounts_on(DIRECT_COST_APPLIED) == [D("-70")]
    assert amounts_on(OVERHEAD_APPLIED) == [D("-10")]
    assert amounts_on(COGS) == [D("80")]
    assert balances()[INVENTORY] == 0  # 70 + 10 - 80
    assert_every_transaction_balances()


def test_a_late_item_charge_reaches_cogs_after_adjustment():
    item = make_item("A")
    receipt = post("purchase", item, 1, day(1, 1, 2020), unit_cost=10)
    sale = post("sale", item, 1, day(1, 15, 2020))
    cost_adjustment_run()
    post_per_entry()
    # Purchase 1 @ 10 and sale: COGS 10.
    assert nonzero(balances()) == {DIRECT_COST_APPLIED: D("-10"), COGS: D("10")}

    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10, 2020), amount=D(2))
    cost_adjustment_run()
    report = post_per_entry()

    # The charge (+2 on the receipt) and the sale's adjustment (-2) post: COGS 10 + 2 = 12,
    # Direct Cost Applied -10 - 2 = -12, Inventory 10 + 2 - 10 - 2 = 0.
    assert report.value_entries_posted == 2
    assert nonzero(balances()) == {DIRECT_COST_APPLIED: D("-12"), COGS: D("12")}
    assert balances()[INVENTORY] == 0
    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    assert gl_rows(adjustment) == [(INVENTORY, D("-2")), (COGS, D("2"))]
    # The adjustment is dated like the sale it adjusts (DOMAIN §6.5); so are its G/L entries.
    assert set(
        GLEntry.objects.filter(value_links__value_entry=adjustment).values_list(
            "posting_date", flat=True
        )
    ) == {day(1, 15, 2020)}
    assert_every_transaction_balances()


def test_expected_cost_goes_through_the_interim_accounts_and_is_cleared_by_the_invoice():
    inventory_setup_update(expected_cost_posting_to_gl=True)
    item = make_item("A")
    receipt = post("purchase", item, 10, day(1, 1), unit_cost="9.5", invoiced=False)

    post_per_entry()
    # Receipt expected 10 x 9.50 = 95: Inventory (Interim) +95, Invt. Accrual (Interim) -95.
    assert nonzero(balances()) == {INVENTORY_INTERIM: D("95"), INVT_ACCRUAL_INTERIM: D("-95")}

    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 20), quantity=D(10), unit_cost=D(10)
    )
    post_per_entry()

    # The invoice (actual 100, expected -95) clears the interim accounts: 95 - 95 = 0 each,
    # and posts Inventory 100, Direct Cost Applied -100.
    assert amounts_on(INVENTORY_INTERIM) == [D("95"), D("-95")]
    assert amounts_on(INVT_ACCRUAL_INTERIM) == [D("-95"), D("95")]
    assert nonzero(balances()) == {INVENTORY: D("100"), DIRECT_COST_APPLIED: D("-100")}
    for value in values_of(receipt):
        assert value.expected_cost_posted_to_gl == value.cost_amount_expected
        assert value.cost_posted_to_gl == value.cost_amount_actual
    assert_every_transaction_balances()


def test_expected_cost_posted_before_the_setting_was_turned_off_is_still_cleared():
    inventory_setup_update(expected_cost_posting_to_gl=True)
    item = make_item("A")
    receipt = post("purchase", item, 10, day(1, 1), unit_cost="9.5", invoiced=False)
    post_per_entry()  # Inventory (Interim) +95, Invt. Accrual (Interim) -95
    inventory_setup_update(expected_cost_posting_to_gl=False)
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 20), quantity=D(10), unit_cost=D(10)
    )
    post_per_entry()
    # The receipt's 95 reached the interim accounts, so its invoice takes it out again.
    assert nonzero(balances()) == {INVENTORY: D("100"), DIRECT_COST_APPLIED: D("-100")}
    assert_every_transaction_balances()


def test_with_expected_cost_posting_off_a_receipt_is_skipped_and_the_invoice_posts_only_actual():
    item = make_item("A")
    receipt = post("purchase", item, 10, day(1, 1), unit_cost="9.5", invoiced=False)
    (receipt_value,) = values_of(receipt)

    report = post_per_entry()

    assert report.message == "There is nothing to post to the general ledger."
    (skipped,) = report.skipped
    assert skipped.value_entry_no == receipt_value.pk
    assert skipped.expected_cost is True
    assert skipped.cost_amount == D("95")
    assert "Expected Cost Posting to G/L is off" in skipped.reason
    assert not GLEntry.objects.exists()

    (invoice,) = item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 20), quantity=D(10), unit_cost=D(10)
    )
    report = post_per_entry()

    # Only the invoice's actual 100 posts; its -95 release of expected cost never posted.
    assert gl_rows(invoice) == [(INVENTORY, D("100")), (DIRECT_COST_APPLIED, D("-100"))]
    assert nonzero(balances()) == {INVENTORY: D("100"), DIRECT_COST_APPLIED: D("-100")}
    assert not GLEntry.objects.filter(
        account_id__in=[INVENTORY_INTERIM, INVT_ACCRUAL_INTERIM, COGS_INTERIM]
    ).exists()
    invoice.refresh_from_db()
    assert (invoice.cost_posted_to_gl, invoice.expected_cost_posted_to_gl) == (D("100"), 0)
    assert invoice.pk not in queued()
    assert ValueEntry.objects.get(pk=receipt_value.pk).expected_cost_posted_to_gl == 0
    assert_every_transaction_balances()
