"""Which G/L accounts a value entry posts to: the one place that decides (spec §11.1–§11.3).

A value entry posts its actual part and, when expected cost posting is on, its expected part,
each as a balanced pair: the account gets the amount, the balancing account the opposite. The
pair depends on the item ledger entry type, the value entry type (and variance type) and which
part it is; the accounts come from the Inventory Posting Setup (location x inventory posting
group) and the General Posting Setup (gen. business x gen. product posting group) that the
value entry remembers, so an adjustment posts to its original transaction's accounts (§16).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ledger.models import GeneralPostingSetup, InventoryPostingSetup


class Role(StrEnum):
    """An account type of the reconciliation, and the setup field that names its account."""

    INVENTORY = "inventory"
    INVENTORY_INTERIM = "inventory_interim"
    WIP = "wip"
    DIRECT_COST_APPLIED = "direct_cost_applied"
    OVERHEAD_APPLIED = "overhead_applied"
    INVENTORY_ADJMT = "inventory_adjmt"
    INVT_ACCRUAL_INTERIM = "invt_accrual_interim"
    COGS = "cogs"
    COGS_INTERIM = "cogs_interim"
    PURCHASE_VARIANCE = "purchase_variance"
    MATERIAL_VARIANCE = "material_variance"
    CAPACITY_VARIANCE = "capacity_variance"
    SUBCONTRACTED_VARIANCE = "subcontracted_variance"
    CAP_OVERHEAD_VARIANCE = "cap_overhead_variance"
    MFG_OVERHEAD_VARIANCE = "mfg_overhead_variance"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.INVENTORY: "Inventory",
    Role.INVENTORY_INTERIM: "Inventory (Interim)",
    Role.WIP: "WIP Inventory",
    Role.DIRECT_COST_APPLIED: "Direct Cost Applied",
    Role.OVERHEAD_APPLIED: "Overhead Applied",
    Role.INVENTORY_ADJMT: "Inventory Adjmt.",
    Role.INVT_ACCRUAL_INTERIM: "Invt. Accrual (Interim)",
    Role.COGS: "COGS",
    Role.COGS_INTERIM: "COGS (Interim)",
    Role.PURCHASE_VARIANCE: "Purchase Variance",
    Role.MATERIAL_VARIANCE: "Material Variance",
    Role.CAPACITY_VARIANCE: "Capacity Variance",
    Role.SUBCONTRACTED_VARIANCE: "Subcontracted Variance",
    Role.CAP_OVERHEAD_VARIANCE: "Capacity Overhead Variance",
    Role.MFG_OVERHEAD_VARIANCE: "Mfg. Overhead Variance",
}

# Role -> (setup table, field of that table holding the account).
INVENTORY_SETUP_FIELDS = {
    Role.INVENTORY: "inventory_account",
    Role.INVENTORY_INTERIM: "inventory_account_interim",
    Role.WIP: "wip_account",
    Role.MATERIAL_VARIANCE: "material_variance_account",
    Role.CAPACITY_VARIANCE: "capacity_variance_account",
    Role.SUBCONTRACTED_VARIANCE: "subcontracted_variance_account",
    Role.CAP_OVERHEAD_VARIANCE: "cap_overhead_variance_account",
    Role.MFG_OVERHEAD_VARIANCE: "mfg_overhead_variance_account",
}
GENERAL_SETUP_FIELDS = {
    Role.COGS: "cogs_account",
    Role.COGS_INTERIM: "cogs_account_interim",
    Role.INVENTORY_ADJMT: "inventory_adjmt_account",
    Role.DIRECT_COST_APPLIED: "direct_cost_applied_account",
    Role.OVERHEAD_APPLIED: "overhead_applied_account",
    Role.PURCHASE_VARIANCE: "purchase_variance_account",
    Role.INVT_ACCRUAL_INTERIM: "invt_accrual_account_interim",
}

_PRODUCTION_VARIANCES = {
    "material": Role.MATERIAL_VARIANCE,
    "capacity": Role.CAPACITY_VARIANCE,
    "subcontracted": Role.SUBCONTRACTED_VARIANCE,
    "capacity_overhead": Role.CAP_OVERHEAD_VARIANCE,
    "manufacturing_overhead": Role.MFG_OVERHEAD_VARIANCE,
}
_ACTUAL_DIRECT_BALANCE = {
    "purchase": Role.DIRECT_COST_APPLIED,
    "sale": Role.COGS,
    "positive_adjmt": Role.INVENTORY_ADJMT,
    "negative_adjmt": Role.INVENTORY_ADJMT,
    "transfer": Role.INVENTORY_ADJMT,
    "consumption": Role.WIP,
    "output": Role.WIP,
    "assembly_consumption": Role.INVENTORY_ADJMT,
    "assembly_output": Role.INVENTORY_ADJMT,
}
_EXPECTED_BALANCE = {
    "purchase": Role.INVT_ACCRUAL_INTERIM,
    "sale": Role.COGS_INTERIM,
    "output": Role.WIP,
}


# Capacity value entries (no item ledger entry, spec §11.2) by order type: production capacity
# goes into WIP; an assembly resource's cost goes to Inventory Adjmt., which the assembly output
# clears, as it clears the components consumed.
CAPACITY_ORDER_TYPES = ("production", "assembly")
_CAPACITY_ACCOUNT = {"production": Role.WIP, "assembly": Role.INVENTORY_ADJMT}


def roles_for(
    ile_type: str, entry_type: str, variance_type: str, expected: bool, order_type: str = ""
) -> tuple[Role, Role] | None:
    """(account, balancing account) of one part of a value entry, or None if it has none.
    `order_type` matters only for capacity value entries (ile_type "")."""
    if not ile_type:
        account = _CAPACITY_ACCOUNT.get(order_type)
        if account is None or expected:
            return None
        if entry_type == "direct_cost":
            return account, Role.DIRECT_COST_APPLIED
        if entry_type == "indirect_cost":
            return account, Role.OVERHEAD_APPLIED
        return None
    if expected:
        if entry_type in ("direct_cost", "revaluation") and ile_type in _EXPECTED_BALANCE:
            return Role.INVENTORY_INTERIM, _EXPECTED_BALANCE[ile_type]
        return None
    if entry_type in ("revaluation", "rounding"):
        return Role.INVENTORY, Role.INVENTORY_ADJMT
    if entry_type == "direct_cost":
        balance = _ACTUAL_DIRECT_BALANCE.get(ile_type)
        return (Role.INVENTORY, balance) if balance else None
    if entry_type == "indirect_cost" and ile_type in ("purchase", "output", "assembly_output"):
        return Role.INVENTORY, Role.OVERHEAD_APPLIED
    if entry_type == "variance":
        if ile_type == "purchase" and variance_type in ("purchase", ""):
            return Role.INVENTORY, Role.PURCHASE_VARIANCE
        if ile_type in ("output", "assembly_output") and variance_type in _PRODUCTION_VARIANCES:
            return Role.INVENTORY, _PRODUCTION_VARIANCES[variance_type]
    return None


@dataclass(frozen=True)
class Groups:
    """The part of a value entry that chooses the setups."""

    location_code: str
    inventory_posting_group: str
    gen_bus_posting_group: str
    gen_prod_posting_group: str
    # Production consumption: WIP comes from the finished item's group (spec §11.3).
    wip_posting_group: str = ""


class NoAccount(Exception):
    """The setup does not say where this part posts; the message says what to fill in."""


class AccountBook:
    """All posting setups, loaded once (they are small), answering account numbers by role."""

    def __init__(self) -> None:
        self.inventory = {
            (s.location_code, s.inventory_posting_group): s
            for s in InventoryPostingSetup.objects.all()
        }
        self.general = {
            (s.gen_bus_posting_group, s.gen_prod_posting_group): s
            for s in GeneralPostingSetup.objects.all()
        }

    def account(self, role: Role, groups: Groups) -> str:
        if role in INVENTORY_SETUP_FIELDS:
            group = groups.inventory_posting_group
            if role == Role.WIP and groups.wip_posting_group:
                group = groups.wip_posting_group
            key = (groups.location_code, group)
            setup = self.inventory.get(key)
            name = f"Inventory Posting Setup {key[0] or '(no location)'} x {key[1] or '(blank)'}"
            field = INVENTORY_SETUP_FIELDS[role]
        else:
            key = (groups.gen_bus_posting_group, groups.gen_prod_posting_group)
            setup = self.general.get(key)
            name = f"General Posting Setup {key[0] or '(blank)'} x {key[1] or '(blank)'}"
            field = GENERAL_SETUP_FIELDS[role]
        if setup is None:
            raise NoAccount(f"{name} does not exist.")
        number = getattr(setup, f"{field}_id")
        if not number:
            raise NoAccount(f"{name} has no {role.label} account.")
        return number

    def pair(self, roles: tuple[Role, Role], groups: Groups) -> tuple[str, str]:
        return self.account(roles[0], groups), self.account(roles[1], groups)

    def accounts_by_role(self) -> dict[Role, set[str]]:
        """Every account a role is mapped to in any setup (the reconciliation's G/L side)."""
        found: dict[Role, set[str]] = {role: set() for role in Role}
        for setup in self.inventory.values():
            for role, field in INVENTORY_SETUP_FIELDS.items():
                if getattr(setup, f"{field}_id"):
                    found[role].add(getattr(setup, f"{field}_id"))
        for setup in self.general.values():
            for role, field in GENERAL_SETUP_FIELDS.items():
                if getattr(setup, f"{field}_id"):
                    found[role].add(getattr(setup, f"{field}_id"))
        return found
