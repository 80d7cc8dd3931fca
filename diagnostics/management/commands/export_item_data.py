"""`manage.py export_item_data --items "A|B" [--output FILE]`: every item-related record of the
items in one text file (docs/item-data-format.md); standard output without --output."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from diagnostics.management.commands._progress import TableProgress
from diagnostics.services.item_data import item_data_export
from inventory.errors import InvalidInput


class Command(BaseCommand):
    help = "Export item data: items, their entries, applications and G/L links, to one file."

    def add_arguments(self, parser):
        parser.add_argument("--items", required=True, help='item filter: "A|B", "A..C", "1*"')
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, items: str, output: str | None, **options: Any) -> None:
        progress = TableProgress(self.stderr)
        try:
            if output:
                with open(output, "w", encoding="utf-8", newline="\n") as out:
                    count = item_data_export(out, item_filter=items, progress=progress)
            else:
                count = item_data_export(sys.stdout, item_filter=items, progress=progress)
        except InvalidInput as error:
            raise CommandError(error.detail) from None
        progress.done()
        self.stderr.write(f"{count:,} records exported{f' to {output}' if output else ''}.")
