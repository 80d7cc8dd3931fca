from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inventory.models import Item, ItemLedgerEntry, ValueEntry


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home.html",
        {
            "items": Item.objects.count(),
            "items_not_adjusted": Item.objects.filter(cost_is_adjusted=False).count(),
            "item_ledger_entries": ItemLedgerEntry.objects.count(),
            "value_entries": ValueEntry.objects.count(),
        },
    )
