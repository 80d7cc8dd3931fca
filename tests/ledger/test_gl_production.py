"""The bike-chain example (DOMAIN §11.6) through production, with its G/L and reconciliation.

Links (Standard, standard cost 1.00, overhead rate 0.02) are bought, consumed into a chain made
with capacity; the chain (Standard, 150.00) comes out at standard (expected), the finished order
is adjusted (WIP to inventory, overhead, five variances), the chain is revalued and sold.

Everything posts to the G/L as it happens (automatic cost posting, expected cost posting on),
and the order is adjusted at finish (automatic cost adjustment Always).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from costing.services import cost_adjustment_run
from inventory.models import (
    CapacityLedgerEntry,
    InventoryAdjmtEntryOrder,
    ItemLedgerEntry,
    ValueEntry,
    WorkCenter,
)
from inventory.services import item_ledger_entry_invoice, revaluation_journal_post
from inventory.services.assembly import AssemblyComponent, AssemblyResource, assembly_order_post
from inventory.services.items import inventory_setup_update
from inventory.services.production import (
    CapacityLine,
    capacity_journal_post,
    production_order_create,
    production_order_finish,
)
from inventory.services.revaluation import RevaluationLine
from ledger.reconciliation import (
    TOTAL,
    ReconciliationFilter,
    cell_value_entries,
    reconciliation_matrix,
)
from tests.ledger.conftest import (
    CAP_OVERHEAD_VARIANCE,
    CAPACITY_VARIANCE,
    COGS,
    DIRECT_COST_APPLIED,
    INVENTORY,
    INVENTORY_ADJMT,
    INVENTORY_INTERIM,
    INVT_ACCRUAL_INTERIM,
    MATERIAL_VARIANCE,
    MFG_OVERHEAD_VARIANCE,
    OVERHEAD_APPLIED,
    PURCHASE_VARIANCE,
    WIP,
    account_balance,
    assert_every_transaction_balances,
    balances,
    day,
    gl_rows,
    make_item,
    nonzero,
    post,
    post_per_group,
    values_of,
)

D = Decimal


@pytest.fixture
def bike_chain_setup(gl_setup):
    inventory_setup_update(
        automatic_cost_posting=True,
        expected_cost_posting_to_gl=True,
        automatic_cost_adjustment="always",
    )
    links = make_item("LINK", "standard", standard_cost=D("1.00"), overhead_rate=D("0.02"))
    # The chain's standard cost 150.00 rolls up from material 100, capacity 40 and
    # manufacturing overhead 10 (DOMAIN §9); overhead rate 25.00 per chain is its actual
    # manufacturing overhead.
    chain = make_item(
        "CHAIN",
        "standard",
        standard_cost=D("150.00"),
        overhead_rate=D("25.00"),
        single_level_capacity_cost=D("40.00"),
        single_level_mfg_overhead_cost=D("10.00"),
    )
    WorkCenter.objects.create(
        code="WC-ASSY",
        unit_cost=D("2.00"),
        indirect_cost_pct=D("10"),
        gen_prod_posting_group="RETAIL",
    )
    return links, chain


def test_bike_chain_through_production_with_its_gl(bike_chain_setup):
    links, chain = bike_chain_setup

    # Links received: 150 x standard 1.00 = expected 150 (interim, accrual).
    receipt = post("purchase", links, 150, day(1, 10), unit_cost="1.10", invoiced=False)
    assert gl_rows(values_of(receipt)[0]) == [
        (INVENTORY_INTERIM, D("150")),
        (INVT_ACCRUAL_INTERIM, D("-150")),
    ]
    # Invoiced at 1.10: direct 150 x 1.10 = 165, overhead 150 x 0.02 = 3,
    # purchase variance 150 - 165 - 3 = -18: Inventory 165 + 3 - 18 = 150.
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 12), quantity=D(150), unit_cost=D("1.10")
    )
    assert account_balance(INVENTORY) == D("150")
    assert account_balance(DIRECT_COST_APPLIED) == D("-165")
    assert account_balance(OVERHEAD_APPLIED) == D("-3")
    assert account_balance(PURCHASE_VARIANCE) == D("18")

    production_order_create(no="PO-CHAIN", item_no="CHAIN", quantity=D(1))
    # Consumption of the 150 links: Inventory -150, WIP +150.
    consumption = post("consumption", links, 150, day(1, 15), order_no="PO-CHAIN")
    assert gl_rows(values_of(consumption)[0]) == [(INVENTORY, D("-150")), (WIP, D("150"))]
    # Capacity: 60 minutes x 2.00 = 120 direct, 10 % = 12 overhead, both into WIP.
    (capacity,) = capacity_journal_post(
        lines=[CapacityLine("PO-CHAIN", day(1, 16), "WC-ASSY", D(60), D("2.00"))]
    )
    assert (capacity.direct_cost, capacity.overhead_cost) == (D("120.00"), D("12.00"))
    assert account_balance(WIP) == D("282")  # 150 + 120 + 12
    # Output of one chain at standard 150, expected: Inventory (Interim) +150, WIP -150.
    output = post("output", chain, 1, day(1, 17), order_no="PO-CHAIN")
    (first,) = values_of(output)
    assert (first.cost_amount_actual, first.cost_amount_expected) == (D("0"), D("150.00"))
    assert gl_rows(first) == [(INVENTORY_INTERIM, D("150")), (WIP, D("-150"))]

    production_order_finish(no="PO-CHAIN", finished_date=day(1, 20))

    # Finishing adjusted the order: the output's actual cost is material 150 + capacity 120 +
    # capacity overhead 12 = 282 direct (WIP to Inventory, and the 150 expected released) plus
    # manufacturing overhead 25 (Overhead Applied); the variances take it back to standard:
    # material 100 - 150 = -50, capacity 40 - 120 = -80, capacity overhead 0 - 12 = -12,
    # manufacturing overhead 10 - 25 = -15; total -157. 282 + 25 - 157 = 150.
    adjusted = {
        (v.entry_type, v.variance_type): (v.cost_amount_actual, v.cost_amount_expected)
        for v in values_of(output)[1:]
    }
    assert adjusted == {
        ("direct_cost", ""): (D("282.00"), D("-150.00")),
        ("indirect_cost", ""): (D("25.00"), D("0")),
        ("variance", "material"): (D("-50.00"), D("0")),
        ("variance", "capacity"): (D("-80.00"), D("0")),
        ("variance", "capacity_overhead"): (D("-12.00"), D("0")),
        ("variance", "manufacturing_overhead"): (D("-15.00"), D("0")),
    }
    assert all(v.adjustment for v in values_of(output)[1:])
    output.refresh_from_db()
    assert output.completely_invoiced and output.invoiced_quantity == 1
    assert account_balance(WIP) == 0  # 282 in, 150 + 282 out, 150 back with the expected
    assert account_balance(INVENTORY_INTERIM) == 0 and account_balance(INVT_ACCRUAL_INTERIM) == 0
    assert account_balance(INVENTORY) == D("150")  # the chain at standard
    assert account_balance(OVERHEAD_APPLIED) == D("-40")  # 3 + 12 + 25
    assert account_balance(MATERIAL_VARIANCE) == D("50")
    assert account_balance(CAPACITY_VARIANCE) == D("80")
    assert account_balance(CAP_OVERHEAD_VARIANCE) == D("12")
    assert account_balance(MFG_OVERHEAD_VARIANCE) == D("15")
    assert InventoryAdjmtEntryOrder.objects.get(order_no="PO-CHAIN").cost_is_adjusted

    # Revaluation of the chain 150 -> 140: Inventory -10, Inventory Adjmt. +10.
    revaluation_journal_post(
        lines=[RevaluationLine(item_no="CHAIN", posting_date=day(1, 25), unit_cost_revalued=D(140))]
    )
    assert account_balance(INVENTORY_ADJMT) == D("10")
    assert account_balance(INVENTORY) == D("140")
    # The chain is sold after its revaluation, so its COGS is 140 (DOMAIN lists "COGS 150"
    # for the sale: that is the chain's cost before the revaluation).
    post("sale", chain, 1, day(1, 28), unit_price=D(300))
    assert account_balance(COGS) == D("140")

    assert_every_transaction_balances()
    assert nonzero(balances()) == {
        DIRECT_COST_APPLIED: D("-285"),  # links 165 + capacity 120
        OVERHEAD_APPLIED: D("-40"),
        PURCHASE_VARIANCE: D("18"),
        MATERIAL_VARIANCE: D("50"),
        CAPACITY_VARIANCE: D("80"),
        CAP_OVERHEAD_VARIANCE: D("12"),
        MFG_OVERHEAD_VARIANCE: D("15"),
        INVENTORY_ADJMT: D("10"),
        COGS: D("140"),
    }
    matrix = reconciliation_matrix()
    assert all(row.difference == 0 for row in matrix.rows)
    # The WIP column: consumption 150 and capacity 132 in, the output's 150 + 282 out and the
    # released 150 back: nothing left in WIP Inventory, and Direct Cost Applied's capacity part
    # (-120) and Overhead Applied's (-12 capacity) sit in the WIP column.
    assert matrix.row("wip").wip_inventory == 0
    assert matrix.row("direct_cost_applied").wip_inventory == D("-120")
    assert matrix.row("overhead_applied").wip_inventory == D("-12")
    assert matrix.row(TOTAL).wip_inventory == 0
    # Drilling into the WIP cell lists the consumption, both capacity entries and the output's.
    wip_cell = cell_value_entries("wip", "wip_inventory", ReconciliationFilter())
    assert sorted(wip_cell.values_list("item_ledger_entry_type", "entry_type")) == [
        ("", "direct_cost"),
        ("", "indirect_cost"),
        ("consumption", "direct_cost"),
        ("output", "direct_cost"),
        ("output", "direct_cost"),
    ]
    assert CapacityLedgerEntry.objects.count() == 1
    assert ValueEntry.objects.filter(item__isnull=True).count() == 2  # capacity direct, overhead
    assert ItemLedgerEntry.objects.filter(order_no="PO-CHAIN").count() == 2


# -- assembly, and the reconciliation after Post Inventory Cost to G/L ---------------------------


def _assemble(no: str = "AO1"):
    """Component A: 10 bought @ 5.00; KIT (FIFO, overhead rate 1.00) assembled from 4 A and
    2 hours of a resource @ 15.00."""
    return assembly_order_post(
        no=no,
        item_no="KIT",
        posting_date=day(2, 5),
        quantity=D(2),
        components=[AssemblyComponent("A", D(4))],
        resources=[AssemblyResource(D(2), D("15.00"))],
    )


def test_an_assembly_order_posts_components_resources_and_output_at_actual_cost(gl_setup):
    inventory_setup_update(automatic_cost_posting=True, automatic_cost_adjustment="always")
    make_item("A")
    make_item("KIT", overhead_rate=D("1.00"))
    post("purchase", "A", 10, day(2, 1), unit_cost=5)  # 50.00

    order = _assemble()

    consumption = ItemLedgerEntry.objects.get(entry_type="assembly_consumption")
    output = ItemLedgerEntry.objects.get(entry_type="assembly_output")
    assert (consumption.quantity, output.quantity, output.order_no) == (D(-4), D(2), order.no)
    # Components 4 x 5.00 = 20.00, resources 2 x 15.00 = 30.00: direct 50.00; manufacturing
    # overhead 2 x 1.00 = 2.00 (Overhead Applied). All actual, completely invoiced.
    assert gl_rows(values_of(consumption)[0]) == [(INVENTORY, D("-20")), (INVENTORY_ADJMT, D("20"))]
    direct, indirect = values_of(output)
    assert (direct.cost_amount_actual, direct.cost_amount_expected) == (D("50.00"), D("0"))
    assert indirect.entry_type == "indirect_cost" and indirect.cost_amount_actual == D("2.00")
    assert output.completely_invoiced
    (resource,) = ValueEntry.objects.filter(order_type="assembly", item__isnull=True)
    # A resource's cost: Inventory Adjmt. +30 against Direct Cost Applied -30; the output clears
    # Inventory Adjmt. (+20 components + 30 resources - 50 output = 0).
    assert gl_rows(resource) == [(INVENTORY_ADJMT, D("30")), (DIRECT_COST_APPLIED, D("-30"))]
    assert account_balance(INVENTORY_ADJMT) == 0
    assert account_balance(INVENTORY) == D("82")  # 50 - 20 + 50 + 2
    assert account_balance(DIRECT_COST_APPLIED) == D("-80")  # purchase 50, resources 30
    assert account_balance(OVERHEAD_APPLIED) == D("-2")
    row = InventoryAdjmtEntryOrder.objects.get(order_type="assembly", order_no="AO1")
    assert row.cost_is_adjusted and (row.material_cost, row.capacity_cost) == (20, 30)
    assert_every_transaction_balances()


def test_a_late_component_cost_reaches_the_assembly_output(gl_setup):
    inventory_setup_update(automatic_cost_posting=True, automatic_cost_adjustment="always")
    make_item("A")
    make_item("KIT", overhead_rate=D("1.00"))
    receipt = post("purchase", "A", 10, day(2, 1), unit_cost=5, invoiced=False)
    _assemble()
    output = ItemLedgerEntry.objects.get(entry_type="assembly_output")
    item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(2, 10), quantity=D(10), unit_cost=D(6)
    )
    # A at 6.00: 4 x 6 = 24 consumed, 4.00 more; the output 24 + 30 + 2 = 56.
    total = sum(v.cost_amount_actual for v in values_of(output))
    assert total == D("56.00")
    assert account_balance(INVENTORY_ADJMT) == 0


@pytest.mark.parametrize("expected_posting", [False, True], ids=["expected-off", "expected-on"])
def test_the_reconciliation_is_zero_after_post_inventory_cost_to_gl(
    gl_setup, batch_posting, expected_posting
):
    inventory_setup_update(expected_cost_posting_to_gl=expected_posting)
    links = make_item("LINK", "standard", standard_cost=D("1.00"), overhead_rate=D("0.02"))
    make_item(
        "CHAIN",
        "standard",
        standard_cost=D("150.00"),
        overhead_rate=D("25.00"),
        single_level_capacity_cost=D("40.00"),
        single_level_mfg_overhead_cost=D("10.00"),
    )
    make_item("A")
    make_item("KIT", overhead_rate=D("1.00"))
    WorkCenter.objects.create(code="WC-ASSY", unit_cost=D("2.00"), indirect_cost_pct=D("10"))
    post("purchase", links, 150, day(1, 10), unit_cost="1.10")
    post("purchase", "A", 10, day(2, 1), unit_cost=5)
    production_order_create(no="PO-CHAIN", item_no="CHAIN", quantity=D(1))
    post("consumption", links, 150, day(1, 15), order_no="PO-CHAIN")
    capacity_journal_post(lines=[CapacityLine("PO-CHAIN", day(1, 16), "WC-ASSY", D(60))])
    post("output", "CHAIN", 1, day(1, 17), order_no="PO-CHAIN")
    _assemble()

    # Released, not finished: WIP holds 150 + 120 + 12 = 282, less the output's expected 150
    # when expected cost posting puts it through WIP.
    post_per_group("INVT-1")
    wip = reconciliation_matrix().row("wip")
    assert wip.wip_inventory == D("132")  # 282 - 150 (the output's expected cost)
    assert wip.gl_total == (D("132") if expected_posting else D("282"))
    assert wip.difference == (0 if expected_posting else D("150"))

    production_order_finish(no="PO-CHAIN", finished_date=day(1, 20))
    cost_adjustment_run()
    assert reconciliation_matrix().row("wip").wip_inventory == 0
    post_per_group("INVT-2")

    matrix = reconciliation_matrix()
    assert [(r.account_type, r.difference) for r in matrix.rows if r.difference] == []
    assert matrix.row("wip").gl_total == 0
    assert matrix.row("inventory").gl_total == D("232")  # the chain at 150 + A 30 + KIT 52
    assert_every_transaction_balances()


def test_consumption_takes_its_wip_account_from_the_finished_items_group(gl_setup):
    """DOMAIN §11.3: the component's Inventory account, the finished item's WIP account."""
    from ledger.models import GLAccount, InventoryPostingSetup

    inventory_setup_update(automatic_cost_posting=True, automatic_cost_adjustment="never")
    GLAccount.objects.create(no="2145", name="WIP, finished goods")
    InventoryPostingSetup.objects.create(
        location_code="",
        inventory_posting_group="FINISHED",
        inventory_account_id=INVENTORY,
        wip_account_id="2145",
    )
    make_item("A")  # RESALE
    make_item("FG", inventory_posting_group="FINISHED")
    post("purchase", "A", 2, day(3, 1), unit_cost=5)
    production_order_create(no="PO1", item_no="FG", quantity=D(1))
    consumption = post("consumption", "A", 2, day(3, 2), order_no="PO1")
    assert gl_rows(values_of(consumption)[0]) == [(INVENTORY, D("-10")), ("2145", D("10"))]
