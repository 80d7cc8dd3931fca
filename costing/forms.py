"""Forms of the Inventory Cost Adjustment pages (spec §13): what the accountant may type or
tick, checked before any service runs; errors are shown next to their field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from costing.item_filter import item_filter_q
from costing.models import RunStatus
from inventory.errors import InvalidInput
from inventory.models import CostingMethod, Item


class ItemListFilterForm(forms.Form):
    """The filters of the item list (GET)."""

    search = forms.CharField(
        required=False, max_length=100, label="Search", help_text="Item no. or description"
    )
    costing_method = forms.ChoiceField(
        required=False, choices=[("", "All"), *CostingMethod.choices], label="Costing method"
    )
    needs_adjustment = forms.BooleanField(
        required=False,
        label="Needs adjustment",
        help_text="Cost is not adjusted, and the item is not excluded from adjustment",
    )
    excluded = forms.BooleanField(required=False, label="Excluded")


class ItemSelectionForm(forms.Form):
    """The items ticked in the list: `item` repeated, one per checkbox."""

    item = forms.MultipleChoiceField(
        required=True,
        error_messages={"required": "Select at least one item."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The choices are whatever was posted; clean_item checks they exist (one query),
        # instead of listing every item as a choice.
        posted = self.data.getlist("item") if hasattr(self.data, "getlist") else []
        self.fields["item"].choices = [(no, no) for no in posted]

    def clean_item(self) -> list[str]:
        nos = list(dict.fromkeys(self.cleaned_data["item"]))
        known = set(Item.objects.filter(no__in=nos).values_list("no", flat=True))
        unknown = [no for no in nos if no not in known]
        if unknown:
            raise ValidationError(f"Unknown items: {', '.join(unknown)}.")
        for no in nos:
            if any(mark in no for mark in ("|", "..", "*")):
                raise ValidationError(f"Item {no} cannot be selected by its number.")
        return sorted(nos)

    @property
    def item_filter(self) -> str:
        return "|".join(self.cleaned_data["item"])


class EntrySelectionForm(forms.Form):
    """Entries ticked in a list: `entry` repeated, one per checkbox."""

    entry = forms.TypedMultipleChoiceField(
        coerce=int,
        required=True,
        error_messages={"required": "Select at least one entry."},
    )

    def __init__(self, *args, allowed=None, **kwargs):
        """`allowed`: a queryset of the entries that may be ticked (its primary keys)."""
        super().__init__(*args, **kwargs)
        self.allowed = allowed
        posted = self.data.getlist("entry") if hasattr(self.data, "getlist") else []
        self.fields["entry"].choices = [(no, no) for no in posted]

    def clean_entry(self) -> list[int]:
        nos = sorted(set(self.cleaned_data["entry"]))
        if self.allowed is not None:
            found = set(self.allowed.filter(pk__in=nos).values_list("pk", flat=True))
            wrong = [no for no in nos if no not in found]
            if wrong:
                raise ValidationError(
                    f"These entries cannot be selected here: {', '.join(map(str, wrong))}."
                )
        return nos


class AdjustUntilForm(forms.Form):
    valuation_date = forms.DateField(
        label="Valuation date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Choose a valuation date."},
    )


class BatchForm(forms.Form):
    """A new item batch (Cost Adjustment - Item Batches)."""

    item_filter = forms.CharField(
        required=False,
        max_length=2048,
        label="Item filter",
        help_text='e.g. "A|B", "A..C", "1*"; blank = all items',
    )
    timeout_minutes = forms.IntegerField(
        min_value=1, max_value=720, initial=60, label="Timeout (minutes)"
    )
    max_retry_attempts = forms.IntegerField(
        min_value=0, max_value=100, initial=10, label="Max. retry attempts"
    )
    trace = forms.BooleanField(required=False, label="Trace")

    def clean_item_filter(self) -> str:
        text = (self.cleaned_data.get("item_filter") or "").strip()
        try:
            item_filter_q(text)
        except InvalidInput as problem:
            raise ValidationError(problem.detail.get("item_filter", [str(problem)])) from problem
        return text or "*"


class RunLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "All"), *RunStatus.choices], label="Status"
    )


class ItemLogFilterForm(forms.Form):
    item_no = forms.CharField(required=False, max_length=20, label="Item no.")


class TraceFilterForm(forms.Form):
    event = forms.CharField(
        required=False,
        max_length=40,
        label="Event",
        widget=forms.TextInput(attrs={"list": "event-names"}),
    )
    item_no = forms.CharField(required=False, max_length=20, label="Item no.")
    location_code = forms.CharField(required=False, max_length=10, label="Location")


ANALYSIS_GROUPS = (("event", "Event"), ("item", "Item"), ("location", "Location"))


class TraceAnalysisForm(forms.Form):
    by = forms.ChoiceField(choices=ANALYSIS_GROUPS, required=False, label="Group by")


def invalid_input_to_form(form: forms.Form, problem: InvalidInput) -> None:
    """Show a service's InvalidInput on the form: next to its field when the form has it."""
    for field, messages in problem.detail.items():
        messages = messages if isinstance(messages, list) else [messages]
        for message in messages:
            form.add_error(field if field in form.fields else None, str(message))
