from rest_framework import serializers

from inventory.api.serializers import BlockerSerializer, amount, quantity
from ledger.models import (
    GeneralPostingSetup,
    GLAccount,
    GLEntry,
    InventoryClose,
    InventoryCloseKind,
    InventoryCloseSettlement,
    InventoryCloseWarning,
    InventoryPostingSetup,
)
from ledger.services import POST_METHODS


class GLAccountSerializer(serializers.ModelSerializer):
    balance = amount(read_only=True)

    class Meta:
        model = GLAccount
        fields = ["no", "name", "balance"]


def _account_field() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="no", queryset=GLAccount.objects.all(), required=False, allow_null=True
    )


class GeneralPostingSetupSerializer(serializers.ModelSerializer):
    class Meta:
        model = GeneralPostingSetup
        fields = [
            "id",
            "gen_bus_posting_group",
            "gen_prod_posting_group",
            "cogs_account",
            "cogs_account_interim",
            "inventory_adjmt_account",
            "direct_cost_applied_account",
            "overhead_applied_account",
            "purchase_variance_account",
            "invt_accrual_account_interim",
        ]

    def build_relational_field(self, field_name, relation_info):
        return serializers.SlugRelatedField, {
            "slug_field": "no",
            "queryset": GLAccount.objects.all(),
            "required": False,
            "allow_null": True,
        }


class InventoryPostingSetupSerializer(GeneralPostingSetupSerializer):
    class Meta:
        model = InventoryPostingSetup
        fields = [
            "id",
            "location_code",
            "inventory_posting_group",
            "inventory_account",
            "inventory_account_interim",
            "wip_account",
            "material_variance_account",
            "capacity_variance_account",
            "subcontracted_variance_account",
            "cap_overhead_variance_account",
            "mfg_overhead_variance_account",
        ]


class GLEntrySerializer(serializers.ModelSerializer):
    account_no = serializers.CharField(source="account_id")
    value_entry_nos = serializers.SerializerMethodField()

    class Meta:
        model = GLEntry
        fields = [
            "entry_no",
            "transaction_no",
            "posting_date",
            "document_no",
            "account_no",
            "amount",
            "description",
            "source_code",
            "dimensions",
            "value_entry_nos",
        ]
        read_only_fields = fields

    def get_value_entry_nos(self, entry: GLEntry) -> list[int]:
        return [link.value_entry_id for link in entry.value_links.all()]


class PostRequestSerializer(serializers.Serializer):
    post_method = serializers.ChoiceField(choices=POST_METHODS, default="per_posting_group")
    document_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    post = serializers.BooleanField(default=True)


class GLLineSerializer(serializers.Serializer):
    posting_date = serializers.DateField()
    document_no = serializers.CharField()
    account_no = serializers.CharField()
    amount = amount()
    description = serializers.CharField()
    dimensions = serializers.DictField(child=serializers.CharField())
    value_entry_nos = serializers.ListField(child=serializers.IntegerField())


class SkippedEntrySerializer(serializers.Serializer):
    value_entry_no = serializers.IntegerField()
    item_no = serializers.CharField()
    posting_date = serializers.DateField()
    document_no = serializers.CharField()
    entry_type = serializers.CharField()
    item_ledger_entry_type = serializers.CharField()
    expected_cost = serializers.BooleanField()
    location_code = serializers.CharField()
    inventory_posting_group = serializers.CharField()
    gen_bus_posting_group = serializers.CharField()
    gen_prod_posting_group = serializers.CharField()
    cost_amount = amount()
    reason = serializers.CharField()


class PostingReportSerializer(serializers.Serializer):
    posted = serializers.BooleanField()
    post_method = serializers.CharField()
    document_no = serializers.CharField()
    message = serializers.CharField()
    value_entries_posted = serializers.IntegerField()
    gl_entries = GLLineSerializer(many=True, source="lines")
    account_totals = serializers.DictField(child=amount())
    skipped_entries = SkippedEntrySerializer(many=True, source="skipped")
    dimension_conflicts = serializers.ListField(child=serializers.CharField())


# -- the month-end inventory close ----------------------------------------------------------


class InventoryCloseRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InventoryCloseKind.choices)
    closing_date = serializers.DateField(required=False, allow_null=True, default=None)


class InventoryCloseSerializer(serializers.ModelSerializer):
    cost_difference = amount(read_only=True)
    warnings_count = serializers.SerializerMethodField()

    class Meta:
        model = InventoryClose
        fields = [
            "id",
            "kind",
            "closing_date",
            "status",
            "document_no",
            "period",
            "user_name",
            "created_at",
            "started_at",
            "ended_at",
            "phase",
            "items_total",
            "items_done",
            "entries_adjusted",
            "cost_difference",
            "issues_settled",
            "standard_items_skipped",
            "value_entries_posted",
            "gl_transaction_no",
            "error",
            "reversed_at",
            "reversed_by",
            "reversal_gl_transaction_no",
            "warnings_count",
        ]
        read_only_fields = fields

    def get_warnings_count(self, close: InventoryClose) -> int:
        return close.warnings.count()


class InventoryCloseWarningSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryCloseWarning
        fields = ["id", "kind", "item_no", "entry_no", "message", "advice"]


class InventoryCloseSettlementSerializer(serializers.ModelSerializer):
    item_no = serializers.CharField(source="item.no")
    quantity = quantity()
    cost_amount = amount()

    class Meta:
        model = InventoryCloseSettlement
        fields = [
            "id",
            "item_no",
            "outbound_entry",
            "inbound_entry",
            "application",
            "quantity",
            "cost_amount",
            "active",
        ]


class UnsettledIssueSerializer(serializers.Serializer):
    kind = serializers.CharField()
    item_no = serializers.CharField()
    entry_no = serializers.IntegerField()
    entry_type = serializers.CharField()
    posting_date = serializers.DateField()
    issue_quantity = quantity()  # before `quantity` takes the helper's name in this class
    quantity = quantity()
    receipt_entry_nos = serializers.ListField(child=serializers.IntegerField())
    reason = serializers.CharField()
    message = serializers.CharField()
    advice = serializers.CharField()


class PreRunSerializer(serializers.Serializer):
    closing_date = serializers.DateField()
    items = serializers.ListField(child=serializers.CharField())
    blockers = BlockerSerializer(many=True)
    unsettled = UnsettledIssueSerializer(many=True)
    standard_items_skipped = serializers.IntegerField()
