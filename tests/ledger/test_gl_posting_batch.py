"""Post Inventory Cost to G/L as a batch (DOMAIN §11.4, BC-IMPLEMENTATION §7): posting methods,
the document no., the link back to the value entries, delta posting, the test report (post off),
skipped entries, dimensions, and adjustments that keep their original accounts (DOMAIN §16)."""

from __future__ import annotations

import pytest

from costing.services import cost_adjustment_run
from inventory.errors import InvalidInput
from inventory.models import InventoryPeriod, PostValueEntryToGL, ValueEntry
from inventory.services import item_charge_assign, item_update
from ledger.models import (
    DimensionCombination,
    GeneralPostingSetup,
    GLEntry,
    GLItemLedgerRelation,
    InventoryPostingSetup,
)
from ledger.services import inventory_cost_post_to_gl
from tests.ledger.conftest import (
    COGS,
    DIRECT_COST_APPLIED,
    INVENTORY,
    INVENTORY_ADJMT,
    INVENTORY_BLUE,
    OTHER_COGS,
    OTHER_DIRECT_COST_APPLIED,
    OTHER_INVENTORY,
    D,
    assert_every_transaction_balances,
    balances,
    day,
    gl_rows,
    inventory_gl_balance,
    inventory_value,
    jline,
    make_item,
    nonzero,
    post,
    post_lines,
    post_per_entry,
    post_per_group,
    queued,
    values_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("gl_setup", "batch_posting")]


# -- per posting group -------------------------------------------------------------------------


def _mixed_day():
    """Entries that differ in one grouping field at a time. Returns them by name."""
    a = make_item("A")
    b = make_item("B")
    entries = {}
    entries["a_jan10"] = post("purchase", a, 10, day(1, 10), unit_cost=7)  # +70
    entries["b_jan10"] = post("purchase", b, 5, day(1, 10), unit_cost=4)  # +20
    entries["sale_jan10"] = post("sale", a, 2, day(1, 10))  # FIFO: 2 x 7 = -14
    entries["blue_jan10"] = post("purchase", a, 1, day(1, 10), unit_cost=3, location_code="BLUE")
    entries["domestic_jan10"] = post(
        "purchase", a, 1, day(1, 10), unit_cost=6, gen_bus_posting_group="DOMESTIC"
    )
    entries["a_jan11"] = post("purchase", a, 1, day(1, 11), unit_cost=5)
    return {name: values_of(entry)[0].pk for name, entry in entries.items()}


def test_per_posting_group_posts_one_entry_per_group_and_account_with_signs_apart():
    v = _mixed_day()

    report = post_per_group("INVT-001")

    assert report.value_entries_posted == 6
    got = {
        (
            e.posting_date,
            e.account_id,
            e.amount,
            frozenset(link.value_entry_id for link in e.value_links.all()),
        )
        for e in GLEntry.objects.prefetch_related("value_links")
    }
    group = frozenset
    assert got == {
        # Jan 10, no location, RESALE, bus "", RETAIL: purchases 70 + 20 = 90 apart from the
        # sale's -14 on the same Inventory account; DCA -90; COGS +14.
        (day(1, 10), INVENTORY, D("90"), group({v["a_jan10"], v["b_jan10"]})),
        (day(1, 10), INVENTORY, D("-14"), group({v["sale_jan10"]})),
        (day(1, 10), DIRECT_COST_APPLIED, D("-90"), group({v["a_jan10"], v["b_jan10"]})),
        (day(1, 10), COGS, D("14"), group({v["sale_jan10"]})),
        # Another location: BLUE's own Inventory account; its DCA line stays apart too.
        (day(1, 10), INVENTORY_BLUE, D("3"), group({v["blue_jan10"]})),
        (day(1, 10), DIRECT_COST_APPLIED, D("-3"), group({v["blue_jan10"]})),
        # Another gen. business posting group: same accounts, separate entries.
        (day(1, 10), INVENTORY, D("6"), group({v["domestic_jan10"]})),
        (day(1, 10), DIRECT_COST_APPLIED, D("-6"), group({v["domestic_jan10"]})),
        # Another date.
        (day(1, 11), INVENTORY, D("5"), group({v["a_jan11"]})),
        (day(1, 11), DIRECT_COST_APPLIED, D("-5"), group({v["a_jan11"]})),
    }
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-001"}
    assert_every_transaction_balances()
    # The report's lines are the entries written.
    assert len(report.lines) == GLEntry.objects.count() == 10


