"""Which accounts each kind of value entry posts to (DOMAIN §11.1, BC-IMPLEMENTATION §6), and
that every G/L transaction balances.

Each case builds the smallest ledger that produces one kind of value entry, posts the queue per
entry, and compares the G/L entries linked to that value entry with the account pair of the
matrix: the account gets the value entry's amount, the balancing account the opposite. An invoice
of a receipt or shipment posts two pairs: the actual cost to the real accounts and the release
of the expected cost from the interim ones.

Expected Cost Posting to G/L is on throughout, so that the expected rows post too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import Sum

from costing.services import cost_adjustment_run
from inventory.models import ValueEntry
from inventory.services import (
    RevaluationLine,
    item_ledger_entry_invoice,
    production_order_create,
    revaluation_journal_post,
)
from ledger.models import GLEntry
from tests.ledger.conftest import (
    COGS,
    COGS_INTERIM,
    DIRECT_COST_APPLIED,
    INVENTORY,
    INVENTORY_ADJMT,
    INVENTORY_BLUE,
    INVENTORY_INTERIM,
    INVT_ACCRUAL_INTERIM,
    OVERHEAD_APPLIED,
    PURCHASE_VARIANCE,
    WIP,
    D,
    assert_every_transaction_balances,
    balances,
    day,
    gl_rows,
    make_item,
    nonzero,
    post,
    post_per_entry,
    post_per_group,
    queued,
    unbalanced_transactions,
    values_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gl_setup", "expected_cost_posting")]


# -- builders: each returns the value entry under test ----------------------------------------


def purchase_direct_actual(no: str) -> ValueEntry:
    item = make_item(no)
    receipt = post("purchase", item, 10, day(1, 10), unit_cost=7)
    return values_of(receipt)[0]  # 10 x 7 = 70


def purchase_direct_expected(no: str) -> ValueEntry:
    item = make_item(no)
    receipt = post("purchase", item, 10, day(1, 10), unit_cost="9.5", invoiced=False)
    return values_of(receipt)[0]  # 10 x 9.50 = 95 expected


def purchase_invoice(no: str) -> ValueEntry:
    item = make_item(no)
    receipt = post("purchase", item, 10, day(1, 10), unit_cost="9.5", invoiced=False)
    (invoice,) = item_ledger_entry_invoice(
        entry_no=receipt.pk, posting_date=day(1, 20), quantity=D(10), unit_cost=D(10)
    )
    return invoice  # actual 10 x 10 = 100, expected -95 (released)


def purchase_indirect(no: str) -> ValueEntry:
    item = make_item(no, indirect_cost_pct=D(10), overhead_rate=D(1))
    receipt = post("purchase", item, 10, day(1, 10), unit_cost=7)
    # Unit cost 7 x 1.10 + 1 = 8.70; 10 x 8.70 = 87, of which direct 70, indirect 17.
    direct, indirect = values_of(receipt)
    assert direct.cost_amount_actual == D("70")
    return indirect


def purchase_variance(no: str) -> ValueEntry:
    item = make_item(no, "standard", standard_cost=D(100))
    receipt = post("purchase", item, 1, day(1, 10), unit_cost=90)
    # DOMAIN §9: standard 100 bought at 90: direct 90, variance +10 (Purchase Variance -10).
    direct, variance = values_of(receipt)
    assert direct.cost_amount_actual == D("90")
    return variance


def revaluation(no: str) -> ValueEntry:
    # DOMAIN §11.6 bike chain: revaluation 150 -> 140 gives Inventory -10, Inventory Adjmt. +10.
    item = make_item(no, "standard", standard_cost=D(150))
    post("purchase", item, 1, day(1, 10), unit_cost=150)  # at standard: no variance
    (value,) = revaluation_journal_post(
        lines=[RevaluationLine(item.no, day(1, 20), unit_cost_revalued=D(140))]
    )
    return value  # 1 x (140 - 150) = -10


def rounding(no: str) -> ValueEntry:
    item = make_item(no)
    receipt = post("purchase", item, 3, day(1, 10), unit_cost="3.33333")  # 3 x 3.33333 = 10.00
    for _ in range(3):
        post("sale", item, 1, day(1, 11))  # each 10.00 / 3 = 3.33, together 9.99
    cost_adjustment_run(item_filter=item.no)
    # DOMAIN §7: the receipt is used up; its 10.00 - 9.99 = 0.01 left over goes out as Rounding.
    (value,) = [v for v in values_of(receipt) if v.entry_type == "rounding"]
    return value  # -0.01


def stock(no: str):
    item = make_item(no)
    post("purchase", item, 10, day(1, 10), unit_cost=8)  # 8 a unit
    return item


def sale_direct_actual(no: str) -> ValueEntry:
    item = stock(no)
    return values_of(post("sale", item, 3, day(1, 15)))[0]  # 3 x 8 = -24


def sale_direct_expected(no: str) -> ValueEntry:
    item = stock(no)
    return values_of(post("sale", item, 2, day(1, 15), invoiced=False))[0]  # 2 x 8 = -16


def sale_invoice(no: str) -> ValueEntry:
    item = stock(no)
    shipment = post("sale", item, 2, day(1, 15), invoiced=False)
    (invoice,) = item_ledger_entry_invoice(
        entry_no=shipment.pk, posting_date=day(1, 25), quantity=D(2)
    )
    return invoice  # actual -16, expected +16 (released)


def positive_adjmt(no: str) -> ValueEntry:
    item = make_item(no)
    return values_of(post("positive_adjmt", item, 2, day(1, 10), unit_cost=5))[0]  # 2 x 5 = 10


def negative_adjmt(no: str) -> ValueEntry:
    item = stock(no)
    return values_of(post("negative_adjmt", item, 1, day(1, 15)))[0]  # -8


def transfer_out(no: str) -> ValueEntry:
    item = stock(no)
    outbound = post("transfer", item, 2, day(1, 15), new_location_code="BLUE")
    return values_of(outbound)[0]  # 2 x 8 = -16 leaves (no location)


def transfer_in(no: str) -> ValueEntry:
    item = stock(no)
    outbound = post("transfer", item, 2, day(1, 15), new_location_code="BLUE")
    return values_of(outbound.pk + 1)[0]  # +16 arrives at BLUE


def consumption(no: str) -> ValueEntry:
    item = stock(no)
    make_item(f"{no}-FG")
    production_order_create(no=f"PO-{no}", item_no=f"{no}-FG", quantity=D(1))
    return values_of(post("consumption", item, 1, day(1, 15), order_no=f"PO-{no}"))[0]  # -8


def output(no: str) -> ValueEntry:
    item = make_item(no)
    production_order_create(no=f"PO-{no}", item_no=no, quantity=D(1))
    # Expected cost until the order is finished (DOMAIN §6.6): 1 x 12.
    return values_of(post("output", item, 1, day(1, 15), order_no=f"PO-{no}", unit_cost=12))[0]


def assembly_consumption(no: str) -> ValueEntry:
    item = stock(no)
    entry = post("assembly_consumption", item, 1, day(1, 15), order_no="AO1")
    return values_of(entry)[0]  # -8


def assembly_output(no: str) -> ValueEntry:
    item = make_item(no)
    entry = post("assembly_output", item, 1, day(1, 15), order_no="AO1", unit_cost=20)
    return values_of(entry)[0]  # 1 x 20 = 20


@dataclass(frozen=True)
class Case:
    build: Callable[[str], ValueEntry]
    kind: tuple[str, str, str, bool]  # ILE type, VE type, variance type, expected cost
    rows: list[tuple[str, str]]  # (account, amount) of its G/L entries

    def __str__(self) -> str:
        return self.build.__name__


CASES = [
    Case(
        purchase_direct_actual,
        ("purchase", "direct_cost", "", False),
        [(INVENTORY, "70"), (DIRECT_COST_APPLIED, "-70")],
    ),
    Case(
        purchase_direct_expected,
        ("purchase", "direct_cost", "", True),
        [(INVENTORY_INTERIM, "95"), (INVT_ACCRUAL_INTERIM, "-95")],
    ),
    Case(
        purchase_invoice,
        ("purchase", "direct_cost", "", False),
        [
            (INVENTORY, "100"),
            (DIRECT_COST_APPLIED, "-100"),
            (INVENTORY_INTERIM, "-95"),
            (INVT_ACCRUAL_INTERIM, "95"),
        ],
    ),
    Case(
        purchase_indirect,
        ("purchase", "indirect_cost", "", False),
        [(INVENTORY, "17"), (OVERHEAD_APPLIED, "-17")],
    ),
    Case(
        purchase_variance,
        ("purchase", "variance", "purchase", False),
        [(INVENTORY, "10"), (PURCHASE_VARIANCE, "-10")],
    ),
    Case(
        revaluation,
        ("purchase", "revaluation", "", False),
        [(INVENTORY, "-10"), (INVENTORY_ADJMT, "10")],
    ),
    Case(
        rounding,
        ("purchase", "rounding", "", False),
        [(INVENTORY, "-0.01"), (INVENTORY_ADJMT, "0.01")],
    ),
    Case(
        sale_direct_actual,
        ("sale", "direct_cost", "", False),
        [(INVENTORY, "-24"), (COGS, "24")],
    ),
    Case(
        sale_direct_expected,
        ("sale", "direct_cost", "", True),
        [(INVENTORY_INTERIM, "-16"), (COGS_INTERIM, "16")],
    ),
    Case(
        sale_invoice,
        ("sale", "direct_cost", "", False),
        [(INVENTORY, "-16"), (COGS, "16"), (INVENTORY_INTERIM, "16"), (COGS_INTERIM, "-16")],
    ),
    Case(
        positive_adjmt,
        ("positive_adjmt", "direct_cost", "", False),
        [(INVENTORY, "10"), (INVENTORY_ADJMT, "-10")],
    ),
    Case(
        negative_adjmt,
        ("negative_adjmt", "direct_cost", "", False),
        [(INVENTORY, "-8"), (INVENTORY_ADJMT, "8")],
    ),
    Case(
        transfer_out,
        ("transfer", "direct_cost", "", False),
        [(INVENTORY, "-16"), (INVENTORY_ADJMT, "16")],
    ),
    Case(
        transfer_in,
        ("transfer", "direct_cost", "", False),
        # DOMAIN §11.3: the receiving location's Inventory account.
        [(INVENTORY_BLUE, "16"), (INVENTORY_ADJMT, "-16")],
    ),
    Case(
        consumption,
        ("consumption", "direct_cost", "", False),
        [(INVENTORY, "-8"), (WIP, "8")],
    ),
    Case(
        output,
        ("output", "direct_cost", "", True),
        [(INVENTORY_INTERIM, "12"), (WIP, "-12")],
    ),
    Case(
        assembly_consumption,
        ("assembly_consumption", "direct_cost", "", False),
        [(INVENTORY, "-8"), (INVENTORY_ADJMT, "8")],
    ),
    Case(
        assembly_output,
        ("assembly_output", "direct_cost", "", False),
        [(INVENTORY, "20"), (INVENTORY_ADJMT, "-20")],
    ),
]


def _sorted(rows):
    return sorted((account, D(amount)) for account, amount in rows)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_kind_of_value_entry_posts_to_its_account_pair_and_balances(case: Case):
    value = case.build("A")
    assert (
        value.item_ledger_entry_type,
        value.entry_type,
        value.variance_type,
        value.expected_cost,
    ) == case.kind

    report = post_per_entry()

    assert report.skipped == []
    assert _sorted(gl_rows(value)) == _sorted(case.rows)
    # The G/L entries are dated like the value entry and balance per transaction.
    linked = GLEntry.objects.filter(value_links__value_entry=value)
    assert {e.posting_date for e in linked} == {value.posting_date}
    assert len({e.transaction_no for e in linked}) == 1
    assert linked.aggregate(s=Sum("amount"))["s"] == 0
    assert_every_transaction_balances()
    # The value entry is fully posted and has left the queue.
    value.refresh_from_db()
    assert value.cost_posted_to_gl == value.cost_amount_actual
    assert value.expected_cost_posted_to_gl == value.cost_amount_expected
    assert queued() == set()


def _build_every_kind() -> list[ValueEntry]:
    return [case.build(f"K{index:02d}") for index, case in enumerate(CASES)]


def _check_inventory_accounts_match_the_value_entries() -> None:
    """Every actual amount lands on an Inventory account, every expected amount on Inventory
    (Interim), so the two accounts carry the inventory value exactly."""
    agg = ValueEntry.objects.aggregate(a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected"))
    inventory = GLEntry.objects.filter(account_id__in=[INVENTORY, INVENTORY_BLUE])
    interim = GLEntry.objects.filter(account_id=INVENTORY_INTERIM)
    assert inventory.aggregate(s=Sum("amount"))["s"] == agg["a"]
    assert interim.aggregate(s=Sum("amount"))["s"] == agg["e"]


def test_every_g_l_transaction_balances_when_every_kind_is_posted_per_entry():
    values = _build_every_kind()
    report = post_per_entry()
    assert report.skipped == []
    assert unbalanced_transactions() == {}
    # Per entry, a transaction is one value entry: one per value entry that had an amount.
    posted = ValueEntry.objects.exclude(cost_amount_actual=0, cost_amount_expected=0)
    assert GLEntry.objects.values("transaction_no").distinct().count() == posted.count()
    for value in values:
        assert sum(amount for _, amount in gl_rows(value)) == 0
    _check_inventory_accounts_match_the_value_entries()
    assert queued() == set()


def test_every_g_l_transaction_balances_when_every_kind_is_posted_per_posting_group():
    _build_every_kind()
    report = post_per_group("INVT-ALL")
    assert report.skipped == []
    assert_every_transaction_balances()
    # Per posting group the whole run is one document and one transaction.
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-ALL"}
    assert GLEntry.objects.values("transaction_no").distinct().count() == 1
    _check_inventory_accounts_match_the_value_entries()
    assert queued() == set()


def test_a_revaluation_forwarded_to_a_sale_reaches_its_cogs():
    """The part of a revaluation that adjustment forwards to a sale is part of the sale's direct
    cost (BC's outbound cost elements: "Direct (direct cost and revaluation)", BC-IMPLEMENTATION
    §5), so it posts Inventory / COGS like the rest of the sale's cost. The revaluation itself
    stays Inventory / Inventory Adjmt. on the purchase."""
    item = make_item("A")
    post("purchase", item, 6, day(1, 1), unit_cost=10)  # 60
    post("sale", item, 1, day(2, 1))  # -10, before the revaluation date: not affected
    late_sale = post("sale", item, 1, day(4, 1))  # -10, dated after it: affected (DOMAIN §8)
    # On Mar 1, 6 - 1 = 5 remain (the Apr 1 sale does not count): 5 x (8 - 10) = -10.
    revaluation_journal_post(lines=[RevaluationLine(item.no, day(3, 1), unit_cost_revalued=D(8))])
    cost_adjustment_run()
    post_per_entry()

    # The Apr 1 sale becomes -8: a +2 Direct Cost adjustment: Inventory +2, COGS -2.
    (adjustment,) = [v for v in values_of(late_sale) if v.adjustment]
    assert adjustment.entry_type == "direct_cost"
    assert _sorted(gl_rows(adjustment)) == _sorted([(INVENTORY, "2"), (COGS, "-2")])
    # Inventory 60 - 10 - 10 - 10 + 2 = 32 (4 x 8); COGS 10 + 10 - 2 = 18; Inventory Adjmt.
    # 10 (the revaluation); Direct Cost Applied -60.
    assert nonzero(balances()) == {
        INVENTORY: D("32"),
        COGS: D("18"),
        INVENTORY_ADJMT: D("10"),
        DIRECT_COST_APPLIED: D("-60"),
    }
