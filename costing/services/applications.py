"""Item application entries, as the Inventory Cost Adjustment page's Item menu changes them
(spec §13)."""

from __future__ import annotations

from collections.abc import Sequence

from inventory.models import ItemApplicationEntry


def application_entries_reset_outbound_updated(entry_nos: Sequence[int]) -> int:
    """Reset Outbound Entry is Updated: the next cost adjustment passes the cost of these
    applications' inbound entries on to their outbound entries again. Used together with Mark
    for Adjustment on the inbound entries. Returns how many rows changed."""
    return ItemApplicationEntry.objects.filter(
        entry_no__in=list(entry_nos), outbound_entry_is_updated=True
    ).update(outbound_entry_is_updated=False)


__all__ = ["application_entries_reset_outbound_updated"]
