"""Master data: items and the inventory setup."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from inventory.errors import InvalidInput
from inventory.models import CostingMethod, InventorySetup, Item, ItemLedgerEntry


def item_create(**fields: Any) -> Item:
    with transaction.atomic():
        if Item.objects.filter(no=fields.get("no")).exists():
            raise InvalidInput.on("no", f"Item {fields['no']!r} already exists.")
        item = Item(**fields)
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
        item.save()
    return item


def item_update(item: Item, **fields: Any) -> Item:
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        method = fields.get("costing_method", item.costing_method)
        if method != item.costing_method and ItemLedgerEntry.objects.filter(item=item).exists():
            # Spec §1.2: move the stock to a new item instead (e.g. with an assembly order).
            raise InvalidInput.on(
                "costing_method",
                f"Item {item.no} has ledger entries; its costing method can no longer change.",
            )
        if "no" in fields and fields["no"] != item.no:
            raise InvalidInput.on("no", "An item's number cannot change.")
        for name, value in fields.items():
            setattr(item, name, value)
        if item.costing_method == CostingMethod.STANDARD:
            item.unit_cost = item.standard_cost
        item.save()
    return item


def inventory_setup_update(**fields: Any) -> InventorySetup:
    with transaction.atomic():
        setup = InventorySetup.get()
        setup = InventorySetup.objects.select_for_update().get(pk=setup.pk)
        for name, value in fields.items():
            setattr(setup, name, value)
        setup.save()
    return setup
