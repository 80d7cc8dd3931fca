"""Item filters in the notation accountants know from Business Central: `A|B` (either),
`A..C` (a range), `..C` / `A..` (open ranges), `1*` (starts with), and `*` or nothing (all)."""

from django.db.models import Q

from inventory.errors import InvalidInput


def item_filter_q(text: str | None, field: str = "no") -> Q:
    if text is None or text.strip() in ("", "*"):
        return Q()
    condition = Q()
    for part in text.split("|"):
        part = part.strip()
        if not part:
            raise InvalidInput.on("item_filter", f"{text!r} has an empty alternative.")
        if ".." in part:
            low, _, high = part.partition("..")
            if ".." in high:
                raise InvalidInput.on("item_filter", f"{part!r} is not a range like A..C.")
            q = Q()
            if low:
                q &= Q(**{f"{field}__gte": low})
            if high:
                q &= Q(**{f"{field}__lte": high})
            condition |= q
        elif part.endswith("*") and "*" not in part[:-1]:
            condition |= Q(**{f"{field}__startswith": part[:-1]})
        elif "*" in part:
            raise InvalidInput.on("item_filter", f"{part!r}: * is allowed only at the end.")
        else:
            condition |= Q(**{field: part})
    return condition
