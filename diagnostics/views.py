"""The diagnostics pages (DOMAIN §13, BC-IMPLEMENTATION §3–§4). Thin: read through the
diagnostics services; every write is a POST for the accountant role (403 otherwise)."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from costing.services import reset_cost_is_adjusted
from diagnostics.forms import (
    CostingIssuesForm,
    ItemDataDeleteForm,
    ItemDataForm,
    ItemDataImportForm,
)
from diagnostics.models import ActionMessage, ActionMessageType
from diagnostics.services.action_messages import (
    action_message_snooze,
    action_messages_run_all,
    snoozed_types,
)
from diagnostics.services.costing_issues import costing_issues_detect
from diagnostics.services.item_data import item_data_delete, item_data_import, item_data_lines
from inventory.errors import InvalidInput
from inventory.pages import can_write, reader, writer


@reader
def costing_issues(request: HttpRequest) -> HttpResponse:
    """Costing Issues Detection. The report runs when the form is sent (?run=1): the page
    shows at once and fetches the report with htmx (the checks may take a while on a large
    ledger); `inline=1` (the link for browsers without script) runs it within the page."""
    form = CostingIssuesForm(request.GET or None)
    report = None
    run = bool(request.GET.get("run")) and form.is_valid()
    partial = bool(request.headers.get("HX-Request"))
    if run and (partial or request.GET.get("inline")):
        try:
            report = costing_issues_detect(
                item_filter=form.cleaned_data["item_filter"] or None,
                checks=form.cleaned_data["check"] or None,
            )
        except InvalidInput as problem:
            for field, reasons in problem.detail.items():
                form.add_error(field if field in form.fields else None, reasons)
            run = False
    context = {"form": form, "report": report, "run": run}
    if partial:
        return render(request, "diagnostics/_costing_issues_report.html", context)
    return render(request, "diagnostics/costing_issues.html", context)


@reader
def action_messages(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    snoozed = snoozed_types(now)
    rows = [
        {
            "message": message,
            "current": message.next_check_at >= now,
            "snoozed_until": snoozed.get(message.type),
        }
        for message in ActionMessage.objects.order_by("-active", "importance", "type")
    ]
    return render(
        request,
        "diagnostics/action_messages.html",
        {"rows": rows, "can_write": can_write(request.user), "now": now},
    )


@writer
def action_messages_run_tests(request: HttpRequest) -> HttpResponse:
    found = [m for m in action_messages_run_all() if m.active]
    if found:
        messages.warning(request, f"Run Tests: {len(found)} checks found an issue.")
    else:
        messages.success(request, "Run Tests: no issues found.")
    return redirect("diagnostics:action_messages")


@writer
def action_message_snooze_view(request: HttpRequest, type: int) -> HttpResponse:
    try:
        snooze = action_message_snooze(type=type, by=request.user.get_username())
    except InvalidInput as problem:
        messages.error(request, " ".join(problem.detail["type"]))
    else:
        label = ActionMessageType(type).label
        messages.success(request, f"{label} snoozed until {snooze.snoozed_until:%Y-%m-%d %H:%M}.")
    return redirect("diagnostics:action_messages")


# -- item data ---------------------------------------------------------------------------------


def _item_data_page(request: HttpRequest, **forms_) -> HttpResponse:
    context = {
        "export_form": ItemDataForm(request.GET or None, prefix="export"),
        "import_form": ItemDataImportForm(),
        "delete_form": ItemDataDeleteForm(prefix="delete"),
        "reset_form": ItemDataForm(prefix="reset"),
        "sandbox": settings.SANDBOX,
        "can_write": can_write(request.user),
        **forms_,
    }
    return render(request, "diagnostics/item_data.html", context)


def _add_errors(form, problem: InvalidInput) -> None:
    for field, reasons in problem.detail.items():
        form.add_error(field if field in form.fields else None, reasons)


@reader
def item_data(request: HttpRequest) -> HttpResponse:
    return _item_data_page(request)


@reader
def item_data_export(request: HttpRequest) -> HttpResponse:
    form = ItemDataForm(request.GET, prefix="export")
    if not form.is_valid():
        return _item_data_page(request, export_form=form)
    lines = item_data_lines(item_filter=form.cleaned_data["item_filter"])
    try:
        first = next(lines)
    except InvalidInput as problem:
        _add_errors(form, problem)
        return _item_data_page(request, export_form=form)

    def everything():
        yield first
        yield from lines

    response = StreamingHttpResponse(everything(), content_type="application/x-ndjson")
    response["Content-Disposition"] = 'attachment; filename="item-data.jsonl"'
    return response


def _sandbox_only() -> None:
    if not settings.SANDBOX:
        raise PermissionDenied("This action is available only in a sandbox (SANDBOX=true).")


@writer
def item_data_import_view(request: HttpRequest) -> HttpResponse:
    _sandbox_only()
    form = ItemDataImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _item_data_page(request, import_form=form)
    try:
        with io.TextIOWrapper(form.cleaned_data["file"].file, encoding="utf-8") as lines:
            counts = item_data_import(lines)
    except InvalidInput as problem:
        _add_errors(form, problem)
        return _item_data_page(request, import_form=form)
    except UnicodeDecodeError:
        form.add_error("file", "The file is not UTF-8 text.")
        return _item_data_page(request, import_form=form)
    messages.success(
        request, f"Imported {counts['item']} items, {sum(counts.values()):,} records in all."
    )
    return redirect("diagnostics:item_data")


@writer
def item_data_delete_view(request: HttpRequest) -> HttpResponse:
    _sandbox_only()
    form = ItemDataDeleteForm(request.POST, prefix="delete")
    if not form.is_valid():
        return _item_data_page(request, delete_form=form)
    try:
        counts = item_data_delete(item_filter=form.cleaned_data["item_filter"])
    except InvalidInput as problem:
        _add_errors(form, problem)
        return _item_data_page(request, delete_form=form)
    messages.success(
        request, f"Deleted {counts['item']} items, {sum(counts.values()):,} records in all."
    )
    return redirect("diagnostics:item_data")


@writer
def reset_cost_is_adjusted_view(request: HttpRequest) -> HttpResponse:
    """Reset Cost Is Adjusted for the items of a filter (any number of items; the Inventory
    Cost Adjustment page does it for the items ticked on its page)."""
    form = ItemDataForm(request.POST, prefix="reset")
    if not form.is_valid():
        return _item_data_page(request, reset_form=form)
    try:
        count = reset_cost_is_adjusted(item_filter=form.cleaned_data["item_filter"])
    except InvalidInput as problem:
        _add_errors(form, problem)
        return _item_data_page(request, reset_form=form)
    messages.success(
        request, f"{count} items need cost adjustment again (every average period included)."
    )
    return redirect("diagnostics:item_data")
