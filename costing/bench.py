"""The costing benchmark behind `python manage.py bench_costing` (docs/performance.md).

It builds a deterministic synthetic ledger through the posting services, then times:

- posting: `item_journal_post` in bulk journals (lines per second, journal calls only);
- a full cost adjustment: `cost_adjustment_run()` over every item;
- an incremental adjustment: one late invoice at another price on a receipt whose cost reaches
  a chain of outbound entries (10,000 by default), then `cost_adjustment_run(item_filter=...)`.

The ledger: items of every costing method (Specific items' sales name their receipt), average
items with backdated entries, transfers between three locations, receipts posted uninvoiced and
invoiced later at another price (some in two parts), item charges on receipts, positive and
negative adjustments. Everything comes from `random.Random(seed)` and fixed dates, so two runs
with the same arguments on an empty database post the same ledger.

Memory stays bounded while building: items are simulated a group at a time (GROUP_ITEMS items
share each journal), and only that group's state is kept.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import heapq
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.apps import apps
from django.db import DatabaseError, connection, transaction

from costing.services import cost_adjustment_run
from inventory.models import (
    AssemblyOrder,
    AvgCostAdjmtEntryPoint,
    CapacityLedgerEntry,
    CostingMethod,
    InventoryAdjmtEntryOrder,
    InventoryPeriod,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    Location,
    ProductionOrder,
    ValueEntry,
    WorkCenter,
)
from inventory.services import (
    JournalLine,
    inventory_setup_update,
    item_charge_assign,
    item_create,
    item_journal_post,
    item_ledger_entry_invoice,
)

ITEM_PREFIX = "BENCH-"
PRODUCTION_MODELS = (CapacityLedgerEntry, InventoryAdjmtEntryOrder, ProductionOrder, AssemblyOrder)
CHAIN_ITEM_NO = "BENCH-CHAIN"
GL_DOCUMENT_NO = "BENCH"  # the bench's Post Inventory Cost to G/L; --reset deletes these
LOCATIONS = ("MAIN", "EAST", "WEST")
START = dt.date(2023, 1, 2)
SPAN_DAYS = 730  # each group's postings are spread over two years
GROUP_ITEMS = 20  # items simulated together; one journal holds lines of these items
# Regular items take their costing method from this cycle: every method within the first seven,
# Specific for one item in ten.
METHOD_CYCLE = (
    CostingMethod.FIFO,
    CostingMethod.AVERAGE,
    CostingMethod.LIFO,
    CostingMethod.STANDARD,
    CostingMethod.FIFO,
    CostingMethod.AVERAGE,
    CostingMethod.SPECIFIC,
    CostingMethod.FIFO,
    CostingMethod.AVERAGE,
    CostingMethod.LIFO,
)
MIN_ITEMS = len(set(METHOD_CYCLE)) + 3  # 7 regular items cover every method, plus the chain item
MIN_ENTRIES_PER_ITEM = 5
CENT = Decimal("0.01")
_D = [Decimal(i) for i in range(1001)]


def dec(n: int) -> Decimal:
    return _D[n] if 0 <= n <= 1000 else Decimal(n)


# -- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchConfig:
    entries: int
    items: int
    seed: int = 1
    journal_lines: int = 1000
    chain: int = 10_000  # outbound entries the incremental case's receipt reaches

    @classmethod
    def make(
        cls,
        entries: int,
        items: int | None = None,
        seed: int = 1,
        journal_lines: int = 1000,
        chain: int = 10_000,
    ) -> BenchConfig:
        """Fill in the defaults and check the numbers fit together (ValueError if not)."""
        if items is None:
            items = max(MIN_ITEMS, min(2000, entries // 500))
        if items < MIN_ITEMS:
            raise ValueError(f"--items must be at least {MIN_ITEMS} (every costing method).")
        if journal_lines < 1:
            raise ValueError("--journal-lines must be at least 1.")
        # The chain item takes at most half the ledger.
        chain = min(chain, entries // 2)
        if chain < 1:
            raise ValueError("--chain must be at least 1.")
        regular = entries - chain - 1
        if regular < MIN_ENTRIES_PER_ITEM * (items - 1):
            raise ValueError(
                f"--entries {entries} is too small for {items} items: each item needs at least "
                f"{MIN_ENTRIES_PER_ITEM} entries besides the chain item's "
                f"(try --entries {2 * (MIN_ENTRIES_PER_ITEM * (items - 1) + 1)} or fewer items)."
            )
        return cls(entries, items, seed, journal_lines, chain)


# -- progress ------------------------------------------------------------------------------------


class Progress:
    """A small progress bar for stderr, throttled: redrawn in place at most 4 times a second on
    a terminal, one plain line at most every 10 seconds otherwise (logs, nohup)."""

    def __init__(self, stream: TextIO | Any, label: str, total: int, unit: str = "entries"):
        self.stream = stream
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
        isatty = getattr(stream, "isatty", None)
        self.tty = bool(isatty and isatty())
        self.interval = 0.25 if self.tty else 10.0
        self.started = time.perf_counter()
        self.last_drawn = self.started
        self.done = 0

    def update(self, done: int) -> None:
        self.done = done
        now = time.perf_counter()
        if now - self.last_drawn >= self.interval:
            self.last_drawn = now
            self._draw(now, final=False)

    def close(self) -> None:
        self._draw(time.perf_counter(), final=True)

    def _draw(self, now: float, *, final: bool) -> None:
        elapsed = now - self.started
        fraction = min(self.done / self.total, 1.0)
        width = 30
        filled = int(fraction * width)
        rate = self.done / elapsed if elapsed > 0 else 0.0
        if final:
            tail = f"{elapsed:.1f}s"
        elif rate > 0:
            tail = f"eta {_duration((self.total - self.done) / rate)}"
        else:
            tail = "eta ?"
        text = (
            f"{self.label:<12} [{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} "
            f"{self.done:,}/{self.total:,} {self.unit}  {rate:,.0f}/s  {tail}"
        )
        if self.tty:
            self._write("\r" + text + ("\n" if final else ""))
        else:
            self._write(text + "\n")

    def _write(self, text: str) -> None:
        _write(self.stream, text)


def _write(stream: TextIO | Any, text: str) -> None:
    try:
        stream.write(text, ending="")  # Django's OutputWrapper adds no newline of its own
    except TypeError:
        stream.write(text)
    stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class LoadSampler:
    """The machine's 1-minute load average, sampled as the run goes: on a 2-core machine,
    anything else running (a test suite, another benchmark) shows here and skews the figures."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.last = 0.0

    def sample(self) -> None:
        now = time.perf_counter()
        if now - self.last >= 5.0:
            self.last = now
            self.samples.append(os.getloadavg()[0])

    def figures(self) -> dict[str, float | None]:
        if not self.samples:
            return {"load_avg_1m_mean": None, "load_avg_1m_max": None}
        return {
            "load_avg_1m_mean": round(sum(self.samples) / len(self.samples), 2),
            "load_avg_1m_max": round(max(self.samples), 2),
        }


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.platform == "darwin":
        peak /= 1024
    return round(peak / 1024, 1)


