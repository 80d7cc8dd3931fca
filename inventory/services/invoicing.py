"""Invoicing a receipt or shipment later, and item charges on inbound entries (spec §2, §9).

Invoicing releases the expected cost of the invoiced share and records the actual cost; for a
purchase at the invoice's unit cost, for everything else at the cost the entry already carries
(cost adjustment corrects that later). An item charge adds direct cost to an inbound entry; for a
Standard item it changes the purchase variance, not the inventory value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter

from django.db import transaction
from django.db.models import Sum

from costing.engine.money import ZERO, q_amount
from inventory.errors import InvalidInput
from inventory.models import (
    EntryType,
    InventorySetup,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
    VarianceType,
)
from inventory.services.context import PostingContext
from inventory.services.guards import PostingGuard
from inventory.services.values import PostingGroups, purchase_parts, value_entry


def _open_context(entry_no: int, posting_date: dt.date) -> tuple[PostingContext, ItemLedgerEntry]:
    setup = InventorySetup.get()
    entry = ItemLedgerEntry.objects.filter(entry_no=entry_no).select_related("item").first()
    if entry is None:
        raise InvalidInput.on("entry_no", f"Item ledger entry {entry_no} does not exist.")
    guard = PostingGuard.load(setup)
    problem = guard.posting_date_problem(posting_date)
    if problem:
        raise InvalidInput.on("posting_date", problem)
    ctx = PostingContext(setup, guard)
    ctx.lock_items([entry.item.no])
    entry = ItemLedgerEntry.objects.select_for_update().get(entry_no=entry_no)
    entry.item = ctx.items[entry.item.no].item
    ctx.entries[entry.entry_no] = entry
    return ctx, entry


def _original(entry: ItemLedgerEntry) -> ValueEntry:
    """The entry's first value entry: what it was posted with (groups, valuation date)."""
    # Not ORDER BY entry_no LIMIT 1: with a large ledger the planner may walk the primary key
    # instead of reading the entry's few value entries through their index.
    values = ValueEntry.objects.filter(item_ledger_entry_id=entry.entry_no).order_by()
    return min(values, key=attrgetter("entry_no"), default=None)


