"""Forms of the inventory pages: the Inventory Setup form and the filters of the list pages.

The page filters extend the API's FilterSets (same parameter names, so an address works for
both) with a few page-only filters, readable labels and browser date pickers.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.widgets import BooleanWidget

from inventory.api.filters import ItemLedgerEntryFilter, ValueEntryFilter
from inventory.models import CostingMethod, InventorySetup, Item
from ledger.api.filters import GLEntryFilter
from ledger.models import GLItemLedgerRelation

# -- Inventory Setup -----------------------------------------------------------------------------

SETUP_HELP = {
    "automatic_cost_posting": (
        "Post each posting's value entries to the G/L at once, dated like the entry. When off, "
        "Post Inventory Cost to G/L does it."
    ),
    "expected_cost_posting_to_gl": (
        "Also post not-yet-invoiced (expected) cost to the interim accounts; the invoice reverses "
        "it and posts the actual cost."
    ),
    "automatic_cost_adjustment": (
        "How far back from today a posting may be dated and still adjust cost at once. Never: "
        "no adjustment on posting; Always: on every posting, whatever its date."
    ),
    "average_cost_calc_type": (
        "Average cost per item, or per item, location and variant. Only one calc type may be in "
        "force in a fiscal year."
    ),
    "average_cost_period": (
        "The period over which average cost is calculated for Average items. Accounting Period "
        "follows the accounting periods. Only one period may be in force in a fiscal year."
    ),
    "default_costing_method": "The costing method suggested for new items.",
    "cost_adjustment_logging": (
        "What runs of the Inventory Cost Adjustment keep in the log: nothing, errors only, or "
        "every run. Adjustments triggered by posting are never logged."
    ),
    "earliest_allowed_valuation_date": (
        "No value may be written with a valuation date before this date. Leave blank for no "
        "such barrier."
    ),
    "adjust_cost_before_posting_to_gl": (
        "The scheduled Post Inventory Cost to G/L adjusts cost first, so that it posts adjusted "
        "figures."
    ),
}


class InventorySetupForm(forms.ModelForm):
    """Every field of the Inventory Setup. Saved through inventory.services, not form.save()."""

    class Meta:
        model = InventorySetup
        fields = [
            "automatic_cost_posting",
            "expected_cost_posting_to_gl",
            "automatic_cost_adjustment",
            "adjust_cost_before_posting_to_gl",
            "average_cost_calc_type",
            "average_cost_period",
            "default_costing_method",
            "cost_adjustment_logging",
            "earliest_allowed_valuation_date",
        ]
        labels = {
            "expected_cost_posting_to_gl": "Expected cost posting to G/L",
            "adjust_cost_before_posting_to_gl": "Adjust cost before posting to G/L",
            "average_cost_calc_type": "Average cost calc. type",
        }
        help_texts = SETUP_HELP
        widgets = {
            "earliest_allowed_valuation_date": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
        }

    def __init__(self, *args: Any, read_only: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.read_only = read_only
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def add_service_errors(self, detail: dict[str, Any]) -> None:
        """Show a service's InvalidInput detail on the fields it names (the rest on top)."""
        for name, messages in detail.items():
            if not isinstance(messages, list | tuple):
                messages = [messages]
            for message in messages:
                self.add_error(name if name in self.fields else None, str(message))


# -- list filters --------------------------------------------------------------------------------


class AnyYesNo(BooleanWidget):
    """A yes/no filter whose empty choice reads "Any"; accepts true/false and 1/0."""

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.choices = [("", "Any"), ("true", "Yes"), ("false", "No")]


