"""The production and assembly pages (spec §14): production orders (list, card with its entries
and the Finish action), the capacity journal, assembly orders. Thin: read through selectors and
querysets, write only through inventory.services; writes are POSTs for accountants."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from costing.engine.money import ZERO
from inventory import selectors
from inventory.errors import InvalidInput
from inventory.models import (
    AssemblyOrder,
    CapacityLedgerEntry,
    EntryType,
    InventoryAdjmtEntryOrder,
    OrderType,
    ValueEntry,
    WorkCenter,
)
from inventory.pages import can_write, paginate, reader, role_required, writer
from inventory.production_forms import (
    AssemblyOrderForm,
    CapacityLineForm,
    FinishForm,
    ProductionOrderForm,
)
from inventory.services import (
    CapacityLine,
    capacity_journal_post,
    production_order_create,
    production_order_finish,
)
from inventory.services.assembly import AssemblyComponent, AssemblyResource, assembly_order_post

# -- production orders ---------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required
def production_orders(request: HttpRequest) -> HttpResponse:
    """The list, with a form to release a new order (accountants)."""
    form = ProductionOrderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                order = production_order_create(**form.cleaned_data)
            except InvalidInput as error:
                form.add_service_errors(error.detail)
            else:
                messages.success(request, f"Production order {order.no} released.")
                return redirect("production-order", no=order.no)
        status = 400
    rows = selectors.production_order_list()
    if request.GET.get("status") in ("released", "finished"):
        rows = rows.filter(status=request.GET["status"])
    return render(
        request,
        "inventory/production_orders.html",
        {"page": paginate(request, rows), "form": form, "can_write": can_write(request.user)},
        status=status,
    )


def _order_figures(no: str) -> dict[str, Decimal]:
    """What went into the order and what came out (sums of its value entries)."""
    values = ValueEntry.objects.filter(order_no=no).filter(
        item_ledger_entry_type__in=[EntryType.CONSUMPTION, EntryType.OUTPUT, ""]
    )
    sums = {
        (row["item_ledger_entry_type"], row["entry_type"]): row["total"] or ZERO
        for row in values.exclude(item_ledger_entry_type="", order_type=OrderType.ASSEMBLY)
        .order_by()
        .values("item_ledger_entry_type", "entry_type")
        .annotate(total=Sum(F("cost_amount_actual") + F("cost_amount_expected")))
    }
    material = -sum(v for (t, _), v in sums.items() if t == EntryType.CONSUMPTION)
    capacity = sums.get(("", "direct_cost"), ZERO)
    overhead = sums.get(("", "indirect_cost"), ZERO)
    output = sum((v for (t, _), v in sums.items() if t == EntryType.OUTPUT), ZERO)
    return {
        "material": material,
        "capacity": capacity,
        "capacity_overhead": overhead,
        "output": output,
    }


@reader
def production_order_card(request: HttpRequest, no: str) -> HttpResponse:
    order = get_object_or_404(selectors.production_order_list(), no=no)
    entries = selectors.item_ledger_entry_list().filter(
        order_no=no, entry_type__in=[EntryType.CONSUMPTION, EntryType.OUTPUT]
    )
    capacity = CapacityLedgerEntry.objects.filter(
        order_type=OrderType.PRODUCTION, order_no=no
    ).order_by("entry_no")
    adjmt = InventoryAdjmtEntryOrder.objects.filter(
        order_type=OrderType.PRODUCTION, order_no=no
    ).first()
    return render(
        request,
        "inventory/production_order.html",
        {
            "order": order,
            "entries": entries,
            "capacity": capacity,
            "figures": _order_figures(no),
            "adjmt": adjmt,
            "finish_form": FinishForm(),
            "can_write": can_write(request.user),
        },
    )


@writer
def production_order_finish_page(request: HttpRequest, no: str) -> HttpResponse:
    form = FinishForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The finishing date is not a date.")
        return redirect("production-order", no=no)
    try:
        production_order_finish(no=no, finished_date=form.cleaned_data["finished_date"])
    except InvalidInput as error:
        messages.error(request, " ".join(str(m) for ms in error.detail.values() for m in ms))
    else:
        messages.success(request, f"Production order {no} finished.")
    return redirect("production-order", no=no)


# -- the capacity journal ------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required
def capacity_journal(request: HttpRequest) -> HttpResponse:
    form = CapacityLineForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                (entry,) = capacity_journal_post(lines=[CapacityLine(**form.cleaned_data)])
            except InvalidInput as error:
                form.add_service_errors(error.detail)
            else:
                messages.success(
                    request,
                    f"Capacity entry {entry.entry_no} posted to {entry.order_no}: direct "
                    f"{entry.direct_cost}, overhead {entry.overhead_cost}.",
                )
                return redirect("capacity-journal")
        status = 400
    rows = CapacityLedgerEntry.objects.select_related("item").order_by("-entry_no")
    return render(
        request,
        "inventory/capacity_journal.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "work_centers": WorkCenter.objects.all(),
            "can_write": can_write(request.user),
        },
        status=status,
    )


# -- assembly orders -----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@role_required
def assembly_orders(request: HttpRequest) -> HttpResponse:
    form = AssemblyOrderForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                order = assembly_order_post(
                    no=data["no"],
                    item_no=data["item_no"],
                    quantity=data["quantity"],
                    location_code=data["location_code"],
                    posting_date=data["posting_date"],
                    components=[AssemblyComponent(n, q) for n, q in form.components()],
                    resources=[AssemblyResource(q, c) for q, c in form.resources()],
                )
            except InvalidInput as error:
                form.add_service_errors(error.detail)
            else:
                messages.success(request, f"Assembly order {order.no} posted.")
                return redirect(reverse("assembly-orders"))
        status = 400
    rows = AssemblyOrder.objects.select_related("item").order_by("-posting_date", "-no")
    page = paginate(request, rows)
    totals = {
        row["order_no"]: row["total"]
        for row in ValueEntry.objects.filter(
            order_no__in=[o.no for o in page],
            item_ledger_entry_type=EntryType.ASSEMBLY_OUTPUT,
        )
        .order_by()
        .values("order_no")
        .annotate(total=Sum("cost_amount_actual"))
    }
    for order in page:
        order.output_cost = totals.get(order.no, ZERO)
    return render(
        request,
        "inventory/assembly_orders.html",
        {"form": form, "page": page, "can_write": can_write(request.user)},
        status=status,
    )
