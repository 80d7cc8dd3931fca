"""The Inventory Cost Adjustment pages (spec DOMAIN §13, BC-IMPLEMENTATION §1–§2).

Thin views: read through selectors and querysets (always a page at a time), write only through
costing.services, the same services the REST API calls. Reading needs the viewer or accountant
role; every action that writes is a POST (CSRF-protected by the middleware) and needs the
accountant role, otherwise 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from costing import selectors, services
from costing.forms import (
    AdjustUntilForm,
    BatchForm,
    EntrySelectionForm,
    ItemListFilterForm,
    ItemLogFilterForm,
    ItemSelectionForm,
    RunLogFilterForm,
    TraceAnalysisForm,
    TraceFilterForm,
    invalid_input_to_form,
)
from costing.models import (
    CostAdjustmentItemBatch,
    CostAdjustmentItemLog,
    CostAdjustmentRun,
    RunStatus,
    TraceEvent,
)
from costing.services import batches as batch_services
from costing.services.applications import application_entries_reset_outbound_updated
from costing.services.orders import orders_to_adjust
from inventory.errors import InvalidInput
from inventory.models import AvgCostAdjmtEntryPoint, InventorySetup, Item, ItemApplicationEntry
from inventory.pages import can_write, paginate, reader, writer
from inventory.selectors import item_ledger_entry_list, item_list, value_entry_list

PAGE_SIZE = 50


def _next(request: HttpRequest, default: str) -> str:
    """The list the action was started from, with its filters (a path on this site only)."""
    target = request.POST.get("next", "")
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else default


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return redirect(_next(request, default))


def _error_text(problem: InvalidInput) -> str:
    parts = []
    for messages_ in problem.detail.values():
        parts.extend(messages_ if isinstance(messages_, list) else [messages_])
    return " ".join(str(p) for p in parts)


# -- the item list (Inventory Cost Adjustment) ---------------------------------------------------


def _filtered_items(form: ItemListFilterForm) -> QuerySet[Item]:
    items = item_list()
    if not form.is_valid():
        return items
    data = form.cleaned_data
    if data["search"]:
        term = data["search"].strip()
        items = items.filter(Q(no__icontains=term) | Q(description__icontains=term))
    if data["costing_method"]:
        items = items.filter(costing_method=data["costing_method"])
    if data["needs_adjustment"]:  # as items_to_adjust(): an excluded item is not adjusted
        items = items.filter(cost_is_adjusted=False, excluded_from_cost_adjustment=False)
    if data["excluded"]:
        items = items.filter(excluded_from_cost_adjustment=True)
    return items


@reader
def item_list_page(request: HttpRequest) -> HttpResponse:
    form = ItemListFilterForm(request.GET)
    page = paginate(request, _filtered_items(form))
    return render(
        request,
        "costing/cost_adjustment.html",
        {
            "form": form,
            "page": page,
            "can_write": can_write(request.user),
            "setup": InventorySetup.get(),
            "not_adjusted": Item.objects.filter(
                cost_is_adjusted=False, excluded_from_cost_adjustment=False
            ).count(),
            "excluded_count": Item.objects.filter(excluded_from_cost_adjustment=True).count(),
            # Orders waiting for adjustment (spec §13): finished production and assembly orders.
            "orders_to_adjust": orders_to_adjust()[:10],
            "orders_to_adjust_count": orders_to_adjust().count(),
        },
    )


def _selection(request: HttpRequest) -> ItemSelectionForm | None:
    form = ItemSelectionForm(request.POST)
    if form.is_valid():
        return form
    messages.error(request, " ".join(form.errors.get("item", ["Select at least one item."])))
    return None


@writer
def run_selected(request: HttpRequest) -> HttpResponse:
    """Run cost adjustment now for the selected items (in this request: a page holds at most
    PAGE_SIZE items; for more, Add batch and run sends the work to a worker)."""
    selection = _selection(request)
    if selection is None:
        return _back(request, reverse("costing:cost_adjustment"))
    result = services.cost_adjustment_run(item_filter=selection.item_filter)
    adjusted = {item.item_no for item in result.items}
    return render(
        request,
        "costing/run_result.html",
        {
            "result": result,
            "selected": selection.cleaned_data["item"],
            "untouched": [no for no in selection.cleaned_data["item"] if no not in adjusted],
            "next": _next(request, reverse("costing:cost_adjustment")),
        },
    )


def _add_batch(request: HttpRequest, *, run: bool) -> HttpResponse:
    selection = _selection(request)
    if selection is None:
        return _back(request, reverse("costing:cost_adjustment"))
    try:
        with transaction.atomic():
            batch = batch_services.batch_add(item_nos=selection.cleaned_data["item"])
            if run:
                batch_services.batch_queue(batch)
    except InvalidInput as problem:
        messages.error(request, _error_text(problem))
        return _back(request, reverse("costing:cost_adjustment"))
    batch.refresh_from_db()
    verb = "added and queued" if run else "added"
    messages.success(
        request,
        f"Batch {batch.pk} ({len(selection.cleaned_data['item'])} items) {verb}; "
        f"status: {batch.get_status_display()}.",
    )
    return redirect(reverse("costing:batches") + f"#batch-{batch.pk}")


@writer
def add_batch_selected(request: HttpRequest) -> HttpResponse:
    return _add_batch(request, run=False)


@writer
def add_batch_and_run_selected(request: HttpRequest) -> HttpResponse:
    return _add_batch(request, run=True)


def _set_exclusion(request: HttpRequest, excluded: bool) -> HttpResponse:
    selection = _selection(request)
    if selection is not None:
        items = Item.objects.filter(no__in=selection.cleaned_data["item"]).order_by("no")
        for item in items:
            services.item_exclusion_set(item=item, excluded=excluded)
        nos = ", ".join(selection.cleaned_data["item"])
        if excluded:
            messages.success(request, f"Excluded from cost adjustment: {nos}.")
        else:
            messages.success(request, f"Included in cost adjustment again: {nos}.")
    return _back(request, reverse("costing:cost_adjustment"))


@writer
def exclude_selected(request: HttpRequest) -> HttpResponse:
    return _set_exclusion(request, True)


@writer
def include_selected(request: HttpRequest) -> HttpResponse:
    return _set_exclusion(request, False)


@writer
def reset_cost_is_adjusted_selected(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    if selection is not None:
        count = services.reset_cost_is_adjusted(item_filter=selection.item_filter)
        messages.success(
            request, f"{count} items need cost adjustment again (every average period included)."
        )
    return _back(request, reverse("costing:cost_adjustment"))


# -- the Item menu -----------------------------------------------------------------------------


def _item_page(request: HttpRequest, item: Item, template: str, rows, **extra) -> HttpResponse:
    return render(
        request,
        template,
        {
            "item": item,
            "page": paginate(request, rows),
            "can_write": can_write(request.user),
            **extra,
        },
    )


def _item(no: str) -> Item:
    return get_object_or_404(Item, no=no)


@reader
def item_entries(request: HttpRequest, no: str) -> HttpResponse:
    item = _item(no)
    rows = item_ledger_entry_list().filter(item=item)
    return _item_page(request, item, "costing/item_entries.html", rows)


@writer
def item_entries_mark(request: HttpRequest, no: str) -> HttpResponse:
    """Mark for Adjustment: the selected inbound entries and everything applied from them."""
    item = _item(no)
    form = EntrySelectionForm(request.POST, allowed=item.ledger_entries.filter(positive=True))
    if form.is_valid():
        marked = services.mark_for_adjustment(entry_nos=form.cleaned_data["entry"])
        messages.success(
            request,
            f"{marked} inbound entries marked for adjustment; item {item.no} needs adjustment.",
        )
    else:
        messages.error(request, " ".join(form.errors["entry"]))
    return _back(request, reverse("costing:item_entries", args=[item.no]))


@reader
def item_values(request: HttpRequest, no: str) -> HttpResponse:
    item = _item(no)
    rows = value_entry_list().filter(item=item)
    return _item_page(request, item, "costing/item_values.html", rows)


def _entry_points_page(request: HttpRequest, item: Item, form: AdjustUntilForm, **extra):
    rows = AvgCostAdjmtEntryPoint.objects.filter(item=item).order_by(
        "valuation_date", "location_code", "variant_code"
    )
    return _item_page(request, item, "costing/item_entry_points.html", rows, form=form, **extra)


@reader
def item_entry_points(request: HttpRequest, no: str) -> HttpResponse:
    return _entry_points_page(request, _item(no), AdjustUntilForm())


@writer
def item_adjust_until(request: HttpRequest, no: str) -> HttpResponse:
    """Adjust Cost Until Valuation Date: this item, every location and variant, up to the date;
    the item counts as adjusted only when every period is done."""
    item = _item(no)
    form = AdjustUntilForm(request.POST)
    if not form.is_valid():
        return _entry_points_page(request, item, form)
    until = form.cleaned_data["valuation_date"]
    result = services.cost_adjustment_run(item_filter=item.no, until=until)
    if result.status != "success":
        messages.error(request, f"Cost adjustment of {item.no} failed: {result.error}")
    else:
        item.refresh_from_db()
        state = "is adjusted" if item.cost_is_adjusted else "still has periods to adjust"
        messages.success(
            request,
            f"Adjusted {item.no} until {until:%Y-%m-%d}: {result.entries_adjusted} entries, "
            f"cost difference {result.cost_difference:,.2f}; the item {state}.",
        )
    return redirect(reverse("costing:item_entry_points", args=[item.no]))


def _item_applications(item: Item) -> QuerySet[ItemApplicationEntry]:
    return ItemApplicationEntry.objects.filter(item_ledger_entry__item=item).order_by("entry_no")


@reader
def item_applications(request: HttpRequest, no: str) -> HttpResponse:
    item = _item(no)
    return _item_page(request, item, "costing/item_applications.html", _item_applications(item))


@writer
def item_applications_reset(request: HttpRequest, no: str) -> HttpResponse:
    """Reset Outbound Entry is Updated on the selected application entries."""
    item = _item(no)
    form = EntrySelectionForm(request.POST, allowed=_item_applications(item))
    if form.is_valid():
        count = application_entries_reset_outbound_updated(form.cleaned_data["entry"])
        messages.success(
            request,
            f"Outbound Entry is Updated reset on {count} application entries. Mark the inbound "
            "entries for adjustment too, then run the cost adjustment.",
        )
    else:
        messages.error(request, " ".join(form.errors["entry"]))
    return _back(request, reverse("costing:item_applications", args=[item.no]))


# -- Item Batches --------------------------------------------------------------------------------

ACTIVE = (RunStatus.RUNNING, RunStatus.NOT_STARTED)


def _batch_rows(roots: list[CostAdjustmentItemBatch]) -> list[dict]:
    """The page's batches with their splits under them (depth-first, in id order)."""
    children: dict[int, list[CostAdjustmentItemBatch]] = defaultdict(list)
    level = [root.pk for root in roots]
    while level:
        found = list(CostAdjustmentItemBatch.objects.filter(split_from_id__in=level).order_by("id"))
        for batch in found:
            children[batch.split_from_id].append(batch)
        level = [batch.pk for batch in found]
    rows: list[dict] = []

    def walk(batch: CostAdjustmentItemBatch, depth: int) -> None:
        running = batch.status == RunStatus.RUNNING
        stale = batch_services.batch_is_stale(batch)
        done, total = batch_services.batch_progress(batch)
        rows.append(
            {
                "batch": batch,
                "depth": depth,
                "indent": 0.5 + depth * 1.5,
                "running": running,
                "stale": stale,
                "done": done,
                "total": total,
                "percent": int(done * 100 / total) if total else 0,
                "can_run": not running,
                "can_cancel": not running,
                "can_reset": not running or stale,
            }
        )
        for child in children.get(batch.pk, []):
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return rows