def test_per_entry_posts_each_value_entry_apart_under_its_own_document_no():
    a = make_item("A")
    post("purchase", a, 10, day(1, 10), unit_cost=7, document_no="PR-1")
    post("purchase", a, 5, day(1, 10), unit_cost=4, document_no="PR-2")

    post_per_entry()

    assert sorted(GLEntry.objects.values_list("document_no", "account_id", "amount")) == sorted(
        [
            ("PR-1", INVENTORY, D("70")),
            ("PR-1", DIRECT_COST_APPLIED, D("-70")),
            ("PR-2", INVENTORY, D("20")),
            ("PR-2", DIRECT_COST_APPLIED, D("-20")),
        ]
    )
    assert GLEntry.objects.values("transaction_no").distinct().count() == 2
    assert_every_transaction_balances()


def test_per_posting_group_needs_a_document_no_and_posts_nothing_without_one():
    _mixed_day()
    before = queued()
    with pytest.raises(InvalidInput) as raised:
        post_per_group("")
    assert "document_no" in raised.value.detail
    assert not GLEntry.objects.exists()
    assert queued() == before


def test_per_entry_refuses_a_document_no():
    _mixed_day()
    with pytest.raises(InvalidInput) as raised:
        post_per_entry(document_no="INVT-001")
    assert "document_no" in raised.value.detail
    assert not GLEntry.objects.exists()


def test_an_unknown_posting_method_is_refused():
    with pytest.raises(InvalidInput) as raised:
        inventory_cost_post_to_gl(post_method="per_item", document_no="X")
    assert "post_method" in raised.value.detail


def test_each_g_l_entry_links_to_the_value_entries_it_came_from():
    _mixed_day()
    post_per_group("INVT-001")
    # Every G/L entry has links; following them back, each value entry's share on its own
    # accounts adds up to its cost (the pair of each value entry is complete).
    assert not GLEntry.objects.filter(value_links__isnull=True).exists()
    for value in ValueEntry.objects.all():
        linked = GLItemLedgerRelation.objects.filter(value_entry=value).count()
        assert linked == 2  # its Inventory line and its balancing line
    # Per entry the link is one to one as well.
    a = make_item("C")
    purchase = values_of(post("purchase", a, 2, day(1, 12), unit_cost=3))[0]
    post_per_entry()
    assert gl_rows(purchase) == [(INVENTORY, D("6")), (DIRECT_COST_APPLIED, D("-6"))]


# -- delta posting -----------------------------------------------------------------------------


def test_after_a_cost_adjustment_only_the_delta_posts_and_a_rerun_posts_nothing():
    item = make_item("A")
    receipt = post("purchase", item, 1, day(1, 1), unit_cost=10)
    sale = post("sale", item, 1, day(1, 15))
    first = post_per_entry()
    assert first.value_entries_posted == 2
    assert GLEntry.objects.count() == 4

    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    cost_adjustment_run()
    charge = values_of(receipt)[-1]
    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    assert queued() == {charge.pk, adjustment.pk}

    second = post_per_entry()

    # Only the charge (+2) and the sale's adjustment (-2) post; nothing of the first run again.
    assert second.value_entries_posted == 2
    assert sorted(
        (line.account_no, line.amount, tuple(line.value_entry_nos)) for line in second.lines
    ) == sorted(
        [
            (INVENTORY, D("2"), (charge.pk,)),
            (DIRECT_COST_APPLIED, D("-2"), (charge.pk,)),
            (INVENTORY, D("-2"), (adjustment.pk,)),
            (COGS, D("2"), (adjustment.pk,)),
        ]
    )
    assert GLEntry.objects.count() == 8
    # Totals: COGS 10 + 2 = 12; DCA -10 - 2 = -12.
    assert nonzero(balances()) == {COGS: D("12"), DIRECT_COST_APPLIED: D("-12")}

    third = post_per_entry()
    assert third.message == "There is nothing to post to the general ledger."
    assert third.lines == []
    assert GLEntry.objects.count() == 8


def test_a_value_entry_queued_again_after_it_was_posted_posts_nothing_twice():
    item = make_item("A")
    (value,) = values_of(post("purchase", item, 1, day(1, 1), unit_cost=10))
    post_per_entry()
    PostValueEntryToGL.objects.create(value_entry=value)  # e.g. a retried job

    report = post_per_entry()

    # Cost 10 - posted 10 = 0: nothing to post, and the row leaves the queue.
    assert report.message == "There is nothing to post to the general ledger."
    assert GLEntry.objects.count() == 2
    assert queued() == set()


