"""The inventory pages: home, Inventory Setup, items, and the three ledgers (item ledger entries,
value entries, G/L entries). Reading needs the viewer or accountant role, writing the accountant
role (inventory.pages.role_required)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from costing.engine.money import ZERO, q_unit_cost
from costing.models import CostAdjustmentItemBatch, RunStatus
from inventory.errors import InvalidInput
from inventory.forms import (
    GLEntryPageFilter,
    InventorySetupForm,
    ItemLedgerEntryPageFilter,
    ItemPageFilter,
    ValueEntryPageFilter,
)
from inventory.models import (
    InventorySetup,
    Item,
    ItemLedgerEntry,
    PostValueEntryToGL,
    ValueEntry,
)
from inventory.pages import Column, can_read, can_write, list_page, role_required
from inventory.selectors import item_ledger_entry_list, item_list, value_entry_list
from inventory.services import inventory_setup_update
from ledger.reconciliation import reconciliation_matrix
from ledger.selectors import gl_entry_list

ITEM_ENTRIES_URL = "/ledgers/item-entries/"
VALUE_ENTRIES_URL = "/ledgers/value-entries/"
GL_ENTRIES_URL = "/ledgers/gl-entries/"


def _url(base: str, **params: object) -> str:
    return f"{base}?{urlencode(params)}"


def item_card_url(no: str) -> str:
    return reverse("item-card", args=[no])


# -- home ----------------------------------------------------------------------------------------


def _home_figures() -> dict[str, int]:
    batches = CostAdjustmentItemBatch.objects
    return {
        "items_not_adjusted": Item.objects.filter(
            cost_is_adjusted=False, excluded_from_cost_adjustment=False
        ).count(),
        "items_excluded": Item.objects.filter(excluded_from_cost_adjustment=True).count(),
        "values_to_post": PostValueEntryToGL.objects.count(),
        "running_batches": batches.filter(status=RunStatus.RUNNING).count(),
        "waiting_batches": batches.filter(status=RunStatus.NOT_STARTED).count(),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Where things stand. The reconciliation figure reads whole ledgers, so the page asks for it
    separately (htmx) and shows at once; while batches run, the figures refresh themselves."""
    if not can_read(request.user):
        return render(request, "home.html", {"no_role": True})
    return render(request, "home.html", {"figures": _home_figures()})


@require_GET
@role_required
def home_figures(request: HttpRequest) -> HttpResponse:
    return render(request, "inventory/_home_figures.html", {"figures": _home_figures()})


@require_GET
@role_required
def home_reconciliation(request: HttpRequest) -> HttpResponse:
    result = reconciliation_matrix()
    differing = [row for row in result.role_rows if row.difference != 0]
    return render(
        request,
        "inventory/_home_reconciliation.html",
        {
            "difference": sum((abs(row.difference) for row in differing), ZERO),
            "differing_rows": differing,
            "warning": result.warnings[0] if result.warnings else None,
        },
    )


# -- inventory setup -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required
def inventory_setup(request: HttpRequest) -> HttpResponse:
    setup = InventorySetup.get()
    writable = can_write(request.user)
    if request.method == "POST":
        form = InventorySetupForm(request.POST, instance=InventorySetup.get())
        if form.is_valid():
            try:
                inventory_setup_update(**form.cleaned_data)
            except InvalidInput as error:
                form.add_service_errors(error.detail)
            else:
                messages.success(request, "Inventory Setup saved.")
                return redirect("inventory-setup")
        status = 400
    else:
        form = InventorySetupForm(instance=setup, read_only=not writable)
        status = 200
    return render(
        request,
        "inventory/inventory_setup.html",
        {"form": form, "can_write": writable},
        status=status,
    )


# -- items ---------------------------------------------------------------------------------------

ITEM_COLUMNS = [
    Column("no", "No.", href=lambda i: item_card_url(i.no)),
    Column("description", "Description"),
    Column("costing_method", "Costing method", "choice"),
    Column("unit_cost", "Unit cost", "unit_cost"),
    Column("standard_cost", "Standard cost", "unit_cost"),
    Column("inventory", "Inventory", "qty"),
    Column("inventory_value", "Inventory value", "money"),
    Column("cost_is_adjusted", "Cost is adjusted", "bool"),
    Column("excluded_from_cost_adjustment", "Excluded", "bool"),
]


@require_GET
@role_required
def items(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=item_list(),
        filterset_class=ItemPageFilter,
        columns=ITEM_COLUMNS,
        title="Items",
        csv_name="items",
        order_field="no",
        context={"noun": "items"},
    )


def unit_cost_explanation(item: Item) -> dict[str, object]:
    """Unit cost = (cost amount actual + cost amount expected) / quantity on hand, over all the
    item's value entries and item ledger entries (DOMAIN §1.2, §17)."""
    values = ValueEntry.objects.filter(item=item).aggregate(
        actual=Sum("cost_amount_actual"), expected=Sum("cost_amount_expected")
    )
    actual = values["actual"] or ZERO
    expected = values["expected"] or ZERO
    on_hand = ItemLedgerEntry.objects.filter(item=item).aggregate(q=Sum("quantity"))["q"] or ZERO
    quotient = q_unit_cost((actual + expected) / on_hand) if on_hand > 0 else None
    return {
        "actual": actual,
        "expected": expected,
        "value": actual + expected,
        "on_hand": on_hand,
        "quotient": quotient,
        "standard": item.is_standard,
        "nothing_on_hand": on_hand <= 0,
        "differs": (quotient is not None and not item.is_standard and quotient != item.unit_cost),
    }


