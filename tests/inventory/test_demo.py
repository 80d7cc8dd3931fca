"""`manage.py load_demo`: what a user opening the demo company would check."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F, Sum

from inventory import demo
from inventory.models import (
    CostingMethod,
    EntryType,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from ledger.models import GeneralPostingSetup, GLAccount, InventoryPostingSetup

DEMO_ITEM_NOS = [spec.no for spec in demo.ITEMS]


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def output() -> str:
    return run_load_demo()


def expected_quantities() -> dict[tuple[str, str, str], Decimal]:
    """Quantity on hand per (item, location, variant), worked out from the demo's journals."""
    inbound_types = {EntryType.POSITIVE_ADJMT, EntryType.OUTPUT, EntryType.ASSEMBLY_OUTPUT}
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for step in demo.TIMELINE:
        if not isinstance(step, demo.Journal):
            continue
        for line in step.lines:
            if line.entry_type == EntryType.TRANSFER:
                totals[(line.item_no, line.location, line.variant)] -= line.quantity
                totals[(line.item_no, line.new_location, line.variant)] += line.quantity
                continue
            if line.entry_type == EntryType.PURCHASE:
                inbound = not line.is_return
            elif line.entry_type == EntryType.SALE:
                inbound = line.is_return
            else:
                inbound = line.entry_type in inbound_types
            sign = 1 if inbound else -1
            totals[(line.item_no, line.location, line.variant)] += sign * line.quantity
    return totals


def count_not_invoiced(entry_type: str) -> int:
    """Lines of the demo posted without invoice (each is invoiced by a later step)."""
    lines = [
        line
        for step in demo.TIMELINE
        if isinstance(step, demo.Journal)
        for line in step.lines
        if line.entry_type == entry_type and not line.invoiced
    ]
    invoiced_keys = {step.key for step in demo.TIMELINE if isinstance(step, demo.Invoice)}
    assert all(line.key in invoiced_keys for line in lines)
    return len(lines)


def inventory_value(item_no: str) -> Decimal:
    return ValueEntry.objects.filter(item__no=item_no).aggregate(
        v=Sum(F("cost_amount_actual") + F("cost_amount_expected"))
    )["v"]


def test_prints_a_summary_and_the_login_line(output):
    assert "Demo company loaded: 9 items" in output
    assert output.strip().splitlines()[-1] == "Demo login: demo / demo at http://127.0.0.1:8000/"


def test_setup_and_chart_of_accounts(output):
    setup = InventorySetup.get()
    assert setup.automatic_cost_posting is False
    assert setup.expected_cost_posting_to_gl is True
    assert setup.automatic_cost_adjustment == "never"
    assert setup.average_cost_calc_type == "item"
    assert setup.average_cost_period == "month"
    assert setup.cost_adjustment_logging == "all"
    assert GLAccount.objects.get(no="2130").name == "Inventory"
    assert GeneralPostingSetup.objects.count() == 3 * 2
    assert InventoryPostingSetup.objects.count() == 4 * 2
    general = GeneralPostingSetup.objects.get(
        gen_bus_posting_group="", gen_prod_posting_group="RETAIL"
    )
    assert general.cogs_account_id == "7290"
    assert general.invt_accrual_account_interim_id == "5530"
    for setup_row in InventoryPostingSetup.objects.all():
        assert setup_row.inventory_account_id == "2130"
        assert setup_row.mfg_overhead_variance_account_id == "7894"


def test_every_costing_method_is_present_and_every_item_has_entries(output):
    items = Item.objects.filter(no__in=DEMO_ITEM_NOS)
    assert items.count() == len(demo.ITEMS)
    assert set(items.values_list("costing_method", flat=True)) == set(CostingMethod.values)
    for item in items:
        assert ItemLedgerEntry.objects.filter(item=item).exists(), item.no


def test_quantities_on_hand_match_the_demo_journals(output):
    expected = expected_quantities()
    by_place = {
        (row["item__no"], row["location_id"] or "", row["variant_code"]): row["q"]
        for row in ItemLedgerEntry.objects.values(
            "item__no", "location_id", "variant_code"
        ).annotate(q=Sum("quantity"))
    }
    assert {k: v for k, v in by_place.items() if v} == {k: v for k, v in expected.items() if v}
    for item_no in DEMO_ITEM_NOS:
        per_item = sum((q for (no, _, _), q in expected.items() if no == item_no), Decimal(0))
        on_hand = ItemLedgerEntry.objects.filter(item__no=item_no).aggregate(q=Sum("quantity"))["q"]
        assert on_hand == per_item, item_no
        remaining = ItemLedgerEntry.objects.filter(item__no=item_no).aggregate(
            q=Sum("remaining_quantity")
        )["q"]
        assert remaining == per_item, item_no  # nothing left open on the negative side


