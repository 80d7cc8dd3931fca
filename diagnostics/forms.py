from django import forms

from diagnostics.services.costing_issues import CHECKS


class CostingIssuesForm(forms.Form):
    item_filter = forms.CharField(
        required=False,
        max_length=250,
        label="Item filter",
        help_text='e.g. "A|B", "A..C", "1*"; empty: every item',
    )
    check = forms.MultipleChoiceField(
        required=False,
        label="Checks (none chosen: all)",
        choices=[(c.code, f"{c.group}: {c.title}") for c in CHECKS],
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class ItemDataForm(forms.Form):
    item_filter = forms.CharField(
        max_length=250, label="Items", help_text='e.g. "A|B", "A..C", "1*"'
    )


class ItemDataDeleteForm(ItemDataForm):
    confirm = forms.BooleanField(
        label="Delete these items and all their entries (they cannot be restored except by "
        "importing an export)"
    )


class ItemDataImportForm(forms.Form):
    file = forms.FileField(label="Item data file (.jsonl)")
