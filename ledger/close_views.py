"""The month-end close pages (spec §16): the pre-run list, starting a close or recalculation
(on a worker; the page follows its progress live), the close log and reversal of the latest
close.

Thin views over ledger.services.closing (the same code the REST API calls). Reading needs the
viewer or accountant role; running and reversing are POSTs for accountants.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from costing.forms import invalid_input_to_form
from inventory.errors import InvalidInput
from inventory.pages import can_write, paginate, reader, writer
from ledger.forms import InventoryCloseForm
from ledger.models import InventoryClose
from ledger.services import closing


def _error_text(problem: InvalidInput) -> str:
    parts: list[str] = []
    for reasons in problem.detail.values():
        parts.extend(str(r) for r in (reasons if isinstance(reasons, list) else [reasons]))
    return " ".join(parts)


def _page(
    request: HttpRequest, form: InventoryCloseForm, prerun: closing.PreRun | None = None
) -> HttpResponse:
    latest = closing.latest_reversible_close()
    return render(
        request,
        "ledger/month_end_close.html",
        {
            "form": form,
            "prerun": prerun,
            "closes": paginate(
                request,
                InventoryClose.objects.annotate(warnings_count=Count("warnings")).order_by("-id"),
            ),
            "latest_reversible": latest.pk if latest else None,
            "can_write": can_write(request.user),
        },
    )


def month_end_close(request: HttpRequest) -> HttpResponse:
    """GET: the form, the closes (newest first) and, with ?closing_date=, the pre-run list;
    POST: start a close or recalculation."""
    if request.method == "POST":
        return _start(request)
    return _overview(request)


@reader
def _overview(request: HttpRequest) -> HttpResponse:
    if "closing_date" not in request.GET:
        return _page(request, InventoryCloseForm())
    form = InventoryCloseForm(request.GET)
    prerun: closing.PreRun | None = None
    if form.is_valid():
        try:
            prerun = closing.inventory_close_prerun(closing_date=form.cleaned_data["closing_date"])
        except InvalidInput as problem:
            invalid_input_to_form(form, problem)
    return _page(request, form, prerun)


@writer
def _start(request: HttpRequest) -> HttpResponse:
    form = InventoryCloseForm(request.POST)
    if not form.is_valid():
        return _page(request, form)
    try:
        close = closing.inventory_close_start(
            kind=form.cleaned_data["kind"],
            closing_date=form.cleaned_data["closing_date"],
            user=request.user,
        )
    except InvalidInput as problem:
        invalid_input_to_form(form, problem)
        return _page(request, form)
    return redirect("ledger:month_end_close_detail", pk=close.pk)


def _detail_context(request: HttpRequest, close: InventoryClose) -> dict:
    latest = closing.latest_reversible_close()
    return {
        "close": close,
        "percent": int(100 * close.items_done / close.items_total) if close.items_total else 0,
        "can_write": can_write(request.user),
        "can_reverse": latest is not None and latest.pk == close.pk,
        "stale": closing.close_is_stale(close),
    }


@reader
def month_end_close_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A close: its state (live while it runs), the close log and what it settled."""
    close = get_object_or_404(InventoryClose, pk=pk)
    return render(
        request,
        "ledger/month_end_close_detail.html",
        {
            **_detail_context(request, close),
            "warnings": paginate(request, close.warnings.order_by("id")),
            "settlements": close.settlements.select_related("item").order_by("id")[:200],
            "settlements_count": close.settlements.count(),
        },
    )


@reader
def month_end_close_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The state of a close, polled by htmx every 2 s while it waits or runs."""
    close = get_object_or_404(InventoryClose, pk=pk)
    return render(request, "ledger/_close_status.html", _detail_context(request, close))


@writer
def month_end_close_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    close = get_object_or_404(InventoryClose, pk=pk)
    try:
        closing.inventory_close_reverse(close=close, user=request.user)
    except InvalidInput as problem:
        messages.error(request, _error_text(problem))
    else:
        messages.success(
            request,
            f"The close of {close.closing_date} ({close.document_no}) is reversed: its period "
            "is open again, its G/L entries are reversed and its settlements undone.",
        )
    return redirect("ledger:month_end_close_detail", pk=close.pk)
