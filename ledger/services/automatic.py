"""Automatic cost posting (spec §11.5): with it on, every value entry written (by a posting or
an adjustment) is posted to the G/L at once, per entry, in the same transaction."""

from collections.abc import Sequence

from inventory.models import InventorySetup
from ledger.services.posting import PER_ENTRY, inventory_cost_post_to_gl


def post_written_values(entry_nos: Sequence[int]) -> None:
    if not InventorySetup.get().automatic_cost_posting:
        return
    inventory_cost_post_to_gl(
        post_method=PER_ENTRY, value_entry_nos=list(entry_nos), exclusive=False
    )
