"""The integration contract's shapes (API.md): field names are stable; decimals are strings."""

from rest_framework import serializers

from costing.engine.money import AMOUNT_PLACES, MAX_DIGITS, QUANTITY_PLACES, UNIT_COST_PLACES
from inventory.models import (
    AssemblyOrder,
    CapacityLedgerEntry,
    EntryType,
    InventoryPeriod,
    InventoryPeriodEntry,
    InventorySetup,
    Item,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ItemVariant,
    Location,
    ProductionOrder,
    ValueEntry,
    WorkCenter,
)


def quantity(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=QUANTITY_PLACES, **kwargs)


def unit_amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=UNIT_COST_PLACES, **kwargs
    )


def amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=AMOUNT_PLACES, **kwargs)


# -- master data ------------------------------------------------------------------------------


class InventorySetupSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventorySetup
        exclude = ["id"]


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["code", "name"]


class ItemVariantSerializer(serializers.ModelSerializer):
    item_no = serializers.SlugRelatedField(
        source="item", slug_field="no", queryset=Item.objects.all()
    )

    class Meta:
        model = ItemVariant
        fields = ["item_no", "code", "description"]


class ItemSerializer(serializers.ModelSerializer):
    inventory = quantity(read_only=True)
    inventory_value = amount(read_only=True)

    class Meta:
        model = Item
        fields = [
            "no",
            "description",
            "costing_method",
            "unit_cost",
            "standard_cost",
            "last_direct_cost",
            "indirect_cost_pct",
            "overhead_rate",
            "inventory_posting_group",
            "gen_prod_posting_group",
            "single_level_capacity_cost",
            "single_level_subcontracted_cost",
            "single_level_cap_overhead_cost",
            "single_level_mfg_overhead_cost",
            "inventory",
            "inventory_value",
            "cost_is_adjusted",
            "excluded_from_cost_adjustment",
        ]
        read_only_fields = ["last_direct_cost", "cost_is_adjusted", "excluded_from_cost_adjustment"]
        # Uniqueness is checked by the service, with the same message for every client.
        extra_kwargs = {"no": {"validators": []}}


class ItemUpdateSerializer(ItemSerializer):
    """PATCH: unit cost is kept by the ledger (and by cost adjustment), not typed in."""

    class Meta(ItemSerializer.Meta):
        read_only_fields = [*ItemSerializer.Meta.read_only_fields, "no", "unit_cost"]


# -- posting ----------------------------------------------------------------------------------


class JournalLineSerializer(serializers.Serializer):
    entry_type = serializers.ChoiceField(choices=EntryType.choices)
    item_no = serializers.CharField(max_length=20)
    location_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    new_location_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    variant_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    posting_date = serializers.DateField()
    quantity = quantity(help_text="Greater than zero; the entry type gives the direction.")
    unit_cost = unit_amount(required=False, allow_null=True, default=None)
    unit_price = unit_amount(required=False, allow_null=True, default=None)
    gen_bus_posting_group = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    invoiced = serializers.BooleanField(required=False, default=True)
    is_return = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A purchase return (outbound) or a sales return (inbound).",
    )
    applies_to_entry = serializers.IntegerField(required=False, allow_null=True, default=None)
    applies_from_entry = serializers.IntegerField(required=False, allow_null=True, default=None)
    document_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    order_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    dimensions = serializers.DictField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=dict,
        help_text='Dimension values, e.g. {"DEPARTMENT": "SALES", "PROJECT": "P-17"}.',
    )


class JournalSerializer(serializers.Serializer):
    lines = JournalLineSerializer(many=True, allow_empty=False)


class InvoiceSerializer(serializers.Serializer):
    posting_date = serializers.DateField()
    quantity = quantity()
    unit_cost = unit_amount(required=False, allow_null=True, default=None)
    unit_price = unit_amount(required=False, allow_null=True, default=None)


class ItemChargeSerializer(serializers.Serializer):
    posting_date = serializers.DateField()
    amount = amount()
    item_charge_no = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )


class RevaluationLineSerializer(serializers.Serializer):
    item_no = serializers.CharField(max_length=20)
    posting_date = serializers.DateField()
    applies_to_entry = serializers.IntegerField(required=False, allow_null=True, default=None)
    unit_cost_revalued = unit_amount(required=False, allow_null=True, default=None)
    inventory_value_revalued = amount(required=False, allow_null=True, default=None)


class RevaluationJournalSerializer(serializers.Serializer):
    lines = RevaluationLineSerializer(many=True, allow_empty=False)


# -- ledgers ----------------------------------------------------------------------------------


class ItemLedgerEntrySerializer(serializers.ModelSerializer):
    item_no = serializers.CharField(source="item.no")
    location_code = serializers.CharField()
    cost_amount_actual = amount()
    cost_amount_expected = amount()
    sales_amount_actual = amount()

    class Meta:
        model = ItemLedgerEntry
        fields = [
            "entry_no",
            "item_no",
            "posting_date",
            "entry_type",
            "location_code",
            "variant_code",
            "quantity",
            "remaining_quantity",
            "invoiced_quantity",
            "open",
            "positive",
            "completely_invoiced",
            "is_return",
            "applies_to_entry",
            "applies_from_entry",
            "applied_entry_to_adjust",
            "document_no",
            "order_no",
            "gen_bus_posting_group",
            "cost_amount_actual",
            "cost_amount_expected",
            "sales_amount_actual",
        ]
        read_only_fields = fields


