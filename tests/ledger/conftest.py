"""Fixtures and helpers for the G/L posting tests: a chart of accounts with one account per
account type (DOMAIN §12 rows), posting setups that point at them, and ways to read the G/L.

Nothing here is autouse: other test modules of this folder choose what they need.

The account numbers are the En-US demo ones where the docs give them (2130 Inventory, 7290 COGS,
7291 Direct Cost Applied); the rest are made up but distinct, so that each account type can be
told apart in a test.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Q, Sum

from inventory.models import (
    Item,
    ItemLedgerEntry,
    Location,
    PostValueEntryToGL,
    ValueEntry,
)
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_create,
    item_journal_post,
)
from ledger.accounts import GENERAL_SETUP_FIELDS, INVENTORY_SETUP_FIELDS, Role
from ledger.models import GeneralPostingSetup, GLAccount, GLEntry, InventoryPostingSetup
from ledger.services import PostingReport, inventory_cost_post_to_gl

D = Decimal

# -- the chart of accounts --------------------------------------------------------------------

INVENTORY = "2130"
INVENTORY_INTERIM = "2131"
WIP = "2140"
DIRECT_COST_APPLIED = "7291"
OVERHEAD_APPLIED = "7292"
INVENTORY_ADJMT = "7270"
INVT_ACCRUAL_INTERIM = "5530"
COGS = "7290"
COGS_INTERIM = "7295"
PURCHASE_VARIANCE = "7293"
MATERIAL_VARIANCE = "7890"
CAPACITY_VARIANCE = "7891"
SUBCONTRACTED_VARIANCE = "7892"
CAP_OVERHEAD_VARIANCE = "7893"
MFG_OVERHEAD_VARIANCE = "7894"

ACCOUNTS: dict[Role, str] = {
    Role.INVENTORY: INVENTORY,
    Role.INVENTORY_INTERIM: INVENTORY_INTERIM,
    Role.WIP: WIP,
    Role.DIRECT_COST_APPLIED: DIRECT_COST_APPLIED,
    Role.OVERHEAD_APPLIED: OVERHEAD_APPLIED,
    Role.INVENTORY_ADJMT: INVENTORY_ADJMT,
    Role.INVT_ACCRUAL_INTERIM: INVT_ACCRUAL_INTERIM,
    Role.COGS: COGS,
    Role.COGS_INTERIM: COGS_INTERIM,
    Role.PURCHASE_VARIANCE: PURCHASE_VARIANCE,
    Role.MATERIAL_VARIANCE: MATERIAL_VARIANCE,
    Role.CAPACITY_VARIANCE: CAPACITY_VARIANCE,
    Role.SUBCONTRACTED_VARIANCE: SUBCONTRACTED_VARIANCE,
    Role.CAP_OVERHEAD_VARIANCE: CAP_OVERHEAD_VARIANCE,
    Role.MFG_OVERHEAD_VARIANCE: MFG_OVERHEAD_VARIANCE,
}
assert len(set(ACCOUNTS.values())) == len(Role)  # one distinct account per account type

# Location BLUE keeps its stock on an inventory account of its own (DOMAIN §11.3: the Inventory
# account comes from location x inventory posting group); everything else is as above.
INVENTORY_BLUE = "2135"
INVENTORY_ACCOUNTS = (INVENTORY, INVENTORY_BLUE)

# A second chart, for an inventory posting group whose accounts differ (DOMAIN §16 tests).
OTHER_INVENTORY = "2230"
OTHER_INVENTORY_ADJMT = "7370"
OTHER_COGS = "7390"
OTHER_DIRECT_COST_APPLIED = "7391"

LOCATIONS = ("", "BLUE", "RED")
INVENTORY_POSTING_GROUP = "RESALE"
GEN_PROD_POSTING_GROUP = "RETAIL"
GEN_BUS_POSTING_GROUPS = ("", "DOMESTIC")


def day(month: int, dom: int, year: int = 2025) -> dt.date:
    return dt.date(year, month, dom)


# -- fixtures ----------------------------------------------------------------------------------


def create_gl_setup() -> None:
    """Accounts, and posting setups for every location x RESALE and every business group x
    RETAIL, all pointing at ACCOUNTS except BLUE's Inventory account (INVENTORY_BLUE). Also an
    inventory posting group OTHER and a product group OTHER_PROD whose setups point at the
    OTHER_* accounts, for the DOMAIN §16 tests."""
    numbers = {
        *ACCOUNTS.values(),
        INVENTORY_BLUE,
        OTHER_INVENTORY,
        OTHER_INVENTORY_ADJMT,
        OTHER_COGS,
        OTHER_DIRECT_COST_APPLIED,
    }
    GLAccount.objects.bulk_create([GLAccount(no=no, name=f"Account {no}") for no in numbers])
    for code in LOCATIONS:
        if code:
            Location.objects.get_or_create(code=code, defaults={"name": code})
    inventory_fields = {f: ACCOUNTS[r] for r, f in INVENTORY_SETUP_FIELDS.items()}
    general_fields = {f: ACCOUNTS[r] for r, f in GENERAL_SETUP_FIELDS.items()}
    for code in LOCATIONS:
        own = {"inventory_account": INVENTORY_BLUE} if code == "BLUE" else {}
        InventoryPostingSetup.objects.create(
            location_code=code,
            inventory_posting_group=INVENTORY_POSTING_GROUP,
            **{f"{k}_id": own.get(k, v) for k, v in inventory_fields.items()},
        )
        InventoryPostingSetup.objects.create(
            location_code=code,
            inventory_posting_group="OTHER",
            **{
                f"{k}_id": (OTHER_INVENTORY if k == "inventory_account" else v)
                for k, v in inventory_fields.items()
            },
        )
    for bus in GEN_BUS_POSTING_GROUPS:
        GeneralPostingSetup.objects.create(
            gen_bus_posting_group=bus,
            gen_prod_posting_group=GEN_PROD_POSTING_GROUP,
            **{f"{k}_id": v for k, v in general_fields.items()},
        )
        other = {
            "inventory_adjmt_account": OTHER_INVENTORY_ADJMT,
            "cogs_account": OTHER_COGS,
            "direct_cost_applied_account": OTHER_DIRECT_COST_APPLIED,
        }
        GeneralPostingSetup.objects.create(
            gen_bus_posting_group=bus,
            gen_prod_posting_group="OTHER_PROD",
            **{f"{k}_id": other.get(k, v) for k, v in general_fields.items()},
        )


@pytest.fixture
def gl_setup(db) -> dict[Role, str]:
    """The chart of accounts and the posting setups (see create_gl_setup)."""
    create_gl_setup()
    return ACCOUNTS


@pytest.fixture
def batch_posting(db) -> None:
    """Inventory Setup as for month-end work: no automatic cost posting (the batch posts) and
    no automatic cost adjustment (the test adjusts when it wants to); expected cost posting off."""
    inventory_setup_update(
        automatic_cost_posting=False,
        automatic_cost_adjustment="never",
        expected_cost_posting_to_gl=False,
    )


@pytest.fixture
def expected_cost_posting(batch_posting) -> None:
    """batch_posting, with Expected Cost Posting to G/L on."""
    inventory_setup_update(expected_cost_posting_to_gl=True)


# -- building ledgers --------------------------------------------------------------------------


def make_item(no: str = "A", costing_method: str = "fifo", **fields: Any) -> Item:
    fields.setdefault("inventory_posting_group", INVENTORY_POSTING_GROUP)
    fields.setdefault("gen_prod_posting_group", GEN_PROD_POSTING_GROUP)
    return item_create(no=no, costing_method=costing_method, **fields)


def jline(entry_type: str, item: Item | str, quantity, posting_date: dt.date, **kw) -> JournalLine:
    for key in ("unit_cost", "unit_price"):
        if kw.get(key) is not None:
            kw[key] = D(str(kw[key]))
    return JournalLine(
        entry_type=entry_type,
        item_no=item if isinstance(item, str) else item.no,
        posting_date=posting_date,
        quantity=D(str(quantity)),
        **kw,
    )


def post(entry_type: str, item, quantity, posting_date, **kw) -> ItemLedgerEntry:
    """Post one journal line; returns its (first) item ledger entry."""
    return item_journal_post(lines=[jline(entry_type, item, quantity, posting_date, **kw)])[0]


def post_lines(*lines: JournalLine) -> list[ItemLedgerEntry]:
    return item_journal_post(lines=list(lines))


def values_of(entry: ItemLedgerEntry | int) -> list[ValueEntry]:
    no = entry if isinstance(entry, int) else entry.pk
    return list(ValueEntry.objects.filter(item_ledger_entry_id=no).order_by("entry_no"))


# -- posting to and reading the G/L ------------------------------------------------------------


def post_per_entry(**kw) -> PostingReport:
    return inventory_cost_post_to_gl(post_method="per_entry", **kw)


def post_per_group(document_no: str = "INVT-001", **kw) -> PostingReport:
    return inventory_cost_post_to_gl(post_method="per_posting_group", document_no=document_no, **kw)


def balances(entries: Iterable[GLEntry] | None = None) -> dict[str, Decimal]:
    """Balance per account (debit-positive), only accounts with entries; zero balances kept."""
    totals: dict[str, Decimal] = defaultdict(lambda: D(0))
    for entry in GLEntry.objects.all() if entries is None else entries:
        totals[entry.account_id] += entry.amount
    return dict(totals)


def nonzero(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    return {account: amount for account, amount in totals.items() if amount != 0}


def gl_rows(value_entry: ValueEntry | int) -> list[tuple[str, Decimal]]:
    """(account, amount) of the G/L entries linked to one value entry, in entry order."""
    no = value_entry if isinstance(value_entry, int) else value_entry.pk
    return [
        (e.account_id, e.amount)
        for e in GLEntry.objects.filter(value_links__value_entry_id=no).order_by("entry_no")
    ]


def unbalanced_transactions() -> dict[int, Decimal]:
    """Every G/L transaction whose amounts do not sum to zero (should be none)."""
    rows = GLEntry.objects.values("transaction_no").annotate(total=Sum("amount"))
    return {r["transaction_no"]: r["total"] for r in rows if r["total"] != 0}


def assert_every_transaction_balances() -> None:
    assert GLEntry.objects.exists(), "nothing was posted"
    assert unbalanced_transactions() == {}


def queued() -> set[int]:
    return set(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True))


def inventory_value(item: Item | None = None) -> Decimal:
    rows = ValueEntry.objects.all() if item is None else ValueEntry.objects.filter(item=item)
    agg = rows.aggregate(a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected"))
    return (agg["a"] or D(0)) + (agg["e"] or D(0))


def account_balance(account_no: str, *, extra: Q | None = None) -> Decimal:
    rows = GLEntry.objects.filter(account_id=account_no)
    if extra is not None:
        rows = rows.filter(extra)
    return rows.aggregate(s=Sum("amount"))["s"] or D(0)


def inventory_gl_balance() -> Decimal:
    """G/L balance of every Inventory account (all locations and groups)."""
    rows = GLEntry.objects.filter(account_id__in=[*INVENTORY_ACCOUNTS, OTHER_INVENTORY])
    return rows.aggregate(s=Sum("amount"))["s"] or D(0)
