"""Properties over every scenario of the other engine test files.

- Idempotence: once a plan is written, adjusting again finds nothing to do.
- History does not matter: adjusting after every posting (Automatic Cost Adjustment = Always)
  ends with the same costs as adjusting once at the end.
- Adjustment never changes quantities, and for an item used up and invoiced it leaves the
  value at zero (DOMAIN §3: "The final value is always 0").
"""

import pytest

from tests.engine import (
    test_applied_cost,
    test_average_cost,
    test_cost_loops,
    test_costing_methods,
    test_indirect_cost,
    test_negative_inventory,
    test_returns,
    test_revaluation,
    test_rounding,
    test_standard_cost,
    test_transfers,
)
from tests.engine.builders import adjusting_always

MODULES = [
    test_applied_cost,
    test_average_cost,
    test_cost_loops,
    test_costing_methods,
    test_indirect_cost,
    test_negative_inventory,
    test_returns,
    test_revaluation,
    test_rounding,
    test_standard_cost,
    test_transfers,
]


def _id(module, index: int, scenario) -> str:
    name = scenario.__name__ if scenario.__name__ != "<lambda>" else str(index)
    return f"{module.__name__.rsplit('.', 1)[-1].removeprefix('test_')}-{name}"


SCENARIOS = [
    pytest.param(scenario, id=_id(module, index, scenario))
    for module in MODULES
    for index, scenario in enumerate(module.SCENARIOS)
]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_adjusting_again_after_writing_the_plan_finds_nothing_to_do(scenario):
    ledger = scenario()[0]
    ledger.adjust()
    again = ledger.plan()
    assert again.new_values == []
    assert again.complete is True


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_adjusting_after_every_posting_ends_with_the_same_costs_as_adjusting_once(scenario):
    once = scenario()[0]
    once.adjust()
    with adjusting_always():
        always = scenario()[0]
    assert always.plan().new_values == []
    assert always.costs() == once.costs()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_adjustment_moves_value_only_and_leaves_nothing_on_an_item_used_up(scenario):
    ledger = scenario()[0]
    quantity_before, _ = ledger.inventory()
    ledger.adjust()
    quantity, value = ledger.inventory()
    assert quantity == quantity_before
    # Used up: no entry open, all invoiced (DOMAIN §7: rounding waits for the invoice).
    settled = all(
        e.remaining == 0 and e.invoiced_quantity == e.quantity for e in ledger.entries.values()
    )
    if settled:
        assert value == 0
