"""Building blocks of the server-rendered pages, shared by every app's views.

Roles (API.md): reading needs the viewer or accountant role, writing the accountant role.

    @role_required          # GET/HEAD: viewer or accountant; POST (any other method): accountant
    def my_page(request): ...

    can_write(request.user) # to decide whether to show buttons

A filterable, paginated list page with CSV export, never loading a whole ledger:

    return list_page(
        request,
        queryset=value_entry_list(),
        filterset_class=ValueEntryPageFilter,
        columns=[Column("entry_no", "Entry No.", "int"), Column("cost_amount_actual", ...)],
        title="Value Entries",
        csv_name="value-entries",
    )

It renders templates/inventory/list_page.html (or `template=`) with: title, filterset,
filters_valid, filtered (a filter is set), page_obj, paginator, columns, totals, order_field,
descending, plus `context`. `?page=N` pages
(50 rows), `?order=-entry_no` flips the order, `?export=csv` streams every filtered row as CSV.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from inventory.api.permissions import ACCOUNTANT, VIEWER, has_role
from inventory.templatetags.ui import format_money, format_qty, format_unit_cost

PAGE_SIZE = 50
CSV_CHUNK_SIZE = 2000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# -- roles ---------------------------------------------------------------------------------------


def can_read(user: Any) -> bool:
    return has_role(user, VIEWER, ACCOUNTANT)


def can_write(user: Any) -> bool:
    return has_role(user, ACCOUNTANT)


def role_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Reads (GET, HEAD) need the viewer or accountant role, anything else the accountant role;
    403 otherwise. (The login itself is required by config.middleware for every page.)"""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        allowed = can_read if request.method in SAFE_METHODS else can_write
        if not allowed(request.user):
            raise PermissionDenied("Your role does not allow this.")
        return view(request, *args, **kwargs)

    return wrapper


def reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page: GET or HEAD only, for the viewer and accountant roles."""
    return require_safe(role_required(view))


def writer(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An action: POST only (CSRF-protected), for the accountant role."""
    return require_POST(role_required(view))


def paginate(request: HttpRequest, rows: Any, per_page: int = 50) -> Page:
    """One page of a queryset (LIMIT/OFFSET; the count is one aggregate query)."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


# -- columns -------------------------------------------------------------------------------------

NUMERIC_KINDS = {"int", "qty", "money", "unit_cost"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of a list, for the HTML table and the CSV file alike.

    field: attribute path on the row ("entry_no", "item.no"); the sort key when it is the list's
        order field; with kind "choice", the model field whose label is shown.
    kind: text | choice | int | qty | money | unit_cost | date | bool. Numeric kinds are
        right-aligned (class "num") with thousands separators; in the CSV they stay plain
        numbers (16611.40) so a spreadsheet reads them.
    href: row -> address, to link the cell. get: row -> value, instead of the attribute path.
    total: sum it over all the filtered rows (a database SUM; plain model fields only).
    csv: False leaves the column out of the CSV (e.g. a pure navigation link).
    """

    field: str
    label: str
    kind: str = "text"
    href: Callable[[Any], str | None] | None = None
    get: Callable[[Any], Any] | None = None
    total: bool = False
    csv: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    def value(self, row: Any) -> Any:
        if self.get is not None:
            return self.get(row)
        if self.kind == "choice":
            return getattr(row, f"get_{self.field}_display")()
        value = row
        for part in self.field.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def display(self, row: Any) -> str:
        return self.format(self.value(row))

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        if self.kind == "money":
            return format_money(value)
        if self.kind == "qty":
            return format_qty(value)
        if self.kind == "unit_cost":
            return format_unit_cost(value)
        if self.kind == "bool":
            return "Yes" if value else "No"
        if self.kind == "date":
            return value.isoformat()
        return str(value)

    def link(self, row: Any) -> str | None:
        return self.href(row) if self.href is not None else None

    def csv_value(self, row: Any) -> Any:
        value = self.value(row)
        if value is None:
            return ""
        if self.kind == "bool":
            return "Yes" if value else "No"
        if self.kind == "date":
            return value.isoformat()
        if self.kind == "qty":
            return f"{value.normalize():f}" if hasattr(value, "normalize") else value
        if self.numeric:
            return value
        text = str(value)
        # A text cell must not become a spreadsheet formula (CSV injection).
        return "'" + text if text.startswith(_FORMULA_START) else text


# -- list pages ----------------------------------------------------------------------------------


def _filter_errors(filterset: Any) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(m) for m in messages)}"
        for name, messages in filterset.form.errors.items()
    )


def list_page(
    request: HttpRequest,
    *,
    queryset: QuerySet,
    filterset_class: type,
    columns: list[Column],
    title: str,
    csv_name: str,
    order_field: str = "entry_no",
    template: str = "inventory/list_page.html",
    page_size: int = PAGE_SIZE,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A filtered list: one page of rows (a LIMIT/OFFSET query) and a COUNT, or with
    ?export=csv every filtered row streamed as CSV in chunks. Invalid filters show their errors
    in place and no rows (the CSV export answers 400), never silently an unfiltered list."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    valid = filterset.is_valid()
    rows = filterset.qs if valid else queryset.none()
    descending = request.GET.get("order") == f"-{order_field}"
    rows = rows.order_by(f"-{order_field}" if descending else order_field)

    if request.GET.get("export") == "csv":
        if not valid:
            return HttpResponseBadRequest(
                f"The filters are not valid: {_filter_errors(filterset)}",
                content_type="text/plain; charset=utf-8",
            )
        return csv_response(rows, columns, csv_name)

    paginator = Paginator(rows, page_size)
    page_obj = paginator.get_page(request.GET.get("page"))
    totals = None
    total_columns = [c for c in columns if c.total]
    if total_columns and paginator.count:
        sums = rows.order_by().aggregate(
            **{f"t{i}": Sum(c.field) for i, c in enumerate(columns) if c.total}
        )
        totals = [c.format(sums.get(f"t{i}")) if c.total else "" for i, c in enumerate(columns)]
    return render(
        request,
        template,
        {
            "title": title,
            "filterset": filterset,
            "filters_valid": valid,
            "filtered": any(request.GET.get(name) for name in filterset.filters),
            "page_obj": page_obj,
            "paginator": paginator,
            "columns": columns,
            "totals": totals,
            "order_field": order_field,
            "descending": descending,
            **(context or {}),
        },
    )


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: QuerySet, columns: list[Column], name: str) -> StreamingHttpResponse:
    """Stream the rows as CSV (UTF-8 with a byte order mark, which spreadsheets need), reading
    the database in chunks so a whole ledger is never held in memory."""
    exported = [c for c in columns if c.csv]
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([c.label for c in exported])
        for row in rows.iterator(chunk_size=CSV_CHUNK_SIZE):
            yield writer.writerow([c.csv_value(row) for c in exported])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
