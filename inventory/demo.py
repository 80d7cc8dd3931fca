"""The demo company that `python manage.py load_demo` loads (a small bicycle shop, BC-style).

Everything is data: the G/L accounts, the posting setups, the items and a timeline of journals,
late invoices, item charges, a revaluation and a production order (bicycles built from wheels,
chains and brakes, with capacity on a work center; finished, its adjustment left to the user)
from January to April 2026. `load()` feeds that
data through the posting services (never writing ledger rows itself) in timeline order.

Lines that later steps refer to carry a `key` ("bike-1"); the entry number the service returns
for that line is remembered under the key, so a return can name the sale it reverses.

The inventory setup leaves cost adjustment and posting to G/L to the user: after loading, the
ledgers show exactly what posting produced (COGS at the cost known at posting time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction

from inventory.models import (
    AutomaticCostAdjustment,
    AverageCostCalcType,
    AverageCostPeriod,
    CostAdjustmentLogging,
    CostingMethod,
    EntryType,
    Item,
    ItemLedgerEntry,
    ItemVariant,
    Location,
    ValueEntry,
    WorkCenter,
)
from inventory.services import (
    CapacityLine,
    JournalLine,
    RevaluationLine,
    capacity_journal_post,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
    item_ledger_entry_invoice,
    production_order_create,
    production_order_finish,
    revaluation_journal_post,
)
from ledger.models import GeneralPostingSetup, GLAccount, InventoryPostingSetup

LOGIN_LINE = "Demo login: demo / demo at http://127.0.0.1:8000/"

Number = int | str  # written as int or str in the tables, never float; read with D()


def D(value: Number) -> Decimal:
    return Decimal(str(value))


def day(month: int, day_of_month: int) -> dt.date:
    return dt.date(2026, month, day_of_month)


# -- setup and master data --------------------------------------------------------------------

INVENTORY_SETUP: dict[str, object] = {
    "automatic_cost_posting": False,
    "expected_cost_posting_to_gl": True,
    "automatic_cost_adjustment": AutomaticCostAdjustment.NEVER,  # the user runs cost adjustment
    "average_cost_calc_type": AverageCostCalcType.ITEM,
    "average_cost_period": AverageCostPeriod.MONTH,
    "cost_adjustment_logging": CostAdjustmentLogging.ALL,
}

LOCATIONS: list[tuple[str, str]] = [
    ("BLUE", "Blue Warehouse"),
    ("RED", "Red Warehouse"),
    ("GREEN", "Green Warehouse"),
]

GL_ACCOUNTS: list[tuple[str, str]] = [
    ("2130", "Inventory"),
    ("2131", "Inventory (Interim)"),
    ("2140", "WIP"),
    ("5530", "Invt. Accrual (Interim)"),
    ("7270", "Inventory Adjmt."),
    ("7290", "COGS"),
    ("7291", "Direct Cost Applied"),
    ("7292", "Overhead Applied"),
    ("7293", "Purchase Variance"),
    ("7294", "COGS (Interim)"),
    ("7890", "Material Variance"),
    ("7891", "Capacity Variance"),
    ("7892", "Subcontracted Variance"),
    ("7893", "Cap. Overhead Variance"),
    ("7894", "Mfg. Overhead Variance"),
]

GEN_BUS_POSTING_GROUPS = ["", "DOMESTIC", "EU"]
GEN_PROD_POSTING_GROUPS = ["RETAIL", "RAW MAT"]
INVENTORY_POSTING_GROUPS = ["RESALE", "RAW MAT"]

# The same accounts for every combination: a demo, not a chart of accounts design.
GENERAL_POSTING_ACCOUNTS: dict[str, str] = {
    "cogs_account_id": "7290",
    "cogs_account_interim_id": "7294",
    "inventory_adjmt_account_id": "7270",
    "direct_cost_applied_account_id": "7291",
    "overhead_applied_account_id": "7292",
    "purchase_variance_account_id": "7293",
    "invt_accrual_account_interim_id": "5530",
}

INVENTORY_POSTING_ACCOUNTS: dict[str, str] = {
    "inventory_account_id": "2130",
    "inventory_account_interim_id": "2131",
    "wip_account_id": "2140",
    "material_variance_account_id": "7890",
    "capacity_variance_account_id": "7891",
    "subcontracted_variance_account_id": "7892",
    "cap_overhead_variance_account_id": "7893",
    "mfg_overhead_variance_account_id": "7894",
}


@dataclass(frozen=True)
class ItemSpec:
    no: str
    description: str
    costing_method: str
    inventory_posting_group: str
    gen_prod_posting_group: str
    standard_cost: Decimal = D(0)
    indirect_cost_pct: Decimal = D(0)
    overhead_rate: Decimal = D(0)
    variants: tuple[tuple[str, str], ...] = ()


FIFO, LIFO, AVERAGE = CostingMethod.FIFO, CostingMethod.LIFO, CostingMethod.AVERAGE
SPECIFIC, STANDARD = CostingMethod.SPECIFIC, CostingMethod.STANDARD

ITEMS: list[ItemSpec] = [
    ItemSpec("1000", "Bicycle", FIFO, "RESALE", "RETAIL"),
    ItemSpec("1100", "Front Wheel", AVERAGE, "RAW MAT", "RAW MAT"),
    ItemSpec("1200", "Back Wheel", AVERAGE, "RAW MAT", "RAW MAT"),
    ItemSpec("1300", "Chain Assy", STANDARD, "RAW MAT", "RAW MAT", standard_cost=D("150")),
    ItemSpec(
        "1400",
        "Saddle",
        LIFO,
        "RAW MAT",
        "RAW MAT",
        variants=(("BLACK", "Saddle, black"), ("BROWN", "Saddle, brown leather")),
    ),
    ItemSpec("1500", "Frame", SPECIFIC, "RAW MAT", "RAW MAT"),
    ItemSpec("1600", "Bell", STANDARD, "RESALE", "RETAIL", standard_cost=D("5")),
    ItemSpec("1700", "Brake", FIFO, "RAW MAT", "RAW MAT"),
    ItemSpec(
        "70000",
        "Side Panel",
        FIFO,
        "RESALE",
        "RETAIL",
        indirect_cost_pct=D("5"),
        overhead_rate=D("1"),
    ),
]

# -- the timeline ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One item journal line; the journal gives the date and (unless set here) the document."""

    entry_type: str
    item_no: str
    quantity: Decimal
    location: str = "BLUE"
    new_location: str = ""
    variant: str = ""
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None
    bus: str = ""
    invoiced: bool = True
    is_return: bool = False
    applies_to: str = ""  # key of the entry this line applies to
    applies_from: str = ""  # key of the outbound entry a return takes its cost from
    key: str = ""  # remember the entry this line creates under this name
    document_no: str = ""
    order_no: str = ""  # consumption and output: the production order


