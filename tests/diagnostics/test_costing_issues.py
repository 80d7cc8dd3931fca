"""Costing Issues Detection (BC-IMPLEMENTATION §4): each check finds a record broken on purpose
(behind the services' back, with a raw UPDATE or INSERT) and names the entries involved; on the
clean ledger of conftest.py, and on the demo company, it finds nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from costing.services import cost_adjustment_run
from diagnostics.services.costing_issues import CHECKS, costing_issues_detect
from inventory import demo
from inventory.errors import InvalidInput
from inventory.models import Item, ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from tests.diagnostics.conftest import Ledger

D = Decimal


def findings(code: str, item_filter: str | None = None):
    report = costing_issues_detect(item_filter=item_filter, checks=[code])
    return report.results[0].findings


def test_the_clean_ledger_has_no_findings(ledger):
    report = costing_issues_detect()
    assert [r.check.code for r in report.results] == [c.code for c in CHECKS]
    assert report.findings == []


def test_the_demo_company_adjusted_has_no_findings():
    demo.load()
    assert cost_adjustment_run().status == "success"
    assert costing_issues_detect().findings == []


def _break_entry_no(ledger: Ledger):
    # A stray entry numbered -5, copied from the receipt.
    ItemLedgerEntry.objects.create(
        entry_no=-5,
        item_id=ledger.receipt.item_id,
        posting_date=ledger.receipt.posting_date,
        entry_type="purchase",
        quantity=D(1),
        remaining_quantity=D(1),
        positive=True,
    )
    return "A", {-5}, set(), set()


def _break_quantity(ledger: Ledger):
    with connection.cursor() as cursor:  # the database refuses it otherwise
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER
        cursor.execute(
            "ALTER TABLE inventory_itemledgerentry DROP CONSTRAINT ile_quantity_not_zero"
        )
    ItemLedgerEntry.objects.filter(pk=ledger.other_receipt.pk).update(quantity=0)
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_ve_without_entry(ledger: Ledger):
    ve = ledger.first_value(ledger.other_receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(item_ledger_entry=None)
    return "B", set(), {ve.pk}, set()


def _break_ve_entry_type(ledger: Ledger):
    ve = ledger.first_value(ledger.sale)
    ValueEntry.objects.filter(pk=ve.pk).update(item_ledger_entry_type="transfer")
    return "A", {ledger.sale.pk}, {ve.pk}, set()


def _break_ve_item(ledger: Ledger):
    ve = ledger.first_value(ledger.other_receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(item_id=ledger.receipt.item_id)
    return "A", {ledger.other_receipt.pk}, {ve.pk}, set()


def _break_ve_location(ledger: Ledger):
    ve = ledger.first_value(ledger.receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(location_id="NOWHERE")  # no such location
    return "A", {ledger.receipt.pk}, {ve.pk}, set()


def _break_ve_applies_to(ledger: Ledger):
    # The sale's adjustment made to point at a value entry of the receipt.
    adjustment = ledger.adjustment_value()
    other = ledger.first_value(ledger.receipt)
    ValueEntry.objects.filter(pk=adjustment.pk).update(applies_to_entry_id=other.pk)
    return "A", {ledger.sale.pk}, {adjustment.pk}, set()


def test_an_adjustment_of_a_missing_value_entry_is_found(ledger):
    adjustment = ledger.adjustment_value()
    ValueEntry.objects.filter(pk=adjustment.pk).update(applies_to_entry_id=10**9)
    (found,) = findings("ve_applies_to")
    assert found.value_entry_nos == (adjustment.pk,)
    assert "does not exist" in found.message


def _break_item_no(ledger: Ledger):
    Item.objects.filter(no="B").update(no="")
    return "", {ledger.other_receipt.pk}, set(), set()


def _break_own_application(ledger: Ledger):
    own = ledger.own_application(ledger.other_receipt)
    ItemApplicationEntry.objects.filter(pk=own.pk).update(quantity=D(3))
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_inbound_remaining(ledger: Ledger):
    ItemLedgerEntry.objects.filter(pk=ledger.receipt.pk).update(remaining_quantity=D(7))
    return "A", {ledger.receipt.pk}, set(), set()


def _break_outbound_applied(ledger: Ledger):
    # The sale used 4 of the receipt: it cannot still have 1 open.
    ItemLedgerEntry.objects.filter(pk=ledger.sale.pk).update(remaining_quantity=D(-1), open=True)
    return "A", {ledger.sale.pk}, set(), set()


def _break_remaining_bounds(ledger: Ledger):
    ItemLedgerEntry.objects.filter(pk=ledger.other_receipt.pk).update(open=False)
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_application_signs(ledger: Ledger):
    use = ledger.use()
    ItemApplicationEntry.objects.filter(pk=use.pk).update(outbound_item_entry=None)
    return "A", {ledger.sale.pk, ledger.receipt.pk}, set(), {use.pk}


def _break_outbound_to_outbound(ledger: Ledger):
    use = ledger.use()
    ItemApplicationEntry.objects.filter(pk=use.pk).update(inbound_item_entry=ledger.sale)
    return "A", {ledger.sale.pk}, set(), {use.pk}


def _break_inbound_to_inbound(ledger: Ledger):
    use = ledger.use()
    ItemApplicationEntry.objects.filter(pk=use.pk).update(outbound_item_entry=ledger.receipt)
    return "A", {ledger.sale.pk, ledger.receipt.pk}, set(), {use.pk}


def _break_across_items(ledger: Ledger):
    use = ledger.use()
    ItemApplicationEntry.objects.filter(pk=use.pk).update(inbound_item_entry=ledger.other_receipt)
    return "A", {ledger.sale.pk, ledger.other_receipt.pk}, set(), {use.pk}


def _break_missing_entry(ledger: Ledger):
    # The outbound entry of a use points at an entry number that was never written (the
    # application table has no foreign key constraints to refuse it).
    use = ledger.use()
    ItemApplicationEntry.objects.filter(pk=use.pk).update(outbound_item_entry_id=999_999)
    return "A", {ledger.sale.pk, ledger.receipt.pk, 999_999}, set(), {use.pk}


def _break_duplicate(ledger: Ledger):
    use = ledger.use()
    copy = ItemApplicationEntry.objects.create(
        item_ledger_entry_id=use.item_ledger_entry_id,
        inbound_item_entry_id=use.inbound_item_entry_id,
        outbound_item_entry_id=use.outbound_item_entry_id,
        quantity=D(0) - D("0.001"),
        posting_date=use.posting_date,
    )
    return "A", {ledger.sale.pk, ledger.receipt.pk}, set(), {use.pk, copy.pk}


def _break_cost_application(ledger: Ledger):
    own = ledger.own_application(ledger.other_receipt)
    ItemApplicationEntry.objects.filter(pk=own.pk).update(cost_application=True)
    return "B", {ledger.other_receipt.pk}, set(), {own.pk}


def _break_valuation_date(ledger: Ledger):
    ve = ledger.first_value(ledger.sale)
    ValueEntry.objects.filter(pk=ve.pk).update(
        valuation_date=ledger.receipt.posting_date - dt.timedelta(days=1)
    )
    return "A", {ledger.sale.pk, ledger.receipt.pk}, set(), {ledger.use().pk}


def _break_valued_by_average(ledger: Ledger):
    ve = ledger.first_value(ledger.sale)  # A is FIFO
    ValueEntry.objects.filter(pk=ve.pk).update(valued_by_average_cost=True)
    return "A", {ledger.sale.pk}, {ve.pk}, set()


def _break_valued_by_average_mixed(ledger: Ledger):
    ve = ledger.first_value(ledger.avg_shipment)  # the invoice's entry stays marked
    ValueEntry.objects.filter(pk=ve.pk).update(valued_by_average_cost=False)
    return "V", {ledger.avg_shipment.pk}, set(), set()


def _break_ve_quantity(ledger: Ledger):
    ve = ledger.first_value(ledger.other_receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(item_ledger_entry_quantity=D(4))
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_ve_invoiced_quantity(ledger: Ledger):
    ve = ledger.first_value(ledger.other_receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(invoiced_quantity=D(6))
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_adjustment_quantities(ledger: Ledger):
    ve = ledger.adjustment_value()
    ValueEntry.objects.filter(pk=ve.pk).update(invoiced_quantity=D(-4))
    return "A", {ledger.sale.pk}, {ve.pk}, set()


def _break_invoiced_beyond(ledger: Ledger):
    ItemLedgerEntry.objects.filter(pk=ledger.other_receipt.pk).update(invoiced_quantity=D(6))
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_completely_invoiced(ledger: Ledger):
    ItemLedgerEntry.objects.filter(pk=ledger.other_receipt.pk).update(completely_invoiced=False)
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_expected_cost(ledger: Ledger):
    ve = ledger.first_value(ledger.other_receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(cost_amount_expected=D("1.00"))
    return "B", {ledger.other_receipt.pk}, set(), set()


def _break_expected_cost_posted(ledger: Ledger):
    ve = ledger.first_value(ledger.other_receipt)
    ValueEntry.objects.filter(pk=ve.pk).update(expected_cost_posted_to_gl=D("15.00"))
    return "B", {ledger.other_receipt.pk}, set(), set()


BREAKS: dict[str, Callable[[Ledger], tuple]] = {
    "ile_entry_no": _break_entry_no,
    "ile_quantity": _break_quantity,
    "ve_without_entry": _break_ve_without_entry,
    "ve_entry_type": _break_ve_entry_type,
    "ve_item": _break_ve_item,
    "ve_location": _break_ve_location,
    "ve_applies_to": _break_ve_applies_to,
    "item_no_blank": _break_item_no,
    "inbound_own_application": _break_own_application,
    "inbound_remaining": _break_inbound_remaining,
    "outbound_applied": _break_outbound_applied,
    "remaining_bounds": _break_remaining_bounds,
    "application_signs": _break_application_signs,
    "outbound_to_outbound": _break_outbound_to_outbound,
    "inbound_to_inbound": _break_inbound_to_inbound,
    "application_across_items": _break_across_items,
    "application_duplicate": _break_duplicate,
    "application_missing_entry": _break_missing_entry,
    "cost_application_flag": _break_cost_application,
    "valuation_date": _break_valuation_date,
    "valued_by_average_cost": _break_valued_by_average,
    "valued_by_average_cost_mixed": _break_valued_by_average_mixed,
    "ve_quantity": _break_ve_quantity,
    "ve_invoiced_quantity": _break_ve_invoiced_quantity,
    "adjustment_quantities": _break_adjustment_quantities,
    "invoiced_beyond_quantity": _break_invoiced_beyond,
    "completely_invoiced_flag": _break_completely_invoiced,
    "expected_cost_on_invoiced": _break_expected_cost,
    "expected_cost_posted_on_invoiced": _break_expected_cost_posted,
}


def test_every_check_has_a_broken_record_test():
    # The production and assembly checks break records of their own ledger
    # (test_costing_issues_production.py).
    assert set(BREAKS) == {c.code for c in CHECKS if c.group != "Production and assembly"}


@pytest.mark.parametrize("code", list(BREAKS))
def test_each_check_finds_the_broken_record_and_only_it(ledger, code):
    assert findings(code) == []
    item_no, entries, values, applications = BREAKS[code](ledger)
    found = findings(code)
    assert len(found) == 1, found
    finding = found[0]
    assert finding.item_no == item_no
    assert entries <= set(finding.entry_nos), finding
    assert values <= set(finding.value_entry_nos), finding
    assert applications <= set(finding.application_entry_nos), finding
    assert finding.message
    check = next(c for c in CHECKS if c.code == code)
    assert check.remedy


def test_the_item_filter_limits_the_report_to_its_items(ledger):
    _break_inbound_remaining(ledger)  # item A
    assert [f.item_no for f in costing_issues_detect(item_filter="A").findings] == ["A"]
    assert costing_issues_detect(item_filter="B|V").findings == []


def test_an_application_whose_own_entry_is_gone_is_found_over_every_item(ledger):
    use = ledger.use()
    ItemApplicationEntry.objects.filter(pk=use.pk).update(
        item_ledger_entry_id=888_888, inbound_item_entry_id=777_777
    )
    (finding,) = findings("application_missing_entry")
    assert finding.item_no == ""
    assert finding.application_entry_nos == (use.pk,)
    assert "entry 888888, inbound 777777" in finding.message
    assert "outbound" not in finding.message  # the sale it names exists
    assert findings("application_missing_entry", item_filter="A") == []


def test_a_bad_filter_or_an_unknown_check_is_refused(ledger):
    with pytest.raises(InvalidInput) as bad:
        costing_issues_detect(item_filter="A..B..C")
    assert "item_filter" in bad.value.detail
    with pytest.raises(InvalidInput) as unknown:
        costing_issues_detect(checks=["nonsense"])
    assert "check" in unknown.value.detail


def test_findings_beyond_the_limit_are_counted_as_more(ledger):
    ItemLedgerEntry.objects.filter(positive=True).update(open=False)  # 3 receipts broken
    report = costing_issues_detect(checks=["remaining_bounds"], limit=2)
    assert len(report.results[0].findings) == 2
    assert report.results[0].more
