"""`python manage.py load_demo`: load the demo company (inventory/demo.py), once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from inventory import demo
from inventory.errors import InvalidInput


class Command(BaseCommand):
    help = (
        "Load a demo company (setup, G/L accounts, posting setups, items and four months of "
        "postings) through the posting services. Does nothing if the demo items exist."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.is_loaded():
            self.stdout.write("Demo data already loaded (the demo items exist); nothing to do.")
            created = demo.ensure_users()
            if created:
                self.stdout.write(f"Users created: {', '.join(created)}.")
        else:
            try:
                summary = demo.load()
            except InvalidInput as error:
                raise CommandError(
                    f"Loading the demo failed, nothing was loaded: {error.detail}"
                ) from error
            for line in summary.lines():
                self.stdout.write(line)
        self.stdout.write(demo.LOGIN_LINE)