def test_each_kind_of_posting_is_there(output):
    entries = ItemLedgerEntry.objects.filter(item__no__in=DEMO_ITEM_NOS)
    # transfers: an outbound and an inbound entry, the inbound taking its cost from the outbound
    transfer_in = entries.filter(entry_type=EntryType.TRANSFER, positive=True)
    assert transfer_in.exists()
    assert all(e.applies_from_entry_id for e in transfer_in)
    # a sales return that takes its cost from the sale (cost application)
    sales_return = entries.get(entry_type=EntryType.SALE, is_return=True, item__no="1000")
    assert sales_return.applies_from_entry.entry_type == EntryType.SALE
    assert ItemApplicationEntry.objects.filter(
        item_ledger_entry=sales_return, cost_application=True
    ).exists()
    # purchase returns applied to the receipt they send back
    purchase_returns = entries.filter(entry_type=EntryType.PURCHASE, is_return=True)
    assert purchase_returns.count() == 2
    assert all(e.applies_to_entry.entry_type == EntryType.PURCHASE for e in purchase_returns)
    # receipts posted without invoice, invoiced later: no expected cost is left on them
    received_then_invoiced = [
        e
        for e in entries.filter(entry_type=EntryType.PURCHASE, positive=True)
        if e.value_entries.filter(expected_cost=True).exists()
    ]
    assert len(received_then_invoiced) == count_not_invoiced(EntryType.PURCHASE)
    for entry in received_then_invoiced:
        assert entry.completely_invoiced
        assert entry.value_entries.aggregate(e=Sum("cost_amount_expected"))["e"] == 0
    # shipments invoiced later, with the sales amount
    shipped_then_invoiced = [
        e
        for e in entries.filter(entry_type=EntryType.SALE, positive=False)
        if e.value_entries.filter(expected_cost=True).exists()
    ]
    assert len(shipped_then_invoiced) == count_not_invoiced(EntryType.SALE)
    for entry in shipped_then_invoiced:
        sums = entry.value_entries.aggregate(
            e=Sum("cost_amount_expected"), s=Sum("sales_amount_actual")
        )
        assert sums["e"] == 0 and sums["s"] > 0
    # item charges (freight) and the revaluation
    charges = ValueEntry.objects.filter(item_charge_no="FREIGHT")
    assert charges.filter(item__no="1000", entry_type=ValueEntryType.DIRECT_COST).count() == 2
    assert ValueEntry.objects.filter(
        item__no="70000", entry_type=ValueEntryType.REVALUATION
    ).exists()
    # Specific: every outbound entry names the entry it takes
    specific_out = entries.filter(item__costing_method=CostingMethod.SPECIFIC, positive=False)
    assert specific_out.exists()
    assert not specific_out.filter(applies_to_entry__isnull=True).exists()
    # the negative-inventory sale at RED, closed by the receipt that came later
    negative_sale = entries.get(
        item__no="1700", location_id="RED", entry_type=EntryType.SALE, posting_date=demo.day(2, 10)
    )
    assert not negative_sale.open
    link = ItemApplicationEntry.objects.get(outbound_item_entry=negative_sale, quantity__lt=0)
    assert link.inbound_item_entry.posting_date > negative_sale.posting_date
    assert link.item_ledger_entry_id == link.inbound_item_entry_id  # posted by the receipt


