from rest_framework import serializers

from inventory.api.serializers import amount
from inventory.models import OrderType


class RunRequestSerializer(serializers.Serializer):
    item_filter = serializers.CharField(
        required=False,
        allow_null=True,
        default=None,
        max_length=2048,
        help_text='e.g. "A|B", "A..C", "1*"; null = all items',
    )
    until_date = serializers.DateField(required=False, allow_null=True, default=None)
    item_by_item = serializers.BooleanField(required=False, default=False)


class ItemResultSerializer(serializers.Serializer):
    item_no = serializers.CharField()
    entries_adjusted = serializers.IntegerField()
    cost_difference = amount()
    duration_ms = serializers.IntegerField()


class RunResultSerializer(serializers.Serializer):
    run_id = serializers.CharField(allow_null=True, help_text="The run log's id (when logged).")
    status = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    entries_adjusted = serializers.IntegerField()
    cost_difference = amount()
    error = serializers.CharField()
    failed_item_no = serializers.CharField()
    items = ItemResultSerializer(many=True)
    orders = serializers.SerializerMethodField()

    def get_orders(self, result) -> list[dict]:
        return OrderResultSerializer(getattr(result, "orders", []), many=True).data


class BatchSerializer(serializers.ModelSerializer):
    item_nos = serializers.ListField(
        child=serializers.CharField(max_length=20),
        write_only=True,
        required=False,
        help_text="A selection of items instead of an item filter.",
    )
    item_filter = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    progress = serializers.SerializerMethodField()
    stale = serializers.SerializerMethodField()
    split_into = serializers.PrimaryKeyRelatedField(source="splits", many=True, read_only=True)

    class Meta:
        from costing.models import CostAdjustmentItemBatch

        model = CostAdjustmentItemBatch
        fields = [
            "id",
            "item_filter",
            "item_nos",
            "status",
            "timeout_minutes",
            "max_retry_attempts",
            "trace",
            "split_from",
            "split_into",
            "task_id",
            "started_at",
            "ended_at",
            "items_total",
            "items_done",
            "progress",
            "stale",
            "last_error",
            "last_error_traceback",
            "failed_item_no",
        ]
        read_only_fields = [
            "status",
            "split_from",
            "task_id",
            "started_at",
            "ended_at",
            "items_total",
            "items_done",
            "last_error",
            "last_error_traceback",
            "failed_item_no",
        ]

    def get_progress(self, batch) -> dict:
        from costing.services.batches import batch_progress

        done, total = batch_progress(batch)
        return {"done": done, "total": total}

    def get_stale(self, batch) -> bool:
        from costing.services.batches import batch_is_stale

        return batch_is_stale(batch)


class RunLogSerializer(serializers.ModelSerializer):
    duration_ms = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        from costing.models import CostAdjustmentRun

        model = CostAdjustmentRun
        fields = [
            "id",
            "run_id",
            "batch",
            "item_filter",
            "status",
            "started_at",
            "ended_at",
            "duration_ms",
            "entries_adjusted",
            "cost_difference",
            "last_error",
            "failed_item_no",
        ]
        read_only_fields = fields


class ItemLogSerializer(serializers.ModelSerializer):
    class Meta:
        from costing.models import CostAdjustmentItemLog

        model = CostAdjustmentItemLog
        fields = [
            "item_no",
            "status",
            "started_at",
            "ended_at",
            "duration_ms",
            "entries_adjusted",
            "cost_difference",
            "error",
        ]
        read_only_fields = fields


class TraceEventSerializer(serializers.ModelSerializer):
    class Meta:
        from costing.models import TraceEvent

        model = TraceEvent
        fields = [
            "id",
            "run_id",
            "batch",
            "event",
            "item_no",
            "location_code",
            "variant_code",
            "entry_no",
            "valuation_date",
            "amount",
            "duration_us",
            "details",
        ]
        read_only_fields = fields


# -- orders (Inventory Adjmt. Entry (Order), spec §1.7, §13) ------------------------------------


class OrderResultSerializer(serializers.Serializer):
    order_type = serializers.CharField()
    order_no = serializers.CharField()
    item_no = serializers.CharField()
    entries_adjusted = serializers.IntegerField()
    cost_difference = amount()


class AdjmtOrderSerializer(serializers.Serializer):
    order_type = serializers.CharField()
    order_no = serializers.CharField()
    item_no = serializers.CharField(source="item.no")
    cost_is_adjusted = serializers.BooleanField()
    material_cost = amount()
    capacity_cost = amount()
    subcontracted_cost = amount()
    capacity_overhead_cost = amount()
    manufacturing_overhead_cost = amount()


class OrderKeySerializer(serializers.Serializer):
    # The model's choice set (one enum in the schema); the blank choice matches no order.
    order_type = serializers.ChoiceField(choices=OrderType.choices)
    order_no = serializers.CharField(max_length=20)


class OrdersRequestSerializer(serializers.Serializer):
    orders = OrderKeySerializer(many=True, allow_empty=False)


class OrdersRunResultSerializer(serializers.Serializer):
    levels = serializers.IntegerField()
    cost_difference = amount()
    orders = OrderResultSerializer(many=True)
    items = ItemResultSerializer(many=True)


class ItemFilterSerializer(serializers.Serializer):
    item_filter = serializers.CharField(
        max_length=2048, help_text='e.g. "A|B", "A..C", "1*"; "*" = all items'
    )


class EntryNosSerializer(serializers.Serializer):
    entry_nos = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=10_000
    )
