"""The only code that writes the inventory ledgers; one transaction per use case."""

from inventory.services.invoicing import item_charge_assign, item_ledger_entry_invoice
from inventory.services.items import inventory_setup_update, item_create, item_update
from inventory.services.journal import JournalLine, item_journal_post
from inventory.services.production import (
    CapacityLine,
    capacity_journal_post,
    production_order_create,
    production_order_finish,
)
from inventory.services.revaluation import RevaluationLine, revaluation_journal_post

__all__ = [
    "CapacityLine",
    "JournalLine",
    "capacity_journal_post",
    "production_order_create",
    "production_order_finish",
    "RevaluationLine",
    "inventory_setup_update",
    "item_charge_assign",
    "item_create",
    "item_journal_post",
    "item_ledger_entry_invoice",
    "item_update",
    "revaluation_journal_post",
]
