"""DOMAIN §3 reference example: receipts of 1 unit at 10, 20 and 30 on Jan 1 and single-unit
issues on Feb 1, Mar 1 and Apr 1, under each costing method. The final value is always 0."""

import pytest

from tests.engine.builders import D, Ledger


def reference(method: str):
    ledger = Ledger(method, standard_cost=15 if method == "standard" else None)
    r1, r2, r3 = (ledger.purchase("2020-01-01", 1, cost) for cost in (10, 20, 30))
    named = {"specific": (r2, r1, r3)}.get(method, (None, None, None))
    issues = [
        ledger.sale(f"2020-0{m}-01", 1, applies_to=entry)
        for m, entry in zip((2, 3, 4), named, strict=True)
    ]
    return ledger, issues


SCENARIOS = [
    lambda method=method: reference(method)
    for method in ("fifo", "lifo", "average", "standard", "specific")
]


@pytest.mark.parametrize(
    "method, costs",
    [
        ("fifo", (-10, -20, -30)),
        ("lifo", (-30, -20, -10)),
        ("average", (-20, -20, -20)),  # (10 + 20 + 30) / 3
        ("standard", (-15, -15, -15)),
        ("specific", (-20, -10, -30)),  # fixed to entries 2, 1, 3
    ],
)
def test_each_costing_method_values_the_reference_issues_as_documented(method, costs):
    ledger, issues = reference(method)
    ledger.adjust()
    assert tuple(ledger.cost(s) for s in issues) == tuple(D(c) for c in costs)
    assert ledger.inventory() == (0, 0)
