"""The G/L pages: Post Inventory Cost to G/L (spec §11.4, BC report 1002 and its test report
1003) and the Inventory - G/L Reconciliation (spec §12) with its drill-downs and a chart of
inventory value against G/L inventory over time.

Thin views over ledger.services and ledger.reconciliation (the same code the REST API calls).
Reading needs the viewer or accountant role; posting is a POST and needs the accountant role.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from costing.forms import invalid_input_to_form
from inventory.errors import InvalidInput
from inventory.models import EntryType, ValueEntryType
from inventory.pages import can_write, paginate, reader, writer
from ledger import reconciliation as recon
from ledger.accounts import Role
from ledger.forms import CellForm, MatrixForm, PostInventoryCostForm, RowForm
from ledger.models import GLAccount
from ledger.services import PER_ENTRY, PostingReport, SkippedEntry, inventory_cost_post_to_gl

# A posting report's G/L lines and skipped entries are shown a page at a time; after a POST
# (no paging) the first REPORT_LIMIT of each, with the totals of all.
REPORT_PAGE_SIZE = 100
REPORT_LIMIT = 200

# -- Post Inventory Cost to G/L ------------------------------------------------------------------


def _tasks_in_process() -> bool:
    """No broker configured: tasks would run in this request anyway (config.celery)."""
    from config.celery import app

    return bool(app.conf.task_always_eager)


ENTRY_TYPES = dict(ValueEntryType.choices)
ITEM_LEDGER_ENTRY_TYPES = dict(EntryType.choices)


def _skipped_row(entry: SkippedEntry) -> dict:
    """A skipped entry as the report shows it (types by their labels)."""
    return {
        **asdict(entry),
        "entry_type": ENTRY_TYPES.get(entry.entry_type, entry.entry_type),
        "item_ledger_entry_type": ITEM_LEDGER_ENTRY_TYPES.get(
            entry.item_ledger_entry_type, entry.item_ledger_entry_type
        ),
    }


def _report_context(report: PostingReport, request: HttpRequest | None = None) -> dict:
    """The report's parts; with a request, its lines and skipped entries a page at a time."""
    names = dict(
        GLAccount.objects.filter(no__in=report.account_totals().keys()).values_list("no", "name")
    )
    totals = [
        {"account_no": no, "name": names.get(no, ""), "amount": amount}
        for no, amount in report.account_totals().items()
    ]
    skipped = [_skipped_row(entry) for entry in report.skipped]
    context = {
        "report": report,
        "account_totals": totals,
        "debits": sum((line.amount for line in report.lines if line.amount > 0), Decimal(0)),
        "credits": sum((-line.amount for line in report.lines if line.amount < 0), Decimal(0)),
    }
    if request is not None:
        context["paged"] = True
        context["lines_page"] = Paginator(report.lines, REPORT_PAGE_SIZE).get_page(
            request.GET.get("lines_page")
        )
        context["skipped_page"] = Paginator(skipped, REPORT_PAGE_SIZE).get_page(
            request.GET.get("skipped_page")
        )
    else:
        context["lines"] = report.lines[:REPORT_LIMIT]
        context["skipped"] = skipped[:REPORT_LIMIT]
        context["limit"] = REPORT_LIMIT
    return context


def _post_form_page(request: HttpRequest, form: PostInventoryCostForm) -> HttpResponse:
    return render(
        request,
        "ledger/post_inventory_cost.html",
        {"form": form, "can_write": can_write(request.user), "in_process": _tasks_in_process()},
    )


@reader
def _post_inventory_cost_form(request: HttpRequest) -> HttpResponse:
    return _post_form_page(request, PostInventoryCostForm())


@writer
def _post_inventory_cost_submit(request: HttpRequest) -> HttpResponse:
    form = PostInventoryCostForm(request.POST)
    if not form.is_valid():
        return _post_form_page(request, form)
    data = form.cleaned_data
    if data["post"] and not _tasks_in_process():
        # A worker posts; the page follows the task. The scheduled task adjusts cost first
        # when Inventory Setup says so (Adjust Cost before posting to G/L).
        from ledger.tasks import post_inventory_cost_to_gl_task

        task = post_inventory_cost_to_gl_task.delay(
            data["post_method"], data["document_no"] or None
        )
        return redirect("ledger:post_inventory_cost_task", task_id=task.id)
    try:
        report = inventory_cost_post_to_gl(
            post_method=data["post_method"], document_no=data["document_no"], post=data["post"]
        )
    except InvalidInput as problem:
        invalid_input_to_form(form, problem)
        return _post_form_page(request, form)
    return render(
        request,
        "ledger/posting_report.html",
        {**_report_context(report), "test": not data["post"]},
    )


