"""The revaluation journal (spec §8).

The revaluable quantity of an inbound entry on date D is what remained of it on D: its quantity
less what outbound entries posted on or before D took. Only completely invoiced entries are
revalued, except for Standard items, whose expected cost counts too. Each revalued entry gets a
Revaluation value entry for the difference between the revalued and the calculated value; which
outbound entries the revaluation reaches is for cost adjustment to decide.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum

from costing.engine.money import ZERO, allocate, q_amount, q_unit_cost
from costing.engine.periods import period_end
from inventory.errors import InvalidInput
from inventory.models import (
    AccountingPeriod,
    AverageCostCalcType,
    CostingMethod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)
from inventory.services.context import PostingContext
from inventory.services.guards import PostingGuard
from inventory.services.values import PostingGroups, value_entry

SOURCE_CODE = "REVALINL"


@dataclass(frozen=True)
class RevaluationLine:
    item_no: str
    posting_date: dt.date
    applies_to_entry: int | None = None
    unit_cost_revalued: Decimal | None = None
    inventory_value_revalued: Decimal | None = None


class _LineError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def revaluation_journal_post(*, lines: list[RevaluationLine]) -> list[ValueEntry]:
    if not lines:
        raise InvalidInput.on("lines", "A journal needs at least one line.")
    created: list[ValueEntry] = []
    with transaction.atomic():
        setup = InventorySetup.get()
        guard = PostingGuard.load(setup)
        for index, line in enumerate(lines):
            try:
                created.extend(_post_line(setup, guard, line))
            except _LineError as error:
                raise InvalidInput.on_lines({index: {error.field: [error.message]}}) from None
    return created


def _post_line(
    setup: InventorySetup, guard: PostingGuard, line: RevaluationLine
) -> list[ValueEntry]:
    ctx = PostingContext(setup)
    ctx.lock_items([line.item_no])
    state = ctx.items.get(line.item_no)
    if state is None:
        raise _LineError("item_no", f"Item {line.item_no!r} does not exist.")
    item = state.item
    _check(setup, guard, line, item)

    day = line.posting_date
    entries = ItemLedgerEntry.objects.filter(item=item, positive=True, posting_date__lte=day)
    if line.applies_to_entry is not None:
        entries = entries.filter(entry_no=line.applies_to_entry)
        target = entries.first()
        problem = guard.valuation_date_problem(target.posting_date) if target else None
        if problem:
            raise _LineError(
                "applies_to_entry", f"Entry {line.applies_to_entry} is dated {problem}"
            )
        if target is None:
            raise _LineError(
                "applies_to_entry",
                f"Entry {line.applies_to_entry} is not an inbound entry of item {item.no} "
                f"posted on or before {day}.",
            )
    if not item.is_standard:
        entries = entries.filter(invoiced_quantity=F("quantity"))
    entries = list(entries.order_by("entry_no"))
    remaining = _remaining_on(entries, day)
    entries = [e for e in entries if remaining[e.entry_no] > 0]
    if not entries:
        raise _LineError(
            "posting_date",
            f"Nothing of item {item.no} is on hand and invoiced on {day} to revalue.",
        )
    quantities = [remaining[e.entry_no] for e in entries]
    calculated = _calculated_values(item, entries, quantities, day)
    if line.unit_cost_revalued is not None:
        revalued = [q_amount(line.unit_cost_revalued * q) for q in quantities]
        new_unit_cost = line.unit_cost_revalued
    else:
        revalued = allocate(line.inventory_value_revalued, quantities)
        new_unit_cost = q_unit_cost(line.inventory_value_revalued / sum(quantities))

    groups = _original_groups(entries)
    created = []
    for entry, quantity, old, new in zip(entries, quantities, calculated, revalued, strict=True):
        if new == old:
            continue
        entry.item = item
        value = value_entry(
            entry,
            item,
            groups[entry.entry_no],
            entry_type=ValueEntryType.REVALUATION,
            posting_date=day,
            valuation_date=day,
            valued_quantity=quantity,
            actual=new - old,
            source_code=SOURCE_CODE,
        )
        created.append(ctx.add_value(value))
        entry.applied_entry_to_adjust = True
        ctx.entries[entry.entry_no] = entry
        ctx.touch(entry)
    if item.is_standard and line.applies_to_entry is None:
        # Spec §8: revaluing a Standard item per item sets its new standard cost.
        item.standard_cost = new_unit_cost
        ctx.items[item.no].changed = True
    ctx.flush()
    return created


def _check(setup: InventorySetup, guard: PostingGuard, line: RevaluationLine, item: Item) -> None:
    problem = guard.posting_date_problem(line.posting_date)
    if problem:
        raise _LineError("posting_date", problem)
    given = [v for v in (line.unit_cost_revalued, line.inventory_value_revalued) if v is not None]
    if len(given) != 1:
        raise _LineError(
            "unit_cost_revalued", "Give either unit_cost_revalued or inventory_value_revalued."
        )
    if given[0] < 0:
        field = (
            "unit_cost_revalued"
            if line.unit_cost_revalued is not None
            else "inventory_value_revalued"
        )
        raise _LineError(field, "Must not be negative.")
    if item.costing_method == CostingMethod.AVERAGE:
        if line.applies_to_entry is not None:
            raise _LineError(
                "applies_to_entry", "Average-cost items are revalued per item, not per entry."
            )
        if setup.average_cost_calc_type != AverageCostCalcType.ITEM:
            raise _LineError(
                "item_no",
                "Average-cost items can be revalued only when the average is calculated per item.",
            )
        end = period_end(
            line.posting_date,
            setup.average_cost_period,
            AccountingPeriod.starts(setup.average_cost_period),
        )
        if end != line.posting_date:
            raise _LineError(
                "posting_date",
                f"Average-cost items are revalued at the end of an average cost period ({end}).",
            )


def _remaining_on(entries: list[ItemLedgerEntry], day: dt.date) -> dict[int, Decimal]:
    """What remained of each entry on `day`: outbound entries dated after it do not count."""
    used = dict(
        ItemApplicationEntry.objects.filter(
            inbound_item_entry_id__in=[e.entry_no for e in entries],
            quantity__lt=0,
            outbound_item_entry__posting_date__lte=day,
        )
        .values("inbound_item_entry_id")
        .annotate(q=Sum("quantity"))
        .values_list("inbound_item_entry_id", "q")
    )
    return {e.entry_no: e.quantity + used.get(e.entry_no, ZERO) for e in entries}


def _calculated_values(
    item: Item, entries: list[ItemLedgerEntry], quantities: list[Decimal], day: dt.date
) -> list[Decimal]:
    """The value the remaining quantity has on `day` before this revaluation."""
    if item.costing_method == CostingMethod.AVERAGE:
        total_value = (
            ValueEntry.objects.filter(item=item, valuation_date__lte=day).aggregate(
                v=Sum(F("cost_amount_actual") + F("cost_amount_expected"))
            )["v"]
            or ZERO
        )
        total_quantity = (
            ItemLedgerEntry.objects.filter(item=item, posting_date__lte=day).aggregate(
                q=Sum("quantity")
            )["q"]
            or ZERO
        )
        if total_quantity <= 0:
            return [ZERO for _ in entries]
        return allocate(total_value * sum(quantities) / total_quantity, quantities)

    per_unit: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = ValueEntry.objects.filter(
        item_ledger_entry_id__in=[e.entry_no for e in entries], valuation_date__lte=day
    ).exclude(entry_type=ValueEntryType.ROUNDING)
    by_no = {e.entry_no: e for e in entries}
    base = (
        rows.exclude(entry_type=ValueEntryType.REVALUATION)
        .values("item_ledger_entry_id")
        .annotate(v=Sum(F("cost_amount_actual") + F("cost_amount_expected")))
    )
    for row in base:
        no = row["item_ledger_entry_id"]
        per_unit[no] += row["v"] / by_no[no].quantity
    for no, amount, valued in rows.filter(entry_type=ValueEntryType.REVALUATION).values_list(
        "item_ledger_entry_id", "cost_amount_actual", "valued_quantity"
    ):
        if valued:
            per_unit[no] += amount / valued
    return [q_amount(per_unit[e.entry_no] * q) for e, q in zip(entries, quantities, strict=True)]


def _original_groups(entries: list[ItemLedgerEntry]) -> dict[int, PostingGroups]:
    """The posting groups each entry was first posted with (spec §16)."""
    groups: dict[int, PostingGroups] = {}
    rows = (
        ValueEntry.objects.filter(item_ledger_entry_id__in=[e.entry_no for e in entries])
        .filter(~Q(entry_type=ValueEntryType.REVALUATION))
        .order_by("entry_no")
    )
    for value in rows:
        groups.setdefault(value.item_ledger_entry_id, PostingGroups.of_value(value))
    return groups