def _batches_context(request: HttpRequest) -> dict:
    roots = CostAdjustmentItemBatch.objects.filter(split_from__isnull=True).order_by("-id")
    page = paginate(request, roots, per_page=25)
    statuses = set(
        CostAdjustmentItemBatch.objects.filter(status__in=ACTIVE)
        .values_list("status", flat=True)
        .distinct()
    )
    return {
        "page": page,
        "rows": _batch_rows(list(page.object_list)),
        "active": bool(statuses),
        "any_running": RunStatus.RUNNING in statuses,
        "can_write": can_write(request.user),
        "query": request.GET.urlencode(),
    }


def _batches_page(request: HttpRequest, form: BatchForm) -> HttpResponse:
    return render(request, "costing/batches.html", {**_batches_context(request), "form": form})


@reader
def batches(request: HttpRequest) -> HttpResponse:
    return _batches_page(request, BatchForm())


@reader
def batches_table(request: HttpRequest) -> HttpResponse:
    """The batches table alone: htmx polls it every 2 s while a batch runs or waits."""
    return render(request, "costing/_batch_table.html", _batches_context(request))


@writer
def batch_add(request: HttpRequest) -> HttpResponse:
    form = BatchForm(request.POST)
    if not form.is_valid():
        return _batches_page(request, form)
    data = form.cleaned_data
    run = bool(request.POST.get("run"))
    try:
        with transaction.atomic():
            batch = batch_services.batch_add(
                item_filter=data["item_filter"],
                timeout_minutes=data["timeout_minutes"],
                max_retry_attempts=data["max_retry_attempts"],
                trace=data["trace"],
            )
            if run:
                batch_services.batch_queue(batch)
    except InvalidInput as problem:
        invalid_input_to_form(form, problem)
        return _batches_page(request, form)
    messages.success(request, f"Batch {batch.pk} added{' and queued' if run else ''}.")
    return redirect(reverse("costing:batches") + f"#batch-{batch.pk}")