# -- the test report (post off) ----------------------------------------------------------------


def _snapshot():
    return {
        "gl": list(GLEntry.objects.values_list("entry_no", "account_id", "amount")),
        "links": GLItemLedgerRelation.objects.count(),
        "posted": list(
            ValueEntry.objects.order_by("entry_no").values_list(
                "entry_no", "cost_posted_to_gl", "expected_cost_posted_to_gl"
            )
        ),
        "queue": queued(),
    }


def _line_keys(lines):
    return [
        (
            line.posting_date,
            line.document_no,
            line.account_no,
            line.amount,
            sorted(line.value_entry_nos),
        )
        for line in lines
    ]


@pytest.mark.parametrize("method", ["per_entry", "per_posting_group"])
def test_with_post_off_nothing_is_written_and_the_report_shows_what_a_post_would(method):
    _mixed_day()
    nosetup = make_item("N", inventory_posting_group="NOSETUP")
    post("purchase", nosetup, 1, day(1, 10), unit_cost=1)  # will be skipped
    run = post_per_entry if method == "per_entry" else post_per_group
    before = _snapshot()

    preview = run(post=False)

    assert _snapshot() == before
    assert preview.posted is False
    assert preview.message == "6 value entries would be posted to the general ledger."
    assert len(preview.skipped) == 1

    real = run()

    assert real.message == "6 value entries have been posted to the general ledger."
    assert _line_keys(preview.lines) == _line_keys(real.lines)
    assert preview.account_totals() == real.account_totals()
    assert [s.value_entry_no for s in preview.skipped] == [s.value_entry_no for s in real.skipped]
    written = [
        (
            e.posting_date,
            e.document_no,
            e.account_id,
            e.amount,
            sorted(link.value_entry_id for link in e.value_links.all()),
        )
        for e in GLEntry.objects.prefetch_related("value_links").order_by("entry_no")
    ]
    assert written == _line_keys(preview.lines)


# -- skipped entries ---------------------------------------------------------------------------


def test_entries_that_cannot_post_are_skipped_with_a_reason_and_post_once_fixed():
    GeneralPostingSetup.objects.create(
        gen_bus_posting_group="EXPORT",
        gen_prod_posting_group="RETAIL",
        direct_cost_applied_account_id=DIRECT_COST_APPLIED,
        inventory_adjmt_account_id=INVENTORY_ADJMT,
        cogs_account=None,  # missing
    )
    a = make_item("A")
    nosetup = make_item("N", inventory_posting_group="NOSETUP")
    early = values_of(post("purchase", a, 10, day(1, 5), unit_cost=7))[0]  # 70, Jan 5
    no_setup = values_of(post("purchase", nosetup, 2, day(2, 3), unit_cost=5))[0]  # 10
    export_sale = values_of(
        post("sale", a, 1, day(2, 4), gen_bus_posting_group="EXPORT")  # -7
    )[0]
    fine = values_of(post("purchase", a, 1, day(2, 5), unit_cost=3))[0]  # 3
    InventoryPeriod.objects.create(ending_date=day(1, 31), name="January", closed=True)

    report = post_per_entry()

    reasons = {s.value_entry_no: s.reason for s in report.skipped}
    assert set(reasons) == {early.pk, no_setup.pk, export_sale.pk}
    # Each reason names what to fix.
    assert "closed" in reasons[early.pk] and "2025-01-31" in reasons[early.pk]
    assert "Inventory Posting Setup" in reasons[no_setup.pk]
    assert "NOSETUP" in reasons[no_setup.pk]
    assert "General Posting Setup" in reasons[export_sale.pk]
    assert "EXPORT" in reasons[export_sale.pk] and "COGS" in reasons[export_sale.pk]
    skipped = {s.value_entry_no: s for s in report.skipped}
    assert skipped[no_setup.pk].inventory_posting_group == "NOSETUP"
    assert skipped[export_sale.pk].gen_bus_posting_group == "EXPORT"
    assert skipped[early.pk].posting_date == day(1, 5)
    # The rest posts; the skipped ones stay queued and unposted.
    assert report.value_entries_posted == 1
    assert gl_rows(fine) == [(INVENTORY, D("3")), (DIRECT_COST_APPLIED, D("-3"))]
    assert queued() == {early.pk, no_setup.pk, export_sale.pk}
    for value in (early, no_setup, export_sale):
        assert gl_rows(value) == []

    # Fix the setup and reopen the period: the next run posts exactly the skipped ones.
    InventoryPostingSetup.objects.create(
        location_code="",
        inventory_posting_group="NOSETUP",
        inventory_account_id=INVENTORY,
    )
    GeneralPostingSetup.objects.filter(gen_bus_posting_group="EXPORT").update(cogs_account=COGS)
    InventoryPeriod.objects.filter(ending_date=day(1, 31)).update(closed=False)

    later = post_per_entry()

    assert later.skipped == []
    assert later.value_entries_posted == 3
    assert gl_rows(early) == [(INVENTORY, D("70")), (DIRECT_COST_APPLIED, D("-70"))]
    assert gl_rows(no_setup) == [(INVENTORY, D("10")), (DIRECT_COST_APPLIED, D("-10"))]
    assert gl_rows(export_sale) == [(INVENTORY, D("-7")), (COGS, D("7"))]
    assert queued() == set()
    assert_every_transaction_balances()


