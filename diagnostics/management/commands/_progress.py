"""A one-line progress display on stderr for the item data commands."""

from __future__ import annotations

from django.core.management.base import OutputWrapper


class TableProgress:
    def __init__(self, stderr: OutputWrapper):
        self.stderr = stderr
        self.current = ""

    def __call__(self, table: str, rows: int) -> None:
        if self.current and table != self.current:
            self.stderr.write("")
        self.current = table
        self.stderr.write(f"\r  {table:<26} {rows:>12,} rows", ending="")
        self.stderr.flush()

    def done(self) -> None:
        if self.current:
            self.stderr.write("")