def post_inventory_cost(request: HttpRequest) -> HttpResponse:
    """GET: the request form; POST: post (or, with Post unticked, report what would post)."""
    if request.method == "POST":
        return _post_inventory_cost_submit(request)
    return _post_inventory_cost_form(request)


@reader
def post_inventory_cost_test(request: HttpRequest) -> HttpResponse:
    """Post Invt. Cost to G/L - Test: what would post per entry, and every entry that would be
    skipped with its reason, listed in advance (nothing is written)."""
    report = inventory_cost_post_to_gl(post_method=PER_ENTRY, post=False)
    return render(
        request,
        "ledger/posting_report.html",
        {**_report_context(report, request), "test": True, "test_report": True},
    )


TASK_WAITING = {"PENDING", "RECEIVED", "STARTED", "RETRY", "PROGRESS"}


@reader
def post_inventory_cost_task(request: HttpRequest, task_id: str) -> HttpResponse:
    """A posting sent to a worker: its state, polled by htmx every 2 s until it has finished."""
    from celery.result import AsyncResult

    result = AsyncResult(task_id)
    try:
        state = result.state
        info = result.result if state == "SUCCESS" else None
        error = str(result.result) if state == "FAILURE" else ""
    except Exception as problem:  # the result backend cannot be reached
        state, info, error = "UNKNOWN", None, str(problem)
    context = {
        "task_id": task_id,
        "state": state,
        "waiting": state in TASK_WAITING,
        "info": info if isinstance(info, dict) else None,
        "error": error,
    }
    template = (
        "ledger/_post_task_status.html"
        if request.headers.get("HX-Request")
        else "ledger/post_inventory_cost_task.html"
    )
    return render(request, template, context)


# -- Inventory - G/L Reconciliation --------------------------------------------------------------

MATRIX_COLUMNS = (
    (recon.INVENTORY, "Inventory"),
    (recon.INVENTORY_INTERIM, "Inventory (Interim)"),
    (recon.WIP_INVENTORY, "WIP Inventory"),
    (recon.TOTAL, "Total"),
)


def _matrix_rows(result: recon.Reconciliation, query: dict[str, str]) -> list[dict]:
    cells_url = reverse("ledger:reconciliation_value_entries")
    gl_url = reverse("ledger:reconciliation_gl_entries")
    titles = {warning.message: warning.title for warning in result.warnings}
    rows = []
    for row in result.rows:
        cells = [
            {
                "key": column,
                "value": getattr(row, column),
                "href": f"{cells_url}?"
                + urlencode({"account_type": row.account_type, "column": column, **query}),
                "label": f"{row.label}, {label}",
            }
            for column, label in MATRIX_COLUMNS
        ]
        rows.append(
            {
                "row": row,
                "cells": cells,
                "gl_href": f"{gl_url}?" + urlencode({"account_type": row.account_type, **query}),
                "is_total": row.account_type == recon.TOTAL,
                "warning_title": titles.get(row.warning or "", ""),
            }
        )
    return rows


@reader
def reconciliation(request: HttpRequest) -> HttpResponse:
    form = MatrixForm(request.GET)
    context: dict = {"form": form, "columns": MATRIX_COLUMNS}
    if form.is_valid():
        flt, show_warning = form.reconciliation_filter(), form.cleaned_data["show_warning"]
        result = recon.reconciliation_matrix(
            date_from=flt.date_from,
            date_to=flt.date_to,
            item_no=flt.item_no,
            location_code=flt.location_code,
            show_warning=show_warning,
        )
        context.update(
            result=result,
            rows=_matrix_rows(result, form.filter_query()),
            show_warning=show_warning,
            chart=inventory_chart(flt),
        )
    return render(request, "ledger/reconciliation.html", context)


