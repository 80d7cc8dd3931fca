"""Forms of the G/L pages: Post Inventory Cost to G/L (spec §11.4) and the Inventory - G/L
Reconciliation filters (spec §12). Errors are shown next to their field."""

from __future__ import annotations

from django import forms

from inventory.models import Item, Location
from ledger import reconciliation as recon
from ledger.models import InventoryCloseKind
from ledger.services import PER_ENTRY, PER_POSTING_GROUP

POST_METHOD_CHOICES = ((PER_POSTING_GROUP, "Per Posting Group"), (PER_ENTRY, "Per Entry"))


class PostInventoryCostForm(forms.Form):
    """The request page of Post Inventory Cost to G/L (BC report 1002)."""

    post_method = forms.ChoiceField(
        choices=POST_METHOD_CHOICES,
        initial=PER_POSTING_GROUP,
        label="Posting method",
        help_text="Per Posting Group: one G/L entry per date, location and posting groups, "
        "under the document no. below. Per Entry: each value entry on its own, dated and "
        "numbered like it.",
    )
    document_no = forms.CharField(
        required=False,
        max_length=20,
        label="Document no.",
        help_text="Needed when posting per posting group; left blank per entry.",
    )
    post = forms.BooleanField(
        required=False,
        initial=True,
        label="Post",
        help_text="Untick for a test report of what would be posted (nothing is written).",
    )

    def clean(self):
        data = super().clean()
        method, document_no = data.get("post_method"), (data.get("document_no") or "").strip()
        data["document_no"] = document_no
        if method == PER_POSTING_GROUP and not document_no:
            self.add_error("document_no", "Posting per posting group needs a document no.")
        if method == PER_ENTRY and document_no:
            self.add_error(
                "document_no",
                "Posting per entry uses each value entry's own document no.; leave it blank.",
            )
        return data


class ReconciliationFilterForm(forms.Form):
    """The filters of the Inventory - G/L Reconciliation page (GET)."""

    date_from = forms.DateField(
        required=False, label="Posting date from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="Posting date to", widget=forms.DateInput(attrs={"type": "date"})
    )
    item_no = forms.CharField(required=False, max_length=20, label="Item no.")
    location_code = forms.CharField(required=False, max_length=10, label="Location")

    def clean_item_no(self) -> str:
        value = (self.cleaned_data.get("item_no") or "").strip()
        if value and not Item.objects.filter(no=value).exists():
            raise forms.ValidationError(f"Item {value} does not exist.")
        return value

    def clean_location_code(self) -> str:
        value = (self.cleaned_data.get("location_code") or "").strip()
        if value and not Location.objects.filter(code=value).exists():
            raise forms.ValidationError(f"Location {value} does not exist.")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the date range is before its start.")
        return data

    def reconciliation_filter(self) -> recon.ReconciliationFilter:
        data = self.cleaned_data
        return recon.ReconciliationFilter(
            data.get("date_from"),
            data.get("date_to"),
            data.get("item_no") or "",
            data.get("location_code") or "",
        )

    def filter_query(self) -> dict[str, str]:
        """The filters as query parameters (for the drill-down links)."""
        data = self.cleaned_data
        query = {}
        for name in ("date_from", "date_to"):
            if data.get(name):
                query[name] = data[name].isoformat()
        for name in ("item_no", "location_code"):
            if data.get(name):
                query[name] = data[name]
        return query


class MatrixForm(ReconciliationFilterForm):
    # A choice rather than a checkbox: an unticked checkbox is not sent, and the default is on.
    show_warning = forms.TypedChoiceField(
        choices=(("1", "Yes"), ("0", "No")),
        coerce=lambda value: value == "1",
        required=False,
        empty_value=True,
        label="Show warning",
    )


class CellForm(ReconciliationFilterForm):
    """A cell of the matrix, to drill down into its value entries."""

    account_type = forms.ChoiceField(choices=[(t, t) for t in recon.ACCOUNT_TYPES])
    column = forms.ChoiceField(choices=[(c, c) for c in (*recon.COLUMNS, recon.TOTAL)])


class RowForm(ReconciliationFilterForm):
    """A row of the matrix, to drill down into the G/L entries behind its G/L Total."""

    account_type = forms.ChoiceField(choices=[(t, t) for t in recon.ACCOUNT_TYPES])


# -- the month-end close ---------------------------------------------------------------------


class InventoryCloseForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to run",
        choices=InventoryCloseKind.choices,
        initial=InventoryCloseKind.CLOSE,
        help_text="Close: adjust, settle, post to the G/L and close the period up to the date. "
        "Recalculation: adjust and post, without settling or closing.",
    )
    closing_date = forms.DateField(
        label="Closing date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="A close needs it; a recalculation without one adjusts everything.",
    )
