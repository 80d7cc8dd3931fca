"""Order-level cost adjustment (spec §6.2 point 3, §6.6, §9): pure Python, no I/O.

A production or assembly order gathers cost: the components consumed into it (material),
capacity spent on it (work centers or resources: capacity, subcontracted, capacity overhead) and
the manufacturing overhead of the output item (indirect cost % of all that plus the overhead
rate per unit of output). Its output must carry exactly that cost:

- direct cost = material + capacity + subcontracted + capacity overhead (what leaves WIP),
- indirect cost = manufacturing overhead (Overhead Applied),
- for a Standard output item, one variance per component = its standard share - its actual
  cost, so the output stays at standard cost (spec §9: variance = actual - standard, posted as
  value that takes the output back to standard).

Like the item engine, it computes what each output entry should carry and returns the
differences, so a rerun finds nothing and a late component cost adds only its delta.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from costing.engine.money import ZERO, allocate, q_amount
from costing.engine.types import DIRECT, INDIRECT, VARIANCE

HUNDRED = Decimal(100)
MATERIAL = "material"
CAPACITY = "capacity"
SUBCONTRACTED = "subcontracted"
CAPACITY_OVERHEAD = "capacity_overhead"
MANUFACTURING_OVERHEAD = "manufacturing_overhead"
VARIANCE_TYPES = (MATERIAL, CAPACITY, SUBCONTRACTED, CAPACITY_OVERHEAD, MANUFACTURING_OVERHEAD)


@dataclass(frozen=True, slots=True)
class OutputValue:
    """A value entry of an output entry (revaluations and rounding are left out: they are the
    item's business, not the order's)."""

    entry_no: int
    entry_type: str
    variance_type: str
    actual: Decimal
    expected: Decimal


@dataclass(frozen=True)
class OutputEntry:
    entry_no: int
    quantity: Decimal
    values: tuple[OutputValue, ...] = ()


@dataclass(frozen=True)
class OrderCosts:
    """What the order gathered (positive amounts): consumption and capacity cost."""

    material: Decimal = ZERO
    capacity: Decimal = ZERO
    subcontracted: Decimal = ZERO
    capacity_overhead: Decimal = ZERO


@dataclass(frozen=True)
class OutputItem:
    standard: bool
    standard_cost: Decimal = ZERO  # per unit, the whole standard cost
    capacity_cost: Decimal = ZERO  # per unit, the standard shares (spec §9 roll-up)
    subcontracted_cost: Decimal = ZERO
    cap_overhead_cost: Decimal = ZERO
    mfg_overhead_cost: Decimal = ZERO
    indirect_cost_pct: Decimal = ZERO
    overhead_rate: Decimal = ZERO

    def standard_shares(
        self, quantity: Decimal, total: Decimal | None = None
    ) -> dict[str, Decimal]:
        """The standard cost of `quantity` (`total`, or at today's standard cost) by component;
        material takes what the others leave, so the shares always add up to it."""
        shares = {
            CAPACITY: q_amount(self.capacity_cost * quantity),
            SUBCONTRACTED: q_amount(self.subcontracted_cost * quantity),
            CAPACITY_OVERHEAD: q_amount(self.cap_overhead_cost * quantity),
            MANUFACTURING_OVERHEAD: q_amount(self.mfg_overhead_cost * quantity),
        }
        if total is None:
            total = q_amount(self.standard_cost * quantity)
        shares[MATERIAL] = total - sum(shares.values(), ZERO)
        return shares


@dataclass(frozen=True)
class OrderGraph:
    order_type: str
    order_no: str
    item: OutputItem
    costs: OrderCosts
    outputs: tuple[OutputEntry, ...]


@dataclass(frozen=True, slots=True)
class OrderValue:
    """A value entry to add to output entry `ile`; `applies_to` is the output's first value
    entry (None while the output is being posted)."""

    ile: int
    entry_type: str
    variance_type: str
    applies_to: int | None
    actual: Decimal
    expected: Decimal


@dataclass
class OrderPlan:
    order_type: str
    order_no: str
    material: Decimal = ZERO
    capacity: Decimal = ZERO
    subcontracted: Decimal = ZERO
    capacity_overhead: Decimal = ZERO
    manufacturing_overhead: Decimal = ZERO
    new_values: list[OrderValue] = field(default_factory=list)

    @property
    def cost_difference(self) -> Decimal:
        return sum((v.actual + v.expected for v in self.new_values), ZERO)


def manufacturing_overhead(item: OutputItem, costs: OrderCosts, quantity: Decimal) -> Decimal:
    """Spec §9: (material + capacity + subcontracted + capacity overhead) x indirect % / 100,
    plus the overhead rate per unit of output."""
    base = costs.material + costs.capacity + costs.subcontracted + costs.capacity_overhead
    return q_amount(base * item.indirect_cost_pct / HUNDRED + item.overhead_rate * quantity)


def adjust_order(graph: OrderGraph) -> OrderPlan:
    """The value entries that bring the order's output to its actual cost."""
    costs = graph.costs
    quantity = sum((o.quantity for o in graph.outputs), ZERO)
    overhead = manufacturing_overhead(graph.item, costs, quantity)
    plan = OrderPlan(
        graph.order_type,
        graph.order_no,
        material=costs.material,
        capacity=costs.capacity,
        subcontracted=costs.subcontracted,
        capacity_overhead=costs.capacity_overhead,
        manufacturing_overhead=overhead,
    )
    if not graph.outputs or quantity <= 0:
        return plan  # nothing came out: the cost stays in WIP
    weights = [o.quantity for o in graph.outputs]
    actual = {
        MATERIAL: allocate(costs.material, weights),
        CAPACITY: allocate(costs.capacity, weights),
        SUBCONTRACTED: allocate(costs.subcontracted, weights),
        CAPACITY_OVERHEAD: allocate(costs.capacity_overhead, weights),
        MANUFACTURING_OVERHEAD: allocate(overhead, weights),
    }
    for index, output in enumerate(graph.outputs):
        mine = {kind: parts[index] for kind, parts in actual.items()}
        plan.new_values.extend(_differences(graph.item, output, mine))
    return plan


def _differences(item: OutputItem, output: OutputEntry, mine: dict[str, Decimal]) -> list:
    direct_target = mine[MATERIAL] + mine[CAPACITY] + mine[SUBCONTRACTED] + mine[CAPACITY_OVERHEAD]
    targets: dict[tuple[str, str], Decimal] = {
        (DIRECT, ""): direct_target,
        (INDIRECT, ""): mine[MANUFACTURING_OVERHEAD],
    }
    if item.standard:
        # Spec §9: the standard is fixed when the output is first adjusted; later adjustments
        # (a component's late cost) keep it, even if the standard cost has changed since (a
        # revaluation changes the value, not the variance, §8).
        adjusted = any(v.actual for v in output.values)
        carried = sum((v.actual + v.expected for v in output.values), ZERO)
        standard = item.standard_shares(output.quantity, carried if adjusted else None)
        for kind in VARIANCE_TYPES:
            targets[(VARIANCE, kind)] = standard[kind] - mine[kind]
    actual_now: dict[tuple[str, str], Decimal] = {}
    expected_now = ZERO
    for value in output.values:
        key = (value.entry_type, value.variance_type if value.entry_type == VARIANCE else "")
        actual_now[key] = actual_now.get(key, ZERO) + value.actual
        expected_now += value.expected
    original = output.values[0].entry_no if output.values else None
    found: list[OrderValue] = []
    keys = list(targets) + sorted(k for k in actual_now if k not in targets)
    for key in keys:
        entry_type, variance_type = key
        difference = targets.get(key, ZERO) - actual_now.get(key, ZERO)
        # The expected cost posted with the output is released by the direct cost entry that
        # makes it actual, as an invoice does (spec §2).
        release = -expected_now if entry_type == DIRECT else ZERO
        if difference or release:
            found.append(
                OrderValue(
                    output.entry_no, entry_type, variance_type, original, difference, release
                )
            )
    return found
