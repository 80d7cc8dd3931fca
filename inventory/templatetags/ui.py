"""Template helpers shared by every page: `{% load ui %}`.

Numbers (put them in a cell with class "num": right-aligned, tabular figures):
    {{ amount|money }}       2 decimals, thousands separators, minus sign: -16,611.40
    {{ quantity|qty }}       thousands separators, no trailing zeros: 24 / 1,234.5
    {{ cost|unit_cost }}     2 to 5 decimals: 757.20 / 16.66667
    {{ value|money:0 }}      money with other places (here none)
    None and "" give an empty string; anything not a number is shown as it is.

Roles:
    {% if user|has_role:"accountant" %}<button>Post</button>{% endif %}

Tables built from `inventory.pages.Column` (see templates/components/data_table.html):
    {% cell row column %}    the <td> of one cell, formatted and linked
    {% header column %}      the <th> of a column header (sort link on the sort column)

Navigation: {% main_nav %} renders the top navigation (templates/components/nav.html).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.html import format_html

from inventory.api.permissions import has_role as _has_role

register = template.Library()


def to_decimal(value: Any) -> Decimal | None:
    """The value as a Decimal, or None when it is not a number (bools are not numbers here)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int | float):
        return Decimal(str(value))
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def _fixed(value: Decimal, places: int) -> str:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    return f"{rounded:,.{places}f}"


def format_money(value: Any, places: int = 2) -> str:
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return _fixed(number, int(places))


def format_qty(value: Any) -> str:
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if number == 0:
        return "0"
    exponent = number.normalize().as_tuple().exponent
    places = max(0, -int(exponent))
    return f"{number:,.{places}f}"


def format_unit_cost(value: Any) -> str:
    number = to_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    text = _fixed(number, 5)
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return f"{whole}.{decimals}"


@register.filter
def money(value: Any, places: int = 2) -> str:
    """2 decimals (or `places`), thousands separators, minus sign for negatives."""
    return format_money(value, places)


@register.filter
def qty(value: Any) -> str:
    """A quantity with thousands separators and without trailing zeros."""
    return format_qty(value)


@register.filter
def unit_cost(value: Any) -> str:
    """A unit cost: at least 2 and at most 5 decimals."""
    return format_unit_cost(value)


@register.filter
def has_role(user: Any, roles: str) -> bool:
    """`user|has_role:"accountant"` or `user|has_role:"viewer,accountant"` (any of them)."""
    return _has_role(user, *[r.strip() for r in roles.split(",") if r.strip()])


@register.simple_tag
def cell(row: Any, column: Any) -> str:
    """One <td>: the column's formatted value, linked when the column has a link."""
    text = column.display(row)
    href = column.link(row) if text != "" else None
    css = "num" if column.numeric else ("flag" if column.kind == "bool" else "")
    if href:
        return format_html('<td class="{}"><a href="{}">{}</a></td>', css, href, text)
    return format_html('<td class="{}">{}</td>', css, text)


@register.simple_tag(takes_context=True)
def header(context: template.Context, column: Any) -> str:
    """One <th scope="col">; on the sort column, a link that flips the order."""
    css = "num" if column.numeric else ("flag" if column.kind == "bool" else "")
    order_field = context.get("order_field")
    if not order_field or column.field != order_field:
        return format_html('<th scope="col" class="{}">{}</th>', css, column.label)
    descending = context.get("descending", False)
    request = context.get("request")
    params = request.GET.copy() if request is not None else None
    if params is not None:
        params.pop("page", None)
        params["order"] = order_field if descending else f"-{order_field}"
        query = "?" + params.urlencode()
    else:
        query = "?order=" + (order_field if descending else f"-{order_field}")
    return format_html(
        '<th scope="col" class="{}" aria-sort="{}"><a href="{}" title="{}">{} {}</a></th>',
        css,
        "descending" if descending else "ascending",
        query,
        "Sort ascending" if descending else "Sort descending",
        column.label,
        "\u25bc" if descending else "\u25b2",
    )


# -- navigation ----------------------------------------------------------------------------------

NAV: list[tuple[str, Any]] = [
    ("Home", "/"),
    ("Items", "/items/"),
    ("Cost Adjustment", "/cost-adjustment/"),
    ("Item Batches", "/cost-adjustment/batches/"),
    ("Post Inventory Cost to G/L", "/gl/post-inventory-cost/"),
    ("Reconciliation", "/gl/reconciliation/"),
    (
        "Production",
        [
            ("Production Orders", "/production-orders/"),
            ("Capacity Journal", "/capacity-journal/"),
            ("Assembly Orders", "/assembly-orders/"),
            ("Cost Adjmt. Orders", "/cost-adjustment/orders/"),
        ],
    ),
    (
        "Month End",
        [
            ("Inventory Periods", "/inventory-periods/"),
            ("Month-End Close", "/month-end-close/"),
        ],
    ),
    (
        "Ledgers",
        [
            ("Item Ledger Entries", "/ledgers/item-entries/"),
            ("Value Entries", "/ledgers/value-entries/"),
            ("G/L Entries", "/ledgers/gl-entries/"),
        ],
    ),
    (
        "Diagnostics",
        [
            ("Action Messages", "/diagnostics/action-messages/"),
            ("Costing Issues Detection", "/diagnostics/costing-issues/"),
            ("Item Data", "/diagnostics/item-data/"),
        ],
    ),
    ("Inventory Setup", "/inventory-setup/"),
]


def _active_href(path: str, hrefs: list[str]) -> str | None:
    """The longest navigation address the path is in ("/" only for the home page itself)."""
    matches = [h for h in hrefs if path == h or (h != "/" and path.startswith(h))]
    return max(matches, key=len) if matches else None


@register.inclusion_tag("components/nav.html", takes_context=True)
def main_nav(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = context.get("user")
    path = request.path if request is not None else ""
    entries = list(NAV)
    if user is not None and getattr(user, "is_staff", False):
        entries.append(("Admin", "/admin/"))
    hrefs = []
    for _, target in entries:
        hrefs.extend([h for _, h in target] if isinstance(target, list) else [target])
    active = _active_href(path, hrefs)
    items = []
    for label, target in entries:
        if isinstance(target, list):
            children = [{"label": lb, "href": h, "active": h == active} for lb, h in target]
            items.append(
                {
                    "label": label,
                    "children": children,
                    "active": any(c["active"] for c in children),
                }
            )
        else:
            items.append({"label": label, "href": target, "active": target == active})
    return {"items": items}
