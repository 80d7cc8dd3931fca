from ledger.services.posting import (
    PER_ENTRY,
    PER_POSTING_GROUP,
    POST_METHODS,
    PostingReport,
    SkippedEntry,
    inventory_cost_post_to_gl,
)

__all__ = [
    "PER_ENTRY",
    "PER_POSTING_GROUP",
    "POST_METHODS",
    "PostingReport",
    "SkippedEntry",
    "inventory_cost_post_to_gl",
]
