"""Cost Adjmt. Orders (spec §1.7, §13): the Inventory Adjmt. Entry (Order) rows, with Adjust
Cost for Selected Orders and Reset Cost Is Adjusted. Thin: costing.services.orders does the
work; writes are POSTs for accountants."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from costing.services.orders import orders_adjust_selected, orders_reset_cost_is_adjusted
from inventory.errors import InvalidInput
from inventory.models import InventoryAdjmtEntryOrder, ProductionOrder
from inventory.pages import can_write, paginate, reader, writer


@reader
def orders(request: HttpRequest) -> HttpResponse:
    rows = InventoryAdjmtEntryOrder.objects.select_related("item").order_by(
        "order_type", "order_no"
    )
    waiting_only = request.GET.get("needs_adjustment") == "1"
    if waiting_only:
        rows = rows.filter(cost_is_adjusted=False)
    page = paginate(request, rows)
    statuses = dict(
        ProductionOrder.objects.filter(
            no__in=[o.order_no for o in page if o.order_type == "production"]
        ).values_list("no", "status")
    )
    for row in page:
        row.status = statuses.get(row.order_no, "") if row.order_type == "production" else ""
    return render(
        request,
        "costing/orders.html",
        {
            "page": page,
            "waiting_only": waiting_only,
            "waiting": InventoryAdjmtEntryOrder.objects.filter(cost_is_adjusted=False).count(),
            "can_write": can_write(request.user),
        },
    )


def _selected(request: HttpRequest) -> list[tuple[str, str]]:
    keys = []
    for value in request.POST.getlist("order"):
        order_type, _, order_no = value.partition(":")
        if order_type and order_no:
            keys.append((order_type, order_no))
    return keys


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/cost-adjustment/") else "costing:orders")


@writer
def orders_adjust(request: HttpRequest) -> HttpResponse:
    keys = _selected(request)
    if not keys:
        messages.error(request, "Select at least one order.")
        return _back(request)
    try:
        result = orders_adjust_selected(order_keys=keys)
    except InvalidInput as error:
        messages.error(request, " ".join(str(m) for ms in error.detail.values() for m in ms))
        return _back(request)
    messages.success(
        request,
        f"{len(result.orders)} orders adjusted in {result.levels} levels, "
        f"{len(result.items)} items after them; cost difference {result.cost_difference:,.2f}.",
    )
    return _back(request)


@writer
def orders_reset(request: HttpRequest) -> HttpResponse:
    keys = _selected(request)
    if not keys:
        messages.error(request, "Select at least one order.")
        return _back(request)
    count = orders_reset_cost_is_adjusted(order_keys=keys)
    messages.success(request, f"Cost is adjusted reset for {count} orders.")
    return _back(request)
