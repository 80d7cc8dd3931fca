from costing.services.adjustment import (
    AdjustmentResult,
    ItemResult,
    adjust_items,
    cost_adjustment_run,
    item_exclusion_set,
    items_to_adjust,
    mark_for_adjustment,
    reset_cost_is_adjusted,
)

__all__ = [
    "AdjustmentResult",
    "ItemResult",
    "adjust_items",
    "cost_adjustment_run",
    "item_exclusion_set",
    "items_to_adjust",
    "mark_for_adjustment",
    "reset_cost_is_adjusted",
]
