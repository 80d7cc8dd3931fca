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
