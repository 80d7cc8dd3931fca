import django_filters as filters

from inventory.models import (
    EntryType,
    ItemApplicationEntry,
    ItemLedgerEntry,
    ValueEntry,
    ValueEntryType,
)


class ItemLedgerEntryFilter(filters.FilterSet):
    item_no = filters.CharFilter(field_name="item__no")
    entry_type = filters.ChoiceFilter(choices=EntryType.choices)
    location_code = filters.CharFilter(field_name="location_id")
    posting_date_from = filters.DateFilter(field_name="posting_date", lookup_expr="gte")
    posting_date_to = filters.DateFilter(field_name="posting_date", lookup_expr="lte")

    class Meta:
        model = ItemLedgerEntry
        fields = [
            "variant_code",
            "open",
            "positive",
            "document_no",
            "order_no",
            "applied_entry_to_adjust",
        ]


class ValueEntryFilter(filters.FilterSet):
    item_no = filters.CharFilter(field_name="item__no")
    item_ledger_entry_no = filters.NumberFilter(field_name="item_ledger_entry_id")
    entry_type = filters.ChoiceFilter(choices=ValueEntryType.choices)
    location_code = filters.CharFilter(field_name="location_id")
    posting_date_from = filters.DateFilter(field_name="posting_date", lookup_expr="gte")
    posting_date_to = filters.DateFilter(field_name="posting_date", lookup_expr="lte")

    class Meta:
        model = ValueEntry
        fields = [
            "adjustment",
            "expected_cost",
            "document_no",
            "item_charge_no",
            "order_no",
            "order_type",
        ]


class ItemApplicationEntryFilter(filters.FilterSet):
    class Meta:
        model = ItemApplicationEntry
        fields = [
            "item_ledger_entry",
            "inbound_item_entry",
            "outbound_item_entry",
            "cost_application",
        ]