def buy(
    item: str,
    qty: Number,
    cost: Number,
    *,
    loc: str = "BLUE",
    bus: str = "DOMESTIC",
    invoiced: bool = True,
    variant: str = "",
    key: str = "",
) -> Line:
    return Line(
        EntryType.PURCHASE,
        item,
        D(qty),
        loc,
        variant=variant,
        unit_cost=D(cost),
        bus=bus,
        invoiced=invoiced,
        key=key,
    )


def sell(
    item: str,
    qty: Number,
    price: Number,
    *,
    loc: str = "BLUE",
    bus: str = "DOMESTIC",
    invoiced: bool = True,
    variant: str = "",
    applies_to: str = "",
    key: str = "",
) -> Line:
    return Line(
        EntryType.SALE,
        item,
        D(qty),
        loc,
        variant=variant,
        unit_price=D(price),
        bus=bus,
        invoiced=invoiced,
        applies_to=applies_to,
        key=key,
    )


def move(item: str, qty: Number, frm: str, to: str) -> Line:
    return Line(EntryType.TRANSFER, item, D(qty), frm, new_location=to)


def sales_return(
    item: str,
    qty: Number,
    applies_from: str,
    *,
    loc: str = "BLUE",
    bus: str = "DOMESTIC",
    document_no: str = "",
) -> Line:
    return Line(
        EntryType.SALE,
        item,
        D(qty),
        loc,
        bus=bus,
        is_return=True,
        applies_from=applies_from,
        document_no=document_no,
    )


