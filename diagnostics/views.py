"""The diagnostics pages (DOMAIN §13, BC-IMPLEMENTATION §3–§4). Thin: read through the
diagnostics services; every write is a POST for the accountant role (403 otherwise)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from diagnostics.forms import CostingIssuesForm
from diagnostics.services.costing_issues import costing_issues_detect
from inventory.errors import InvalidInput
from inventory.pages import reader


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
