"""Cost adjustment of one item (spec §4, §6, §7, §8): pure Python, no I/O.

Instead of replaying Business Central's flag-driven passes, the engine computes the cost every
cost recipient *should* carry from the cost sources it is linked to, compares that with what it
carries now, and returns the differences as adjustment value entries. So a second run finds
nothing to do, and the result does not depend on how often adjustment ran before.

- Cost sources: inbound entries with a cost of their own (purchases, positive adjustments,
  output, returns without a cost application). Their value entries are the facts.
- Cost recipients: outbound entries, and inbound entries that take their cost from an outbound
  one (transfer receipts, returns applied from a sale).
- FIFO, LIFO, Specific, Standard, and any fixed application: an outbound entry costs what it used
  of each inbound entry, pro rata (spec §6.3). A revaluation of an inbound entry reaches an
  outbound entry posted after it, or dated after it (spec §8).
- Average: per entry point (the item, or the item at a location and variant) and per average
  cost period, outbound entries cost the period's average: opening value plus the period's
  increases, less its fixed-applied decreases, over the same quantities (spec §4.2). A
  revaluation counts from the end of its period on.
- Rounding: an average outbound carries the residual of the one before it (spec §7); for the
  other methods, an inbound entry that is used up gets one Rounding entry so that what went out
  equals what came in to the cent.
- Cost loops: an average pool can hold part of its own cost (stock sent to another location and
  back in one period). The nodes of such a loop are solved together, by passes from no derived
  cost until the costs agree, so the answer is the loop's own, not what earlier runs left.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from operator import attrgetter

from costing.engine.money import ZERO, allocate, q_amount
from costing.engine.periods import period_end
from costing.engine.types import (
    DIRECT,
    REVALUATION,
    ROUNDING,
    Application,
    Entry,
    ItemGraph,
    ItemPlan,
    NewValue,
    TraceRecord,
    Value,
)

Group = tuple[str, str]  # location, variant of an average entry point ("", "" per item)
Node = tuple  # ("out", entry_no) | ("rec", entry_no) | ("per", group, period_end)
# Passes over a cost loop at most: each pass sends round a fraction of the cost, so a few give
# the cent; the bound only stops a loop that sends round (nearly) all of its pool.
_LOOP_PASSES = 200


class Loop(list):
    """The nodes of one cost loop, in the order a pass computes them."""


def adjust_item(graph: ItemGraph) -> ItemPlan:
    return _Adjustment(graph).plan()


class _Adjustment:
    def __init__(self, graph: ItemGraph):
        self.graph = graph
        self.settings = graph.settings
        self.average = self.settings.costing_method == "average"
        self.entries = graph.entries
        self.values: dict[int, list[Value]] = defaultdict(list)
        for value in sorted(graph.values, key=attrgetter("entry_no")):
            self.values[value.ile].append(value)
        self.uses_of: dict[int, list[Application]] = defaultdict(list)  # by outbound
        self.used_from: dict[int, list[Application]] = defaultdict(list)  # by inbound
        for app in sorted(graph.applications, key=attrgetter("entry_no")):
            self.uses_of[app.outbound].append(app)
            self.used_from[app.inbound].append(app)
        # Each entry's value entries are read once, here (they are in entry order).
        self.first_value_no = {ile: vs[0].entry_no for ile, vs in self.values.items()}
        self.valuation_date = {ile: vs[0].valuation_date for ile, vs in self.values.items()}
        self._derived: dict[int, tuple[Decimal, Decimal]] = {}
        self._own: dict[int, Decimal] = {}
        self._revals: dict[int, list[Value]] = {}
        self._originals: dict[int, list[Value]] = {}  # direct cost as posted, no item charges
        self._unit: dict[int, Decimal] = {}  # cost sources' unit cost before revaluations
        for ile, vs in self.values.items():
            entry = self.entries.get(ile)
            recipient = entry is not None and (
                not entry.positive or self.is_recipient_inbound(entry)
            )
            actual = expected = own = ZERO
            revals = []
            originals = []
            for value in vs:
                if value.entry_type == REVALUATION:
                    revals.append(value)
                    continue
                if value.entry_type == ROUNDING:
                    continue
                if value.entry_type == DIRECT and not value.item_charge:
                    if not value.adjustment:
                        originals.append(value)
                    actual += value.actual
                    expected += value.expected
                    if recipient:
                        continue
                own += value.actual + value.expected
            self._derived[ile] = (actual, expected)
            self._own[ile] = own
            self._revals[ile] = revals
            self._originals[ile] = originals
        if self.average:
            self._move_covered_decreases()
        # Results of the nodes, filled in dependency order.
        self.target: dict[int, Decimal] = {}  # recipient entry -> full cost it should carry
        self.shares: dict[int, Decimal] = defaultdict(lambda: ZERO)  # inbound -> rounded use
        self.closing: dict[tuple[Group, dt.date], tuple[Decimal, Decimal]] = {}
        self._periods = self._average_periods() if self.average else {}

    def _move_covered_decreases(self) -> None:
        """Spec §4.3: a decrease is never valued before what it used. Posted with nothing on
        hand, it is valued when the increase that covered it arrived; fixed-applied to a return
        whose own date moved, it moves with it (it leaves the pool the return came back to). A
        transfer receipt or a return is never valued before what it takes its cost from.
        Repeated until nothing moves, since one move can cause another along a chain."""
        dates = self.valuation_date
        for _ in range(len(self.entries) + 1):
            moved = False
            for ile, entry in sorted(self.entries.items()):
                if ile not in dates:
                    continue
                if entry.positive:
                    later = [dates.get(entry.applies_from)] if entry.applies_from else []
                else:  # fixed-applied or not: never valued before what it used (spec §4.3)
                    later = [dates.get(app.inbound) for app in self.uses_of[ile]]
                latest = max(filter(None, later), default=None)
                if latest and latest > dates[ile]:
                    dates[ile] = latest
                    moved = True
            if not moved:
                return

    def _inner(self, ile: int, node: Node) -> bool:
        """A fixed-applied decrease that uses a receipt or return taking its cost from `node`'s
        own period: it is valued inside that period, after what it uses."""
        for app in self.uses_of[ile]:
            inbound = self.entries.get(app.inbound)
            if inbound is not None and self.is_recipient_inbound(inbound):
                source = self.entries.get(inbound.applies_from)
                if source is not None and self.node_of_outbound(source) == node:
                    return True
        return False

    # -- classification ----------------------------------------------------------------------

    def is_recipient_inbound(self, entry: Entry) -> bool:
        return entry.positive and entry.applies_from is not None

    def is_average_valued(self, entry: Entry) -> bool:
        return self.average and not entry.positive and entry.applies_to is None

    def group(self, entry: Entry) -> Group:
        if self.settings.average_per_location:
            return (entry.location, entry.variant)
        return ("", "")

    def period(self, day: dt.date) -> dt.date:
        return period_end(day, self.settings.average_period, self.settings.accounting_period_starts)

    # -- what entries carry now ----------------------------------------------------------------

    def derived_now(self, ile: int) -> tuple[Decimal, Decimal]:
        """The part of a recipient's cost that comes from elsewhere: its direct cost, not item
        charges (actual, expected)."""
        return self._derived.get(ile, (ZERO, ZERO))

    def own_cost(self, ile: int) -> Decimal:
        """What an entry carries besides the derived part, revaluations and rounding."""
        return self._own.get(ile, ZERO)

    def base_cost(self, ile: int) -> Decimal:
        """An inbound entry's cost before revaluations and rounding."""
        entry = self.entries[ile]
        if self.is_recipient_inbound(entry):
            derived = self.target.get(ile)
            if derived is None:  # its source is not valued in this graph: keep what it has
                derived = sum(self.derived_now(ile))
            return derived + self.own_cost(ile)
        return self.own_cost(ile)

    def revaluations(self, ile: int) -> list[Value]:
        return self._revals.get(ile, [])

    def unit_cost_for(self, inbound: int, outbound: Entry) -> Decimal:
        """What one unit of `inbound` costs the outbound entry (spec §8: a revaluation counts
        for outbound entries posted after it, or dated after it)."""
        unit = self._unit.get(inbound)
        if unit is None:
            entry = self.entries[inbound]
            unit = self.base_cost(inbound) / entry.quantity
            if not self.is_recipient_inbound(entry):
                self._unit[inbound] = unit  # a source's own cost does not change during a run
        revals = self._revals.get(inbound)
        if not revals:
            return unit
        first = self.first_value_no.get(outbound.entry_no, 0)
        for reval in revals:
            if reval.valued_quantity and (
                first > reval.entry_no or outbound.posting_date > reval.posting_date
            ):
                unit += reval.actual / reval.valued_quantity
        return unit

    # -- the nodes -------------------------------------------------------------------------------

    def deps(self, node: Node) -> list[Node]:
        kind = node[0]
        if kind == "out":
            return [
                ("rec", app.inbound)
                for app in self.uses_of[node[1]]
                if app.inbound in self.entries
                and self.is_recipient_inbound(self.entries[app.inbound])
            ]
        if kind == "rec":
            source = self.entries.get(self.entries[node[1]].applies_from)
            if source is None:
                return []
            return [self.node_of_outbound(source)]
        _, group, day = node
        periods = self._periods[group]
        found = []
        index = periods["position"][day]
        if index:
            found.append(("per", group, periods["order"][index - 1]))
        for ile in periods[day]["recipients"]:
            source = self.entries.get(self.entries[ile].applies_from)
            if source is not None and self.node_of_outbound(source) != node:
                found.append(("rec", ile))
        found.extend(("out", ile) for ile in periods[day]["fixed"] if not self._inner(ile, node))
        return found

    def node_of_outbound(self, entry: Entry) -> Node:
        if self.is_average_valued(entry):
            return ("per", self.group(entry), self.period(self.valuation_date[entry.entry_no]))
        return ("out", entry.entry_no)

    def compute(self, node: Node) -> None:
        kind = node[0]
        if kind == "out":
            self._outbound(self.entries[node[1]])
        elif kind == "rec":
            self._recipient(self.entries[node[1]])
        else:
            self._average_period(node[1], node[2])

    def _outbound(self, entry: Entry) -> None:
        """Applied cost (spec §6.3): what it used of each inbound entry, pro rata."""
        contributions: list[Decimal] = []
        used = ZERO
        apps = self.uses_of[entry.entry_no]
        for app in apps:
            contributions.append(-app.quantity * self.unit_cost_for(app.inbound, entry))
            used += app.quantity
        unapplied = -entry.quantity - used
        first = self.values[entry.entry_no][0] if self.values[entry.entry_no] else None
        if unapplied and first is not None:
            # Negative inventory still uncovered: it keeps the cost it was posted with.
            contributions.append(-unapplied * (first.cost_per_unit or ZERO))
        total = q_amount(sum(contributions, ZERO))
        self.target[entry.entry_no] = total
        if len(contributions) == 1 and apps:
            self.shares[apps[0].inbound] += total  # what allocate() gives a single part
            return
        for app, share in zip(apps, allocate(total, contributions), strict=False):
            self.shares[app.inbound] += share

    def _recipient(self, entry: Entry) -> None:
        """A transfer receipt or a return carries the cost of the outbound it came from."""
        source = self.entries.get(entry.applies_from)
        if source is None or source.entry_no not in self.target:
            return
        cost = -self.target[source.entry_no] * entry.quantity / -source.quantity
        self.target[entry.entry_no] = q_amount(cost)

    # -- average cost -----------------------------------------------------------------------------

    def _average_periods(self) -> dict[Group, dict]:
        """For every entry point and period: its increases, decreases and revaluations."""
        periods: dict[Group, dict] = defaultdict(dict)

        def bucket(group: Group, day: dt.date) -> dict:
            slot = periods[group].get(day)
            if slot is None:
                slot = {"sources": [], "recipients": [], "fixed": [], "average": [], "revals": []}
                periods[group][day] = slot
            return slot

        for ile, entry in self.entries.items():
            if ile not in self.valuation_date:
                continue
            slot = bucket(self.group(entry), self.period(self.valuation_date[ile]))
            if not entry.positive:
                slot["average" if self.is_average_valued(entry) else "fixed"].append(ile)
            elif self.is_recipient_inbound(entry):
                slot["recipients"].append(ile)
            else:
                slot["sources"].append(ile)
            for reval in self.revaluations(ile):
                bucket(self.group(entry), self.period(reval.valuation_date))["revals"].append(reval)
        for slots in periods.values():
            slots["order"] = sorted(day for day in slots if day != "order")
            slots["position"] = {day: index for index, day in enumerate(slots["order"])}
        return periods

    def _average_period(self, group: Group, day: dt.date) -> None:
        """Spec §4.2: the period's pool is the value and quantity carried in plus the
        period's increases, less its fixed-applied decreases. Then, in posting order, each
        decrease takes its share of the pool as it stands (a decrease that empties it takes
        exactly what is left, §7), a return from a decrease of this period comes back at that
        decrease's cost, and a revaluation counts for what is posted after it (BC's
        revaluation point)."""
        slots = self._periods[group]
        slot = slots[day]
        index = slots["position"][day]
        value, quantity = ZERO, ZERO
        if index:
            value, quantity = self.closing.get((group, slots["order"][index - 1]), (ZERO, ZERO))
        events: list[tuple[int, str, object]] = []
        for ile in slot["sources"]:
            value += self.base_cost(ile)
            quantity += self.entries[ile].quantity
        for ile in slot["recipients"]:
            source = self.entries.get(self.entries[ile].applies_from)
            if source is not None and self.node_of_outbound(source) == ("per", group, day):
                events.append((self.first_value_no[ile], "return", ile))
                continue
            value += self.base_cost(ile)
            quantity += self.entries[ile].quantity
        node = ("per", group, day)
        for ile in slot["fixed"]:
            if self._inner(ile, node):
                events.append((self.first_value_no[ile], "fixed", ile))
                continue
            value += self.target.get(ile, sum(self.derived_now(ile)))
            quantity += self.entries[ile].quantity
        events.extend((self.first_value_no[ile], "decrease", ile) for ile in slot["average"])
        events.extend((reval.entry_no, "revaluation", reval) for reval in slot["revals"])
        for _, kind, subject in sorted(events, key=lambda event: event[0]):
            if kind == "revaluation":
                value += subject.actual
                continue
            entry = self.entries[subject]
            if kind == "return":
                self._recipient(entry)
                value += self.base_cost(subject)
                quantity += entry.quantity
                continue
            if kind == "fixed":
                self._outbound(entry)
                value += self.target[subject]
                quantity += entry.quantity
                continue
            if quantity <= 0 or value < 0:
                cost = sum(self.derived_now(subject))  # nothing on hand to average: leave it
            elif quantity + entry.quantity == 0:
                cost = -value
            else:
                cost = q_amount(value * entry.quantity / quantity)
            self.target[subject] = cost
            value += cost
            quantity += entry.quantity
        self.closing[(group, day)] = (value, quantity)

    # -- putting it together ----------------------------------------------------------------------

    def _roots(self) -> list[Node]:
        roots: list[Node] = []
        for ile, entry in sorted(self.entries.items()):
            if ile not in self.valuation_date:
                continue
            if not entry.positive:
                roots.append(self.node_of_outbound(entry))
            elif self.is_recipient_inbound(entry):
                roots.append(("rec", ile))
        return roots

    def order(self) -> list[Node | Loop]:
        """All nodes, each after the nodes it depends on (iterative: chains can be long). The
        nodes of a cost loop come together, as one Loop, after what the loop depends on."""
        ordered, looped = self._depth_first()
        return self._components(ordered) if looped else ordered

    def _depth_first(self) -> tuple[list[Node], bool]:
        """Post-order of the dependencies, and whether a cost loop was met."""
        done: set[Node] = set()
        visiting: set[Node] = set()
        ordered: list[Node] = []
        looped = False
        for root in self._roots():
            if root in done:
                continue
            stack: list[tuple[Node, bool]] = [(root, False)]
            while stack:
                node, expanded = stack.pop()
                if node in done:
                    continue
                if expanded:
                    visiting.discard(node)
                    done.add(node)
                    ordered.append(node)
                    continue
                if node in visiting:
                    looped = True
                    continue
                pending = [d for d in self.deps(node) if d not in done]
                if not pending:  # most nodes: nothing to wait for, done at once
                    done.add(node)
                    ordered.append(node)
                    continue
                if not visiting.isdisjoint(pending):
                    looped = True
                    pending = [d for d in pending if d not in visiting]
                visiting.add(node)
                stack.append((node, True))
                stack.extend((dep, False) for dep in pending)
        return ordered, looped

    def _components(self, ordered: list[Node]) -> list[Node | Loop]:
        """Strongly connected components of the dependencies (Tarjan's, iterative), each after
        those it depends on. A component of more than one node, or of a node that depends on
        itself, is a Loop; its nodes keep the depth-first order (periods in date order)."""
        position = {node: at for at, node in enumerate(ordered)}
        index: dict[Node, int] = {}
        low: dict[Node, int] = {}
        on_stack: set[Node] = set()
        stack: list[Node] = []
        found: list[Node | Loop] = []

        def enter(node: Node) -> None:
            index[node] = low[node] = len(index)
            stack.append(node)
            on_stack.add(node)
            work.append((node, iter(self.deps(node))))

        for root in self._roots():
            if root in index:
                continue
            work: list[tuple[Node, Iterator[Node]]] = []
            enter(root)
            while work:
                node, children = work[-1]
                for child in children:
                    if child not in index:
                        enter(child)
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                else:
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
                    if low[node] != index[node]:
                        continue
                    members = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == node:
                            break
                    if len(members) == 1 and node not in self.deps(node):
                        found.append(node)
                    else:
                        found.append(Loop(sorted(members, key=position.__getitem__)))
        return found

    def _owned(self, node: Node) -> list[int]:
        """The entries whose cost `node` computes, and for a period those it reads from the
        nodes it depends on (its other receipts and fixed-applied decreases)."""
        if node[0] != "per":
            return [node[1]]
        slot = self._periods[node[1]][node[2]]
        return [*slot["average"], *slot["recipients"], *slot["fixed"]]

    def _settle(self, loop: Loop) -> bool:
        """A cost loop: posting keeps them out (architecture.md), but one can close through an
        average pool, whose average then holds part of its own cost. Solved by fixed-point
        iteration that starts from no derived cost, never from what the entries carry, so the
        result does not depend on earlier runs. Each pass sends round only the share of the
        pool that the loop takes back, so the passes converge, to the cent in a few. False if
        the bound on passes stopped them first (the costs are then those of the last pass)."""
        owned = [ile for node in loop for ile in self._owned(node)]
        for ile in owned:  # the loop's own start at zero; what it depends on is computed
            self.target.setdefault(ile, ZERO)
        # Shares of inbound entries (for rounding) are added up once, by the last pass.
        used = {app.inbound for ile in owned if ile in self.uses_of for app in self.uses_of[ile]}
        shares = {inbound: self.shares[inbound] for inbound in used}
        for _ in range(_LOOP_PASSES):
            before = [self.target[ile] for ile in owned]
            self.shares.update(shares)
            for node in loop:
                self.compute(node)
            if [self.target[ile] for ile in owned] == before:
                return True
        return False

    def plan(self) -> ItemPlan:
        plan = ItemPlan(self.graph.item_id)
        trace = self.settings.trace
        for step in self.order():
            if isinstance(step, Loop):
                settled = self._settle(step)
                if trace:
                    plan.trace.append(self._trace_loop(step, settled))
                    plan.trace.extend(self._trace_pools(step))
            else:
                self.compute(step)
                if trace:
                    plan.trace.extend(self._trace_pools((step,)))
        until = self.settings.until
        for ile, target in sorted(self.target.items()):
            differences = self._differences(self.entries[ile], target)
            if until is not None and self.valuation_date[ile] > until:
                plan.complete = plan.complete and not differences
                continue
            plan.new_values.extend(differences)
            if self.settings.trace and differences:
                plan.trace.append(self._trace_adjusted(self.entries[ile], differences))
        if not self.average:
            for ile, entry in sorted(self.entries.items()):
                rounding = self._rounding(entry)
                if rounding is None:
                    continue
                if until is not None and self.valuation_date.get(ile, until) > until:
                    plan.complete = False
                    continue
                plan.new_values.append(rounding)
                if self.settings.trace:
                    plan.trace.append(
                        TraceRecord(
                            "rounding_residual",
                            ile,
                            entry.location,
                            entry.variant,
                            self.valuation_date.get(ile),
                            rounding.actual,
                        )
                    )
        return plan

    def _trace_pools(self, nodes: Iterable[Node]) -> list[TraceRecord]:
        """An average entry point for each period node (location, variant, period end)."""
        return [
            TraceRecord("average_entry_point", None, node[1][0], node[1][1], node[2])
            for node in nodes
            if node[0] == "per"
        ]

    def _trace_loop(self, loop: Loop, settled: bool) -> TraceRecord:
        """Named by its earliest pool (by date, then location and variant)."""
        pools = [node for node in loop if node[0] == "per"]
        earliest = min(pools, key=lambda node: (node[2], node[1]), default=(None, ("", ""), None))
        _, (location, variant), day = earliest
        event = "cost_loop_solved" if settled else "cost_loop_not_settled"
        return TraceRecord(event, None, location, variant, day)

    def _trace_adjusted(self, entry: Entry, differences: list[NewValue]) -> TraceRecord:
        if entry.positive:
            source = self.entries.get(entry.applies_from)
            event = (
                "inbound_transfer_adjusted"
                if source and source.entry_type == "transfer"
                else ("inbound_adjusted_from_outbound")
            )
        elif self.is_average_valued(entry):
            event = "average_outbound_adjusted"
        else:
            event = "outbound_adjusted"
        amount = sum((d.actual + d.expected for d in differences), ZERO)
        return TraceRecord(
            event,
            entry.entry_no,
            entry.location,
            entry.variant,
            self.valuation_date.get(entry.entry_no),
            amount,
        )

    def _differences(self, entry: Entry, target: Decimal) -> list[NewValue]:
        """Adjustment entries that bring a recipient's derived cost to `target`, split between
        actual (the invoiced share) and expected cost."""
        actual_now, expected_now = self.derived_now(entry.entry_no)
        if entry.invoiced_quantity == entry.quantity:
            # Fully invoiced, the common case: all actual cost (the target is rounded already).
            if target == actual_now and not expected_now:
                return []
            actual_target = q_amount(target)
        else:
            actual_target = q_amount(target * entry.invoiced_quantity / entry.quantity)
        expected_target = target - actual_target
        originals = self._originals.get(entry.entry_no, [])
        found: list[NewValue] = []
        if actual_target != actual_now and originals:
            invoiced = [v for v in originals if v.actual or not v.expected]
            adjusted = (invoiced or originals)[-1]
            found.append(
                NewValue(
                    entry.entry_no, DIRECT, adjusted.entry_no, actual_target - actual_now, ZERO
                )
            )
        if expected_target != expected_now and originals:
            found.append(
                NewValue(
                    entry.entry_no,
                    DIRECT,
                    originals[0].entry_no,
                    ZERO,
                    expected_target - expected_now,
                )
            )
        return found

    def _rounding(self, entry: Entry) -> NewValue | None:
        """Spec §7: a used-up, fully invoiced inbound entry gives what is left to a Rounding
        entry, so its outbound entries cost exactly what it did."""
        if not entry.positive or entry.invoiced_quantity != entry.quantity:
            return None
        used = sum((app.quantity for app in self.used_from[entry.entry_no]), ZERO)
        if used != entry.quantity:
            return None
        cost = self.base_cost(entry.entry_no) + sum(
            (r.actual for r in self.revaluations(entry.entry_no)), ZERO
        )
        residual = -(cost + self.shares[entry.entry_no])
        existing = sum(
            (v.actual for v in self.values[entry.entry_no] if v.entry_type == ROUNDING), ZERO
        )
        if residual == existing:
            return None
        directs = [
            v
            for v in self.values[entry.entry_no]
            if v.entry_type == DIRECT and not v.adjustment and not v.item_charge
        ]
        if not directs:
            return None
        return NewValue(entry.entry_no, ROUNDING, directs[-1].entry_no, residual - existing, ZERO)