def test_fifo_bicycle_value_worked_out_by_hand(output):
    # Item 1000 Bicycle (FIFO), value at posting time (cost adjustment is left to the user):
    #   Jan  5  buy 20 @ 350 (bike-1)                          +7000.00
    #   Jan 12  receive 10 @ 360, not invoiced (bike-2)         +3600.00 expected
    #   Jan 15  freight 200 on bike-1 (now 7200 / 20 = 360)      +200.00
    #   Jan 20  sell 8 from bike-1: 8 x 360                     -2880.00
    #   Jan 26  transfer 5 BLUE->RED from bike-1: -1800 +1800       0.00
    #   Jan 28  invoice bike-2 at 365: +3650 actual -3600 exp     +50.00
    #   Feb  6  sales return 1 from the Jan 20 sale: 1 x 360     +360.00
    #   Feb 14  buy 15 @ 355 (bike-3)                          +5325.00
    #   Feb 20  sell 10 at BLUE: 7 x 360 (bike-1) + 3 x 365 (bike-2) = 2520 + 1095
    #                                                           -3615.00
    #   Feb 20  sell 2 at RED from the transfer: 2 x 360         -720.00
    #   Mar  2  transfer 3 RED->GREEN: -1080 +1080                  0.00
    #   Mar  9  receive 12 @ 370, not invoiced (bike-4)         +4440.00 expected
    #   Mar 16  ship 6 at BLUE from bike-2: 6 x 365             -2190.00 expected
    #   Mar 16  sell 3 at GREEN: 3 x 360                        -1080.00
    #   Mar 31  invoice the Mar 16 shipment: -2190 actual +2190 exp 0.00
    #   Apr  6  invoice bike-4 at 368: +4416 actual -4440 exp    -24.00
    #   Apr 14  sell 9 at BLUE: 1 x 365 (bike-2) + 1 x 360 (the return) + 7 x 355 (bike-3)
    #           = 365 + 360 + 2485                              -3210.00
    #   Apr 20  freight 150 on bike-3 (after 7 of it were sold)  +150.00
    #   Apr 27  output 2 of production order PO-26-001 @ 350     +700.00 expected
    #   total: 7000 + 3600 + 200 - 2880 + 50 + 360 + 5325 - 3615 - 720 + 4440 - 2190 - 1080
    #          - 24 - 3210 + 150 + 700 = 8106.00 for 22 on hand (8 of bike-3, 12 of bike-4,
    #          2 built).
    # (After cost adjustment the bought 20 would be 8 x 365 + 12 x 368 = 7336.00: the 7 x 10 of
    # the late freight on bike-3 moves to COGS; the 2 built take their order's actual cost.)
    assert inventory_value("1000") == Decimal("8106.00")
    assert ItemLedgerEntry.objects.filter(item__no="1000").aggregate(q=Sum("quantity"))["q"] == 22
    assert Item.objects.get(no="1000").unit_cost == Decimal("368.45455")  # 8106 / 22


def test_demo_users_can_log_in(output, client):
    demo_user = User.objects.get(username="demo")
    assert demo_user.is_staff
    assert demo_user.groups.filter(name="accountant").exists()
    assert client.login(username="demo", password="demo")
    viewer = User.objects.get(username="viewer")
    assert not viewer.is_staff
    assert list(viewer.groups.values_list("name", flat=True)) == ["viewer"]
    assert client.login(username="viewer", password="viewer")


def test_existing_users_are_left_alone():
    user = User.objects.create_user(username="demo", password="secret")
    run_load_demo()
    user.refresh_from_db()
    assert user.check_password("secret")
    assert not user.is_staff
    assert User.objects.filter(username="viewer").exists()


def test_running_twice_changes_nothing(output):
    def counts() -> tuple[int, ...]:
        return (
            Item.objects.count(),
            ItemLedgerEntry.objects.count(),
            ValueEntry.objects.count(),
            ItemApplicationEntry.objects.count(),
            GLAccount.objects.count(),
            User.objects.count(),
        )

    before = counts()
    second = run_load_demo()
    assert counts() == before
    assert "already loaded" in second
    assert second.strip().splitlines()[-1] == demo.LOGIN_LINE


def test_the_production_order_is_finished_and_waits_for_adjustment(output):
    from inventory.models import CapacityLedgerEntry, InventoryAdjmtEntryOrder, ProductionOrder

    order = ProductionOrder.objects.get(no="PO-26-001")
    assert (order.item.no, order.status) == ("1000", "finished")
    (capacity,) = CapacityLedgerEntry.objects.filter(order_no="PO-26-001")
    # 90 minutes x 2.00 = 180.00 direct, 10 % = 18.00 overhead.
    assert (capacity.direct_cost, capacity.overhead_cost) == (Decimal("180.00"), Decimal("18.00"))
    row = InventoryAdjmtEntryOrder.objects.get(order_no="PO-26-001")
    assert not row.cost_is_adjusted  # automatic cost adjustment is Never in the demo
