"""Action messages (self-diagnostics; BC-IMPLEMENTATION §3, "Cost Adjmt. Signals")."""

from __future__ import annotations

from django.db import models


class ActionMessageType(models.IntegerChoices):
    # The values are Business Central's (enum 5842).
    COST_ADJUSTMENT_NOT_RUNNING = 10, "Cost adjustment not running"
    COST_ADJUSTMENT_RUNNING_LONG = 20, "Cost adjustment running long"
    SUBOPTIMAL_AVG_COST_SETTINGS = 30, "Suboptimal average cost settings"
    INVENTORY_PERIODS_UNUSED = 40, "Inventory periods unused"
    MANY_NON_ADJUSTED_ENTRY_POINTS = 50, "Many non-adjusted entry points"
    MANY_NON_ADJUSTED_ORDERS = 60, "Many non-adjusted orders"
    ITEM_EXCLUDED = 70, "Items excluded from cost adjustment"
    DATA_DISCREPANCY = 100, "Data discrepancy"


class ActionMessage(models.Model):
    """The latest result of one check: active (an issue to act on) or not ("No issues
    found"). The check is not run again before next_check_at, unless Run Tests is used."""

    type = models.PositiveSmallIntegerField(choices=ActionMessageType.choices, unique=True)
    message = models.TextField()
    threshold = models.CharField(max_length=250, blank=True, default="")
    importance = models.PositiveSmallIntegerField(help_text="1 is the most important.")
    active = models.BooleanField(default=True)
    checked_at = models.DateTimeField()
    next_check_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-active", "importance", "type"]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.message}"


class ActionMessageSnooze(models.Model):
    """A snoozed type of message: checked as ever, but not notified until snoozed_until
    (30 days at most; there is no way to switch the checks off)."""

    type = models.PositiveSmallIntegerField(choices=ActionMessageType.choices, unique=True)
    snoozed_until = models.DateTimeField()
    snoozed_by = models.CharField(max_length=150, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.get_type_display()} snoozed until {self.snoozed_until:%Y-%m-%d}"