@writer
def batches_add_missing_items(request: HttpRequest) -> HttpResponse:
    batch = batch_services.batch_add_missing_items()
    if batch is None:
        messages.info(request, "Every item is in a batch already.")
    else:
        messages.success(request, f"Batch {batch.pk} holds every item not yet in a batch.")
    return redirect("costing:batches")


@writer
def batches_run_all(request: HttpRequest) -> HttpResponse:
    try:
        with transaction.atomic():
            queued = batch_services.batches_run_all()
    except InvalidInput as problem:
        messages.error(request, _error_text(problem))
    else:
        if queued:
            messages.success(request, f"{queued} batches queued; the table shows their progress.")
        else:
            messages.info(request, "No batch is waiting to run.")
    return redirect("costing:batches")


@writer
def batches_stop(request: HttpRequest) -> HttpResponse:
    canceled = batch_services.batches_stop()
    messages.success(request, f"{canceled} batches canceled.")
    return redirect("costing:batches")


def _batch_action(request: HttpRequest, pk: int, action: Callable, done: str) -> HttpResponse:
    batch = get_object_or_404(CostAdjustmentItemBatch, pk=pk)
    try:
        with transaction.atomic():
            action(batch)
    except InvalidInput as problem:
        messages.error(request, _error_text(problem))
    else:
        messages.success(request, f"Batch {batch.pk} {done}.")
    return redirect(reverse("costing:batches") + f"#batch-{batch.pk}")


