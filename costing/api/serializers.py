from rest_framework import serializers

from inventory.api.serializers import amount


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
