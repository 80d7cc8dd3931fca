"""`manage.py delete_item_data --items "A|B"`: delete the items and all their records
(sandbox only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from diagnostics.services.item_data import item_data_delete
from inventory.errors import InvalidInput


class Command(BaseCommand):
    help = "Delete item data: the items, their entries, applications and G/L links (SANDBOX only)."

    def add_arguments(self, parser):
        parser.add_argument("--items", required=True, help='item filter: "A|B", "A..C", "1*"')

    def handle(self, *args: Any, items: str, **options: Any) -> None:
        try:
            counts = item_data_delete(item_filter=items)
        except InvalidInput as error:
            raise CommandError(error.detail) from None
        for table, count in counts.items():
            self.stdout.write(f"  {table:<26} {count:>12,} deleted")
        self.stdout.write(f"{sum(counts.values()):,} records deleted.")
