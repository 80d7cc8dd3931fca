"""The reconciliation over random postings (DOMAIN §11, §12).

Each example plays a random month: one or two items (FIFO or Average, some with an overhead
rate) at two locations; purchases (some received now and invoiced later, in part, at another
cost), sales (some shipped now and invoiced later, some beyond stock), item charges and
transfers between the locations; Expected Cost Posting to G/L on or off. Then Adjust Cost - Item
Entries runs. Every example runs in a savepoint that is rolled back.

Properties:

1. Before posting to the G/L, every difference is minus the value entries' total, and any
   difference is explained by warning 3 (cost not posted). Purchase cost always shows as a
   difference: it all has one sign, so it cannot cancel out in Direct Cost Applied or Overhead
   Applied (other cost can: the two entries of a transfer, a sale and its adjustment).
2. After Post Inventory Cost to G/L (per posting group), the G/L balances (its amounts add up
   to zero) and nothing differs, company-wide and per location - except, with expected cost
   posting off, the interim rows, which warning 1 (expected cost) then explains.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costing.services import cost_adjustment_run
from inventory.errors import InvalidInput
from inventory.models import ItemLedgerEntry, Location, ValueEntry
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
    item_ledger_entry_invoice,
)
from ledger.accounts import GENERAL_SETUP_FIELDS, INVENTORY_SETUP_FIELDS, Role
from ledger.models import GeneralPostingSetup, GLAccount, GLEntry, InventoryPostingSetup
from ledger.reconciliation import EXPECTED_COST_ROWS, TOTAL, reconciliation_matrix
from ledger.services import inventory_cost_post_to_gl

pytestmark = pytest.mark.django_db

START = dt.date(2025, 3, 3)
LOCATIONS = ("RED", "BLUE")
KINDS = ("purchase", "purchase", "sale", "sale", "invoice_purchase", "invoice_sale", "charge")
KINDS += ("transfer",)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Op:
    kind: str
    item: int
    location: int
    day: int
    quantity: int
    unit_cost: Decimal
    invoiced: bool
    pick: int

    @property
    def date(self) -> dt.date:
        return START + dt.timedelta(days=self.day)


@dataclass(frozen=True)
class World:
    methods: tuple[str, ...]
    overhead: tuple[Decimal, ...]
    expected_cost_posting: bool
    ops: tuple[Op, ...]


unit_costs = st.integers(0, 4000).map(lambda n: Decimal(n).scaleb(-2)) | st.integers(0, 60).map(
    lambda n: Decimal(n).scaleb(-1) / 3
).map(lambda d: d.quantize(Decimal("0.00001")))


def _ops(items: int) -> st.SearchStrategy[tuple[Op, ...]]:
    op = st.builds(
        Op,
        kind=st.sampled_from(KINDS),
        item=st.integers(0, items - 1),
        location=st.integers(0, 1),
        day=st.integers(0, 27),
        quantity=st.integers(1, 5),
        unit_cost=unit_costs,
        invoiced=st.booleans(),
        pick=st.integers(0, 100),
    )
    # Every month starts with a purchase, so that there is something to work on.
    first = op.map(lambda o: replace(o, kind="purchase"))
    return st.tuples(first, st.lists(op, min_size=2, max_size=11)).map(
        lambda pair: (pair[0], *pair[1])
    )


worlds = st.integers(1, 2).flatmap(
    lambda n: st.builds(
        World,
        methods=st.tuples(*[st.sampled_from(["fifo", "average"])] * n),
        overhead=st.tuples(*[st.sampled_from([Decimal(0), Decimal(0), Decimal("0.35")])] * n),
        expected_cost_posting=st.booleans(),
        ops=_ops(n),
    )
)


@pytest.fixture
def books():
    """G/L accounts and posting setups for both locations; no automatic posting or adjustment."""
    inventory_setup_update(automatic_cost_posting=False, automatic_cost_adjustment="never")
    accounts = {role: f"9{index:03d}" for index, role in enumerate(Role)}
    for role, no in accounts.items():
        GLAccount.objects.create(no=no, name=role.label)
    for code in LOCATIONS:
        Location.objects.create(code=code, name=code)
        InventoryPostingSetup.objects.create(
            location_code=code,
            inventory_posting_group="RESALE",
            **{f"{f}_id": accounts[role] for role, f in INVENTORY_SETUP_FIELDS.items()},
        )
    GeneralPostingSetup.objects.create(
        gen_bus_posting_group="",
        gen_prod_posting_group="RETAIL",
        **{f"{f}_id": accounts[role] for role, f in GENERAL_SETUP_FIELDS.items()},
    )


@contextlib.contextmanager
def rolled_back():
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


# -- playing a world -----------------------------------------------------------------------------


def _choose(candidates: list, pick: int):
    return candidates[pick % len(candidates)] if candidates else None


def _play_op(op: Op, item_no: str) -> None:
    location = LOCATIONS[op.location]
    quantity = Decimal(op.quantity)
    if op.kind in ("purchase", "sale", "transfer"):
        item_journal_post(
            lines=[
                JournalLine(
                    op.kind,
                    item_no,
                    op.date,
                    quantity,
                    location_code=location,
                    new_location_code=LOCATIONS[1 - op.location] if op.kind == "transfer" else "",
                    unit_cost=op.unit_cost if op.kind == "purchase" else None,
                    invoiced=op.invoiced or op.kind == "transfer",
                )
            ]
        )
        return
    entries = ItemLedgerEntry.objects.filter(item__no=item_no).order_by("entry_no")
    if op.kind in ("invoice_purchase", "invoice_sale"):
        kind = "purchase" if op.kind == "invoice_purchase" else "sale"
        open_ones = [
            e for e in entries.filter(entry_type=kind) if e.invoiced_quantity != e.quantity
        ]
        entry = _choose(open_ones, op.pick)
        if entry is None:
            return
        item_ledger_entry_invoice(
            entry_no=entry.entry_no,
            posting_date=max(op.date, entry.posting_date),
            quantity=min(quantity, abs(entry.quantity - entry.invoiced_quantity)),
            unit_cost=op.unit_cost if kind == "purchase" else None,
        )
    elif op.kind == "charge":
        entry = _choose(list(entries.filter(positive=True)), op.pick)
        if entry is not None:
            item_charge_assign(
                entry_no=entry.entry_no,
                posting_date=max(op.date, entry.posting_date),
                amount=op.unit_cost % 30 + Decimal("0.01"),
                item_charge_no="FREIGHT",
            )


def play(world: World) -> None:
    inventory_setup_update(expected_cost_posting_to_gl=world.expected_cost_posting)
    for index, (method, overhead) in enumerate(zip(world.methods, world.overhead, strict=True)):
        item_create(
            no=f"PROP{index}",
            costing_method=method,
            overhead_rate=overhead,
            inventory_posting_group="RESALE",
            gen_prod_posting_group="RETAIL",
        )
    for op in world.ops:
        try:
            with transaction.atomic():
                _play_op(op, f"PROP{op.item}")
        except InvalidInput:
            pass  # refused (e.g. a transfer with nothing on hand): nothing was written
    cost_adjustment_run()


# -- the properties ------------------------------------------------------------------------------


def _differences(result, explained=frozenset()) -> dict[str, Decimal]:
    return {
        r.account_type: r.difference
        for r in result.role_rows
        if r.difference and r.account_type not in explained
    }


def _codes(result) -> list[str]:
    return [w.code for w in result.warnings]


@PROPERTY
@given(world=worlds)
def test_posting_to_gl_leaves_nothing_to_reconcile(books, world):
    with rolled_back():
        play(world)
        values = ValueEntry.objects.all()
        expected_on = world.expected_cost_posting

        # 1. Nothing is in the G/L yet: every difference is the value entries' total, and a
        # remaining difference is explained by the cost not posted.
        before = reconciliation_matrix()
        assert all(r.gl_total == 0 and r.difference == -r.total for r in before.rows)
        explained = frozenset() if expected_on else EXPECTED_COST_ROWS
        if _differences(before, explained):
            assert _codes(before)[-1] == "cost_not_posted"
        if not _differences(before):
            assert _codes(before) == ["no_difference"]
        # Purchase cost (direct or overhead) all has one sign, so it cannot cancel out in its
        # Direct Cost Applied / Overhead Applied row: bought cost always shows as a difference.
        # (Other cost may cancel: a transfer's two entries, a sale and its adjustment.)
        bought = values.filter(
            item_ledger_entry_type="purchase", entry_type__in=["direct_cost", "indirect_cost"]
        ).exclude(cost_amount_actual=0)
        if bought.exists():
            assert _differences(before, explained).keys() & {
                "direct_cost_applied",
                "overhead_applied",
            }
            assert "cost_not_posted" in _codes(before)

        # 2. Posted per posting group: the G/L balances, and nothing differs.
        inventory_cost_post_to_gl(post_method="per_posting_group", document_no="X")
        assert GLEntry.objects.aggregate(s=Sum("amount"))["s"] in (None, 0)
        for location in ("", *LOCATIONS):
            after = reconciliation_matrix(location_code=location)
            assert _differences(after, explained) == {}, (location, after.rows)
            total = after.row(TOTAL)
            assert (total.inventory, total.inventory_interim, total.wip_inventory) == (0, 0, 0)
            if _differences(after):
                assert _codes(after) == ["expected_cost"]
            else:
                assert _codes(after) == ["no_difference"]
        for index in range(len(world.methods)):
            # Posted per posting group, an item's G/L entries may carry the other item too.
            after = reconciliation_matrix(item_no=f"PROP{index}")
            assert set(_codes(after)) <= {"no_difference", "expected_cost", "combined_gl_entries"}
