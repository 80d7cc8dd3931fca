"""A small clean ledger for the diagnostics tests (every record made by the posting services).

- A (FIFO): bought 10 @ 5 on 3 March (receipt), 4 sold on 4 March, an item charge of 2 on the
  receipt on 5 March, then adjusted: the sale gets one adjustment value entry of
  -(2 / 10 x 4) = -0.80.
- B (FIFO): bought 5 @ 3.
- V (Average): bought 6 @ 2, shipped 2 on 4 March without invoice, the shipment invoiced on
  6 March (two value entries on the shipment, both valued by average cost).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from costing.services import cost_adjustment_run
from inventory.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
    item_ledger_entry_invoice,
)
from tests.ui.conftest import accountant_page, viewer_page  # noqa: F401  (page fixtures)

D = Decimal
DAY = dt.date(2025, 3, 3)


@dataclass
class Ledger:
    receipt: ItemLedgerEntry  # A, +10
    sale: ItemLedgerEntry  # A, -4
    other_receipt: ItemLedgerEntry  # B, +5
    avg_receipt: ItemLedgerEntry  # V, +6
    avg_shipment: ItemLedgerEntry  # V, -2

    def own_application(self, entry: ItemLedgerEntry) -> ItemApplicationEntry:
        return ItemApplicationEntry.objects.get(
            item_ledger_entry=entry, inbound_item_entry=entry, quantity__gt=0
        )

    def use(self) -> ItemApplicationEntry:
        """The sale's application to the receipt (-4)."""
        return ItemApplicationEntry.objects.get(outbound_item_entry=self.sale, quantity__lt=0)

    def first_value(self, entry: ItemLedgerEntry) -> ValueEntry:
        return ValueEntry.objects.filter(item_ledger_entry=entry).order_by("entry_no").first()

    def adjustment_value(self) -> ValueEntry:
        return ValueEntry.objects.get(item_ledger_entry=self.sale, adjustment=True)


def _post(entry_type: str, no: str, on: dt.date, quantity, **kw) -> ItemLedgerEntry:
    return item_journal_post(lines=[JournalLine(entry_type, no, on, D(quantity), **kw)])[0]


@pytest.fixture
def ledger(db) -> Ledger:
    inventory_setup_update(automatic_cost_posting=False, automatic_cost_adjustment="never")
    for no, method in (("A", "fifo"), ("B", "fifo"), ("V", "average")):
        item_create(
            no=no,
            costing_method=method,
            inventory_posting_group="RESALE",
            gen_prod_posting_group="RETAIL",
        )
    receipt = _post("purchase", "A", DAY, 10, unit_cost=D(5))
    sale = _post("sale", "A", DAY + dt.timedelta(days=1), 4)
    item_charge_assign(entry_no=receipt.pk, posting_date=DAY + dt.timedelta(days=2), amount=D(2))
    other = _post("purchase", "B", DAY, 5, unit_cost=D(3))
    avg_receipt = _post("purchase", "V", DAY, 6, unit_cost=D(2))
    shipment = _post("sale", "V", DAY + dt.timedelta(days=1), 2, invoiced=False)
    item_ledger_entry_invoice(
        entry_no=shipment.pk,
        posting_date=DAY + dt.timedelta(days=3),
        quantity=D(2),
        unit_price=D(7),
    )
    result = cost_adjustment_run()
    assert result.status == "success"
    return Ledger(receipt, sale, other, avg_receipt, shipment)


@dataclass
class Production:
    """A finished production order and an assembly order, all through the services, adjusted:

    - C (FIFO): bought 10 @ 3.00 on 3 March. P1 makes 2 FG: consumes 4 C (12.00), 2 hours on
      work center WC (10.00 an hour, 10 % indirect: direct 20.00, indirect 2.00), output 2 FG on
      4 March at an expected 5.00 (10.00), finished on 5 March; one FG sold on 6 March.
      Adjusted, the output carries 12 + 20 + 2 = 34.00 and the sale -17.00.
    - AO1 assembles 1 KIT from 2 C (6.00) and 1 resource hour at 4.00 on 6 March: 10.00.
    """

    order_no: str  # the production order
    assembly_no: str
    consumption: ItemLedgerEntry
    output: ItemLedgerEntry
    sale: ItemLedgerEntry
    assembly_output: ItemLedgerEntry


@pytest.fixture
def production(db) -> Production:
    from inventory.models import WorkCenter
    from inventory.services import (
        CapacityLine,
        capacity_journal_post,
        production_order_create,
        production_order_finish,
    )
    from inventory.services.assembly import (
        AssemblyComponent,
        AssemblyResource,
        assembly_order_post,
    )

    inventory_setup_update(automatic_cost_posting=False, automatic_cost_adjustment="never")
    for no in ("C", "FG", "KIT"):
        item_create(
            no=no,
            costing_method="fifo",
            unit_cost=D(5) if no == "FG" else D(0),
            inventory_posting_group="RESALE",
            gen_prod_posting_group="RETAIL",
        )
    WorkCenter.objects.create(code="WC", unit_cost=D(10), indirect_cost_pct=D(10))
    _post("purchase", "C", DAY, 10, unit_cost=D(3))
    production_order_create(no="P1", item_no="FG", quantity=D(2))
    consumption = _post("consumption", "C", DAY, 4, order_no="P1")
    capacity_journal_post(lines=[CapacityLine("P1", DAY, "WC", D(2))])
    output = _post("output", "FG", DAY + dt.timedelta(days=1), 2, order_no="P1")
    production_order_finish(no="P1", finished_date=DAY + dt.timedelta(days=2))
    sale = _post("sale", "FG", DAY + dt.timedelta(days=3), 1)
    assembly_order_post(
        no="AO1",
        item_no="KIT",
        posting_date=DAY + dt.timedelta(days=3),
        quantity=D(1),
        components=[AssemblyComponent("C", D(2))],
        resources=[AssemblyResource(D(1), D(4))],
    )
    assert cost_adjustment_run().status == "success"
    assembly_output = ItemLedgerEntry.objects.get(order_no="AO1", entry_type="assembly_output")
    return Production("P1", "AO1", consumption, output, sale, assembly_output)