@writer
def batch_run(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, batch_services.batch_queue, "queued")


@writer
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, batch_services.batch_cancel, "canceled")


@writer
def batch_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _batch_action(request, pk, batch_services.batch_reset, "reset to Not started")


# -- logs ----------------------------------------------------------------------------------------


@reader
def run_logs(request: HttpRequest) -> HttpResponse:
    form = RunLogFilterForm(request.GET)
    runs = CostAdjustmentRun.objects.select_related("batch").order_by("-id")
    if form.is_valid() and form.cleaned_data["status"]:
        runs = runs.filter(status=form.cleaned_data["status"])
    return render(
        request,
        "costing/logs.html",
        {"form": form, "page": paginate(request, runs), "setup": InventorySetup.get()},
    )


@reader
def run_log(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(CostAdjustmentRun.objects.select_related("batch"), pk=pk)
    return render(
        request,
        "costing/log_detail.html",
        {"run": run, "page": paginate(request, run.item_logs.order_by("item_no"))},
    )


@reader
def item_logs(request: HttpRequest) -> HttpResponse:
    """Log per item, across runs (optionally one item's)."""
    form = ItemLogFilterForm(request.GET)
    item_no = form.cleaned_data["item_no"].strip() if form.is_valid() else ""
    rows = CostAdjustmentItemLog.objects.order_by("-run_id", "item_no")
    if item_no:
        rows = rows.filter(item_no=item_no)
    return render(
        request,
        "costing/item_logs.html",
        {"form": form, "item_no": item_no, "page": paginate(request, rows)},
    )


# -- the tracer ----------------------------------------------------------------------------------


@reader
def trace(request: HttpRequest) -> HttpResponse:
    form = TraceFilterForm(request.GET)
    events = TraceEvent.objects.order_by("id")
    if form.is_valid():
        data = form.cleaned_data
        if data["event"]:
            events = events.filter(event=data["event"])
        if data["item_no"]:
            events = events.filter(item_no=data["item_no"])
        if data["location_code"]:
            events = events.filter(location_code=data["location_code"])
    first = TraceEvent.objects.order_by("id").select_related("batch").first()
    return render(
        request,
        "costing/trace.html",
        {
            "form": form,
            "page": paginate(request, events),
            "traced_run": first,
            "event_names": TraceEvent.objects.order_by("event")
            .values_list("event", flat=True)
            .distinct(),
        },
    )


@reader
def trace_analysis(request: HttpRequest) -> HttpResponse:
    form = TraceAnalysisForm(request.GET)
    by = form.cleaned_data["by"] if form.is_valid() and form.cleaned_data["by"] else "event"
    rows = selectors.trace_analysis(by)
    for row in rows:
        row["amount"] = Decimal(row["amount"])
    total_ms = sum(row["duration_ms"] for row in rows)
    for row in rows:
        row["share"] = round(row["duration_ms"] * 100 / total_ms) if total_ms else 0
    return render(
        request,
        "costing/trace_analysis.html",
        {"form": form, "by": by, "page": paginate(request, rows, per_page=100)},
    )
