"""Bad input, said the way the API says it: each field with its reasons (API.md, Errors)."""

from __future__ import annotations

from typing import Any


class InvalidInput(Exception):
    """Raised by services before anything is written (or inside the transaction that is then
    rolled back). `detail` is what the API returns with HTTP 400."""

    def __init__(self, detail: dict[str, Any]):
        super().__init__(detail)
        self.detail = detail

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls({field: [message]})

    @classmethod
    def on_lines(cls, line_errors: dict[int, dict[str, list[str]]]) -> InvalidInput:
        """Errors of journal lines keyed by line index (from 0), as DRF reports a list's errors:
        `{"lines": {"1": {"quantity": ["..."]}}}`."""
        return cls({"lines": dict(sorted(line_errors.items()))})