class Profiler:
    """Optional cProfile per phase: writes PREFIX-PHASE.prof when a prefix is given."""

    def __init__(self, prefix: str | None):
        self.prefix = prefix

    def phase(self, name: str) -> _ProfilePhase:
        return _ProfilePhase(f"{self.prefix}-{name}.prof" if self.prefix else None)


class _ProfilePhase:
    def __init__(self, path: str | None):
        self.path = path
        self.profile = cProfile.Profile() if path else None

    def __enter__(self) -> _ProfilePhase:
        if self.profile:
            self.profile.enable()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.profile:
            self.profile.disable()
            self.profile.dump_stats(self.path)


# -- the database --------------------------------------------------------------------------------

LEDGER_MODELS = (ItemApplicationEntry, ValueEntry, AvgCostAdjmtEntryPoint, ItemLedgerEntry)
LEDGER_MODELS += PRODUCTION_MODELS  # production orders: see post_production_orders


def ledger_entry_count() -> int:
    return ItemLedgerEntry.objects.count()


def tables_to_empty() -> list[str]:
    """The inventory ledgers and every table that refers to them (those must go too)."""
    targets = set(LEDGER_MODELS)
    found = list(LEDGER_MODELS)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in targets:
                continue
            for f in model._meta.get_fields():
                if f.concrete and f.is_relation and f.related_model in targets:
                    targets.add(model)
                    found.insert(0, model)
                    changed = True
                    break
    return [m._meta.db_table for m in found]


def reset_database(warn: Callable[[str], None]) -> None:
    """Empty the inventory ledgers of this database and delete the bench's items."""
    tables = tables_to_empty()
    name = connection.settings_dict.get("NAME")
    warn(
        f"WARNING: --reset deletes ALL inventory ledger data in database {name!r} "
        f"({connection.vendor}): every row of {', '.join(tables)}, for every item, "
        f"the bench's items ({ITEM_PREFIX}*) and its G/L entries (document {GL_DOCUMENT_NO}). "
        "Use a dedicated database for the bench."
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(t) for t in tables)
            with connection.cursor() as cursor:
                # Inside an outer transaction (tests) deferred foreign key checks may be pending;
                # TRUNCATE refuses to run with pending trigger events, so run them first.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY")  # noqa: S608
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in (m for m in apps.get_models() if m._meta.db_table in tables):
                model._base_manager.all()._raw_delete(connection.alias)
            for model in LEDGER_MODELS:
                model._base_manager.all()._raw_delete(connection.alias)
        Item.objects.filter(no__startswith=ITEM_PREFIX).delete()
        # The G/L entries an earlier run posted from the value entries just deleted.
        from ledger.models import GLEntry

        GLEntry.objects.filter(document_no=GL_DOCUMENT_NO)._raw_delete(connection.alias)


def analyze_ledgers() -> float:
    """VACUUM ANALYZE the ledger tables after the bulk load, as autovacuum does on a production
    server (PostgreSQL; needed where it is off, as on the bench machine, or has not caught up):
    fresh planner statistics, and the row versions that posting's updates left (remaining
    quantity, open, invoiced quantity) cleared before the adjustment reads them (on a copy of
    the N = 100,000 ledger the full adjustment took about 4% less after it), then a CHECKPOINT.
    Inside a transaction (a test's), where VACUUM cannot run, ANALYZE only. Returns the
    seconds it took."""
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    tables = [m._meta.db_table for m in (*LEDGER_MODELS, Item)]
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {connection.ops.quote_name(table)}")  # noqa: S608
        if not connection.in_atomic_block:
            _checkpoint(cursor)
    return time.perf_counter() - started