@require_GET
@role_required
def item_card(request: HttpRequest, no: str) -> HttpResponse:
    item = get_object_or_404(Item, no=no)
    entries = ItemLedgerEntry.objects.filter(item=item)
    return render(
        request,
        "inventory/item_card.html",
        {
            "item": item,
            "unit": unit_cost_explanation(item),
            "item_entry_count": entries.count(),
            "value_entry_count": ValueEntry.objects.filter(item=item).count(),
            "values_to_post": PostValueEntryToGL.objects.filter(value_entry__item=item).count(),
            "item_entries_url": _url(ITEM_ENTRIES_URL, item_no=item.no),
            "value_entries_url": _url(VALUE_ENTRIES_URL, item_no=item.no),
            "gl_entries_url": _url(GL_ENTRIES_URL, item_no=item.no),
        },
    )


# -- ledgers -------------------------------------------------------------------------------------

ITEM_ENTRY_COLUMNS = [
    Column("entry_no", "Entry No.", "int"),
    Column("posting_date", "Posting date", "date"),
    Column("entry_type", "Entry type", "choice"),
    Column("item.no", "Item No.", href=lambda e: item_card_url(e.item.no)),
    Column("document_no", "Document No."),
    Column("location_id", "Location"),
    Column("variant_code", "Variant"),
    Column("quantity", "Quantity", "qty", total=True),
    Column("invoiced_quantity", "Invoiced qty.", "qty", total=True),
    Column("remaining_quantity", "Remaining qty.", "qty", total=True),
    Column("open", "Open", "bool"),
    Column("cost_amount_actual", "Cost amount (actual)", "money"),
    Column("cost_amount_expected", "Cost amount (expected)", "money"),
    Column("sales_amount_actual", "Sales amount (actual)", "money"),
    Column("applied_entry_to_adjust", "Applied entry to adjust", "bool"),
    Column(
        "value_entries",
        "Value entries",
        get=lambda e: "Value entries",
        href=lambda e: _url(VALUE_ENTRIES_URL, item_ledger_entry_no=e.entry_no),
        csv=False,
    ),
]


@require_GET
@role_required
def item_ledger_entries(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=item_ledger_entry_list(),
        filterset_class=ItemLedgerEntryPageFilter,
        columns=ITEM_ENTRY_COLUMNS,
        title="Item Ledger Entries",
        csv_name="item-ledger-entries",
        context={"noun": "entries"},
    )


VALUE_ENTRY_COLUMNS = [
    Column("entry_no", "Entry No.", "int"),
    Column("posting_date", "Posting date", "date"),
    Column("valuation_date", "Valuation date", "date"),
    Column(
        "item.no",
        "Item No.",
        href=lambda v: item_card_url(v.item.no) if v.item else None,
        get=lambda v: v.item.no if v.item else "",
    ),
    Column(
        "item_ledger_entry_id",
        "Item entry No.",
        "int",
        href=lambda v: _url(ITEM_ENTRIES_URL, entry_no=v.item_ledger_entry_id),
    ),
    Column("item_ledger_entry_type", "Item entry type", "choice"),
    Column("entry_type", "Entry type", "choice"),
    Column(
        "variance_type",
        "Variance type",
        get=lambda v: v.get_variance_type_display() if v.variance_type else "",
    ),
    Column("document_no", "Document No."),
    Column("location_id", "Location"),
    Column("valued_quantity", "Valued qty.", "qty"),
    Column("invoiced_quantity", "Invoiced qty.", "qty", total=True),
    Column("cost_per_unit", "Cost per unit", "unit_cost"),
    Column("cost_amount_actual", "Cost amount (actual)", "money", total=True),
    Column("cost_amount_expected", "Cost amount (expected)", "money", total=True),
    Column("cost_posted_to_gl", "Cost posted to G/L", "money", total=True),
    Column("expected_cost_posted_to_gl", "Expected cost posted to G/L", "money", total=True),
    Column("expected_cost", "Expected cost", "bool"),
    Column("adjustment", "Adjustment", "bool"),
    Column("source_code", "Source code"),
    Column(
        "gl_entries",
        "G/L entries",
        get=lambda v: "G/L entries",
        href=lambda v: _url(GL_ENTRIES_URL, value_entry_no=v.entry_no),
        csv=False,
    ),
]


@require_GET
@role_required
def value_entries(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=value_entry_list(),
        filterset_class=ValueEntryPageFilter,
        columns=VALUE_ENTRY_COLUMNS,
        title="Value Entries",
        csv_name="value-entries",
        context={"noun": "entries"},
    )


def _value_entry_nos(entry: object) -> str:
    return " ".join(str(link.value_entry_id) for link in entry.value_links.all())  # type: ignore[attr-defined]


GL_ENTRY_COLUMNS = [
    Column("entry_no", "Entry No.", "int"),
    Column("posting_date", "Posting date", "date"),
    Column("document_no", "Document No."),
    Column("account_id", "G/L account No."),
    Column("account.name", "Account name"),
    Column("description", "Description"),
    Column("amount", "Amount", "money", total=True),
    Column("transaction_no", "Transaction No.", "int"),
    Column("source_code", "Source code"),
    Column(
        "value_entries",
        "Value entries",
        get=_value_entry_nos,
        href=lambda g: _url(VALUE_ENTRIES_URL, gl_entry_no=g.entry_no),
    ),
]


@require_GET
@role_required
def gl_entries(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        queryset=gl_entry_list().select_related("account"),
        filterset_class=GLEntryPageFilter,
        columns=GL_ENTRY_COLUMNS,
        title="G/L Entries",
        csv_name="gl-entries",
        context={"noun": "entries"},
    )
