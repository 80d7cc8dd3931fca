"""G/L accounts and the posting setups that decide which accounts a value entry posts to
(spec §1.10, §1.11, §11.3). A blank account is allowed here; posting to G/L then skips the entry
and says why."""

from django.db import models

from inventory.models import amount_field, quantity_field


class GLAccount(models.Model):
    no = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["no"]
        verbose_name = "G/L account"

    def __str__(self) -> str:
        return f"{self.no} {self.name}".strip()


def account(**kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        GLAccount,
        to_field="no",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        **kwargs,
    )


class GeneralPostingSetup(models.Model):
    """Key: gen. business posting group x gen. product posting group."""

    gen_bus_posting_group = models.CharField(max_length=20, blank=True, default="")
    gen_prod_posting_group = models.CharField(max_length=20)
    cogs_account = account()
    cogs_account_interim = account()
    inventory_adjmt_account = account()
    direct_cost_applied_account = account()
    overhead_applied_account = account()
    purchase_variance_account = account()
    invt_accrual_account_interim = account()

    class Meta:
        ordering = ["gen_bus_posting_group", "gen_prod_posting_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["gen_bus_posting_group", "gen_prod_posting_group"],
                name="general_posting_setup_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gen_bus_posting_group or '(blank)'} x {self.gen_prod_posting_group}"


class InventoryPostingSetup(models.Model):
    """Key: location x inventory posting group ("" = no location)."""

    location_code = models.CharField(max_length=10, blank=True, default="")
    inventory_posting_group = models.CharField(max_length=20)
    inventory_account = account()
    inventory_account_interim = account()
    wip_account = account()
    material_variance_account = account()
    capacity_variance_account = account()
    subcontracted_variance_account = account()
    cap_overhead_variance_account = account()
    mfg_overhead_variance_account = account()

    class Meta:
        ordering = ["location_code", "inventory_posting_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["location_code", "inventory_posting_group"],
                name="inventory_posting_setup_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.location_code or '(blank)'} x {self.inventory_posting_group}"


class GLEntry(models.Model):
    """A line of the general ledger; amount is debit-positive. Entries of one transaction_no
    balance to zero (one value entry per entry, or one document per posting-group run)."""

    entry_no = models.BigAutoField(primary_key=True)
    transaction_no = models.BigIntegerField(db_index=True)
    posting_date = models.DateField()
    document_no = models.CharField(max_length=20, blank=True, default="")
    account = models.ForeignKey(
        GLAccount,
        to_field="no",
        db_column="account_no",
        on_delete=models.PROTECT,
        related_name="entries",
    )
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    description = models.CharField(max_length=100, blank=True, default="")
    source_code = models.CharField(max_length=10, blank=True, default="")
    dimensions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry_no"]
        verbose_name = "G/L entry"
        verbose_name_plural = "G/L entries"
        indexes = [models.Index(fields=["account", "posting_date"], name="gle_account_date")]

    def __str__(self) -> str:
        return f"G/L {self.entry_no}"


class GLItemLedgerRelation(models.Model):
    """Which value entries a G/L entry came from (spec §1.9)."""

    # Two rows per value entry posted: the link table is the largest that Post Inventory Cost
    # to G/L writes. Its rows are written only together with the G/L entries they point to, and
    # neither ledger ever deletes, so the database's per-row foreign key check (deferred to
    # commit, with a lock on each referenced row) is left out; the unique constraint and
    # glrel_value index serve the lookups both ways.
    gl_entry = models.ForeignKey(
        GLEntry,
        on_delete=models.PROTECT,
        related_name="value_links",
        db_index=False,
        db_constraint=False,
    )
    value_entry = models.ForeignKey(
        "inventory.ValueEntry",
        on_delete=models.PROTECT,
        related_name="gl_links",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gl_entry", "value_entry"], name="gl_value_unique"),
        ]
        indexes = [models.Index(fields=["value_entry"], name="glrel_value")]

    def __str__(self) -> str:
        return f"G/L {self.gl_entry_id} <- VE {self.value_entry_id}"


class DimensionCombination(models.Model):
    """Two dimensions that may not be combined on a G/L posting. Post Inventory Cost to G/L
    does not stop on them: it posts with the value entry's own dimensions and reports the
    conflict (spec §11.4)."""

    dimension_1 = models.CharField(max_length=20)
    dimension_2 = models.CharField(max_length=20)
    blocked = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension_1", "dimension_2"], name="dim_combination_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_1} x {self.dimension_2}"


# -- the month-end inventory close (spec §16) ------------------------------------------------


class InventoryCloseKind(models.TextChoices):
    CLOSE = "close", "Close"
    RECALCULATION = "recalculation", "Recalculation"


class InventoryCloseStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    REVERSED = "reversed", "Reversed"


class InventoryClose(models.Model):
    """One close or recalculation: what it was asked, how far it got, what it did. A close
    adjusts cost, settles issues against receipts up to the closing date, posts to the G/L and
    closes the inventory period ending on that date; a recalculation only adjusts and posts."""

    kind = models.CharField(max_length=14, choices=InventoryCloseKind.choices)
    closing_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10,
        choices=InventoryCloseStatus.choices,
        default=InventoryCloseStatus.QUEUED,
        db_index=True,
    )
    document_no = models.CharField(max_length=20, blank=True, default="")
    period = models.ForeignKey(
        "inventory.InventoryPeriod",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closes",
    )
    user_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, default="")
    phase = models.CharField(max_length=40, blank=True, default="")
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    entries_adjusted = models.PositiveIntegerField(default=0)
    cost_difference = amount_field()
    issues_settled = models.PositiveIntegerField(default=0)
    standard_items_skipped = models.PositiveIntegerField(default=0)
    value_entries_posted = models.PositiveIntegerField(default=0)
    gl_transaction_no = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.CharField(max_length=150, blank=True, default="")
    reversal_gl_transaction_no = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "inventory close"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.closing_date or ''} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (InventoryCloseStatus.QUEUED, InventoryCloseStatus.RUNNING)


