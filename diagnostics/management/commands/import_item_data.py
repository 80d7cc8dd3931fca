"""`manage.py import_item_data FILE`: restore an item data file exactly (sandbox only)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from diagnostics.management.commands._progress import TableProgress
from diagnostics.services.item_data import item_data_import
from inventory.errors import InvalidInput


class Command(BaseCommand):
    help = "Import item data exported by export_item_data (SANDBOX=true only)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        progress = TableProgress(self.stderr)
        try:
            with open(file, encoding="utf-8") as lines:
                counts = item_data_import(lines, progress=progress)
        except InvalidInput as error:
            raise CommandError(error.detail) from None
        except OSError as error:
            raise CommandError(str(error)) from None
        progress.done()
        self.stdout.write(f"{sum(counts.values()):,} records imported.")