def purchase_return(
    item: str,
    qty: Number,
    applies_to: str,
    *,
    loc: str = "BLUE",
    variant: str = "",
    bus: str = "DOMESTIC",
    document_no: str = "",
) -> Line:
    return Line(
        EntryType.PURCHASE,
        item,
        D(qty),
        loc,
        variant=variant,
        bus=bus,
        is_return=True,
        applies_to=applies_to,
        document_no=document_no,
    )


@dataclass(frozen=True)
class Journal:
    date: dt.date
    document_no: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Invoice:
    """Invoice a receipt (unit_cost) or shipment (unit_price) that was posted without invoice."""

    date: dt.date
    key: str
    quantity: Decimal
    unit_cost: Decimal | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class Charge:
    date: dt.date
    key: str
    amount: Decimal
    item_charge_no: str = "FREIGHT"


@dataclass(frozen=True)
class Revaluation:
    date: dt.date
    item_no: str
    unit_cost_revalued: Decimal


@dataclass(frozen=True)
class Release:
    """Release a production order."""

    date: dt.date
    no: str
    item_no: str
    quantity: Decimal
    location: str = "BLUE"


@dataclass(frozen=True)
class Capacity:
    date: dt.date
    order_no: str
    work_center: str
    quantity: Decimal


@dataclass(frozen=True)
class Finish:
    date: dt.date
    no: str


def consume(item: str, qty: Number, order_no: str) -> Line:
    return Line(EntryType.CONSUMPTION, item, D(qty), order_no=order_no)


def output(item: str, qty: Number, order_no: str, unit_cost: str) -> Line:
    return Line(EntryType.OUTPUT, item, D(qty), unit_cost=D(unit_cost), order_no=order_no)


Step = Journal | Invoice | Charge | Revaluation | Release | Capacity | Finish
# (code, name, direct unit cost per minute, indirect cost %, gen. prod. posting group)
WORK_CENTERS: list[tuple[str, str, Decimal, Decimal, str]] = [
    ("ASSEMBLY", "Bicycle assembly", D("2.00"), D("10"), "RETAIL"),
]

