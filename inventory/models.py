"""The inventory subledger (spec DOMAIN §1).

Item ledger entries record quantity, value entries record value, item application entries link the
outbound quantity to the inbound quantity it consumed. The ledgers are append-only: after insert
only the bookkeeping fields change (remaining quantity, open, invoiced quantity, the adjustment
flags and the posted-to-G/L amounts); a correction is always a new entry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models

from costing.engine.money import AMOUNT_PLACES, MAX_DIGITS, QUANTITY_PLACES, UNIT_COST_PLACES


def amount_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)


def unit_cost_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=UNIT_COST_PLACES, **kwargs)


def quantity_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


class CostingMethod(models.TextChoices):
    FIFO = "fifo", "FIFO"
    LIFO = "lifo", "LIFO"
    AVERAGE = "average", "Average"
    SPECIFIC = "specific", "Specific"
    STANDARD = "standard", "Standard"


class AutomaticCostAdjustment(models.TextChoices):
    NEVER = "never", "Never"
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
    ALWAYS = "always", "Always"


class AverageCostCalcType(models.TextChoices):
    ITEM = "item", "Item"
    ITEM_LOCATION_VARIANT = "item_location_variant", "Item & Location & Variant"


class AverageCostPeriod(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
    ACCOUNTING_PERIOD = "accounting_period", "Accounting Period"


class CostAdjustmentLogging(models.TextChoices):
    DISABLED = "disabled", "Disabled"
    ERRORS_ONLY = "errors_only", "Errors Only"
    ALL = "all", "All"


class InventorySetup(models.Model):
    """One row per company (spec §1.1). Read it with InventorySetup.get()."""

    automatic_cost_posting = models.BooleanField(
        default=True,
        help_text="Post each posting's value entries to the G/L at once, dated like the entry.",
    )
    expected_cost_posting_to_gl = models.BooleanField(
        default=False,
        help_text="Also post not-yet-invoiced (expected) cost, to the interim accounts.",
    )
    automatic_cost_adjustment = models.CharField(
        max_length=10,
        choices=AutomaticCostAdjustment.choices,
        default=AutomaticCostAdjustment.ALWAYS,
        help_text="How far back from today a posting may be dated and still adjust cost at once.",
    )
    average_cost_calc_type = models.CharField(
        max_length=24, choices=AverageCostCalcType.choices, default=AverageCostCalcType.ITEM
    )
    average_cost_period = models.CharField(
        max_length=20, choices=AverageCostPeriod.choices, default=AverageCostPeriod.DAY
    )
    default_costing_method = models.CharField(
        max_length=10, choices=CostingMethod.choices, default=CostingMethod.FIFO
    )
    cost_adjustment_logging = models.CharField(
        max_length=12, choices=CostAdjustmentLogging.choices, default=CostAdjustmentLogging.DISABLED
    )
    earliest_allowed_valuation_date = models.DateField(
        null=True,
        blank=True,
        help_text="No value may be written with a valuation date before this date.",
    )
    adjust_cost_before_posting_to_gl = models.BooleanField(
        default=True,
        help_text="The scheduled Post Inventory Cost to G/L adjusts cost first.",
    )

    class Meta:
        verbose_name = "inventory setup"
        verbose_name_plural = "inventory setup"

    def __str__(self) -> str:
        return "Inventory Setup"

    @classmethod
    def get(cls) -> InventorySetup:
        setup, _ = cls.objects.get_or_create(pk=1)
        return setup


class Location(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Item(models.Model):
    no = models.CharField(max_length=20, unique=True)
    description = models.CharField(max_length=100, blank=True)
    costing_method = models.CharField(
        max_length=10, choices=CostingMethod.choices, default=CostingMethod.FIFO
    )
    unit_cost = unit_cost_field(
        help_text="(Actual + expected cost) / quantity on hand; standard cost for Standard items."
    )
    standard_cost = unit_cost_field()
    last_direct_cost = unit_cost_field()
    indirect_cost_pct = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    overhead_rate = unit_cost_field()
    inventory_posting_group = models.CharField(max_length=20, blank=True)
    gen_prod_posting_group = models.CharField(max_length=20, blank=True)
    cost_is_adjusted = models.BooleanField(default=True)
    excluded_from_cost_adjustment = models.BooleanField(default=False)
    # The single-level shares of a produced or assembled Standard item's standard cost (spec §9):
    # each variance at finish compares its actual cost with its share. Material takes whatever
    # of the standard cost the other shares leave.
    single_level_capacity_cost = unit_cost_field(db_default=Decimal("0"))
    single_level_subcontracted_cost = unit_cost_field(db_default=Decimal("0"))
    single_level_cap_overhead_cost = unit_cost_field(db_default=Decimal("0"))
    single_level_mfg_overhead_cost = unit_cost_field(db_default=Decimal("0"))

    class Meta:
        ordering = ["no"]

    def __str__(self) -> str:
        return self.no

    @property
    def is_standard(self) -> bool:
        return self.costing_method == CostingMethod.STANDARD

    @property
    def has_standard_shares(self) -> bool:
        """A Standard item whose standard cost says what of it is capacity and overhead."""
        return self.is_standard and any(
            (
                self.single_level_capacity_cost,
                self.single_level_subcontracted_cost,
                self.single_level_cap_overhead_cost,
                self.single_level_mfg_overhead_cost,
            )
        )


class ItemVariant(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="variants")
    code = models.CharField(max_length=10)
    description = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "code"], name="item_variant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.code}"


class EntryType(models.TextChoices):
    PURCHASE = "purchase", "Purchase"
    SALE = "sale", "Sale"
    POSITIVE_ADJMT = "positive_adjmt", "Positive Adjmt."
    NEGATIVE_ADJMT = "negative_adjmt", "Negative Adjmt."
    TRANSFER = "transfer", "Transfer"
    CONSUMPTION = "consumption", "Consumption"
    OUTPUT = "output", "Output"
    ASSEMBLY_CONSUMPTION = "assembly_consumption", "Assembly Consumption"
    ASSEMBLY_OUTPUT = "assembly_output", "Assembly Output"


class ItemLedgerEntry(models.Model):
    """The quantity record (spec §1.3). Cost amounts are sums over its value entries."""

    entry_no = models.BigAutoField(primary_key=True)
    # The indexes below lead with the item, so the foreign key needs none of its own; every
    # index is paid for on each of a million inserts.
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="ledger_entries", db_index=False
    )
    posting_date = models.DateField()
    entry_type = models.CharField(max_length=24, choices=EntryType.choices)
    location = models.ForeignKey(
        Location,
        to_field="code",
        db_column="location_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # a plain index in Meta: no LIKE index beside it
    )
    variant_code = models.CharField(max_length=10, blank=True, default="")
    quantity = quantity_field()
    invoiced_quantity = quantity_field()
    remaining_quantity = quantity_field()
    open = models.BooleanField(default=True)
    positive = models.BooleanField()
    completely_invoiced = models.BooleanField(default=False)
    applies_to_entry = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applies_from_entry = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_entry_to_adjust = models.BooleanField(default=False)
    document_no = models.CharField(max_length=20, blank=True, default="")
    order_no = models.CharField(max_length=20, blank=True, default="")
    gen_bus_posting_group = models.CharField(max_length=20, blank=True, default="")
    is_return = models.BooleanField(default=False)

    class Meta:
        ordering = ["entry_no"]
        verbose_name_plural = "item ledger entries"
        indexes = [
            # Application looks for open entries of one item, location and variant in date order.
            models.Index(
                fields=["item", "location", "variant_code", "positive", "open", "posting_date"],
                name="ile_open_lookup",
            ),
            models.Index(fields=["item", "posting_date"], name="ile_item_date"),
            models.Index(fields=["item", "applied_entry_to_adjust"], name="ile_item_to_adjust"),
            models.Index(fields=["location"], name="ile_location"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="ile_quantity_not_zero"),
        ]

    def __str__(self) -> str:
        return f"ILE {self.entry_no}"

    @property
    def location_code(self) -> str:
        return self.location_id or ""


class OrderType(models.TextChoices):
    NONE = "", "-"
    PRODUCTION = "production", "Production"
    ASSEMBLY = "assembly", "Assembly"


class ValueEntryType(models.TextChoices):
    DIRECT_COST = "direct_cost", "Direct Cost"
    INDIRECT_COST = "indirect_cost", "Indirect Cost"
    VARIANCE = "variance", "Variance"
    REVALUATION = "revaluation", "Revaluation"
    ROUNDING = "rounding", "Rounding"


class VarianceType(models.TextChoices):
    NONE = "", "-"
    PURCHASE = "purchase", "Purchase"
    MATERIAL = "material", "Material"
    CAPACITY = "capacity", "Capacity"
    SUBCONTRACTED = "subcontracted", "Subcontracted"
    CAPACITY_OVERHEAD = "capacity_overhead", "Capacity Overhead"
    MANUFACTURING_OVERHEAD = "manufacturing_overhead", "Manufacturing Overhead"


class ValueEntry(models.Model):
    """The value record (spec §1.4). It remembers the posting groups and location it was posted
    with, so that an adjustment posts to the original transaction's accounts (spec §16)."""

    entry_no = models.BigAutoField(primary_key=True)
    # Blank on a capacity value entry (spec §1.4): capacity is WIP or cost applied, not stock.
    # Covered by the indexes in Meta (ve_item_valuation, ve_ile): no index of its own.
    # item, location and applies_to_entry repeat what the item ledger entry (or the value entry
    # adjusted) already says, and the services copy them from it: no database constraint, whose
    # check at commit cost a third of an incremental adjustment. The ORM still protects them on
    # delete, and Costing Issues Detection checks that they agree (diagnostics).
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="value_entries",
        db_index=False,
        db_constraint=False,
    )
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="value_entries",
        db_index=False,
    )
    item_ledger_entry_type = models.CharField(max_length=24, choices=EntryType.choices, blank=True)
    entry_type = models.CharField(max_length=16, choices=ValueEntryType.choices)
    variance_type = models.CharField(
        max_length=24, choices=VarianceType.choices, blank=True, default=""
    )
    posting_date = models.DateField()
    valuation_date = models.DateField()
    document_no = models.CharField(max_length=20, blank=True, default="")
    order_no = models.CharField(max_length=20, blank=True, default="")
    location = models.ForeignKey(
        Location,
        to_field="code",
        db_column="location_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # ve_location in Meta: no LIKE index beside it
        db_constraint=False,
    )
    variant_code = models.CharField(max_length=10, blank=True, default="")
    valued_quantity = quantity_field()
    item_ledger_entry_quantity = quantity_field()
    invoiced_quantity = quantity_field()
    cost_per_unit = unit_cost_field()
    cost_amount_actual = amount_field()
    cost_amount_expected = amount_field()
    cost_posted_to_gl = amount_field()
    expected_cost_posted_to_gl = amount_field()
    sales_amount_actual = amount_field()
    sales_amount_expected = amount_field()
    expected_cost = models.BooleanField(default=False)
    adjustment = models.BooleanField(default=False)
    # Never searched by: no index.
    applies_to_entry = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    valued_by_average_cost = models.BooleanField(default=False)
    item_charge_no = models.CharField(max_length=20, blank=True, default="")
    inventory_posting_group = models.CharField(max_length=20, blank=True, default="")
    gen_prod_posting_group = models.CharField(max_length=20, blank=True, default="")
    gen_bus_posting_group = models.CharField(max_length=20, blank=True, default="")
    source_code = models.CharField(max_length=10, blank=True, default="")
    # Dimension values of the journal line, e.g. {"DEPARTMENT": "SALES", "PROJECT": "P-17"};
    # the G/L entries of this value entry carry them.
    dimensions = models.JSONField(default=dict, blank=True)
    # Capacity value entries (no item ledger entry): the capacity ledger entry they value and
    # the kind of order, which decides their accounts (spec §11.2). db_default: adjustment
    # copies are inserted by raw SQL that does not name these columns.
    capacity_ledger_entry = models.ForeignKey(
        "CapacityLedgerEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="value_entries",
        db_index=False,  # ve_capacity in Meta: only the capacity value entries
    )
    order_type = models.CharField(
        max_length=10, choices=OrderType.choices, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["entry_no"]
        verbose_name_plural = "value entries"
        indexes = [
            models.Index(fields=["item_ledger_entry"], name="ve_ile"),
            models.Index(fields=["item", "valuation_date"], name="ve_item_valuation"),
            models.Index(fields=["posting_date"], name="ve_posting_date"),
            models.Index(fields=["location"], name="ve_location"),
            # Order adjustment reads an order's consumption, capacity and output values.
            models.Index(fields=["order_no"], name="ve_order", condition=~models.Q(order_no="")),
            models.Index(
                fields=["capacity_ledger_entry"],
                name="ve_capacity",
                condition=models.Q(capacity_ledger_entry__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"VE {self.entry_no}"

    @property
    def location_code(self) -> str:
        return self.location_id or ""


class PostValueEntryToGL(models.Model):
    """The queue of value entries still to post to the G/L (spec §1.8): a row is written with
    every value entry and removed once Post Inventory Cost to G/L has posted it."""

    # Written in the same statement as its value entry and deleted when posted: no database
    # constraint to check at every commit (the ORM still cascades a deletion).
    value_entry = models.OneToOneField(
        ValueEntry,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = "value entry to post to G/L"
        verbose_name_plural = "value entries to post to G/L"

    def __str__(self) -> str:
        return f"VE {self.value_entry_id} to post"


class ItemApplicationEntry(models.Model):
    """Links outbound quantity to the inbound quantity it used (spec §1.5).

    - an inbound entry's own record: inbound = itself, outbound = none, quantity = +Q;
      with a cost source (a return applied from a sale, a transfer receipt), outbound = that source
      and cost_application is set;
    - each use of inbound quantity by an outbound entry: inbound = source, outbound = the outbound,
      quantity = -q (negative), whichever of the two was posted last.
    """

    entry_no = models.BigAutoField(primary_key=True)
    # No database constraints: an application is written in the same statement as, or after,
    # the entries it links, and item ledger entries are never deleted; the checks at commit
    # were about a tenth of a journal's posting. Costing Issues Detection finds a dangling link.
    item_ledger_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        related_name="applications",
        db_constraint=False,
    )
    inbound_item_entry = models.ForeignKey(
        ItemLedgerEntry,
        on_delete=models.PROTECT,
        related_name="inbound_applications",
        db_constraint=False,
    )
    outbound_item_entry = models.ForeignKey(
        ItemLedgerEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbound_applications",
        db_constraint=False,
    )
    quantity = quantity_field()
    posting_date = models.DateField()
    cost_application = models.BooleanField(default=False)
    outbound_entry_is_updated = models.BooleanField(default=False)

    class Meta:
        ordering = ["entry_no"]
        verbose_name_plural = "item application entries"

    def __str__(self) -> str:
        return f"Application {self.entry_no}"


class AvgCostAdjmtEntryPoint(models.Model):
    """One row per average-cost period touched (spec §1.6, §4.1). Location and variant are blank
    when the average is calculated per item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="avg_cost_entry_points")
    variant_code = models.CharField(max_length=10, blank=True, default="")
    location_code = models.CharField(max_length=10, blank=True, default="")
    valuation_date = models.DateField()
    cost_is_adjusted = models.BooleanField(default=False)

    class Meta:
        ordering = ["item", "valuation_date", "location_code", "variant_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "variant_code", "location_code", "valuation_date"],
                name="avg_entry_point_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.location_code}/{self.variant_code} {self.valuation_date}"


class AccountingPeriod(models.Model):
    """The company's accounting periods, by starting date; the average cost period
    "Accounting Period" follows them (spec §1.1, §4)."""

    starting_date = models.DateField(unique=True)
    name = models.CharField(max_length=50, blank=True)
    new_fiscal_year = models.BooleanField(default=False)

    class Meta:
        ordering = ["starting_date"]

    def __str__(self) -> str:
        return f"{self.name or 'Period'} from {self.starting_date}"

    @classmethod
    def starts(cls, average_cost_period: str = "accounting_period") -> tuple[dt.date, ...]:
        """Starting dates, in order; none needed unless averages follow accounting periods."""
        if average_cost_period != "accounting_period":
            return ()
        return tuple(cls.objects.order_by("starting_date").values_list("starting_date", flat=True))


class InventoryPeriod(models.Model):
    """Nothing may be posted on or before the ending date of a closed period (spec §10.1)."""

    ending_date = models.DateField(unique=True)
    name = models.CharField(max_length=50, blank=True)
    closed = models.BooleanField(default=False)

    class Meta:
        ordering = ["ending_date"]

    def __str__(self) -> str:
        return f"{self.name or 'Period'} ending {self.ending_date}"

    @classmethod
    def last_closed_ending_date(cls) -> dt.date | None:
        return (
            cls.objects.filter(closed=True)
            .order_by("-ending_date")
            .values_list("ending_date", flat=True)
            .first()
        )

    @classmethod
    def last_closed(cls) -> InventoryPeriod | None:
        return cls.objects.filter(closed=True).order_by("-ending_date").first()


class InventoryPeriodEntryType(models.TextChoices):
    CLOSE = "close", "Close"
    REOPEN = "reopen", "Re-open"


class InventoryPeriodEntry(models.Model):
    """The history of an inventory period: one row per close and per reopening (spec §1.12).
    `last_item_ledger_entry_no` is the last item ledger entry posted in the period when it was
    closed or reopened (the product has no item registers; the entry number stands for them)."""

    entry_no = models.BigAutoField(primary_key=True)
    period = models.ForeignKey(InventoryPeriod, on_delete=models.PROTECT, related_name="entries")
    ending_date = models.DateField()
    entry_type = models.CharField(max_length=8, choices=InventoryPeriodEntryType.choices)
    user = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    last_item_ledger_entry_no = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["entry_no"]
        verbose_name_plural = "inventory period entries"

    def __str__(self) -> str:
        return f"{self.get_entry_type_display()} {self.ending_date}"


# -- production and assembly (spec §1.7, §6.6, §14) -----------------------------------------------


class ProductionOrderStatus(models.TextChoices):
    RELEASED = "released", "Released"
    FINISHED = "finished", "Finished"


class ProductionOrder(models.Model):
    """A released production order makes `quantity` of `item` at `location`: components are
    consumed into it and capacity is spent on it (WIP), output comes out at expected cost.
    Finishing it lets cost adjustment turn the output into actual cost (spec §6.6)."""

    no = models.CharField(max_length=20, unique=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="production_orders")
    location = models.ForeignKey(
        Location,
        to_field="code",
        db_column="location_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = quantity_field()
    status = models.CharField(
        max_length=10, choices=ProductionOrderStatus.choices, default=ProductionOrderStatus.RELEASED
    )
    description = models.CharField(max_length=100, blank=True, default="")
    finished_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["no"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="prod_order_qty_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.no

    @property
    def location_code(self) -> str:
        return self.location_id or ""

    @property
    def is_released(self) -> bool:
        return self.status == ProductionOrderStatus.RELEASED


class WorkCenter(models.Model):
    """Where capacity is spent on a production order: its direct unit cost (per unit of time),
    indirect cost % and overhead rate (spec §1.2 formula) and the gen. product posting group of
    its Direct Cost Applied and Overhead Applied accounts (spec §11.3). A subcontracted work
    center's cost is subcontracting, with its own variance (spec §9)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100, blank=True, default="")
    unit_cost = unit_cost_field()
    indirect_cost_pct = models.DecimalField(max_digits=7, decimal_places=2, default=Decimal("0"))
    overhead_rate = unit_cost_field()
    gen_prod_posting_group = models.CharField(max_length=20, blank=True, default="")
    subcontracted = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CapacityType(models.TextChoices):
    WORK_CENTER = "work_center", "Work Center"
    RESOURCE = "resource", "Resource"


class CapacityLedgerEntry(models.Model):
    """Capacity spent on an order (spec §14): time on a work center for production, a resource's
    usage for assembly. Its value entries carry the direct and indirect cost."""

    entry_no = models.BigAutoField(primary_key=True)
    capacity_type = models.CharField(max_length=12, choices=CapacityType.choices)
    order_type = models.CharField(max_length=10, choices=OrderType.choices)
    order_no = models.CharField(max_length=20)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    work_center = models.ForeignKey(
        WorkCenter,
        to_field="code",
        db_column="work_center_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capacity_entries",
    )
    posting_date = models.DateField()
    document_no = models.CharField(max_length=20, blank=True, default="")
    quantity = quantity_field()
    unit_cost = unit_cost_field()
    direct_cost = amount_field()
    overhead_cost = amount_field()
    subcontracted = models.BooleanField(default=False)

    class Meta:
        ordering = ["entry_no"]
        verbose_name_plural = "capacity ledger entries"
        indexes = [models.Index(fields=["order_type", "order_no"], name="cle_order")]

    def __str__(self) -> str:
        return f"Capacity {self.entry_no}"


class InventoryAdjmtEntryOrder(models.Model):
    """One row per production or assembly order (spec §1.7): marked not adjusted whenever
    material or capacity is posted against it, or the cost of what it consumed changes; cost
    adjustment then carries its cost to the output."""

    order_type = models.CharField(max_length=10, choices=OrderType.choices)
    order_no = models.CharField(max_length=20)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    cost_is_adjusted = models.BooleanField(default=False)
    allow_online_adjustment = models.BooleanField(default=True)
    # The order's cost shares at its last adjustment (the Cost Adjmt. Orders page shows them).
    material_cost = amount_field()
    capacity_cost = amount_field()
    subcontracted_cost = amount_field()
    capacity_overhead_cost = amount_field()
    manufacturing_overhead_cost = amount_field()

    class Meta:
        ordering = ["order_type", "order_no"]
        verbose_name = "inventory adjmt. entry (order)"
        verbose_name_plural = "inventory adjmt. entries (order)"
        constraints = [
            models.UniqueConstraint(fields=["order_type", "order_no"], name="adjmt_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_order_type_display()} {self.order_no}"

    @property
    def total_cost(self) -> Decimal:
        return (
            self.material_cost
            + self.capacity_cost
            + self.subcontracted_cost
            + self.capacity_overhead_cost
            + self.manufacturing_overhead_cost
        )


class AssemblyOrder(models.Model):
    """A posted assembly order (spec §14): components, resources and output posted in one step,
    all at actual cost."""

    no = models.CharField(max_length=20, unique=True)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="assembly_orders")
    location = models.ForeignKey(
        Location,
        to_field="code",
        db_column="location_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    posting_date = models.DateField()
    quantity = quantity_field()

    class Meta:
        ordering = ["no"]

    def __str__(self) -> str:
        return self.no

    @property
    def location_code(self) -> str:
        return self.location_id or ""
