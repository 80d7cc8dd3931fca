"""Replays a worked example (../shared/scenarios/FORMAT.md) through the REST API.

Every step goes through the same endpoints an integration would call, and every figure of every
`expect` step is compared. A step whose operation the product does not offer yet stops the replay
with a skip that names the feature; the figures before it have been checked by then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from inventory.models import ItemApplicationEntry, ItemLedgerEntry, ValueEntry
from ledger.accounts import GENERAL_SETUP_FIELDS, INVENTORY_SETUP_FIELDS, Role

SCENARIO_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "scenarios"

ENTRY_TYPES = {
    "Purchase": "purchase",
    "Sale": "sale",
    "Positive Adjmt.": "positive_adjmt",
    "Negative Adjmt.": "negative_adjmt",
    "Transfer": "transfer",
    "Consumption": "consumption",
    "Output": "output",
    "Assembly Consumption": "assembly_consumption",
    "Assembly Output": "assembly_output",
}
CALC_TYPES = {"Item": "item", "Item & Location & Variant": "item_location_variant"}
PERIODS = {
    "Day": "day",
    "Week": "week",
    "Month": "month",
    "Quarter": "quarter",
    "Year": "year",
    "Accounting Period": "accounting_period",
}
# Operations that later parts of the product bring, and the feature each one needs.
NOT_YET = {
    "close_period": "closing inventory periods",
    "production_order": "production orders",
    "capacity": "the capacity journal",
    "finish_order": "finishing production orders",
}


def scenario_files() -> list[Path]:
    return sorted(SCENARIO_DIR.glob("*.json"))


class NotYet(Exception):
    pass


@dataclass
class Replay:
    client: APIClient
    scenario: dict[str, Any]
    refs: dict[str, int] = field(default_factory=dict)
    checked: int = 0

    def run(self) -> None:
        self._setup(self.scenario["setup"])
        for number, step in enumerate(self.scenario["steps"], start=1):
            try:
                self._step(step)
            except NotYet as missing:
                pytest.skip(
                    f"{self.scenario['name']}: step {number} needs {missing}, not in the product "
                    f"yet; the {self.checked} figures before it were checked"
                )
            except AssertionError as failure:
                raise AssertionError(f"{self.scenario['name']}, step {number}: {failure}") from None

    # -- setup -------------------------------------------------------------------------------

    def _setup(self, setup: dict[str, Any]) -> None:
        inventory_setup = dict(setup.get("inventory_setup", {}))
        if "average_cost_calc_type" in inventory_setup:
            inventory_setup["average_cost_calc_type"] = CALC_TYPES[
                inventory_setup["average_cost_calc_type"]
            ]
        if "average_cost_period" in inventory_setup:
            inventory_setup["average_cost_period"] = PERIODS[inventory_setup["average_cost_period"]]
        if "automatic_cost_adjustment" in inventory_setup:
            inventory_setup["automatic_cost_adjustment"] = inventory_setup[
                "automatic_cost_adjustment"
            ].lower()
        self._ok(self.client.patch("/api/v1/inventory-setup/", inventory_setup, format="json"), 200)
        for code in setup.get("locations", []):
            self._ok(
                self.client.post("/api/v1/locations/", {"code": code, "name": code}, format="json"),
                201,
            )
        for item in setup.get("items", []):
            body = {k: str(v) if isinstance(v, int | float) else v for k, v in item.items()}
            body["costing_method"] = item["costing_method"].lower()
            self._ok(self.client.post("/api/v1/items/", body, format="json"), 201)
        self._setup_gl(setup)

    def _setup_gl(self, setup: dict[str, Any]) -> None:
        """Accounts for every account type (the scenario's numbers where it gives them) and the
        posting setups that point at them, for every group and location of the scenario."""
        given = setup.get("gl_accounts", {})
        self.accounts = {
            role: str(given.get(role.label, f"9{index:03d}")) for index, role in enumerate(Role)
        }
        for no in sorted(set(self.accounts.values())):
            body = {"no": no, "name": no}
            self._ok(self.client.post("/api/v1/gl-accounts/", body, format="json"), 201)
        items = setup.get("items", [])
        for group in sorted({i.get("inventory_posting_group", "") for i in items}):
            for location in ["", *setup.get("locations", [])]:
                body = {"location_code": location, "inventory_posting_group": group}
                body |= {f: self.accounts[r] for r, f in INVENTORY_SETUP_FIELDS.items()}
                response = self.client.post(
                    "/api/v1/inventory-posting-setups/", body, format="json"
                )
                self._ok(response, 201)
        for group in sorted({i.get("gen_prod_posting_group", "") for i in items}):
            body = {"gen_bus_posting_group": "", "gen_prod_posting_group": group}
            body |= {f: self.accounts[r] for r, f in GENERAL_SETUP_FIELDS.items()}
            self._ok(self.client.post("/api/v1/general-posting-setups/", body, format="json"), 201)

    # -- steps -------------------------------------------------------------------------------

    def _step(self, step: dict[str, Any]) -> None:
        op = step["op"]
        if op in NOT_YET:
            raise NotYet(NOT_YET[op])
        if op == "expect":
            self._expect(step)
        elif op == "expect_error":
            self._expect_error(step["step"])
        else:
            response = self._send(step)
            self._ok(response, 200 if op in ("adjust_cost", "post_to_gl") else 201)
            if op == "post":
                self._remember(step, response.json()["item_ledger_entries"])

    def _send(self, step: dict[str, Any]):
        op = step["op"]
        if op == "post":
            return self.client.post(
                "/api/v1/item-journal/post/", {"lines": [self._line(step)]}, format="json"
            )
        if op == "invoice":
            body = {"posting_date": step["posting_date"], "quantity": str(step["quantity"])}
            for key in ("unit_cost", "unit_price"):
                if key in step:
                    body[key] = str(step[key])
            return self.client.post(
                f"/api/v1/item-ledger-entries/{self.refs[step['ref']]}/invoice/",
                body,
                format="json",
            )
        if op == "item_charge":
            body = {"posting_date": step["posting_date"], "amount": str(step["amount"])}
            return self.client.post(
                f"/api/v1/item-ledger-entries/{self.refs[step['ref']]}/item-charges/",
                body,
                format="json",
            )
        if op == "revalue":
            line = {
                "item_no": step["item"],
                "posting_date": step["posting_date"],
                "applies_to_entry": self.refs[step["ref"]] if step.get("ref") else None,
                "unit_cost_revalued": str(step["new_unit_cost"]),
            }
            return self.client.post(
                "/api/v1/revaluation-journal/post/", {"lines": [line]}, format="json"
            )
        if op == "post_to_gl":
            if step.get("per_posting_group"):
                body = {"post_method": "per_posting_group", "document_no": "SCENARIO"}
            else:
                body = {"post_method": "per_entry"}
            return self.client.post("/api/v1/gl/post-inventory-cost/", body, format="json")
        if op == "adjust_cost":
            body = {"item_filter": step.get("item_filter"), "until_date": step.get("until")}
            return self.client.post("/api/v1/cost-adjustment/run/", body, format="json")
        raise AssertionError(f"unknown operation {op!r}")

    def _line(self, step: dict[str, Any]) -> dict[str, Any]:
        quantity = Decimal(str(step["quantity"]))
        line: dict[str, Any] = {
            "entry_type": ENTRY_TYPES[step["entry_type"]],
            "item_no": step["item"],
            "posting_date": step["posting_date"],
            # The format signs purchases and sales (a negative purchase is a return); the API
            # takes a positive quantity and says "return" instead.
            "quantity": str(abs(quantity)),
            "is_return": quantity < 0,
            "location_code": step.get("location", ""),
            "new_location_code": step.get("to_location", ""),
            "variant_code": step.get("variant", ""),
            "invoiced": step.get("invoiced", True),
            "order_no": step.get("order", ""),
        }
        for key in ("unit_cost", "unit_price"):
            if key in step:
                line[key] = str(step[key])
        if "applies_to" in step:
            line["applies_to_entry"] = self.refs[step["applies_to"]]
        if "applies_from" in step:
            line["applies_from_entry"] = self.refs[step["applies_from"]]
        return line

    def _remember(self, step: dict[str, Any], entries: list[dict[str, Any]]) -> None:
        if "ref" not in step:
            return
        self.refs[step["ref"]] = entries[0]["entry_no"]
        if len(entries) == 2:  # a transfer: the outbound entry, then the inbound one
            self.refs[step["ref"] + ".in"] = entries[1]["entry_no"]

    def _expect(self, step: dict[str, Any]) -> None:
        for no, figures in step.get("items", {}).items():
            item = self._ok(self.client.get(f"/api/v1/items/{no}/"), 200)
            fields = {
                "unit_cost": "unit_cost",
                "inventory_qty": "inventory",
                "inventory_value": "inventory_value",
            }
            for key, expected in figures.items():
                self._same(f"item {no} {key}", item[fields[key]], expected)
        for ref, figures in step.get("entries", {}).items():
            entry = self._ok(self.client.get(f"/api/v1/item-ledger-entries/{self.refs[ref]}/"), 200)
            fields = {"remaining_qty": "remaining_quantity"}
            for key, expected in figures.items():
                self._same(f"entry {ref} {key}", entry[fields.get(key, key)], expected)
        labels = {role.label: no for role, no in self.accounts.items()}
        for account, expected in step.get("gl", {}).items():
            no = labels.get(account, account)
            balance = self._ok(self.client.get(f"/api/v1/gl-accounts/{no}/"), 200)["balance"]
            self._same(f"G/L {account} ({no})", balance, expected)

    def _expect_error(self, inner: dict[str, Any]) -> None:
        before = _ledger_snapshot()
        response = self._send(inner)
        assert response.status_code == 400, f"expected a refusal, got {response.status_code}"
        assert _ledger_snapshot() == before, "a refused step changed the ledgers"
        self.checked += 1

    def _same(self, what: str, actual: Any, expected: Any) -> None:
        assert Decimal(str(actual)) == Decimal(str(expected)), f"{what}: {actual} != {expected}"
        self.checked += 1

    @staticmethod
    def _ok(response, status: int) -> Any:
        assert response.status_code == status, f"{response.status_code}: {response.content[:500]!r}"
        return response.json()


def _ledger_snapshot() -> tuple:
    return (
        ItemLedgerEntry.objects.count(),
        ValueEntry.objects.count(),
        ItemApplicationEntry.objects.count(),
        list(
            ItemLedgerEntry.objects.order_by("entry_no").values_list("remaining_quantity", "open")
        ),
    )


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