def _bad_drilldown(request: HttpRequest, form, title: str) -> HttpResponse:
    return render(
        request,
        "ledger/reconciliation_drilldown_error.html",
        {"form": form, "title": title},
        status=400,
    )


def _role_label(account_type: str) -> str:
    return "Total" if account_type == recon.TOTAL else Role(account_type).label


@reader
def reconciliation_value_entries(request: HttpRequest) -> HttpResponse:
    """The value entries behind one cell of the matrix, with what each contributes to it."""
    form = CellForm(request.GET)
    if not form.is_valid():
        return _bad_drilldown(request, form, "Value entries of a reconciliation cell")
    account_type, column = form.cleaned_data["account_type"], form.cleaned_data["column"]
    flt = form.reconciliation_filter()
    page = paginate(request, recon.cell_value_entries(account_type, column, flt))
    rows = [
        {"value": value, "amount": recon.signed_amount(value, account_type, column)}
        for value in page.object_list
    ]
    column_label = dict(MATRIX_COLUMNS)[column]
    return render(
        request,
        "ledger/reconciliation_value_entries.html",
        {
            "page": page,
            "rows": rows,
            "row_label": _role_label(account_type),
            "column_label": column_label,
            "amount": recon.cell_amount(account_type, column, flt),
            "filter": flt,
            "back": reverse("ledger:reconciliation") + "?" + urlencode(form.filter_query()),
        },
    )


@reader
def reconciliation_gl_entries(request: HttpRequest) -> HttpResponse:
    """The G/L entries behind a row's G/L Total."""
    form = RowForm(request.GET)
    if not form.is_valid():
        return _bad_drilldown(request, form, "G/L entries of a reconciliation row")
    account_type = form.cleaned_data["account_type"]
    flt = form.reconciliation_filter()
    page = paginate(request, recon.row_gl_entries(account_type, flt).select_related("account"))
    return render(
        request,
        "ledger/reconciliation_gl_entries.html",
        {
            "page": page,
            "row_label": _role_label(account_type),
            "accounts": recon.account_map().accounts_of(account_type),
            "amount": recon.row_gl_total(account_type, flt),
            "filter": flt,
            "back": reverse("ledger:reconciliation") + "?" + urlencode(form.filter_query()),
        },
    )


# -- the chart: inventory value against G/L inventory over time -------------------------------

CHART_POINTS = 12
CHART_WIDTH, CHART_HEIGHT = 720, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 96, 48, 40, 44


def _ticks(low: Decimal, high: Decimal, count: int = 5) -> list[Decimal]:
    step = (high - low) / (count - 1)
    return [low + step * i for i in range(count)]


def inventory_chart(flt: recon.ReconciliationFilter) -> dict:
    """What the template needs to draw the line chart (an inline SVG)."""
    points = recon.inventory_trend(flt, CHART_POINTS)
    plot_w = CHART_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    chart = {
        "points": points,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": MARGIN_LEFT,
        "right": CHART_WIDTH - MARGIN_RIGHT,
        "top": MARGIN_TOP,
        "bottom": CHART_HEIGHT - MARGIN_BOTTOM,
    }
    if not points:
        return chart
    amounts = [p.inventory_value for p in points] + [p.gl_inventory for p in points]
    low, high = min([*amounts, Decimal(0)]), max([*amounts, Decimal(0)])
    if high == low:
        high = low + 1
    span = float(high - low)

    def y(amount: Decimal) -> float:
        return round(MARGIN_TOP + float(high - amount) / span * plot_h, 1)

    for i, point in enumerate(points):
        share = i / (len(points) - 1) if len(points) > 1 else 0.5
        point.x = round(MARGIN_LEFT + share * plot_w, 1)
        point.y_value, point.y_gl = y(point.inventory_value), y(point.gl_inventory)
    chart.update(
        value_line=" ".join(f"{p.x},{p.y_value}" for p in points),
        gl_line=" ".join(f"{p.x},{p.y_gl}" for p in points),
        y_ticks=[{"amount": t, "y": y(t)} for t in _ticks(low, high)],
        zero_y=y(Decimal(0)),
    )
    return chart