def test_a_missing_general_posting_setup_is_named_in_the_reason():
    a = make_item("A", gen_prod_posting_group="NOGEN")
    (value,) = values_of(post("purchase", a, 1, day(1, 5), unit_cost=7))
    report = post_per_group()
    (skipped,) = report.skipped
    assert skipped.value_entry_no == value.pk
    assert "General Posting Setup" in skipped.reason and "NOGEN" in skipped.reason
    assert "does not exist" in skipped.reason
    assert not GLEntry.objects.exists()
    assert queued() == {value.pk}


def test_a_skipped_entry_does_not_post_half_of_its_pair():
    # The Inventory account exists, the balancing one does not: neither side may post.
    GeneralPostingSetup.objects.filter(gen_bus_posting_group="").update(
        direct_cost_applied_account=None
    )
    a = make_item("A")
    (value,) = values_of(post("purchase", a, 1, day(1, 5), unit_cost=7))
    report = post_per_group()
    assert [s.value_entry_no for s in report.skipped] == [value.pk]
    assert "Direct Cost Applied" in report.skipped[0].reason
    assert not GLEntry.objects.exists()
    value.refresh_from_db()
    assert value.cost_posted_to_gl == 0


# -- dimensions --------------------------------------------------------------------------------

DIMENSIONS = {"DEPARTMENT": "SALES", "PROJECT": "P1"}


def test_dimensions_of_the_journal_line_reach_the_value_entries_and_the_g_l_entries():
    a = make_item("A")
    receipt = post("purchase", a, 1, day(1, 1), unit_cost=10, dimensions=DIMENSIONS)
    sale = post("sale", a, 1, day(1, 15), dimensions=DIMENSIONS)
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    cost_adjustment_run()
    values = ValueEntry.objects.all()
    assert values.count() == 4  # receipt, sale, charge, the sale's adjustment
    assert all(v.dimensions == DIMENSIONS for v in values)
    assert any(v.adjustment for v in values_of(sale))

    report = post_per_entry()

    assert report.dimension_conflicts == []
    assert GLEntry.objects.count() == 8
    assert all(e.dimensions == DIMENSIONS for e in GLEntry.objects.all())


def test_dimensions_travel_per_posting_group_too():
    a = make_item("A")
    post("purchase", a, 1, day(1, 1), unit_cost=10, dimensions=DIMENSIONS)
    post("purchase", a, 1, day(1, 1), unit_cost=5)  # no dimensions: a separate entry
    post_per_group()
    rows = sorted(
        (e.account_id, e.amount, tuple(sorted(e.dimensions.items()))) for e in GLEntry.objects.all()
    )
    dims = tuple(sorted(DIMENSIONS.items()))
    assert rows == sorted(
        [
            (INVENTORY, D("10"), dims),
            (DIRECT_COST_APPLIED, D("-10"), dims),
            (INVENTORY, D("5"), ()),
            (DIRECT_COST_APPLIED, D("-5"), ()),
        ]
    )


@pytest.mark.parametrize("method", ["per_entry", "per_posting_group"])
def test_a_blocked_dimension_combination_does_not_stop_posting_and_is_reported(method):
    DimensionCombination.objects.create(dimension_1="DEPARTMENT", dimension_2="PROJECT")
    a = make_item("A")
    (receipt,) = values_of(post("purchase", a, 2, day(1, 1), unit_cost=10, dimensions=DIMENSIONS))
    (plain,) = values_of(post("purchase", a, 1, day(1, 1), unit_cost=5))

    report = post_per_entry() if method == "per_entry" else post_per_group()

    assert report.value_entries_posted == 2
    assert report.skipped == []
    (conflict,) = report.dimension_conflicts
    assert f"Value entry {receipt.pk}" in conflict
    assert "DEPARTMENT" in conflict and "PROJECT" in conflict
    # Posted with the value entry's own dimensions.
    assert set(
        GLEntry.objects.filter(value_links__value_entry=receipt).values_list("amount", flat=True)
    ) == {D("20"), D("-20")}
    assert all(
        e.dimensions == DIMENSIONS for e in GLEntry.objects.filter(value_links__value_entry=receipt)
    )
    assert queued() == set()
    assert not any(f"Value entry {plain.pk}:" in c for c in report.dimension_conflicts)


