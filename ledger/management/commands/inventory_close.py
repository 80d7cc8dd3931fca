"""The month-end close from the command line, in this process, with a progress bar on stderr:

python manage.py inventory_close --closing-date 2025-01-31            # close
python manage.py inventory_close --closing-date 2025-01-31 --pre-run  # what it would meet
python manage.py inventory_close --recalculation [--closing-date D]   # adjust and post
python manage.py inventory_close --reverse                            # the latest close
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from costing.bench import Progress
from inventory.errors import InvalidInput
from ledger.models import InventoryCloseKind
from ledger.services import closing


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--closing-date: {text!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = "Month-end inventory close: close, recalculation, pre-run list or reversal."

    def add_arguments(self, parser):
        parser.add_argument("--closing-date", type=_date, default=None)
        parser.add_argument("--recalculation", action="store_true", help="adjust and post only")
        parser.add_argument("--pre-run", action="store_true", help="list, change nothing")
        parser.add_argument("--reverse", action="store_true", help="reverse the latest close")

    def handle(self, *args, closing_date, recalculation, pre_run, reverse, **options):
        try:
            if pre_run:
                return self._pre_run(closing_date)
            if reverse:
                return self._reverse()
            kind = InventoryCloseKind.RECALCULATION if recalculation else InventoryCloseKind.CLOSE
            self._run(kind, closing_date)
        except InvalidInput as error:
            raise CommandError(error.detail) from None

    def _pre_run(self, closing_date: dt.date | None) -> None:
        prerun = closing.inventory_close_prerun(closing_date=closing_date)
        for blocker in prerun.blockers:
            self.stdout.write(f"  refused: {blocker.message}")
        for issue in prerun.unsettled:
            self.stdout.write(f"  {issue.message} {issue.advice}")
        items = ", ".join(prerun.items) or "none"
        self.stdout.write(f"Items that cannot be fully settled: {items}.")

    def _reverse(self) -> None:
        latest = closing.latest_reversible_close()
        if latest is None:
            raise CommandError("There is no close to reverse.")
        closing.inventory_close_reverse(close=latest)
        self.stdout.write(f"The close of {latest.closing_date} ({latest.document_no}) is reversed.")

    def _run(self, kind: str, closing_date: dt.date | None) -> None:
        close = closing.inventory_close_start(kind=kind, closing_date=closing_date, enqueue=False)
        bar: Progress | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = Progress(self.stderr, "adjusting", total, unit="items")
            bar.update(done)

        close = closing.inventory_close_execute(close.pk, progress=progress)
        if bar is not None:
            bar.close()
        assert close is not None
        for warning in close.warnings.order_by("id"):
            self.stdout.write(f"  {warning.message} {warning.advice}")
        self.stdout.write(
            f"{close.get_kind_display()} {close.document_no}: {close.get_status_display()}"
            f"{': ' + close.error if close.error else ''}; {close.entries_adjusted} entries "
            f"adjusted, {close.issues_settled} issues settled, {close.value_entries_posted} "
            "value entries posted to the G/L."
        )
        if close.status == "failed":
            raise CommandError(close.error)