class PageFilterMixin:
    """Readable labels, a field order, date pickers, "Any" as the empty choice."""

    labels: dict[str, str] = {}
    order: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, flt in self.filters.items():
            if name in self.labels:
                flt.label = self.labels[name]
            if isinstance(flt, filters.DateFilter):
                flt.extra["widget"] = forms.DateInput(attrs={"type": "date"})
            elif isinstance(flt, filters.BooleanFilter):
                flt.extra["widget"] = AnyYesNo
            elif isinstance(flt, filters.ChoiceFilter):
                flt.extra["empty_label"] = "Any"
            elif isinstance(flt, filters.NumberFilter):
                flt.extra["widget"] = forms.NumberInput(attrs={"step": 1, "min": 0})
        if self.order:
            ordered = {n: self.filters[n] for n in self.order if n in self.filters}
            ordered.update({n: f for n, f in self.filters.items() if n not in ordered})
            self.filters = ordered


class ItemPageFilter(PageFilterMixin, filters.FilterSet):
    q = filters.CharFilter(method="search", label="Search")
    costing_method = filters.ChoiceFilter(choices=CostingMethod.choices)
    cost_is_adjusted = filters.BooleanFilter()
    excluded_from_cost_adjustment = filters.BooleanFilter()

    labels = {
        "q": "No. or description",
        "costing_method": "Costing method",
        "cost_is_adjusted": "Cost is adjusted",
        "excluded_from_cost_adjustment": "Excluded from adjustment",
    }

    class Meta:
        model = Item
        fields: list[str] = []

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(no__icontains=value) | Q(description__icontains=value))


class ItemLedgerEntryPageFilter(PageFilterMixin, ItemLedgerEntryFilter):
    entry_no = filters.NumberFilter(field_name="entry_no")

    labels = {
        "entry_no": "Entry no.",
        "item_no": "Item no.",
        "entry_type": "Entry type",
        "posting_date_from": "Posting date from",
        "posting_date_to": "Posting date to",
        "location_code": "Location",
        "variant_code": "Variant",
        "document_no": "Document no.",
        "order_no": "Order no.",
        "open": "Open",
        "positive": "Positive",
        "applied_entry_to_adjust": "Applied entry to adjust",
    }
    order = list(labels)


class ValueEntryPageFilter(PageFilterMixin, ValueEntryFilter):
    entry_no = filters.NumberFilter(field_name="entry_no")
    gl_entry_no = filters.NumberFilter(method="posted_in_gl_entry")

    labels = {
        "entry_no": "Entry no.",
        "item_no": "Item no.",
        "item_ledger_entry_no": "Item ledger entry no.",
        "entry_type": "Entry type",
        "posting_date_from": "Posting date from",
        "posting_date_to": "Posting date to",
        "location_code": "Location",
        "document_no": "Document no.",
        "item_charge_no": "Item charge no.",
        "adjustment": "Adjustment",
        "expected_cost": "Expected cost",
        "gl_entry_no": "G/L entry no.",
    }
    order = list(labels)

    def posted_in_gl_entry(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(
            Exists(
                GLItemLedgerRelation.objects.filter(value_entry=OuterRef("pk"), gl_entry_id=value)
            )
        )


class GLEntryPageFilter(PageFilterMixin, GLEntryFilter):
    entry_no = filters.NumberFilter(field_name="entry_no")
    item_no = filters.CharFilter(method="of_item")

    labels = {
        "entry_no": "Entry no.",
        "account_no": "Account no.",
        "posting_date_from": "Posting date from",
        "posting_date_to": "Posting date to",
        "document_no": "Document no.",
        "transaction_no": "Transaction no.",
        "value_entry_no": "Value entry no.",
        "item_no": "Item no.",
    }
    order = list(labels)

    class Meta(GLEntryFilter.Meta):
        fields = ["document_no", "transaction_no"]

    def of_item(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """G/L entries behind which is a value entry of the item (each entry once)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Exists(
                GLItemLedgerRelation.objects.filter(
                    gl_entry=OuterRef("pk"), value_entry__item__no=value
                )
            )
        )


# -- inventory periods ---------------------------------------------------------------------------


class InventoryPeriodForm(forms.Form):
    ending_date = forms.DateField(
        label="Ending date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "An inventory period needs an ending date."},
    )
    name = forms.CharField(label="Name", max_length=50, required=False)
