"""Costing Issues Detection on production and assembly data (conftest.py `production`):
capacity value entries belong to no item and no item ledger entry, and that is right; every
check stays quiet on a finished production order and an assembly order. The capacity checks
find their deliberately broken record and name the entries and what to do."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from diagnostics.services.costing_issues import CHECKS, costing_issues_detect
from inventory.models import CapacityLedgerEntry, ItemLedgerEntry, ValueEntry
from tests.diagnostics.conftest import Production

D = Decimal


def _cost(entry: ItemLedgerEntry) -> Decimal:
    return ValueEntry.objects.filter(item_ledger_entry=entry).aggregate(
        s=Sum("cost_amount_actual")
    )["s"]


def test_the_production_ledger_is_what_the_fixture_says(production: Production):
    # 4 C @ 3 = 12 consumed; 2 h x 10 = 20 direct, 2 h x 10 x 10 % = 2 indirect: 34.00 for 2 FG.
    assert _cost(production.consumption) == D("-12.00")
    assert _cost(production.output) == D("34.00")
    assert _cost(production.sale) == D("-17.00")  # one of two FG: 34 / 2
    # 2 C @ 3 = 6 + 1 h x 4 = 10.00 for the kit.
    assert _cost(production.assembly_output) == D("10.00")
    capacity = ValueEntry.objects.filter(capacity_ledger_entry__isnull=False)
    assert capacity.count() == 3  # P1 direct and indirect, AO1's resource
    assert not capacity.filter(item__isnull=False).exists()


def test_no_check_fires_on_a_finished_production_order_and_an_assembly_order(production):
    report = costing_issues_detect()
    assert [r.check.code for r in report.results] == [c.code for c in CHECKS]
    assert report.findings == []


def test_no_check_fires_for_a_filter_either(production):
    assert costing_issues_detect(item_filter="FG|KIT").findings == []
    assert costing_issues_detect(item_no="C").findings == []


def _findings(code: str):
    (result,) = costing_issues_detect(checks=[code]).results
    return result


def test_a_value_entry_without_an_entry_is_still_found_when_it_is_no_capacity_entry(production):
    ve = ValueEntry.objects.filter(item_ledger_entry=production.sale).first()
    ValueEntry.objects.filter(pk=ve.pk).update(item_ledger_entry=None)
    result = _findings("ve_without_entry")
    assert [f.value_entry_nos for f in result.findings] == [(ve.pk,)]


def test_a_capacity_entry_whose_order_does_not_exist(production):
    cle = CapacityLedgerEntry.objects.filter(order_no="P1").first()
    CapacityLedgerEntry.objects.filter(pk=cle.pk).update(order_no="P404")
    result = _findings("capacity_order_exists")
    (finding,) = result.findings
    assert finding.capacity_entry_nos == (cle.pk,)
    assert "P404" in finding.message
    assert result.check.remedy


def test_an_assembly_capacity_entry_whose_order_does_not_exist(production):
    cle = CapacityLedgerEntry.objects.get(order_no="AO1")
    CapacityLedgerEntry.objects.filter(pk=cle.pk).update(order_no="AO9")
    (finding,) = _findings("capacity_order_exists").findings
    assert finding.capacity_entry_nos == (cle.pk,)
    assert "assembly order AO9" in finding.message


def test_a_capacity_entry_of_no_order_type(production):
    cle = CapacityLedgerEntry.objects.filter(order_no="P1").first()
    CapacityLedgerEntry.objects.filter(pk=cle.pk).update(order_type="")
    findings = _findings("capacity_order_exists").findings
    assert [f.capacity_entry_nos for f in findings] == [(cle.pk,)]
    assert "of no order type" in findings[0].message


def test_a_capacity_value_entry_without_its_capacity_entry(production):
    # A value entry with an order and no item entry, but not linked to its capacity entry.
    ve = ValueEntry.objects.filter(order_no="P1", capacity_ledger_entry__isnull=False).first()
    ValueEntry.objects.filter(pk=ve.pk).update(capacity_ledger_entry=None)
    (finding,) = _findings("capacity_value_entry_link").findings
    assert finding.value_entry_nos == (ve.pk,)
    # Nor does the basic check count it as a capacity entry any more.
    assert [f.value_entry_nos for f in _findings("ve_without_entry").findings] == [(ve.pk,)]


def test_capacity_value_entries_that_disagree_with_their_capacity_entry(production):
    # P1's capacity entry: direct 20.00, overhead 2.00. The direct value entry now says 21.00.
    direct = ValueEntry.objects.get(order_no="P1", entry_type="direct_cost", item__isnull=True)
    ValueEntry.objects.filter(pk=direct.pk).update(cost_amount_actual=D("21.00"))
    (finding,) = _findings("capacity_value_amounts").findings
    assert finding.capacity_entry_nos == (direct.capacity_ledger_entry_id,)
    assert direct.pk in finding.value_entry_nos
    assert "21" in finding.message and "20" in finding.message


def test_capacity_value_entries_on_another_order_than_their_capacity_entry(production):
    ve = ValueEntry.objects.get(order_no="AO1", item__isnull=True)
    ValueEntry.objects.filter(pk=ve.pk).update(order_no="P1", order_type="production")
    (finding,) = _findings("capacity_value_amounts").findings
    assert finding.capacity_entry_nos == (ve.capacity_ledger_entry_id,)


def test_consumption_and_output_whose_order_does_not_exist(production):
    ItemLedgerEntry.objects.filter(pk=production.output.pk).update(order_no="P77")
    ItemLedgerEntry.objects.filter(pk=production.assembly_output.pk).update(order_no="AO77")
    result = _findings("order_entries_order_exists")
    assert {f.entry_nos for f in result.findings} == {
        (production.output.pk,),
        (production.assembly_output.pk,),
    }
    assert {f.item_no for f in result.findings} == {"FG", "KIT"}


CAPACITY_CODES = (
    "capacity_order_exists",
    "capacity_value_entry_link",
    "capacity_value_amounts",
    "order_entries_order_exists",
)


def test_the_capacity_checks_are_registered_and_each_has_a_broken_record_test():
    assert {c.code for c in CHECKS if c.group == "Production and assembly"} == set(CAPACITY_CODES)


def test_the_capacity_checks_are_quiet_on_clean_data(production):
    for code in CAPACITY_CODES:
        assert _findings(code).findings == [], code
