"""The diagnostics pages (DOMAIN §13, BC-IMPLEMENTATION §3–§4). Thin: read through the
diagnostics services; every write is a POST for the accountant role (403 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from diagnostics.forms import CostingIssuesForm
from diagnostics.models import ActionMessage, ActionMessageType
from diagnostics.services.action_messages import (
    action_message_snooze,
    action_messages_run_all,
    snoozed_types,
)
from diagnostics.services.costing_issues import costing_issues_detect
from inventory.errors import InvalidInput
from inventory.pages import can_write, reader, writer


@reader
def costing_issues(request: HttpRequest) -> HttpResponse:
    """Costing Issues Detection: the report runs when the form is sent (?run=1)."""
    form = CostingIssuesForm(request.GET or None)
    report = None
    if request.GET.get("run") and form.is_valid():
        try:
            report = costing_issues_detect(
                item_filter=form.cleaned_data["item_filter"] or None,
                checks=form.cleaned_data["check"] or None,
            )
        except InvalidInput as problem:
            for field, reasons in problem.detail.items():
                form.add_error(field if field in form.fields else None, reasons)
    return render(request, "diagnostics/costing_issues.html", {"form": form, "report": report})


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