# fmt: off
TIMELINE: list[Step] = [
    Journal(day(1, 5), "PR-26-001", (  # opening purchases, invoiced at once
        buy("1000", 20, "350.00", key="bike-1"),
        buy("1100", 50, "40.00"),
        buy("1200", 50, "42.00", bus="EU"),
        buy("1300", 40, "155.00", key="chain-1"),  # standard 150: purchase variance -200
        buy("1400", 30, "20.00", variant="BLACK"),
        buy("1500", 5, "900.00", key="frame-1"),
        buy("1500", 5, "950.00", key="frame-2"),
        buy("1600", 100, "4.80"),  # standard 5: purchase variance +20
        buy("1700", 60, "12.00", key="brake-1"),
        buy("70000", 100, "10.00"),  # + 5 % indirect + 1.00 overhead: 11.50 a unit
    )),
    Journal(day(1, 12), "PR-26-002", (  # received now, invoiced later
        buy("1000", 10, "360.00", invoiced=False, key="bike-2"),
        buy("1100", 30, "41.00", loc="RED", invoiced=False, key="fwheel-2"),
        buy("70000", 50, "10.50", invoiced=False, key="panel-2"),
    )),
    Charge(day(1, 15), "bike-1", D("200.00")),
    Charge(day(1, 15), "chain-1", D("60.00")),  # standard item: the variance takes it
    Journal(day(1, 20), "SO-26-001", (
        sell("1000", 8, "600.00", bus="EU", key="bike-sale-1"),
        sell("1100", 20, "70.00", invoiced=False, key="fwheel-sale-1"),
        sell("1200", 15, "72.00", bus="EU"),
        sell("1300", 10, "190.00"),
        sell("1400", 10, "45.00", variant="BLACK"),
        sell("1500", 2, "1500.00", applies_to="frame-2"),
        sell("1600", 30, "9.00"),
        sell("1700", 20, "25.00"),
        sell("70000", 40, "20.00"),
    )),
    Journal(day(1, 26), "TR-26-001", (
        move("1000", 5, "BLUE", "RED"),
        move("1100", 10, "BLUE", "GREEN"),
        move("1300", 10, "BLUE", "RED"),
        move("70000", 20, "BLUE", "GREEN"),
    )),
    Invoice(day(1, 28), "bike-2", D(10), unit_cost=D("365.00")),  # expected 360
    Invoice(day(1, 31), "fwheel-sale-1", D(20), unit_price=D("70.00")),
    Invoice(day(2, 5), "panel-2", D(30), unit_cost=D("10.80")),  # part of the receipt
    Journal(day(2, 6), "RET-26-001", (
        sales_return("1000", 1, "bike-sale-1", bus="EU", document_no="SR-26-001"),
        purchase_return("1700", 5, "brake-1", document_no="PRR-26-001"),
    )),
    Journal(day(2, 10), "SO-26-002", (
        sell("1700", 4, "26.00", loc="RED", key="brake-negative"),  # nothing at RED yet
        sell("1100", 5, "72.00", loc="GREEN"),
    )),
    Invoice(day(2, 12), "fwheel-2", D(30), unit_cost=D("40.50")),  # expected 41
    Journal(day(2, 14), "PR-26-003", (
        buy("1000", 15, "355.00", key="bike-3"),
        buy("1200", 40, "43.00", bus="EU"),
        buy("1300", 20, "148.00", invoiced=False, key="chain-2"),
        buy("1400", 20, "22.00", variant="BLACK"),
        buy("1400", 10, "24.00", variant="BROWN", key="saddle-brown"),
        buy("1500", 3, "980.00", key="frame-3"),
        buy("70000", 30, "11.00", loc="GREEN"),
        buy("1700", 10, "12.50", loc="RED"),  # covers the negative sale at RED
    )),
    Journal(day(2, 20), "SO-26-003", (
        sell("1000", 10, "620.00"),
        sell("1000", 2, "610.00", loc="RED"),
        sell("1100", 15, "72.00", key="fwheel-sale-2"),
        sell("1200", 30, "72.00"),
        sell("1300", 6, "190.00", loc="RED"),
        sell("1300", 20, "190.00"),
        sell("1400", 15, "45.00", variant="BLACK"),
        sell("1500", 3, "1450.00", applies_to="frame-1"),
        sell("1600", 40, "9.00", key="bell-sale-2"),
        sell("70000", 25, "20.00", loc="GREEN"),
    )),
    Invoice(day(2, 24), "panel-2", D(20), unit_cost=D("10.80")),  # the rest of the receipt
    Journal(day(3, 2), "TR-26-002", (
        move("1000", 3, "RED", "GREEN"),
        move("1200", 10, "BLUE", "RED"),
    )),
    Journal(day(3, 3), "SR-26-002", (
        sales_return("1100", 2, "fwheel-sale-2"),
        sales_return("1600", 3, "bell-sale-2"),
    )),
    Invoice(day(3, 5), "chain-2", D(20), unit_cost=D("147.00")),
    Journal(day(3, 9), "PR-26-004", (
        buy("1000", 12, "370.00", invoiced=False, key="bike-4"),
        buy("1100", 40, "39.00"),
        buy("1600", 50, "5.20"),
        buy("1700", 30, "12.20"),
        buy("70000", 60, "10.20"),
    )),
    Journal(day(3, 16), "SO-26-004", (
        sell("1000", 6, "640.00", invoiced=False, key="bike-sale-3"),
        sell("1000", 3, "650.00", loc="GREEN", bus="EU"),
        sell("1100", 12, "72.00", loc="RED"),
        sell("1200", 4, "72.00", loc="RED"),
        sell("1400", 4, "48.00", variant="BROWN"),
        sell("1500", 2, "1550.00", applies_to="frame-3", invoiced=False, key="frame-sale-3"),
        sell("70000", 50, "20.00"),
    )),
    Invoice(day(3, 31), "bike-sale-3", D(6), unit_price=D("640.00")),
    Invoice(day(3, 31), "frame-sale-3", D(2), unit_price=D("1550.00")),
    Revaluation(day(3, 31), "70000", D("12.50")),
    Invoice(day(4, 6), "bike-4", D(12), unit_cost=D("368.00")),  # expected 370
    Journal(day(4, 14), "SO-26-005", (
        sell("1000", 9, "650.00"),
        sell("1100", 25, "74.00"),
        sell("1200", 20, "74.00"),
        sell("1300", 15, "190.00"),
        sell("1500", 1, "1500.00", applies_to="frame-2"),
        sell("1600", 45, "9.00"),
        sell("1700", 40, "25.00"),
        sell("1700", 3, "26.00", loc="RED"),
        sell("70000", 30, "21.00"),
        sell("70000", 10, "21.00", loc="GREEN"),
    )),
    Charge(day(4, 20), "bike-3", D("150.00")),  # after part of bike-3 was sold: adjust cost!
    Journal(day(4, 24), "PR-26-005", (
        buy("1400", 15, "21.50", variant="BLACK"),
        purchase_return("1400", 2, "saddle-brown", variant="BROWN", document_no="PRR-26-002"),
    )),
    Release(day(4, 25), "PO-26-001", "1000", D(2)),
    Journal(day(4, 27), "PO-26-001", (
        consume("1100", 2, "PO-26-001"),
        consume("1200", 2, "PO-26-001"),
        consume("1300", 2, "PO-26-001"),
        consume("1700", 4, "PO-26-001"),
        output("1000", 2, "PO-26-001", "350.00"),  # expected until the order is adjusted
    )),
    Capacity(day(4, 27), "PO-26-001", "ASSEMBLY", D(90)),  # 90 minutes x 2.00 + 10 %
    Finish(day(4, 28), "PO-26-001"),
]
# fmt: on

