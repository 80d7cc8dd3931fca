"""The month-end inventory close (DOMAIN §16): close = adjust, settle, post to G/L, close the
period; recalculation = adjust and post; the close log's warnings; reversal newest first.

The January ledger of item A (FIFO, RESALE/RETAIL), hand-checked:
  5 Jan  purchase r1 10 @ 10, invoiced                      +100.00
  12 Jan sale s1 4 (from r1)                                 -40.00
  25 Jan purchase r2 5 @ 12, not invoiced          (expected) +60.00
  28 Jan sale s2 7, invoiced: 6 from r1 (-60.00), 1 from r2 at r2's expected 12 (-12.00);
         a sale's cost is actual once it is invoiced, whatever its receipts: -72.00
  29 Jan item charge of 8 on r1: 0.80 a unit                  +8.00
The close at 31 Jan adjusts s1 to 4 x 10.80 = -43.20 (-3.20) and the r1 part of s2 to
6 x 10.80 = -64.80 (-4.80). It settles s1 against r1 (4 for 43.20) and s2 against r1 (6 for
64.80); the one unit of s2 taken from r2 cannot be settled: r2 is not invoiced. G/L (expected
cost not posted, so r2 is not in it yet): Inventory 100 - 40 + 8 - 72 - 3.20 - 4.80 = -12.00;
COGS 40 + 72 + 3.20 + 4.80 = 120.00; Direct Cost Applied -(100 + 8) = -108.00.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum

from inventory.errors import InvalidInput
from inventory.models import (
    InventoryPeriod,
    InventoryPeriodEntry,
    Item,
    ItemLedgerEntry,
    PostValueEntryToGL,
    ValueEntry,
)
from inventory.services import (
    inventory_setup_update,
    item_charge_assign,
    item_ledger_entry_invoice,
    production_order_create,
)
from inventory.services.periods import inventory_period_reopen
from ledger.models import (
    GLEntry,
    InventoryClose,
    InventoryCloseSettlement,
    InventoryCloseStatus,
)
from ledger.services.closing import (
    ISSUE_NOT_INVOICED,
    MORE_ISSUES_THAN_RECEIPTS,
    NOT_POSTED_TO_GL,
    PRODUCTION_NOT_COSTED,
    RECEIPTS_NOT_INVOICED,
    inventory_close_execute,
    inventory_close_prerun,
    inventory_close_reverse,
    inventory_close_start,
    settlement_plan,
)
from tests.ledger.conftest import (
    COGS,
    DIRECT_COST_APPLIED,
    INVENTORY,
    INVENTORY_INTERIM,
    INVT_ACCRUAL_INTERIM,
    balances,
    day,
    make_item,
    nonzero,
    post,
    unbalanced_transactions,
)

D = Decimal

pytestmark = pytest.mark.usefixtures("gl_setup", "batch_posting")


GL_AFTER_CLOSE = {INVENTORY: D("-12.00"), COGS: D("120.00"), DIRECT_COST_APPLIED: D("-108.00")}


def close_at(closing_date, kind="close") -> InventoryClose:
    close = inventory_close_start(kind=kind, closing_date=closing_date, enqueue=False)
    return inventory_close_execute(close.pk)


def january_of_a() -> dict[str, ItemLedgerEntry]:
    make_item("A")
    r1 = post("purchase", "A", 10, day(1, 5), unit_cost=10)
    s1 = post("sale", "A", 4, day(1, 12))
    r2 = post("purchase", "A", 5, day(1, 25), unit_cost=12, invoiced=False)
    s2 = post("sale", "A", 7, day(1, 28))
    item_charge_assign(entry_no=r1.pk, posting_date=day(1, 29), amount=D(8))
    return {"r1": r1, "s1": s1, "r2": r2, "s2": s2}


def settlements(close: InventoryClose | None = None, *, names=None) -> list[tuple]:
    rows = InventoryCloseSettlement.objects.filter(active=True)
    if close is not None:
        rows = rows.filter(close=close)
    names = {e.pk: n for n, e in (names or {}).items()}
    return [
        (names.get(o, o), names.get(i, i), q, c)
        for o, i, q, c in rows.order_by("outbound_entry_id", "inbound_entry_id").values_list(
            "outbound_entry_id", "inbound_entry_id", "quantity", "cost_amount"
        )
    ]


def ledgers() -> dict:
    """What an accountant compares: each entry's cost (by item, type and date, so it reads the
    same in another database), G/L balances, the G/L queue, settlements in force, periods."""
    entries = {
        e.pk: (e.item.no, e.entry_type, e.posting_date)
        for e in ItemLedgerEntry.objects.select_related("item")
    }
    costs = {
        entries[r["item_ledger_entry_id"]]: (r["a"], r["e"])
        for r in ValueEntry.objects.values("item_ledger_entry_id").annotate(
            a=Sum("cost_amount_actual"), e=Sum("cost_amount_expected")
        )
    }
    queue = sorted(
        (entries[ile], str(actual))
        for ile, actual in PostValueEntryToGL.objects.values_list(
            "value_entry__item_ledger_entry_id", "value_entry__cost_amount_actual"
        )
    )
    posted = {
        entries[r["item_ledger_entry_id"]]: (r["p"], r["x"])
        for r in ValueEntry.objects.values("item_ledger_entry_id").annotate(
            p=Sum("cost_posted_to_gl"), x=Sum("expected_cost_posted_to_gl")
        )
    }
    settled = sorted(
        (entries[o], entries[i], q, c)
        for o, i, q, c in InventoryCloseSettlement.objects.filter(active=True).values_list(
            "outbound_entry_id", "inbound_entry_id", "quantity", "cost_amount"
        )
    )
    return {
        "costs": costs,
        "posted": posted,
        "gl": nonzero(balances()),
        "queue": queue,
        "settled": settled,
        "periods": list(InventoryPeriod.objects.values_list("ending_date", "closed")),
    }


# -- close -----------------------------------------------------------------------------------


def test_a_close_adjusts_settles_posts_and_closes_the_period():
    e = january_of_a()
    close = close_at(day(1, 31))
    assert close.status == InventoryCloseStatus.DONE
    assert settlements(close, names=e) == [
        ("s1", "r1", D("4"), D("43.20")),
        ("s2", "r1", D("6"), D("64.80")),
    ]
    assert close.issues_settled == 2
    assert nonzero(balances()) == GL_AFTER_CLOSE
    assert unbalanced_transactions() == {}
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {close.document_no}
    period = InventoryPeriod.objects.get(ending_date=day(1, 31))
    assert (period.name, period.closed, close.period_id) == ("January 2025", True, period.pk)
    with pytest.raises(InvalidInput) as error:
        post("purchase", "A", 1, day(1, 30), unit_cost=10)
    assert "inventory period January 2025 ending 2025-01-31 is closed" in str(error.value.detail)


def test_the_close_log_says_which_issue_was_not_settled_and_what_to_do():
    e = january_of_a()
    close = close_at(day(1, 31))
    (warning,) = close.warnings.all()
    assert (warning.kind, warning.item_no, warning.entry_no) == (
        RECEIPTS_NOT_INVOICED,
        "A",
        e["s2"].pk,
    )
    assert warning.message == (
        f"Issue {e['s2'].pk} of item A (sale of 2025-01-28): 1 of 7 could not be "
        f"settled: receipt {e['r2'].pk} is not yet invoiced."
    )
    assert warning.advice == "Invoice the receipts, or move the closing date."


def test_more_issues_than_receipts_up_to_the_closing_date_is_settled_by_the_next_close():
    make_item("B")
    sold = post("sale", "B", 2, day(1, 10))  # nothing on hand
    received = post("purchase", "B", 2, day(2, 3), unit_cost=5)  # covers it, in February
    january = close_at(day(1, 31))
    (warning,) = january.warnings.all()
    assert warning.kind == MORE_ISSUES_THAN_RECEIPTS
    assert warning.message == (
        f"Issue {sold.pk} of item B (sale of 2025-01-10): 2 of 2 could not be settled: more "
        f"issues than receipts up to the closing date (it used receipt {received.pk}, dated after "
        "it)."
    )
    assert "move the closing date" in warning.advice
    assert settlements(january) == []
    february = close_at(day(2, 28))
    assert february.warnings.count() == 0
    # The sale takes the February receipt's cost: 2 x 5.00.
    assert settlements(february) == [(sold.pk, received.pk, D("2"), D("10.00"))]


def test_an_average_cost_issue_is_settled_at_the_average():
    make_item("V", costing_method="average")
    first = post("purchase", "V", 2, day(1, 3), unit_cost=10)
    post("purchase", "V", 2, day(1, 3), unit_cost=20)
    sold = post("sale", "V", 2, day(1, 6))
    close = close_at(day(1, 31))
    # Average of the day: (20 + 40) / 4 = 15.00 a unit; 2 units settle for 30.00, though the
    # sale was applied to the first receipt (10.00 a unit).
    assert settlements(close) == [(sold.pk, first.pk, D("2"), D("30.00"))]


def test_standard_cost_items_are_skipped():
    make_item("S", costing_method="standard", standard_cost=D(10))
    post("purchase", "S", 5, day(1, 5), unit_cost=10, invoiced=False)
    post("sale", "S", 2, day(1, 10))
    close = close_at(day(1, 31))
    assert close.status == InventoryCloseStatus.DONE
    assert close.standard_items_skipped == 1
    assert close.warnings.count() == 0  # its receipt is not invoiced, yet nothing is said
    assert settlements(close) == []


def test_a_close_with_a_negative_inventory_item_is_refused_with_the_reason():
    make_item("N")
    post("purchase", "N", 2, day(1, 5), unit_cost=10)
    short = post("sale", "N", 3, day(1, 20))
    with pytest.raises(InvalidInput) as error:
        inventory_close_start(kind="close", closing_date=day(1, 31), enqueue=False)
    (message,) = error.value.detail["closing_date"]
    assert "Item N has negative inventory in the period" in message
    assert f"entry {short.pk} (sale of 2025-01-20) is short of 1" in message
    assert not InventoryClose.objects.exists()
    assert not InventoryPeriod.objects.exists()


def test_an_entry_that_cannot_post_to_the_gl_is_in_the_close_log():
    make_item("Z", inventory_posting_group="NOSETUP")
    receipt = post("purchase", "Z", 1, day(1, 5), unit_cost=10)
    close = close_at(day(1, 31))
    (warning,) = close.warnings.all()
    assert warning.kind == NOT_POSTED_TO_GL
    assert warning.entry_no == ValueEntry.objects.get(item_ledger_entry=receipt).pk
    assert "reverse the close and close again" in warning.advice


def test_the_prerun_lists_the_items_that_cannot_be_fully_settled():
    january_of_a()
    make_item("B")
    post("sale", "B", 2, day(1, 10))
    post("purchase", "B", 2, day(2, 3), unit_cost=5)
    make_item("N")
    post("purchase", "N", 2, day(1, 5), unit_cost=10)
    post("sale", "N", 3, day(1, 20))
    before = ledgers()
    prerun = inventory_close_prerun(closing_date=day(1, 31))
    assert prerun.items == ["A", "B", "N"]
    assert [(u.item_no, u.kind, u.quantity) for u in prerun.unsettled] == [
        ("A", RECEIPTS_NOT_INVOICED, D("1")),
        ("B", MORE_ISSUES_THAN_RECEIPTS, D("2")),
        ("N", MORE_ISSUES_THAN_RECEIPTS, D("1")),  # the uncovered unit of the open sale
    ]
    assert [(b.kind, b.item_no) for b in prerun.blockers] == [("negative_inventory", "N")]
    assert ledgers() == before


# -- recalculation ---------------------------------------------------------------------------


def test_a_recalculation_adjusts_and_posts_without_settling_or_closing():
    e = january_of_a()
    close = close_at(day(1, 20), kind="recalculation")
    assert close.status == InventoryCloseStatus.DONE
    assert InventoryCloseSettlement.objects.count() == 0
    assert not InventoryPeriod.objects.exists()
    # Adjusted up to 20 Jan only: s1 (12 Jan) carries its share of the charge; s2 waits.
    assert ValueEntry.objects.filter(item_ledger_entry=e["s1"]).aggregate(
        s=Sum("cost_amount_actual")
    )["s"] == D("-43.20")
    assert not ValueEntry.objects.filter(item_ledger_entry=e["s2"], adjustment=True).exists()
    assert nonzero(balances())[COGS] == D("115.20")  # 43.20 + 72.00
    post("purchase", "A", 1, day(1, 19), unit_cost=10)  # nothing closed


# -- reversal --------------------------------------------------------------------------------


def test_a_reversal_undoes_the_settlements_and_the_gl_effects_of_the_close():
    january_of_a()
    queue_before = set(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True))
    close = close_at(day(1, 31))
    gl_entries = GLEntry.objects.count()
    reversed_close = inventory_close_reverse(close=close)
    assert reversed_close.status == InventoryCloseStatus.REVERSED
    assert InventoryCloseSettlement.objects.filter(active=True).count() == 0
    assert InventoryCloseSettlement.objects.filter(close=close).count() == 2  # kept, inactive
    # New, reversing G/L entries: the G/L is back where it was (nothing), entry by entry.
    assert GLEntry.objects.count() == 2 * gl_entries
    assert GLEntry.objects.filter(source_code="INVTCLREV").count() == gl_entries
    assert nonzero(balances()) == {}
    assert unbalanced_transactions() == {}
    # Every entry waits for the G/L again; the close's adjustments stay (and wait too).
    adjustments = set(ValueEntry.objects.filter(adjustment=True).values_list("pk", flat=True))
    assert len(adjustments) == 2
    assert set(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True)) == (
        queue_before | adjustments
    )
    assert ValueEntry.objects.exclude(cost_posted_to_gl=0).count() == 0
    assert InventoryPeriod.objects.get().closed is False
    assert list(InventoryPeriodEntry.objects.values_list("entry_type", flat=True)) == [
        "close",
        "reopen",
    ]
    post("purchase", "A", 1, day(1, 30), unit_cost=10)  # January takes postings again


@pytest.mark.parametrize(
    ("setup", "gl"),
    [
        ({}, GL_AFTER_CLOSE),
        # Postings and adjustments post themselves: the same G/L, reached earlier.
        ({"automatic_cost_posting": True}, GL_AFTER_CLOSE),
        # r2's expected 60.00 reaches the interim accounts too.
        (
            {"expected_cost_posting_to_gl": True},
            {**GL_AFTER_CLOSE, INVENTORY_INTERIM: D("60.00"), INVT_ACCRUAL_INTERIM: D("-60.00")},
        ),
    ],
    ids=["batch-posting", "automatic-posting", "expected-cost-posting"],
)
def test_a_close_a_reversal_and_a_second_close_give_the_ledgers_of_a_single_close(setup, gl):
    inventory_setup_update(**setup)
    with transaction.atomic():
        january_of_a()
        close_at(day(1, 31))
        single = ledgers()
        transaction.set_rollback(True)
    january_of_a()
    first = close_at(day(1, 31))
    inventory_close_reverse(close=first)
    close_at(day(1, 31))
    assert ledgers() == single
    assert single["gl"] == gl
    assert len(single["settled"]) == 2
    assert unbalanced_transactions() == {}


def test_only_the_latest_close_can_be_reversed_newest_first():
    january_of_a()
    january = close_at(day(1, 31))
    february = close_at(day(2, 28))
    with pytest.raises(InvalidInput) as error:
        inventory_close_reverse(close=january)
    assert error.value.detail == {
        "close": [
            "Only the latest close can be reversed: reverse the close of 2025-02-28 "
            f"({february.document_no}) first."
        ]
    }
    assert InventoryClose.objects.get(pk=january.pk).status == InventoryCloseStatus.DONE
    inventory_close_reverse(close=february)
    inventory_close_reverse(close=january)
    assert not InventoryPeriod.objects.filter(closed=True).exists()


def test_a_recalculation_cannot_be_reversed():
    recalculation = close_at(None, kind="recalculation")
    with pytest.raises(InvalidInput) as error:
        inventory_close_reverse(close=recalculation)
    assert list(error.value.detail) == ["close"]


def test_a_close_on_a_closed_date_is_refused():
    close_at(day(1, 31))
    with pytest.raises(InvalidInput) as error:
        inventory_close_start(kind="close", closing_date=day(1, 15), enqueue=False)
    assert "closed up to 2025-01-31" in error.value.detail["closing_date"][0]
    assert InventoryClose.objects.count() == 1


def test_an_issue_not_invoiced_and_output_not_costed_are_in_the_close_log():
    make_item("H")
    post("purchase", "H", 3, day(1, 5), unit_cost=10)
    shipped = post("sale", "H", 1, day(1, 10), invoiced=False)  # shipped, not invoiced
    make_item("P")
    production_order_create(no="PO-1", item_no="P", quantity=Decimal(3))
    # The order is not finished: its output stays at expected cost, not costed yet.
    output = post("output", "P", 3, day(1, 6), order_no="PO-1")
    assert not ItemLedgerEntry.objects.get(pk=output.pk).completely_invoiced
    consumed = post("sale", "P", 2, day(1, 12))
    close = close_at(day(1, 31))
    log = {(w.kind, w.entry_no): w for w in close.warnings.all()}
    assert set(log) == {(ISSUE_NOT_INVOICED, shipped.pk), (PRODUCTION_NOT_COSTED, consumed.pk)}
    assert (
        log[ISSUE_NOT_INVOICED, shipped.pk].advice == "Invoice the issue, or move the closing date."
    )
    assert log[PRODUCTION_NOT_COSTED, consumed.pk].message.endswith(
        f"the output {output.pk} it used is not yet costed."
    )
    assert settlements(close) == []


def test_a_second_delivery_of_a_running_close_does_nothing():
    close = inventory_close_start(kind="close", closing_date=day(1, 31), enqueue=False)
    other = connection.copy()  # the worker that runs it, on its own connection
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(5812, %s)", [close.pk])
        assert inventory_close_execute(close.pk, task_id="again") is None
        assert InventoryClose.objects.get(pk=close.pk).status == InventoryCloseStatus.QUEUED
    finally:
        other.close()


def test_a_close_whose_worker_died_is_taken_over():
    january_of_a()
    close = inventory_close_start(kind="close", closing_date=day(1, 31), enqueue=False)
    # Its worker claimed it and died: running, and nobody holds its run lock.
    InventoryClose.objects.filter(pk=close.pk).update(status="running", task_id="lost")
    taken = inventory_close_execute(close.pk, task_id="redelivered")
    assert (taken.status, taken.task_id) == (InventoryCloseStatus.DONE, "redelivered")
    assert nonzero(balances()) == GL_AFTER_CLOSE


def test_a_stale_close_does_not_stop_a_new_one():
    stale = inventory_close_start(kind="recalculation", closing_date=None, enqueue=False)
    InventoryClose.objects.filter(pk=stale.pk).update(status="running")
    fresh = inventory_close_start(kind="recalculation", closing_date=None, enqueue=False)
    assert InventoryClose.objects.get(pk=stale.pk).status == InventoryCloseStatus.FAILED
    assert fresh.status == InventoryCloseStatus.QUEUED


def test_a_period_closed_by_a_close_reopens_only_through_its_reversal():
    close = close_at(day(1, 31))
    with pytest.raises(InvalidInput) as error:
        inventory_period_reopen(period=close.period)
    assert error.value.detail == {
        "period": [
            f"The month-end close {close.document_no} closed this period: reverse the close "
            "(Month-End Close) to reopen it."
        ]
    }
    assert InventoryPeriod.objects.get().closed
    inventory_close_reverse(close=close)
    assert not InventoryPeriod.objects.get().closed


def test_the_close_adjusts_an_item_whose_entries_wait_though_its_flag_says_adjusted():
    e = january_of_a()
    # Cost is Adjusted set on the item by hand, its entries still flagged: the period could not
    # close unless the close adjusts the item anyway.
    Item.objects.filter(no="A").update(cost_is_adjusted=True)
    close = close_at(day(1, 31))
    assert close.status == InventoryCloseStatus.DONE
    assert settlements(close, names=e)[0] == ("s1", "r1", D("4"), D("43.20"))


def test_the_command_closes_with_a_progress_bar_and_prints_the_log():
    january_of_a()
    out, err = StringIO(), StringIO()
    call_command("inventory_close", "--closing-date", "2025-01-31", stdout=out, stderr=err)
    assert "adjusting" in err.getvalue() and "1/1 items" in err.getvalue()
    lines = out.getvalue().splitlines()
    assert "is not yet invoiced. Invoice the receipts, or move the closing date." in lines[0]
    assert lines[-1].startswith("Close CLOSE-")
    # Posted: r1, s1, s2, the charge and the two adjustments; r2's expected cost waits.
    assert lines[-1].endswith(": Done; 2 entries adjusted, 2 issues settled, 6 value entries "
                              "posted to the G/L.")  # fmt: skip
    call_command("inventory_close", "--reverse", stdout=out)
    assert InventoryClose.objects.get().status == InventoryCloseStatus.REVERSED


def test_the_command_refuses_a_close_with_the_reason():
    make_item("N")
    post("purchase", "N", 2, day(1, 5), unit_cost=10)
    post("sale", "N", 3, day(1, 20))
    with pytest.raises(CommandError, match="Item N has negative inventory"):
        call_command("inventory_close", "--closing-date", "2025-01-31", stdout=StringIO())
    assert not InventoryClose.objects.exists()


def test_a_receipt_invoiced_after_the_close_is_settled_by_the_next_one_dated_in_the_open_period():
    e = january_of_a()
    close_at(day(1, 31))
    # r2 is invoiced in February at 13 instead of 12: the unit of s2 that came from it costs
    # 1.00 more; January is closed, so the adjustment is dated 1 Feb.
    item_ledger_entry_invoice(
        entry_no=e["r2"].pk, posting_date=day(2, 5), quantity=D(5), unit_cost=D(13)
    )
    february = close_at(day(2, 28))
    adjustment = ValueEntry.objects.get(
        item_ledger_entry=e["s2"], adjustment=True, cost_amount_actual=D("-1")
    )
    assert (adjustment.posting_date, adjustment.valuation_date) == (day(2, 1), day(1, 28))
    assert settlements(february, names=e) == [("s2", "r2", D("1"), D("13.00"))]
    assert february.warnings.count() == 0
    # Inventory -12.00 + 65.00 (the invoice) - 1.00 = 52.00, the 4 units left of r2 at 13.00;
    # COGS 120.00 + 1.00; Direct Cost Applied -108.00 - 65.00.
    assert nonzero(balances()) == {
        INVENTORY: D("52.00"),
        COGS: D("121.00"),
        DIRECT_COST_APPLIED: D("-173.00"),
    }


def test_settling_and_reversing_read_and_write_in_bulk(django_assert_max_num_queries):
    for n in range(20):
        make_item(f"Q{n:02}")
        post("purchase", f"Q{n:02}", 2, day(1, 5), unit_cost=10)
        post("sale", f"Q{n:02}", 1, day(1, 20))
    with django_assert_max_num_queries(4):  # standard items, settled ones, applications, costs
        plan = settlement_plan(day(1, 31))
    assert len(plan.links) == 20
    close = close_at(day(1, 31))
    assert close.issues_settled == 20
    with django_assert_max_num_queries(26):  # as many for 2 items as for 2,000
        inventory_close_reverse(close=close)
    assert nonzero(balances()) == {}


def _finished_order_waiting(finish: bool = True) -> dict[str, ItemLedgerEntry]:
    """C: 4 bought at 3.00 on 5 January; P1 consumes them into 2 FG (output on 7 January at an
    expected 0.00), finished on 8 January and not adjusted; one FG sold on 20 January."""
    from inventory.services import production_order_finish

    make_item("C")
    make_item("FG")
    post("purchase", "C", 4, day(1, 5), unit_cost=3)
    production_order_create(no="P1", item_no="FG", quantity=Decimal(2))
    post("consumption", "C", 4, day(1, 6), order_no="P1")
    output = post("output", "FG", 2, day(1, 7), order_no="P1")
    if finish:
        production_order_finish(no="P1", finished_date=day(1, 8))
    sale = post("sale", "FG", 1, day(1, 20))
    return {"output": output, "sale": sale}


def _cost(entry: ItemLedgerEntry) -> Decimal:
    return ValueEntry.objects.filter(item_ledger_entry=entry).aggregate(
        s=Sum("cost_amount_actual")
    )["s"]


def test_the_close_adjusts_the_finished_orders_before_it_closes():
    built = _finished_order_waiting()
    from inventory.models import InventoryAdjmtEntryOrder

    assert not InventoryAdjmtEntryOrder.objects.get(order_no="P1").cost_is_adjusted
    close = close_at(day(1, 31))
    assert close.status == InventoryCloseStatus.DONE, close.error
    # The output takes the 4 x 3.00 = 12.00 consumed; the sale of one of two FG: -6.00.
    assert _cost(built["output"]) == D("12.00")
    assert _cost(built["sale"]) == D("-6.00")
    assert InventoryAdjmtEntryOrder.objects.get(order_no="P1").cost_is_adjusted
    assert InventoryPeriod.objects.get(ending_date=day(1, 31)).closed
    assert not unbalanced_transactions()


def test_a_close_over_a_released_order_waiting_in_the_period_is_refused():
    _finished_order_waiting(finish=False)
    prerun = inventory_close_prerun(closing_date=day(1, 31))
    assert any("released production order P1" in b.message for b in prerun.blockers)
    with pytest.raises(InvalidInput) as refused:
        inventory_close_start(kind="close", closing_date=day(1, 31), enqueue=False)
    assert any("P1" in m for m in refused.value.detail["closing_date"])
    assert not InventoryClose.objects.exists()