class ValueEntrySerializer(serializers.ModelSerializer):
    # Blank item and item ledger entry on a capacity value entry.
    item_no = serializers.CharField(source="item.no", allow_null=True, default=None)
    item_ledger_entry_no = serializers.IntegerField(source="item_ledger_entry_id", allow_null=True)
    location_code = serializers.CharField()

    class Meta:
        model = ValueEntry
        fields = [
            "entry_no",
            "item_no",
            "item_ledger_entry_no",
            "item_ledger_entry_type",
            "entry_type",
            "variance_type",
            "posting_date",
            "valuation_date",
            "document_no",
            "order_no",
            "location_code",
            "variant_code",
            "valued_quantity",
            "item_ledger_entry_quantity",
            "invoiced_quantity",
            "cost_per_unit",
            "cost_amount_actual",
            "cost_amount_expected",
            "cost_posted_to_gl",
            "expected_cost_posted_to_gl",
            "sales_amount_actual",
            "expected_cost",
            "adjustment",
            "applies_to_entry",
            "valued_by_average_cost",
            "item_charge_no",
            "inventory_posting_group",
            "gen_prod_posting_group",
            "gen_bus_posting_group",
            "source_code",
            "dimensions",
            "order_type",
            "capacity_ledger_entry",
        ]
        read_only_fields = fields


class ItemApplicationEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = ItemApplicationEntry
        fields = [
            "entry_no",
            "item_ledger_entry",
            "inbound_item_entry",
            "outbound_item_entry",
            "quantity",
            "posting_date",
            "cost_application",
            "outbound_entry_is_updated",
        ]
        read_only_fields = fields


# -- production and assembly (API.md: production orders, capacity journal, assembly orders) -----


class WorkCenterSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkCenter
        fields = [
            "code",
            "name",
            "unit_cost",
            "indirect_cost_pct",
            "overhead_rate",
            "gen_prod_posting_group",
            "subcontracted",
        ]


class ProductionOrderSerializer(serializers.ModelSerializer):
    item_no = serializers.CharField(source="item.no", max_length=20)
    location_code = serializers.CharField(
        source="location_id", max_length=10, required=False, allow_blank=True, allow_null=True
    )
    quantity = quantity()
    status = serializers.CharField(required=False, default="released")
    cost_is_adjusted = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = ProductionOrder
        fields = [
            "no",
            "item_no",
            "location_code",
            "quantity",
            "status",
            "description",
            "finished_date",
            "cost_is_adjusted",
        ]
        read_only_fields = ["finished_date"]
        extra_kwargs = {"no": {"validators": []}}  # the service says "already exists"


class ProductionOrderFinishSerializer(serializers.Serializer):
    finished_date = serializers.DateField(required=False, allow_null=True, default=None)


class CapacityLineSerializer(serializers.Serializer):
    order_no = serializers.CharField(max_length=20)
    posting_date = serializers.DateField()
    work_center = serializers.CharField(max_length=20)
    quantity = quantity(help_text="The time spent, in the work center's unit of measure.")
    unit_cost = unit_amount(required=False, allow_null=True, default=None)
    document_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class CapacityJournalSerializer(serializers.Serializer):
    lines = CapacityLineSerializer(many=True, allow_empty=False)


class CapacityLedgerEntrySerializer(serializers.ModelSerializer):
    work_center = serializers.CharField(source="work_center_id", allow_null=True)
    item_no = serializers.CharField(source="item.no")

    class Meta:
        model = CapacityLedgerEntry
        fields = [
            "entry_no",
            "capacity_type",
            "order_type",
            "order_no",
            "item_no",
            "work_center",
            "posting_date",
            "document_no",
            "quantity",
            "unit_cost",
            "direct_cost",
            "overhead_cost",
            "subcontracted",
        ]
        read_only_fields = fields


class AssemblyComponentSerializer(serializers.Serializer):
    item_no = serializers.CharField(max_length=20)
    quantity = quantity()


class AssemblyResourceSerializer(serializers.Serializer):
    quantity = quantity()
    unit_cost = unit_amount()


class AssemblyOrderPostSerializer(serializers.Serializer):
    no = serializers.CharField(max_length=20)
    item_no = serializers.CharField(max_length=20)
    location_code = serializers.CharField(
        max_length=10, required=False, allow_blank=True, default=""
    )
    posting_date = serializers.DateField()
    quantity = quantity()
    components = AssemblyComponentSerializer(many=True, required=False, default=list)
    resources = AssemblyResourceSerializer(many=True, required=False, default=list)


class AssemblyOrderSerializer(serializers.ModelSerializer):
    item_no = serializers.CharField(source="item.no")
    location_code = serializers.CharField(source="location_id", allow_null=True)

    class Meta:
        model = AssemblyOrder
        fields = ["no", "item_no", "location_code", "posting_date", "quantity"]
        read_only_fields = fields


# -- inventory periods -----------------------------------------------------------------------


class InventoryPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = InventoryPeriod
        fields = ["id", "ending_date", "name", "closed"]
        read_only_fields = ["id", "closed"]
        # Uniqueness and order are the service's to check, with its own messages.
        validators: list = []
        extra_kwargs = {"ending_date": {"validators": []}}


class InventoryPeriodEntrySerializer(serializers.ModelSerializer):
    period = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = InventoryPeriodEntry
        fields = [
            "entry_no",
            "period",
            "ending_date",
            "entry_type",
            "user_name",
            "created_at",
            "last_item_ledger_entry_no",
            "description",
        ]


class BlockerSerializer(serializers.Serializer):
    kind = serializers.CharField()
    message = serializers.CharField()
    item_no = serializers.CharField()
    entry_nos = serializers.ListField(child=serializers.IntegerField())
    period_id = serializers.IntegerField(allow_null=True)
    order = serializers.CharField(
        help_text='The order not adjusted ("production P1", "assembly A1"), or blank.'
    )


class CloseTestSerializer(serializers.Serializer):
    period = InventoryPeriodSerializer()
    can_close = serializers.BooleanField()
    blockers = BlockerSerializer(many=True)
