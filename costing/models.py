"""Cost adjustment at scale: item batches, run logs, item logs and the tracer (spec §13,
BC-IMPLEMENTATION §1–§2)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from inventory.models import amount_field


class RunStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    RUNNING = "running", "Running"
    SUCCESS = "success", "Success"
    FAILED = "failed", "Failed"
    TIMED_OUT = "timed_out", "Timed out"
    CANCELED = "canceled", "Canceled"


class CostAdjustmentItemBatch(models.Model):
    """A batch of items adjusted together, in one transaction, by one Celery task."""

    item_filter = models.TextField(help_text='Items in filter notation: "A|B", "A..C", "1*", "*".')
    status = models.CharField(
        max_length=12, choices=RunStatus.choices, default=RunStatus.NOT_STARTED, db_index=True
    )
    timeout_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    max_retry_attempts = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="How many more times a failed or timed-out batch is split and rerun.",
    )
    trace = models.BooleanField(default=False)
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="splits"
    )
    task_id = models.CharField(max_length=64, blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    items_total = models.PositiveIntegerField(default=0)
    items_done = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    last_error_traceback = models.TextField(blank=True, default="")
    failed_item_no = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "cost adjustment item batch"
        verbose_name_plural = "cost adjustment item batches"

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.get_status_display()})"


class CostAdjustmentRun(models.Model):
    """Log per run (BC table 5806): one row per adjustment run that the logging level keeps."""

    run_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(
        CostAdjustmentItemBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )
    item_filter = models.TextField(blank=True, default="")
    status = models.CharField(max_length=12, choices=RunStatus.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    entries_adjusted = models.PositiveIntegerField(default=0)
    cost_difference = amount_field()
    last_error = models.TextField(blank=True, default="")
    failed_item_no = models.CharField(max_length=20, blank=True, default="")

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Run {self.run_id} ({self.get_status_display()})"

    @property
    def duration_ms(self) -> int | None:
        if self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() * 1000)


class CostAdjustmentItemLog(models.Model):
    """Log per item (BC table 5807)."""

    run = models.ForeignKey(CostAdjustmentRun, on_delete=models.CASCADE, related_name="item_logs")
    item_no = models.CharField(max_length=20)
    status = models.CharField(max_length=12, choices=RunStatus.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    entries_adjusted = models.PositiveIntegerField(default=0)
    cost_difference = amount_field()
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "item_no"], name="item_log_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.item_no} in {self.run_id}"


class TraceEvent(models.Model):
    """The tracer's record of what an adjustment did (BC table 5816). Holds the latest traced
    run only, and at most settings.COST_ADJUSTMENT_TRACE_LIMIT events of it."""

    run_id = models.UUIDField(db_index=True)
    batch = models.ForeignKey(
        CostAdjustmentItemBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.CharField(max_length=40)
    item_no = models.CharField(max_length=20)
    location_code = models.CharField(max_length=10, blank=True, default="")
    variant_code = models.CharField(max_length=10, blank=True, default="")
    entry_no = models.BigIntegerField(null=True, blank=True)
    valuation_date = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    duration_us = models.PositiveBigIntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event} {self.item_no}"
