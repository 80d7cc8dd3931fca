import django_filters as filters

from ledger.models import GLEntry


class GLEntryFilter(filters.FilterSet):
    account_no = filters.CharFilter(field_name="account_id")
    posting_date_from = filters.DateFilter(field_name="posting_date", lookup_expr="gte")
    posting_date_to = filters.DateFilter(field_name="posting_date", lookup_expr="lte")
    value_entry_no = filters.NumberFilter(field_name="value_links__value_entry_id")

    class Meta:
        model = GLEntry
        fields = ["document_no", "transaction_no", "posting_date"]