def item_ledger_entry_invoice(
    *,
    entry_no: int,
    posting_date: dt.date,
    quantity: Decimal,
    unit_cost: Decimal | None = None,
    unit_price: Decimal | None = None,
) -> list[ValueEntry]:
    """Invoice `quantity` of a receipt or shipment posted without invoice."""
    with transaction.atomic():
        ctx, entry = _open_context(entry_no, posting_date)
        item = entry.item
        if entry.entry_type not in (EntryType.PURCHASE, EntryType.SALE):
            raise InvalidInput.on("entry_no", "Only purchase and sales entries are invoiced.")
        sign = 1 if entry.positive else -1
        not_invoiced = (entry.quantity - entry.invoiced_quantity) * sign
        if quantity is None or quantity <= 0:
            raise InvalidInput.on("quantity", "Must be greater than zero.")
        if quantity > not_invoiced:
            raise InvalidInput.on(
                "quantity",
                f"Only {not_invoiced.normalize():f} of entry {entry_no} is not yet invoiced.",
            )
        purchase_receipt = entry.entry_type == EntryType.PURCHASE and entry.positive
        if purchase_receipt and unit_cost is None:
            raise InvalidInput.on("unit_cost", "A purchase invoice needs the invoiced unit cost.")
        if unit_cost is not None and unit_cost < 0:
            raise InvalidInput.on("unit_cost", "Must not be negative.")
        if unit_price is not None and unit_price < 0:
            raise InvalidInput.on("unit_price", "Must not be negative.")

        original = _original(entry)
        expected_left = ValueEntry.objects.filter(item_ledger_entry_id=entry_no).aggregate(
            e=Sum("cost_amount_expected"), s=Sum("sales_amount_expected")
        )
        expected_left_cost = expected_left["e"] or ZERO
        # The last invoice releases whatever expected cost is left, so nothing lingers.
        share = quantity / not_invoiced
        released = expected_left_cost if share == 1 else q_amount(expected_left_cost * share)
        groups = PostingGroups.of_value(original)
        signed_quantity = quantity * sign
        # Spec §10.3: an invoice of an entry valued before the earliest allowed valuation date
        # is valued on the invoice's date, so the difference lands now.
        valuation_date = original.valuation_date
        if ctx.guard.valuation_date_problem(valuation_date):
            valuation_date = posting_date
        common = dict(
            posting_date=posting_date,
            valuation_date=valuation_date,
            valued_quantity=signed_quantity,
        )
        if purchase_receipt:
            parts = purchase_parts(item, quantity, unit_cost)
            item.last_direct_cost = unit_cost
        else:
            parts = []
        created: list[ValueEntry] = []
        if parts:
            for index, part in enumerate(parts):
                created.append(
                    value_entry(
                        entry,
                        item,
                        groups,
                        entry_type=part.entry_type,
                        variance_type=part.variance_type,
                        actual=part.amount,
                        expected=-released if index == 0 else ZERO,
                        invoiced_quantity=signed_quantity if index == 0 else ZERO,
                        **common,
                    )
                )
        else:
            sales = q_amount(quantity * unit_price) if unit_price is not None else ZERO
            created.append(
                value_entry(
                    entry,
                    item,
                    groups,
                    entry_type=ValueEntryType.DIRECT_COST,
                    actual=released,
                    expected=-released,
                    invoiced_quantity=signed_quantity,
                    sales_amount_actual=sales,
                    sales_amount_expected=-q_amount((expected_left["s"] or ZERO) * share),
                    valued_by_average_cost=original.valued_by_average_cost,
                    **common,
                )
            )
        for value in created:
            ctx.add_value(value)
        entry.invoiced_quantity += signed_quantity
        entry.completely_invoiced = entry.invoiced_quantity == entry.quantity
        if entry.positive:
            entry.applied_entry_to_adjust = True  # its cost moved: what used it must follow
        ctx.touch(entry)
        ctx.flush()
    return created


def item_charge_assign(
    *, entry_no: int, posting_date: dt.date, amount: Decimal, item_charge_no: str = ""
) -> list[ValueEntry]:
    """Add an item charge (freight, insurance...) to an inbound entry's cost."""
    with transaction.atomic():
        ctx, entry = _open_context(entry_no, posting_date)
        item = entry.item
        if not entry.positive:
            raise InvalidInput.on(
                "entry_no", f"Entry {entry_no} is outbound; item charges go on inbound entries."
            )
        if amount is None or amount == 0:
            raise InvalidInput.on("amount", "An item charge needs a non-zero amount.")
        amount = q_amount(amount)
        original = _original(entry)
        # Spec §5 (BC white paper): a charge keeps the receipt's valuation date.
        problem = ctx.guard.valuation_date_problem(original.valuation_date)
        if problem:
            raise InvalidInput.on("entry_no", f"The entry's valuation date {problem}")
        groups = PostingGroups.of_value(original)
        common = dict(
            posting_date=posting_date,
            valuation_date=original.valuation_date,
            valued_quantity=entry.quantity,
            item_charge_no=item_charge_no,
        )
        created = [
            value_entry(
                entry, item, groups, entry_type=ValueEntryType.DIRECT_COST, actual=amount, **common
            )
        ]
        if item.is_standard:
            # Spec §9: at standard cost the inventory stays; the purchase variance takes it.
            created.append(
                value_entry(
                    entry,
                    item,
                    groups,
                    entry_type=ValueEntryType.VARIANCE,
                    variance_type=VarianceType.PURCHASE,
                    actual=-amount,
                    **common,
                )
            )
        for value in created:
            ctx.add_value(value)
        entry.applied_entry_to_adjust = True
        ctx.touch(entry)
        ctx.flush()
    return created
