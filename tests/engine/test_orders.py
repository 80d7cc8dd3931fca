"""Order-level adjustment in the pure engine (DOMAIN §6.6, §9): what an output must carry."""

from decimal import Decimal

from costing.engine.orders import (
    OrderCosts,
    OrderGraph,
    OutputEntry,
    OutputItem,
    OutputValue,
    adjust_order,
)

D = Decimal
FIFO = OutputItem(standard=False, indirect_cost_pct=D("10"), overhead_rate=D("1"))


def graph(item, costs, *outputs):
    return OrderGraph("production", "PO1", item, costs, tuple(outputs))


def amounts(plan):
    return [(v.ile, v.entry_type, v.variance_type, v.actual, v.expected) for v in plan.new_values]


def test_the_output_takes_material_capacity_and_overhead_and_releases_its_expected_cost():
    costs = OrderCosts(material=D("30"), capacity=D("20"), capacity_overhead=D("10"))
    expected = OutputValue(100, "direct_cost", "", D("0"), D("40"))
    plan = adjust_order(graph(FIFO, costs, OutputEntry(1, D("2"), (expected,))))
    # Direct 30 + 20 + 10 = 60, expected 40 released; overhead 60 x 10 % + 2 x 1.00 = 8.
    assert amounts(plan) == [
        (1, "direct_cost", "", D("60"), D("-40")),
        (1, "indirect_cost", "", D("8.00"), D("0")),
    ]
    assert plan.manufacturing_overhead == D("8.00")
    assert plan.new_values[0].applies_to == 100


def test_several_outputs_share_the_cost_by_quantity_to_the_cent():
    costs = OrderCosts(material=D("10"))
    item = OutputItem(standard=False)
    plan = adjust_order(graph(item, costs, OutputEntry(1, D("1")), OutputEntry(2, D("2"))))
    # 10 over 1 + 2 units: 3.33 and 6.67 (cumulative rounding: the parts sum to 10.00).
    assert [(v.ile, v.actual) for v in plan.new_values] == [(1, D("3.33")), (2, D("6.67"))]


def test_a_rerun_adds_only_what_changed():
    costs = OrderCosts(material=D("30"))
    item = OutputItem(standard=False)
    carried = (
        OutputValue(100, "direct_cost", "", D("0"), D("25")),
        OutputValue(101, "direct_cost", "", D("30"), D("-25")),
    )
    assert adjust_order(graph(item, costs, OutputEntry(1, D("1"), carried))).new_values == []
    # A component's late invoice: material 30 -> 36 gives +6 on the output.
    later = adjust_order(graph(item, OrderCosts(material=D("36")), OutputEntry(1, D("1"), carried)))
    assert amounts(later) == [(1, "direct_cost", "", D("6"), D("0"))]


def test_a_standard_output_posts_one_variance_per_cost_component():
    item = OutputItem(
        standard=True,
        standard_cost=D("150"),
        capacity_cost=D("40"),
        mfg_overhead_cost=D("10"),
        overhead_rate=D("25"),
    )
    costs = OrderCosts(material=D("150"), capacity=D("120"), capacity_overhead=D("12"))
    expected = OutputValue(100, "direct_cost", "", D("0"), D("150"))
    plan = adjust_order(graph(item, costs, OutputEntry(1, D("1"), (expected,))))
    # Standard shares: material 150 - 40 - 10 = 100, capacity 40, mfg overhead 10; the
    # variance of each is standard - actual.
    assert amounts(plan) == [
        (1, "direct_cost", "", D("282"), D("-150")),
        (1, "indirect_cost", "", D("25.00"), D("0")),
        (1, "variance", "material", D("-50"), D("0")),
        (1, "variance", "capacity", D("-80"), D("0")),
        (1, "variance", "capacity_overhead", D("-12"), D("0")),
        (1, "variance", "manufacturing_overhead", D("-15.00"), D("0")),
    ]
    # 282 + 25 - 157 = 150: the output stays at standard cost.
    assert plan.cost_difference - D("-150") == D("150")


def test_a_subcontracted_variance_compares_subcontracting_with_its_standard_share():
    item = OutputItem(standard=True, standard_cost=D("50"), subcontracted_cost=D("20"))
    costs = OrderCosts(material=D("30"), subcontracted=D("26"))
    plan = adjust_order(graph(item, costs, OutputEntry(1, D("1"))))
    variances = {v.variance_type: v.actual for v in plan.new_values if v.entry_type == "variance"}
    # material 50 - 20 = 30 standard, 30 actual: none; subcontracted 20 - 26 = -6.
    assert variances == {"subcontracted": D("-6")}


def test_an_order_without_output_keeps_its_cost_in_wip():
    plan = adjust_order(graph(FIFO, OrderCosts(material=D("30"))))
    assert plan.new_values == [] and plan.material == D("30")


def test_a_late_cost_after_a_revaluation_keeps_the_standard_fixed_at_the_first_adjustment():
    """The chain was adjusted at standard 150 (282 direct, 25 overhead, -157 variances), then
    revalued to 140 (the item's standard cost is now 140). A late charge of 10 on the links
    raises material to 160: only the material variance moves (-50 -> -60), against the 150
    fixed at the first adjustment, so the output keeps carrying 150 (and 140 with the
    revaluation, which the order does not touch)."""
    item = OutputItem(
        standard=True,
        standard_cost=D("140"),
        capacity_cost=D("40"),
        mfg_overhead_cost=D("10"),
        overhead_rate=D("25"),
    )
    carried = (
        OutputValue(100, "direct_cost", "", D("0"), D("150")),
        OutputValue(101, "direct_cost", "", D("282"), D("-150")),
        OutputValue(102, "indirect_cost", "", D("25"), D("0")),
        OutputValue(103, "variance", "material", D("-50"), D("0")),
        OutputValue(104, "variance", "capacity", D("-80"), D("0")),
        OutputValue(105, "variance", "capacity_overhead", D("-12"), D("0")),
        OutputValue(106, "variance", "manufacturing_overhead", D("-15"), D("0")),
    )
    costs = OrderCosts(material=D("160"), capacity=D("120"), capacity_overhead=D("12"))
    plan = adjust_order(graph(item, costs, OutputEntry(1, D("1"), carried)))
    # Direct 292 (+10), overhead 25 (unchanged: no indirect %), material variance 100 - 160.
    assert amounts(plan) == [
        (1, "direct_cost", "", D("10"), D("0")),
        (1, "variance", "material", D("-10"), D("0")),
    ]