USERS: list[tuple[str, str, bool, str]] = [  # username, password, is_staff, group
    ("demo", "demo", True, "accountant"),
    ("viewer", "viewer", False, "viewer"),
]


# -- loading -----------------------------------------------------------------------------------


@dataclass
class Summary:
    items: int = 0
    journals: int = 0
    item_ledger_entries: int = 0
    value_entries: int = 0
    invoices: int = 0
    item_charges: int = 0
    revaluations: int = 0
    production_orders: int = 0
    users_created: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        users = ", ".join(self.users_created) or "none (they existed)"
        return [
            f"Demo company loaded: {self.items} items, {len(LOCATIONS)} locations, "
            f"{len(GL_ACCOUNTS)} G/L accounts.",
            f"Posted {self.journals} journals, {self.invoices} invoices, "
            f"{self.item_charges} item charges, {self.revaluations} revaluation and "
            f"{self.production_orders} production order: "
            f"{self.item_ledger_entries} item ledger entries, {self.value_entries} value entries.",
            f"Users created: {users}.",
            "Cost adjustment and posting to G/L are left to you (Inventory Setup: never, manual).",
        ]


def is_loaded() -> bool:
    return Item.objects.filter(no__in=[spec.no for spec in ITEMS]).exists()


def load() -> Summary:
    """Load the demo company in one transaction; the caller checks is_loaded() first."""
    summary = Summary()
    ile_before = ItemLedgerEntry.objects.count()
    ve_before = ValueEntry.objects.count()
    with transaction.atomic():
        setup_inventory()
        create_locations()
        create_chart_of_accounts()
        create_posting_setups()
        summary.items = create_items()
        for code, name, unit_cost, indirect, group in WORK_CENTERS:
            WorkCenter.objects.get_or_create(
                code=code,
                defaults=dict(
                    name=name,
                    unit_cost=unit_cost,
                    indirect_cost_pct=indirect,
                    gen_prod_posting_group=group,
                ),
            )
        post_timeline(summary)
        summary.users_created = ensure_users()
    summary.item_ledger_entries = ItemLedgerEntry.objects.count() - ile_before
    summary.value_entries = ValueEntry.objects.count() - ve_before
    return summary


def setup_inventory() -> None:
    inventory_setup_update(**INVENTORY_SETUP)


def create_locations() -> None:
    for code, name in LOCATIONS:
        Location.objects.get_or_create(code=code, defaults={"name": name})


def create_chart_of_accounts() -> None:
    for no, name in GL_ACCOUNTS:
        GLAccount.objects.get_or_create(no=no, defaults={"name": name})


