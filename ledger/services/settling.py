"""Settling issues against receipts up to a closing date (spec §16): which applications a
close settles, at what cost, and why the others cannot be settled, with the advice the close log
gives. Reads in bulk; writes nothing (ledger.services.closing records the plan).

Cost adjustment already forwards cost exactly along the application entries, so settling moves
no cost: it records, per application of an issue (an outbound entry dated on or before the
date) to a receipt, the quantity and the cost at which it is settled. An application is settled
when the receipt is dated on or before the date and both receipt and issue are completely
invoiced. Cost settled: what the receipt cost a unit up to the date (FIFO, LIFO, Specific) or
what the issue cost a unit up to the date (Average: the issue takes the period's average).
Standard-cost items are not settled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum

from costing.engine.money import ZERO, q_amount
from inventory.models import (
    CostingMethod,
    EntryType,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
)
from ledger.models import InventoryCloseSettlement

# Warnings of the close log (spec §16) and what to do about each.
MORE_ISSUES_THAN_RECEIPTS = "more_issues_than_receipts"
RECEIPTS_NOT_INVOICED = "receipts_not_invoiced"
PRODUCTION_NOT_COSTED = "production_not_costed"
ISSUE_NOT_INVOICED = "issue_not_invoiced"
NOT_POSTED_TO_GL = "not_posted_to_gl"
ADJUSTMENT_FAILED = "adjustment_failed"
CLOSE_REFUSED = "close_refused"

ADVICE = {
    MORE_ISSUES_THAN_RECEIPTS: "Post the receipts that cover the issue dated on or before the "
    "closing date, or move the closing date; review the procedures that let stock go out "
    "before it came in.",
    RECEIPTS_NOT_INVOICED: "Invoice the receipts, or move the closing date.",
    PRODUCTION_NOT_COSTED: "Cost the order's components and output (invoice the output), or "
    "move the closing date.",
    ISSUE_NOT_INVOICED: "Invoice the issue, or move the closing date.",
    NOT_POSTED_TO_GL: "Fix what the reason names (posting setup, accounts); then reverse the "
    "close and close again, so that the entry reaches the G/L in its period.",
    ADJUSTMENT_FAILED: "Look at the item's entries (Inventory Cost Adjustment, trace), fix the "
    "cause and run the close again.",
    CLOSE_REFUSED: "Clear what stops the period from closing and run the close again.",
}
_OUTPUT_TYPES = (EntryType.OUTPUT, EntryType.ASSEMBLY_OUTPUT)


@dataclass(frozen=True)
class UnsettledIssue:
    """Quantity of an issue that a close at the date cannot settle, and why."""

    kind: str
    item_no: str
    entry_no: int
    entry_type: str
    posting_date: dt.date
    quantity: Decimal  # not settled, of issue_quantity
    issue_quantity: Decimal
    receipt_entry_nos: tuple[int, ...] = ()

    @property
    def message(self) -> str:
        return (
            f"Issue {self.entry_no} of item {self.item_no} ({self.entry_type.replace('_', ' ')} "
            f"of {self.posting_date}): {self.quantity.normalize():f} of "
            f"{self.issue_quantity.normalize():f} could not be settled: {self.reason}"
        )

    @property
    def entry_type_label(self) -> str:
        return EntryType(self.entry_type).label

    @property
    def reason(self) -> str:
        nos = ", ".join(str(no) for no in self.receipt_entry_nos)
        one = len(self.receipt_entry_nos) == 1
        receipts = f"receipt {nos}" if one else f"receipts {nos}"
        if self.kind == MORE_ISSUES_THAN_RECEIPTS:
            if nos:
                return (
                    f"more issues than receipts up to the closing date (it used {receipts}, "
                    "dated after it)."
                )
            return "more issues than receipts up to the closing date (no receipt)."
        if self.kind == RECEIPTS_NOT_INVOICED:
            return f"{receipts} {'is' if one else 'are'} not yet invoiced."
        if self.kind == PRODUCTION_NOT_COSTED:
            return f"the output {nos} it used is not yet costed."
        return "the issue is not yet invoiced."

    @property
    def advice(self) -> str:
        return ADVICE[self.kind]


@dataclass
class _Link:
    application_id: int
    item_id: int
    outbound_id: int
    inbound_id: int
    quantity: Decimal
    cost_amount: Decimal


@dataclass
class SettlementPlan:
    links: list[_Link] = field(default_factory=list)
    unsettled: list[UnsettledIssue] = field(default_factory=list)
    standard_items_skipped: int = 0


# -- the plan --------------------------------------------------------------------------------------


def settlement_plan(closing_date: dt.date) -> SettlementPlan:
    """Every application of an issue dated on or before the date not settled by a close in
    force: settled or, with the reason, not. A few bulk reads; nothing written."""
    plan = SettlementPlan()
    plan.standard_items_skipped = (
        Item.objects.filter(
            costing_method=CostingMethod.STANDARD, ledger_entries__posting_date__lte=closing_date
        )
        .distinct()
        .count()
    )
    settled = InventoryCloseSettlement.objects.filter(active=True).values("application_id")
    rows = list(
        ItemApplicationEntry.objects.filter(
            quantity__lt=0, outbound_item_entry__posting_date__lte=closing_date
        )
        .exclude(outbound_item_entry__item__costing_method=CostingMethod.STANDARD)
        .exclude(pk__in=settled)
        .order_by("outbound_item_entry_id", "entry_no")
        .values_list(
            "pk",
            "quantity",
            "inbound_item_entry_id",
            "outbound_item_entry_id",
            "outbound_item_entry__item_id",
            "outbound_item_entry__item__no",
            "outbound_item_entry__item__costing_method",
            "outbound_item_entry__entry_type",
            "outbound_item_entry__posting_date",
            "outbound_item_entry__quantity",
            "outbound_item_entry__completely_invoiced",
            "inbound_item_entry__posting_date",
            "inbound_item_entry__quantity",
            "inbound_item_entry__completely_invoiced",
            "inbound_item_entry__entry_type",
        )
    )
    ile_ids = {r[2] for r in rows} | {r[3] for r in rows}
    cost = dict(
        ValueEntry.objects.filter(item_ledger_entry_id__in=ile_ids, posting_date__lte=closing_date)
        .order_by()
        .values("item_ledger_entry_id")
        .annotate(c=Sum(F("cost_amount_actual") + F("cost_amount_expected")))
        .values_list("item_ledger_entry_id", "c")
    )
    unsettled: dict[tuple[str, int], list] = {}
    for (
        app_id,
        app_qty,
        inbound,
        outbound,
        item_id,
        item_no,
        method,
        out_type,
        out_date,
        out_qty,
        out_invoiced,
        in_date,
        in_qty,
        in_invoiced,
        in_type,
    ) in rows:
        quantity = -app_qty
        kind = None
        if not out_invoiced:
            kind = ISSUE_NOT_INVOICED
        elif in_date > closing_date:
            kind = MORE_ISSUES_THAN_RECEIPTS
        elif not in_invoiced:
            kind = PRODUCTION_NOT_COSTED if in_type in _OUTPUT_TYPES else RECEIPTS_NOT_INVOICED
        if kind is not None:
            entry = unsettled.setdefault(
                (kind, outbound), [item_no, out_type, out_date, ZERO, -out_qty, []]
            )
            entry[3] += quantity
            entry[5].append(inbound)
            continue
        if method == CostingMethod.AVERAGE:
            unit = -(cost.get(outbound) or ZERO) / -out_qty
        else:
            unit = (cost.get(inbound) or ZERO) / in_qty
        plan.links.append(
            _Link(app_id, item_id, outbound, inbound, quantity, q_amount(unit * quantity))
        )
    # What no receipt covers at all (open outbound entries) is not settled either.
    for entry_no, item_no, out_type, out_date, out_qty, remaining in (
        ItemLedgerEntry.objects.filter(positive=False, open=True, posting_date__lte=closing_date)
        .exclude(item__costing_method=CostingMethod.STANDARD)
        .values_list(
            "entry_no", "item__no", "entry_type", "posting_date", "quantity", "remaining_quantity"
        )
    ):
        entry = unsettled.setdefault(
            (MORE_ISSUES_THAN_RECEIPTS, entry_no),
            [item_no, out_type, out_date, ZERO, -out_qty, []],
        )
        entry[3] += -remaining
    plan.unsettled = [
        UnsettledIssue(
            kind, item_no, entry_no, out_type, out_date, quantity, issue_qty, tuple(receipts)
        )
        for (kind, entry_no), (
            item_no,
            out_type,
            out_date,
            quantity,
            issue_qty,
            receipts,
        ) in sorted(unsettled.items(), key=lambda pair: (pair[1][0], pair[0][1], pair[0][0]))
    ]
    return plan