# -- DOMAIN §16: an adjustment keeps the accounts of its original transaction -------------------


def test_an_adjustment_posts_to_the_original_accounts_after_the_items_posting_group_changed():
    a = make_item("A")
    receipt = post("purchase", a, 1, day(1, 1), unit_cost=10)
    sale = post("sale", a, 1, day(1, 15))
    post_per_entry()

    item_update(a, inventory_posting_group="OTHER", gen_prod_posting_group="OTHER_PROD")
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    cost_adjustment_run()
    later_receipt = post("purchase", a, 1, day(2, 11), unit_cost=4)  # posted with the new groups
    post_per_entry()

    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    # The sale's adjustment (-2) keeps the groups and so the accounts of the sale it adjusts:
    # Inventory -2 / COGS +2 on the RESALE x RETAIL accounts, not the OTHER ones.
    assert (adjustment.inventory_posting_group, adjustment.gen_prod_posting_group) == (
        "RESALE",
        "RETAIL",
    )
    assert gl_rows(adjustment) == [(INVENTORY, D("-2")), (COGS, D("2"))]
    # What is posted after the change uses the new groups' accounts.
    assert gl_rows(values_of(later_receipt)[0]) == [
        (OTHER_INVENTORY, D("4")),
        (OTHER_DIRECT_COST_APPLIED, D("-4")),
    ]
    assert not GLEntry.objects.filter(account_id=OTHER_COGS).exists()
    assert inventory_gl_balance() == inventory_value()  # 10 - 10 + 2 - 2 + 4 = 4
    assert balances()[COGS] == D("12")  # 10 + 2
    assert_every_transaction_balances()


def test_a_transfer_between_locations_moves_value_between_their_inventory_accounts():
    a = make_item("A")
    post_lines(
        jline("purchase", a, 10, day(1, 1), unit_cost=8),
        jline("transfer", a, 4, day(1, 2), new_location_code="BLUE"),
    )
    post_per_group()
    # 80 in; 4 x 8 = 32 moves from the no-location account to BLUE's; Inventory Adjmt. nets 0.
    totals = balances()
    assert (totals[INVENTORY], totals[INVENTORY_BLUE]) == (D("48"), D("32"))
    assert totals[INVENTORY_ADJMT] == 0
    assert totals[DIRECT_COST_APPLIED] == D("-80")


def test_an_adjustment_moved_out_of_a_closed_period_posts_on_the_first_open_day():
    a = make_item("A")
    receipt = post("purchase", a, 1, day(1, 5), unit_cost=10)
    sale = post("sale", a, 1, day(1, 20))
    post_per_entry()
    InventoryPeriod.objects.create(ending_date=day(1, 31), name="January", closed=True)

    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10), amount=D(2))
    cost_adjustment_run()
    report = post_per_entry()

    # DOMAIN §6.5/§10.1: the sale's adjustment (-2) is dated Feb 1, not Jan 20, so it is not
    # skipped; the charge posts on its own date.
    assert report.skipped == []
    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    assert adjustment.posting_date == day(2, 1)
    assert {
        (e.posting_date, e.account_id, e.amount)
        for e in GLEntry.objects.filter(value_links__value_entry=adjustment)
    } == {(day(2, 1), INVENTORY, D("-2")), (day(2, 1), COGS, D("2"))}
    assert nonzero(balances()) == {COGS: D("12"), DIRECT_COST_APPLIED: D("-12")}


def test_a_value_entry_without_any_cost_posts_nothing_and_leaves_the_queue():
    a = make_item("A")
    (value,) = values_of(post("purchase", a, 1, day(1, 5), unit_cost=0))
    assert queued() == {value.pk}

    report = post_per_entry()

    # BC-IMPLEMENTATION §7: all cost amounts 0 is silently passed over, not a skipped entry.
    assert report.skipped == []
    assert report.message == "There is nothing to post to the general ledger."
    assert not GLEntry.objects.exists()
    assert queued() == set()
