from rest_framework import serializers


class CostingIssuesQuerySerializer(serializers.Serializer):
    item_no = serializers.CharField(required=False, allow_blank=True, max_length=20)
    item_filter = serializers.CharField(required=False, allow_blank=True, max_length=250)
    check = serializers.ListField(child=serializers.CharField(), required=False)


class FindingSerializer(serializers.Serializer):
    item_no = serializers.CharField()
    message = serializers.CharField()
    item_ledger_entries = serializers.ListField(
        source="entry_nos", child=serializers.IntegerField()
    )
    value_entries = serializers.ListField(
        source="value_entry_nos", child=serializers.IntegerField()
    )
    item_application_entries = serializers.ListField(
        source="application_entry_nos", child=serializers.IntegerField()
    )
    capacity_ledger_entries = serializers.ListField(
        source="capacity_entry_nos", child=serializers.IntegerField()
    )


class CheckResultSerializer(serializers.Serializer):
    code = serializers.CharField(source="check.code")
    group = serializers.CharField(source="check.group")
    title = serializers.CharField(source="check.title")
    severity = serializers.CharField(source="check.severity")
    remedy = serializers.CharField(source="check.remedy")
    ok = serializers.BooleanField()
    more = serializers.BooleanField(help_text="More findings than listed.")
    findings = FindingSerializer(many=True)


class CostingIssuesReportSerializer(serializers.Serializer):
    item_filter = serializers.CharField(allow_null=True)
    errors = serializers.IntegerField()
    warnings = serializers.IntegerField()
    checks = CheckResultSerializer(source="results", many=True)


class ActionMessageSerializer(serializers.Serializer):
    type = serializers.IntegerField()
    type_name = serializers.CharField(source="get_type_display")
    active = serializers.BooleanField()
    importance = serializers.IntegerField()
    message = serializers.CharField()
    threshold = serializers.CharField()
    checked_at = serializers.DateTimeField()
    next_check_at = serializers.DateTimeField()
    details = serializers.JSONField()
    snoozed_until = serializers.SerializerMethodField()

    def get_snoozed_until(self, message) -> str | None:
        until = self.context.get("snoozed", {}).get(message.type)
        return until.isoformat() if until else None