def _checkpoint(cursor: Any) -> None:
    """Write the bulk load's dirty pages now, so that the checkpointer does not write them
    during the next phase and bill the load's I/O to the adjustment.
    Needs superuser or the pg_checkpoint role; without it the phases run as they are."""
    try:
        cursor.execute("CHECKPOINT")  # autocommit: a refusal leaves the connection usable
    except DatabaseError:
        pass


def prepare_setup() -> None:
    """No automatic adjustment or G/L posting while building, nothing blocks the bench's dates."""
    inventory_setup_update(
        automatic_cost_adjustment="never",
        automatic_cost_posting=False,
        earliest_allowed_valuation_date=None,
        cost_adjustment_logging="all",  # the batches' entries adjusted come from their logs
    )
    closed = InventoryPeriod.last_closed_ending_date()
    if closed is not None and closed >= START:
        raise ValueError(
            f"An inventory period is closed up to {closed}; the bench posts from {START} on."
        )
    for code in LOCATIONS:
        Location.objects.get_or_create(code=code, defaults={"name": f"Bench {code}"})


# -- the ledger ----------------------------------------------------------------------------------


@dataclass
class _ItemSim:
    """The generator's view of one item: what it may still post and what is where."""

    no: str
    method: str
    base_cost: Decimal
    budget: int  # item ledger entries still to create
    stock: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOCATIONS, 0))
    # Specific items: posted receipts at MAIN, [entry no, remaining quantity]; a sale names one,
    # so with none open it waits until its receipt line is posted and numbered.
    receipts: list[list[int]] = field(default_factory=list)
    waiting: bool = False

    @property
    def specific(self) -> bool:
        return self.method == CostingMethod.SPECIFIC

    @property
    def average(self) -> bool:
        return self.method == CostingMethod.AVERAGE


@dataclass
class BuildStats:
    journals: int = 0
    journal_lines: int = 0
    entries: int = 0
    post_s: float = 0.0
    invoices: int = 0
    item_charges: int = 0
    invoice_charge_s: float = 0.0
    backdated_lines: int = 0
    transfers: int = 0
    uninvoiced_receipts: int = 0
    chain_receipt: int | None = None


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT)


def _item_specs(config: BenchConfig, rng: random.Random) -> list[_ItemSim]:
    """The regular items, each with its share of the entries."""
    count = config.items - 1
    regular = config.entries - config.chain - 1
    share, extra = divmod(regular, count)
    sims = []
    for index in range(count):
        method = METHOD_CYCLE[index % len(METHOD_CYCLE)]
        base = _money(Decimal(rng.randint(500, 50_000)) / 100)
        sims.append(
            _ItemSim(
                no=f"{ITEM_PREFIX}{index + 1:05d}",
                method=method,
                base_cost=base,
                budget=share + (1 if index < extra else 0),
            )
        )
    return sims


def create_items(sims: list[_ItemSim]) -> None:
    for sim in sims:
        fields: dict[str, Any] = dict(
            no=sim.no,
            description=f"Bench item ({sim.method})",
            costing_method=sim.method,
            inventory_posting_group="RESALE",
            gen_prod_posting_group="RETAIL",
        )
        if sim.method == CostingMethod.STANDARD:
            fields["standard_cost"] = sim.base_cost
        if sim.no.endswith("3"):  # a few items with indirect cost
            fields["indirect_cost_pct"] = Decimal("5")
        item_create(**fields)