def create_posting_setups() -> None:
    for bus in GEN_BUS_POSTING_GROUPS:
        for prod in GEN_PROD_POSTING_GROUPS:
            GeneralPostingSetup.objects.update_or_create(
                gen_bus_posting_group=bus,
                gen_prod_posting_group=prod,
                defaults=GENERAL_POSTING_ACCOUNTS,
            )
    for location in ["", *(code for code, _ in LOCATIONS)]:
        for group in INVENTORY_POSTING_GROUPS:
            InventoryPostingSetup.objects.update_or_create(
                location_code=location,
                inventory_posting_group=group,
                defaults=INVENTORY_POSTING_ACCOUNTS,
            )


def create_items() -> int:
    for spec in ITEMS:
        item = item_create(
            no=spec.no,
            description=spec.description,
            costing_method=spec.costing_method,
            standard_cost=spec.standard_cost,
            indirect_cost_pct=spec.indirect_cost_pct,
            overhead_rate=spec.overhead_rate,
            inventory_posting_group=spec.inventory_posting_group,
            gen_prod_posting_group=spec.gen_prod_posting_group,
        )
        for code, description in spec.variants:
            ItemVariant.objects.create(item=item, code=code, description=description)
    return len(ITEMS)


def post_timeline(summary: Summary) -> dict[str, int]:
    """Post every step in order; returns the entry number remembered under each key."""
    entries: dict[str, int] = {}
    for step in TIMELINE:
        if isinstance(step, Journal):
            post_journal(step, entries)
            summary.journals += 1
        elif isinstance(step, Invoice):
            item_ledger_entry_invoice(
                entry_no=entries[step.key],
                posting_date=step.date,
                quantity=step.quantity,
                unit_cost=step.unit_cost,
                unit_price=step.unit_price,
            )
            summary.invoices += 1
        elif isinstance(step, Charge):
            item_charge_assign(
                entry_no=entries[step.key],
                posting_date=step.date,
                amount=step.amount,
                item_charge_no=step.item_charge_no,
            )
            summary.item_charges += 1
        elif isinstance(step, Release):
            production_order_create(
                no=step.no,
                item_no=step.item_no,
                quantity=step.quantity,
                location_code=step.location,
            )
            summary.production_orders += 1
        elif isinstance(step, Capacity):
            capacity_journal_post(
                lines=[CapacityLine(step.order_no, step.date, step.work_center, step.quantity)]
            )
        elif isinstance(step, Finish):
            production_order_finish(no=step.no, finished_date=step.date)
        else:
            revaluation_journal_post(
                lines=[
                    RevaluationLine(
                        item_no=step.item_no,
                        posting_date=step.date,
                        unit_cost_revalued=step.unit_cost_revalued,
                    )
                ]
            )
            summary.revaluations += 1
    return entries


def post_journal(journal: Journal, entries: dict[str, int]) -> None:
    lines = [journal_line(journal, line, entries) for line in journal.lines]
    created = iter(item_journal_post(lines=lines))
    for line in journal.lines:
        entry = next(created)
        if line.entry_type == EntryType.TRANSFER:
            entry = next(created)  # a transfer gives two entries: outbound, then inbound
        if line.key:
            entries[line.key] = entry.entry_no


def journal_line(journal: Journal, line: Line, entries: dict[str, int]) -> JournalLine:
    return JournalLine(
        entry_type=line.entry_type,
        item_no=line.item_no,
        posting_date=journal.date,
        quantity=line.quantity,
        location_code=line.location,
        new_location_code=line.new_location,
        variant_code=line.variant,
        unit_cost=line.unit_cost,
        unit_price=line.unit_price,
        gen_bus_posting_group=line.bus,
        invoiced=line.invoiced,
        is_return=line.is_return,
        applies_to_entry=entries[line.applies_to] if line.applies_to else None,
        applies_from_entry=entries[line.applies_from] if line.applies_from else None,
        document_no=line.document_no or journal.document_no,
        order_no=line.order_no,
    )


def ensure_users() -> list[str]:
    """Create the demo users that do not exist yet; existing users are left as they are."""
    created = []
    for username, password, is_staff, group_name in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username=username, password=password, is_staff=is_staff)
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        created.append(username)
    return created
