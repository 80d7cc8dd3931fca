"""G/L accounts and the posting setups that decide which accounts a value entry posts to
(spec §1.10, §1.11, §11.3). A blank account is allowed here; posting to G/L then skips the entry
and says why."""

from django.db import models


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