class LedgerBuilder:
    """Simulates item groups and posts their lines through the journal service."""

    def __init__(
        self, config: BenchConfig, on_progress: Callable[[int], None] | None = None
    ) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.stats = BuildStats()
        self.on_progress = on_progress or (lambda done: None)
        self.sims = _item_specs(config, self.rng)
        # Late invoices and item charges waiting for their date: (date, seq, kind, args).
        self._events: list[tuple[dt.date, int, str, tuple]] = []
        self._seq = 0

    # -- running ---------------------------------------------------------------------------

    def build(self) -> BuildStats:
        create_items(self.sims)
        item_create(
            no=CHAIN_ITEM_NO,
            description="Bench chain item (one receipt, many sales)",
            costing_method=CostingMethod.FIFO,
            inventory_posting_group="RESALE",
            gen_prod_posting_group="RETAIL",
        )
        self._post_chain()
        post_production_orders(self)
        for start in range(0, len(self.sims), GROUP_ITEMS):
            self._simulate_group(self.sims[start : start + GROUP_ITEMS])
        return self.stats

    def _post_chain(self) -> None:
        """One receipt at MAIN, not invoiced yet, used up by `chain` sales of one unit."""
        chain = self.config.chain
        receipt = JournalLine(
            "purchase",
            CHAIN_ITEM_NO,
            START,
            Decimal(chain),
            location_code="MAIN",
            unit_cost=Decimal("10.00"),
            invoiced=False,
            document_no="CHAIN-RCPT",
        )
        batch: list[tuple[JournalLine, _ItemSim | None, dict]] = [(receipt, None, {})]
        for index in range(chain):
            day = START + dt.timedelta(days=1 + index * SPAN_DAYS // chain)
            sale = JournalLine(
                "sale",
                CHAIN_ITEM_NO,
                day,
                _D[1],
                location_code="MAIN",
                unit_price=Decimal("14.00"),
                document_no=f"CS{index:07d}",
            )
            batch.append((sale, None, {}))
            if len(batch) >= self.config.journal_lines:
                self._post(batch)
                batch = []
        if batch:
            self._post(batch)

    def _simulate_group(self, sims: list[_ItemSim]) -> None:
        total = sum(s.budget for s in sims)
        used = 0
        batch: list[tuple[JournalLine, _ItemSim | None, dict]] = []
        live = [s for s in sims if s.budget > 0]
        while live:
            # Weighted by what each item has left, so the group's items finish together and
            # the group's last journals are not one item's lines alone.
            sim = self.rng.choices(live, weights=[s.budget for s in live])[0]
            today = START + dt.timedelta(days=used * SPAN_DAYS // total)
            if sim.waiting:
                # A Specific item waits for its receipt's entry number: another item goes on,
                # or, when all are waiting, the journal is posted early.
                if all(s.waiting for s in live):
                    self._post(batch)
                    batch = []
                continue
            line, meta = self._next_line(sim, today)
            cost = 2 if line.entry_type == "transfer" else 1
            sim.budget -= cost
            used += cost
            batch.append((line, sim, meta))
            if sim.budget <= 0:
                live.remove(sim)
            if len(batch) >= self.config.journal_lines:
                self._post(batch)
                batch = []
                self._run_events(until=today)
        if batch:
            self._post(batch)
        self._run_events(until=None)

    # -- what to post next -------------------------------------------------------------------

    def _next_line(self, sim: _ItemSim, today: dt.date) -> tuple[JournalLine, dict]:
        rng = self.rng
        day = today
        if sim.average and rng.random() < 0.10:
            day = max(START, today - dt.timedelta(days=rng.randint(1, 30)))
            self.stats.backdated_lines += 1
        if sim.specific:
            return self._next_specific(sim, day)
        stocked = [loc for loc in LOCATIONS if sim.stock[loc] > 0]
        r = rng.random()
        if not stocked or (sim.stock["MAIN"] < 15 and r < 0.5):
            return self._purchase(sim, day)
        if r < 0.10 and sim.budget >= 2:
            source = rng.choice(stocked)
            target = rng.choice([loc for loc in LOCATIONS if loc != source])
            quantity = rng.randint(1, min(20, sim.stock[source]))
            sim.stock[source] -= quantity
            sim.stock[target] += quantity
            self.stats.transfers += 1
            return (
                JournalLine(
                    "transfer",
                    sim.no,
                    day,
                    dec(quantity),
                    location_code=source,
                    new_location_code=target,
                    document_no="TRF",
                ),
                {},
            )
        if r < 0.12:
            location = rng.choice(LOCATIONS)
            quantity = rng.randint(1, 10)
            sim.stock[location] += quantity
            unit_cost = _money(sim.base_cost * Decimal(rng.randint(90, 110)) / 100)
            return (
                JournalLine(
                    "positive_adjmt",
                    sim.no,
                    day,
                    dec(quantity),
                    location_code=location,
                    unit_cost=unit_cost,
                    document_no="ADJ+",
                ),
                {},
            )
        if r < 0.14:
            location = rng.choice(stocked)
            quantity = rng.randint(1, min(5, sim.stock[location]))
            sim.stock[location] -= quantity
            return (
                JournalLine(
                    "negative_adjmt",
                    sim.no,
                    day,
                    dec(quantity),
                    location_code=location,
                    document_no="ADJ-",
                ),
                {},
            )
        if r < 0.19:
            return self._purchase(sim, day)
        location = rng.choice(stocked)
        quantity = rng.randint(1, min(6, sim.stock[location]))
        sim.stock[location] -= quantity
        return self._sale(sim, day, quantity, location), {}

    def _next_specific(self, sim: _ItemSim, day: dt.date) -> tuple[JournalLine, dict]:
        open_receipts = [r for r in sim.receipts if r[1] > 0]
        if not open_receipts or self.rng.random() < 0.02:
            sim.waiting = not open_receipts
            return self._purchase(sim, day, location="MAIN", quantity=self.rng.randint(50, 150))
        receipt = self.rng.choice(open_receipts)
        quantity = self.rng.randint(1, min(6, receipt[1]))
        receipt[1] -= quantity
        line = self._sale(sim, day, quantity, "MAIN", applies_to_entry=receipt[0])
        return line, {}

    def _sale(
        self, sim: _ItemSim, day: dt.date, quantity: int, location: str, **kw: Any
    ) -> JournalLine:
        return JournalLine(
            "sale",
            sim.no,
            day,
            dec(quantity),
            location_code=location,
            unit_price=_money(sim.base_cost * Decimal("1.4")),
            document_no="SHIP",
            **kw,
        )

    def _purchase(
        self,
        sim: _ItemSim,
        day: dt.date,
        location: str | None = None,
        quantity: int | None = None,
    ) -> tuple[JournalLine, dict]:
        rng = self.rng
        if location is None:
            location = "MAIN" if rng.random() < 0.85 else rng.choice(LOCATIONS[1:])
        if quantity is None:
            quantity = rng.randint(10, 60)
        unit_cost = _money(sim.base_cost * Decimal(rng.randint(90, 110)) / 100)
        invoiced = rng.random() >= 0.25
        if not sim.specific:
            sim.stock[location] += quantity
        if not invoiced:
            self.stats.uninvoiced_receipts += 1
        meta = {
            "quantity": quantity,
            "unit_cost": unit_cost,
            "invoiced": invoiced,
            "charge": rng.random() < 0.10,
            "split": rng.random() < 0.20,
        }
        line = JournalLine(
            "purchase",
            sim.no,
            day,
            dec(quantity),
            location_code=location,
            unit_cost=unit_cost,
            invoiced=invoiced,
            document_no="RCPT",
        )
        return line, meta

    # -- posting -------------------------------------------------------------------------------

    def _post(self, batch: list[tuple[JournalLine, _ItemSim | None, dict]]) -> None:
        if not batch:
            return
        lines = [line for line, _, _ in batch]
        started = time.perf_counter()
        created = item_journal_post(lines=lines)
        self.stats.post_s += time.perf_counter() - started
        self.stats.journals += 1
        self.stats.journal_lines += len(lines)
        self.stats.entries += len(created)
        self.on_progress(self.stats.entries)
        # The entry of each line: a transfer line gives two (outbound, then inbound).
        position = 0
        for line, sim, meta in batch:
            entry = created[position]
            position += 2 if line.entry_type == "transfer" else 1
            if sim is None:
                if line.item_no == CHAIN_ITEM_NO and line.entry_type == "purchase":
                    self.stats.chain_receipt = entry.entry_no
                continue
            if line.entry_type != "purchase":
                continue
            if sim.specific:
                sim.receipts.append([entry.entry_no, meta["quantity"]])
                sim.waiting = False
            self._schedule_after_receipt(entry.entry_no, line, meta)

    def _schedule_after_receipt(self, entry_no: int, line: JournalLine, meta: dict) -> None:
        rng = self.rng
        if not meta["invoiced"]:
            # A late invoice at another price; some receipts are invoiced in two parts.
            quantity = meta["quantity"]
            due = line.posting_date + dt.timedelta(days=rng.randint(3, 45))
            parts = [quantity]
            if meta["split"] and quantity > 1:
                parts = [quantity // 2, quantity - quantity // 2]
            for part in parts:
                price = _money(meta["unit_cost"] * Decimal(rng.randint(85, 115)) / 100)
                self._schedule(due, "invoice", (entry_no, dec(part), price))
                due += dt.timedelta(days=rng.randint(1, 20))
        if meta["charge"]:
            due = line.posting_date + dt.timedelta(days=rng.randint(1, 30))
            amount = _money(meta["quantity"] * meta["unit_cost"] * rng.randint(3, 8) / 100)
            self._schedule(due, "charge", (entry_no, max(amount, CENT)))

    def _schedule(self, due: dt.date, kind: str, args: tuple) -> None:
        self._seq += 1
        heapq.heappush(self._events, (due, self._seq, kind, args))

    def _run_events(self, until: dt.date | None) -> None:
        while self._events and (until is None or self._events[0][0] <= until):
            due, _, kind, args = heapq.heappop(self._events)
            started = time.perf_counter()
            if kind == "invoice":
                entry_no, quantity, unit_cost = args
                item_ledger_entry_invoice(
                    entry_no=entry_no, posting_date=due, quantity=quantity, unit_cost=unit_cost
                )
                self.stats.invoices += 1
            else:
                entry_no, amount = args
                item_charge_assign(
                    entry_no=entry_no, posting_date=due, amount=amount, item_charge_no="FREIGHT"
                )
                self.stats.item_charges += 1
            self.stats.invoice_charge_s += time.perf_counter() - started


# -- the whole run -------------------------------------------------------------------------------


def _rate(count: float, seconds: float) -> float | None:
    return round(count / seconds, 1) if seconds > 0 else None


def run_bench(
    config: BenchConfig,
    stderr: TextIO | Any,
    *,
    profile_prefix: str | None = None,
    analyze: bool = True,
    workers: int = 0,
) -> dict[str, Any]:
    """Build the ledger and time the phases; returns the figures (the command prints them).
    With `workers`, the full adjustment runs as item batches on that many Celery worker
    processes (started here, stopped after) instead of in this process."""

    def say(text: str) -> None:
        _write(stderr, text + "\n")

    profiler = Profiler(profile_prefix)
    load = LoadSampler()
    prepare_setup()
    started = time.perf_counter()

    # 1. Posting.
    bar = Progress(stderr, "posting", config.entries)

    def posted(done: int) -> None:
        bar.update(done)
        load.sample()

    builder = LedgerBuilder(config, on_progress=posted)
    with profiler.phase("post"):
        stats = builder.build()
    bar.close()
    build_s = time.perf_counter() - started
    entries = ledger_entry_count()
    value_entries = ValueEntry.objects.count()
    rss_after_post = peak_rss_mb()
    say(
        f"posted {entries:,} item ledger entries ({stats.journal_lines:,} journal lines in "
        f"{stats.journals:,} journals in {stats.post_s:.1f}s; {stats.invoices:,} late invoices "
        f"and {stats.item_charges:,} item charges in {stats.invoice_charge_s:.1f}s)"
    )

    analyze_s = analyze_ledgers() if analyze else None
    if analyze_s is not None:
        say(f"vacuumed and analyzed the ledger tables in {analyze_s:.1f}s")

    # 2. Full cost adjustment.
    items_total = Item.objects.filter(cost_is_adjusted=False).count()
    bar = Progress(stderr, "adjusting", items_total, unit="items")
    batches = 0
    if workers:
        with WorkerPool(workers) as pool:
            started = time.perf_counter()  # the worker's start is not timed
            full_adjusted, batches = pool.adjust_all(
                progress=lambda done: (bar.update(done), load.sample())
            )
            adjust_full_s = time.perf_counter() - started  # not the worker's shutdown
    else:
        started = time.perf_counter()
        with profiler.phase("adjust_full"):
            full = cost_adjustment_run(
                progress=lambda done, total: (bar.update(done), load.sample())
            )
        full_adjusted = full.entries_adjusted
        adjust_full_s = time.perf_counter() - started
    bar.done = items_total
    bar.close()
    value_entries_after_full = ValueEntry.objects.count()
    rss_after_full = peak_rss_mb()
    say(f"full adjustment: {full_adjusted:,} entries adjusted in {adjust_full_s:.1f}s")

    # 3. Incremental: a late invoice at another price on the chain's receipt.
    started = time.perf_counter()
    item_ledger_entry_invoice(
        entry_no=stats.chain_receipt,
        posting_date=START + dt.timedelta(days=SPAN_DAYS + 30),
        quantity=Decimal(config.chain),
        unit_cost=Decimal("10.75"),
    )
    invoice_s = time.perf_counter() - started
    started = time.perf_counter()
    with profiler.phase("adjust_incremental"):
        incremental = cost_adjustment_run(item_filter=CHAIN_ITEM_NO)
    adjust_incremental_s = time.perf_counter() - started
    say(
        f"incremental adjustment: {incremental.entries_adjusted:,} entries adjusted in "
        f"{adjust_incremental_s:.2f}s"
    )

    # The bench measures the whole product, G/L included (hence imports from the ledger app).
    from ledger.reconciliation import reconciliation_matrix
    from ledger.services import inventory_cost_post_to_gl

    _gl_setup()
    started = time.perf_counter()
    with profiler.phase("gl_post"):
        report = inventory_cost_post_to_gl(
            post_method="per_posting_group", document_no=GL_DOCUMENT_NO
        )
    gl_post_s = time.perf_counter() - started
    say(f"posted to G/L: {report.value_entries_posted:,} value entries in {gl_post_s:.2f}s")
    started = time.perf_counter()
    with profiler.phase("reconcile"):
        matrix = reconciliation_matrix()
    reconcile_s = time.perf_counter() - started
    difference = sum(abs(row.difference) for row in matrix.rows if row.account_type != "total")
    say(f"reconciliation in {reconcile_s:.2f}s, total difference {difference}")

    setup = InventorySetup.get()
    return {
        "entries": entries,
        "items": config.items,
        "seed": config.seed,
        "database": connection.vendor,
        "journal_lines": stats.journal_lines,
        "journals": stats.journals,
        "lines_per_journal": config.journal_lines,
        "post_s": round(stats.post_s, 3),
        "post_lines_per_s": _rate(stats.journal_lines, stats.post_s),
        "post_entries_per_s": _rate(stats.entries, stats.post_s),
        "late_invoices": stats.invoices,
        "item_charges": stats.item_charges,
        "invoice_charge_s": round(stats.invoice_charge_s, 3),
        "invoice_charge_per_s": _rate(stats.invoices + stats.item_charges, stats.invoice_charge_s),
        "transfers": stats.transfers,
        "backdated_lines": stats.backdated_lines,
        "build_s": round(build_s, 3),
        "value_entries": value_entries,
        "analyze_s": None if analyze_s is None else round(analyze_s, 3),
        "adjust_full_s": round(adjust_full_s, 3),
        "adjust_full_entries_per_s": _rate(entries, adjust_full_s),
        "adjust_full_entries_adjusted": full_adjusted,
        "adjust_full_workers": workers,
        "adjust_full_batches": batches,
        "adjust_full_value_entries_created": value_entries_after_full - value_entries,
        "chain_entries": config.chain,
        "incremental_invoice_s": round(invoice_s, 3),
        "adjust_incremental_s": round(adjust_incremental_s, 3),
        "adjust_incremental_entries_adjusted": incremental.entries_adjusted,
        "gl_post_s": round(gl_post_s, 3),
        "gl_post_value_entries": report.value_entries_posted,
        "gl_post_entries_per_s": _rate(report.value_entries_posted, gl_post_s),
        "gl_entries": len(report.lines),
        "reconcile_s": round(reconcile_s, 3),
        "reconcile_difference": str(difference),
        "average_cost_period": setup.average_cost_period,
        "average_cost_calc_type": setup.average_cost_calc_type,
        "peak_rss_after_post_mb": rss_after_post,
        "peak_rss_after_full_adjust_mb": rss_after_full,
        "peak_rss_mb": peak_rss_mb(),
        "cpus": os.cpu_count(),
        **load.figures(),
    }


class WorkerPool:
    """`celery worker` processes (prefork, `processes` children) on this database and broker, for
    the full adjustment as Cost Adjustment Item Batches: the product's own way of adjusting at
    scale, each batch a task in its own transaction (costing/services/batches.py)."""

    # Many more batches than processes, so that the last ones finish close together: batches of
    # equal entry counts still took 11 to 17 s each at N = 1,000,000 with 4 per process, and
    # one process waited 6 s for the other at the end.
    BATCHES_PER_PROCESS = 8

    def __init__(self, processes: int):
        from config.celery import app

        if app.conf.task_always_eager:
            raise ValueError(
                "--workers needs a broker: set CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)."
            )
        if connection.vendor != "postgresql":
            raise ValueError("--workers needs PostgreSQL (the workers share its database).")
        # The workers use this process's database and broker, whatever the environment says.
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": str(app.conf.broker_url),
            "CELERY_RESULT_BACKEND": str(app.conf.result_backend or app.conf.broker_url),
        }
        self.processes = processes
        self.name = f"bench-{os.getpid()}"  # the worker's node name is name@host
        self.process: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    def __enter__(self) -> WorkerPool:
        from django.conf import settings

        from config.celery import app

        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
        command += ["--concurrency", str(self.processes), "--hostname", f"{self.name}@%h"]
        command += ["--loglevel", "warning", "--without-mingle", "--without-gossip"]
        self.process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,  # where `celery -A config` finds the app
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ValueError(f"The Celery worker stopped at start:\n{self._log_tail()}")
            replies = app.control.ping(timeout=0.5)
            if any(node.startswith(f"{self.name}@") for reply in replies for node in reply):
                return self
        self.__exit__()
        raise ValueError(f"The Celery worker did not answer within 60 s:\n{self._log_tail()}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # warm shutdown: the children finish their task first
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def adjust_all(self, progress: Callable[[int], None]) -> tuple[int, int]:
        """Every item not adjusted, in batches balanced by entry count (largest first, each to
        the lightest batch), queued at once; waits for them and their splits, then adjusts
        in-process what they left (an order's output whose component another batch adjusted
        later). Returns entries adjusted and batches (splits included)."""
        from django.db.models import Count, Sum

        from costing.models import CostAdjustmentItemBatch, CostAdjustmentRun, RunStatus
        from costing.services.batches import batch_add, batch_queue

        counted = (
            Item.objects.filter(cost_is_adjusted=False, excluded_from_cost_adjustment=False)
            .annotate(entries=Count("ledger_entries"))
            .order_by("-entries", "no")
            .values_list("no", "entries")
        )
        bins = self.processes * self.BATCHES_PER_PROCESS
        groups: list[list[str]] = [[] for _ in range(bins)]
        heap = [(0, index) for index in range(bins)]
        for no, entries in counted:
            load, index = heapq.heappop(heap)
            groups[index].append(no)
            heapq.heappush(heap, (load + entries, index))
        last = CostAdjustmentItemBatch.objects.order_by("-pk").values_list("pk", flat=True)
        first_pk = (last.first() or 0) + 1
        for group in filter(None, groups):
            batch_queue(batch_add(item_nos=sorted(group), max_retry_attempts=3))
        ours = CostAdjustmentItemBatch.objects.filter(pk__gte=first_pk)
        waiting = [RunStatus.NOT_STARTED, RunStatus.RUNNING]
        while ours.filter(status__in=waiting).exists():
            if self.process is not None and self.process.poll() is not None:
                raise ValueError(f"The Celery worker stopped:\n{self._log_tail()}")
            done = ours.filter(status=RunStatus.SUCCESS).aggregate(n=Sum("items_done"))["n"]
            progress(done or 0)
            time.sleep(0.1)
        # A batch's status is final a moment before its run log is written (batch_execute):
        # wait for the logs of the batches that ran.
        ran = ours.exclude(task_id="")  # not a failed item's batch of its own, never run
        deadline = time.monotonic() + 60
        while CostAdjustmentRun.objects.filter(batch__in=ours).count() < ran.count():
            if time.monotonic() > deadline:
                raise ValueError("The batches' run logs did not appear within 60 s.")
            time.sleep(0.05)
        adjusted = (
            CostAdjustmentRun.objects.filter(batch__in=ours, status=RunStatus.SUCCESS).aggregate(
                n=Sum("entries_adjusted")
            )["n"]
            or 0
        )
        adjusted += cost_adjustment_run().entries_adjusted
        return adjusted, ours.count()


def database_url() -> str:
    """This process's PostgreSQL database as a DATABASE_URL for another process."""
    from urllib.parse import quote

    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    port = f":{s['PORT']}" if s.get("PORT") else ""
    host = s.get("HOST") or "127.0.0.1"
    return f"postgres://{quote(s['USER'] or '', safe='')}{password}@{host}{port}/{s['NAME']}"


def _gl_setup() -> None:
    """One account per account type and posting setups for every location and posting group
    the bench's entries use, so that every value entry can post."""
    from ledger.accounts import GENERAL_SETUP_FIELDS, INVENTORY_SETUP_FIELDS, Role
    from ledger.models import GeneralPostingSetup, GLAccount, InventoryPostingSetup

    numbers = {role: f"B{index:03d}" for index, role in enumerate(Role)}
    GLAccount.objects.bulk_create(
        [GLAccount(no=no, name=role.label) for role, no in numbers.items()], ignore_conflicts=True
    )
    values = ValueEntry.objects.order_by()  # no default ordering: DISTINCT over the pair only
    pairs = values.values_list("location_id", "inventory_posting_group").distinct()
    for location, group in pairs:
        InventoryPostingSetup.objects.get_or_create(
            location_code=location or "",
            inventory_posting_group=group,
            defaults={f"{f}_id": numbers[r] for r, f in INVENTORY_SETUP_FIELDS.items()},
        )
    pairs = values.values_list("gen_bus_posting_group", "gen_prod_posting_group").distinct()
    for bus, prod in pairs:
        GeneralPostingSetup.objects.get_or_create(
            gen_bus_posting_group=bus,
            gen_prod_posting_group=prod,
            defaults={f"{f}_id": numbers[r] for r, f in GENERAL_SETUP_FIELDS.items()},
        )


def as_json_line(figures: dict[str, Any]) -> str:
    return json.dumps(figures, separators=(", ", ": "))


# -- production orders in the synthetic ledger -----------------------------------------------------

PRODUCTION_COMPONENT = f"{ITEM_PREFIX}PROD-C"
PRODUCTION_FIFO = f"{ITEM_PREFIX}PROD-F"
PRODUCTION_STANDARD = f"{ITEM_PREFIX}PROD-S"
PRODUCTION_ITEMS = 3
MAX_PRODUCTION_ORDERS = 50


def post_production_orders(builder: LedgerBuilder) -> int:
    """Finished production orders, left for the full adjustment (DOMAIN §6.6): every order buys
    10 of a component, consumes them, spends capacity, outputs 2 and sells 1; odd orders make a
    Standard item and also consume one of the FIFO item the order before made, so the
    adjustment goes through two levels. Its 4 or 5 item ledger entries per order come out of the
    regular items' budgets, so the ledger still holds exactly --entries. Returns the orders."""
    from inventory.services import (
        CapacityLine,
        capacity_journal_post,
        production_order_create,
        production_order_finish,
    )

    config = builder.config
    orders = min(MAX_PRODUCTION_ORDERS, max(1, config.entries // 2000))
    spare = [s for s in builder.sims if s.budget > MIN_ENTRIES_PER_ITEM + 5]
    needed = sum(5 if n % 2 else 4 for n in range(orders))
    while orders and needed > sum(s.budget - MIN_ENTRIES_PER_ITEM for s in spare):
        orders -= 1
        needed -= 5 if orders % 2 else 4
    if not orders:
        return 0
    taken = 0
    while taken < needed:  # round robin over the largest budgets
        for sim in sorted(spare, key=lambda s: -s.budget):
            if taken < needed and sim.budget > MIN_ENTRIES_PER_ITEM:
                sim.budget -= 1
                taken += 1
    common = dict(inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
    item_create(no=PRODUCTION_COMPONENT, costing_method=CostingMethod.FIFO, **common)
    item_create(
        no=PRODUCTION_FIFO, costing_method=CostingMethod.FIFO, overhead_rate=_D[1], **common
    )
    item_create(
        no=PRODUCTION_STANDARD,
        costing_method=CostingMethod.STANDARD,
        standard_cost=Decimal("90.00"),
        single_level_capacity_cost=Decimal("20.00"),
        **common,
    )
    WorkCenter.objects.get_or_create(
        code=f"{ITEM_PREFIX}WC",
        defaults={"unit_cost": Decimal("2.50"), "indirect_cost_pct": _D[10]},
    )
    started = time.perf_counter()
    for n in range(orders):
        day = START + dt.timedelta(days=1 + n * SPAN_DAYS // orders)
        no, made = f"BP{n:05d}", PRODUCTION_STANDARD if n % 2 else PRODUCTION_FIFO
        price = Decimal(builder.rng.randint(400, 600)) / 100
        production_order_create(no=no, item_no=made, quantity=_D[2])
        lines = [
            JournalLine("purchase", PRODUCTION_COMPONENT, day, _D[10], unit_cost=price),
            JournalLine("consumption", PRODUCTION_COMPONENT, day, _D[10], order_no=no),
        ]
        if n % 2:
            lines.append(JournalLine("consumption", PRODUCTION_FIFO, day, _D[1], order_no=no))
        lines.append(JournalLine("output", made, day, _D[2], order_no=no, unit_cost=_D[40]))
        lines.append(JournalLine("sale", made, day, _D[1], unit_price=_D[120]))
        item_journal_post(lines=lines)
        capacity_journal_post(lines=[CapacityLine(no, day, f"{ITEM_PREFIX}WC", _D[4])])
        production_order_finish(no=no, finished_date=day)
        builder.stats.journals += 1
        builder.stats.journal_lines += len(lines)
        builder.stats.entries += len(lines)
    builder.stats.post_s += time.perf_counter() - started
    return orders
