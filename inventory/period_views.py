"""The inventory period pages (spec §10.1): the periods with their state, the close test
(what stops a close), close, reopen (the last closed period only) and the history.

Thin views over inventory.services.periods (the same code the REST API calls). Reading needs
the viewer or accountant role; creating, closing and reopening are POSTs for accountants.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from costing.forms import invalid_input_to_form
from inventory.errors import InvalidInput
from inventory.forms import InventoryPeriodForm
from inventory.models import InventoryPeriod, InventoryPeriodEntry
from inventory.pages import can_write, paginate, reader, writer
from inventory.services import periods
from inventory.services.hooks import reopen_problem


def _error_text(problem: InvalidInput) -> str:
    parts: list[str] = []
    for reasons in problem.detail.values():
        parts.extend(str(r) for r in (reasons if isinstance(reasons, list) else [reasons]))
    return " ".join(parts)


def _periods_page(request: HttpRequest, form: InventoryPeriodForm) -> HttpResponse:
    rows = list(InventoryPeriod.objects.order_by("-ending_date"))
    last_closed = InventoryPeriod.last_closed()
    return render(
        request,
        "inventory/inventory_periods.html",
        {
            "rows": [_row(period, last_closed) for period in rows],
            "history": paginate(
                request,
                InventoryPeriodEntry.objects.select_related("period").order_by("-entry_no"),
            ),
            "form": form,
            "can_write": can_write(request.user),
            "closed_until": last_closed.ending_date if last_closed else None,
        },
    )


def _row(period: InventoryPeriod, last_closed: InventoryPeriod | None) -> dict:
    last = last_closed is not None and period.pk == last_closed.pk
    held = reopen_problem(period) if last else None
    return {"period": period, "can_reopen": last and not held, "held": held}


def inventory_periods(request: HttpRequest) -> HttpResponse:
    """GET: the periods and their history; POST: a new period."""
    if request.method == "POST":
        return _period_create(request)
    return _period_list(request)


@reader
def _period_list(request: HttpRequest) -> HttpResponse:
    return _periods_page(request, InventoryPeriodForm())


@writer
def _period_create(request: HttpRequest) -> HttpResponse:
    form = InventoryPeriodForm(request.POST)
    if not form.is_valid():
        return _periods_page(request, form)
    try:
        period = periods.inventory_period_create(**form.cleaned_data)
    except InvalidInput as problem:
        invalid_input_to_form(form, problem)
        return _periods_page(request, form)
    messages.success(request, f"The inventory period ending {period.ending_date} was created.")
    return redirect("inventory-periods")


@reader
def inventory_period_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Close Inventory Period - Test: every blocker, with its items and entries."""
    period = get_object_or_404(InventoryPeriod, pk=pk)
    return render(
        request,
        "inventory/inventory_period_test.html",
        {
            "test": periods.inventory_period_close_test(period),
            "period": period,
            "can_write": can_write(request.user),
        },
    )


@writer
def inventory_period_close(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(InventoryPeriod, pk=pk)
    try:
        periods.inventory_period_close(period=period, user=request.user)
    except InvalidInput as problem:
        messages.error(request, f"The period was not closed. {_error_text(problem)}")
        return redirect("inventory-period-test", pk=period.pk)
    messages.success(
        request,
        f"The inventory period ending {period.ending_date} is closed: nothing can be posted on "
        "or before that date.",
    )
    return redirect("inventory-periods")


@writer
def inventory_period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(InventoryPeriod, pk=pk)
    try:
        periods.inventory_period_reopen(period=period, user=request.user)
    except InvalidInput as problem:
        messages.error(request, _error_text(problem))
    else:
        messages.success(request, f"The inventory period ending {period.ending_date} is open.")
    return redirect("inventory-periods")