class InventoryCloseWarning(models.Model):
    """A line of the close log: what could not be done, for which item and entry, and what to
    do about it."""

    close = models.ForeignKey(InventoryClose, on_delete=models.CASCADE, related_name="warnings")
    kind = models.CharField(max_length=32)
    item_no = models.CharField(max_length=20, blank=True, default="")
    entry_no = models.BigIntegerField(null=True, blank=True)
    message = models.TextField()
    advice = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_no}"


class InventoryCloseSettlement(models.Model):
    """Which issue was settled against which receipt by a close, for what quantity and cost.
    One active settlement per application; a reversal makes the close's settlements inactive."""

    close = models.ForeignKey(InventoryClose, on_delete=models.PROTECT, related_name="settlements")
    application = models.ForeignKey(
        "inventory.ItemApplicationEntry", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey("inventory.Item", on_delete=models.PROTECT, related_name="+")
    outbound_entry = models.ForeignKey(
        "inventory.ItemLedgerEntry", on_delete=models.PROTECT, related_name="+"
    )
    inbound_entry = models.ForeignKey(
        "inventory.ItemLedgerEntry", on_delete=models.PROTECT, related_name="+"
    )
    quantity = quantity_field()
    cost_amount = amount_field()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(active=True),
                name="close_settlement_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outbound_entry_id} <- {self.inbound_entry_id}"


class InventoryCloseGLPosting(models.Model):
    """What a close's G/L posting added to a value entry's posted amounts, so that a reversal
    can take exactly that back."""

    close = models.ForeignKey(InventoryClose, on_delete=models.CASCADE, related_name="postings")
    value_entry = models.ForeignKey(
        "inventory.ValueEntry", on_delete=models.PROTECT, related_name="+"
    )
    actual = amount_field()
    expected = amount_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["close", "value_entry"], name="close_posting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.close_id}: VE {self.value_entry_id}"
