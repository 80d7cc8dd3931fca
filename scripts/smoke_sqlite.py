"""Smoke test of the embedded default: SQLite database, Celery tasks in-process.

Posts a purchase and a sale through the item journal service, then reads them back through the
ORM and through the REST API (/api/v1/item-ledger-entries/), then assigns an item charge to the
purchase and checks that cost adjustment brings it to the sale and the unit cost. Run it
against a migrated database:

    DATABASE_URL=sqlite:////tmp/smoke.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/smoke.sqlite3 DJANGO_SETTINGS_MODULE=config.settings \
        python scripts/smoke_sqlite.py

Exits 0 and prints "smoke_sqlite: OK ..." when everything matches, non-zero otherwise.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import uuid
from decimal import Decimal
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def run() -> str:
    import django

    django.setup()

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client
    from django.test.utils import setup_test_environment

    from inventory.models import ItemLedgerEntry, ValueEntry
    from inventory.services import JournalLine, item_create, item_journal_post

    check(connection.vendor == "sqlite", f"expected an SQLite database, got {connection.vendor}")
    check(
        settings.CELERY_TASK_ALWAYS_EAGER,
        "expected in-process Celery tasks (CELERY_BROKER_URL must be unset)",
    )

    suffix = uuid.uuid4().hex[:8].upper()
    item_no = f"SMOKE-{suffix}"
    day = dt.date(2025, 1, 15)
    item_create(
        no=item_no,
        description="Smoke test item",
        costing_method="fifo",
        inventory_posting_group="RESALE",
        gen_prod_posting_group="RETAIL",
    )
    # Two postings, as two documents would be: a purchase of 10 at 5.00, then a sale of 4 (FIFO).
    [purchase] = item_journal_post(
        lines=[JournalLine("purchase", item_no, day, Decimal("10"), unit_cost=Decimal("5.00"))]
    )
    [sale] = item_journal_post(
        lines=[
            JournalLine(
                "sale", item_no, day + dt.timedelta(days=1), Decimal("4"), unit_price=Decimal("9")
            )
        ]
    )

    # -- read back through the ORM --------------------------------------------------------------
    entries = {e.entry_no: e for e in ItemLedgerEntry.objects.filter(item__no=item_no)}
    check(
        set(entries) == {purchase.entry_no, sale.entry_no},
        f"item ledger entries of {item_no}: {sorted(entries)}",
    )
    stored_purchase, stored_sale = entries[purchase.entry_no], entries[sale.entry_no]
    check(
        stored_purchase.quantity == Decimal("10"), f"purchase quantity {stored_purchase.quantity}"
    )
    check(stored_sale.quantity == Decimal("-4"), f"sale quantity {stored_sale.quantity}")
    check(
        stored_purchase.remaining_quantity == Decimal("6"),
        f"purchase remaining quantity {stored_purchase.remaining_quantity}",
    )
    check(not stored_sale.open, "the sale should be applied to the purchase (closed)")

    def cost_of(entry_no: int) -> Decimal:
        total = ValueEntry.objects.filter(item_ledger_entry_id=entry_no).aggregate(
            s=Sum("cost_amount_actual")
        )["s"]
        return total or Decimal("0")

    expected_cost = {purchase.entry_no: Decimal("50.00"), sale.entry_no: Decimal("-20.00")}
    for entry_no, amount in expected_cost.items():
        check(
            cost_of(entry_no) == amount, f"entry {entry_no}: cost {cost_of(entry_no)} != {amount}"
        )

    # -- read back through the REST API ---------------------------------------------------------
    setup_test_environment()  # lets the test client's host (testserver) through ALLOWED_HOSTS
    user = get_user_model().objects.create_superuser(
        username=f"smoke-{suffix.lower()}", email="", password=None
    )
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/item-ledger-entries/", {"item_no": item_no})
    check(
        response.status_code == 200,
        f"GET /api/v1/item-ledger-entries/?item_no={item_no} answered {response.status_code}",
    )
    results = response.json()["results"]
    by_no = {row["entry_no"]: row for row in results}
    check(
        set(by_no) == set(expected_cost),
        f"API returned entries {sorted(by_no)}, expected {sorted(expected_cost)}",
    )
    check(Decimal(by_no[purchase.entry_no]["quantity"]) == Decimal("10"), "API purchase quantity")
    check(Decimal(by_no[sale.entry_no]["quantity"]) == Decimal("-4"), "API sale quantity")
    for entry_no, amount in expected_cost.items():
        api_amount = Decimal(by_no[entry_no]["cost_amount_actual"])
        check(api_amount == amount, f"API entry {entry_no}: cost_amount_actual {api_amount}")

    # -- a late cost, adjusted: SQLite's rows (text dates, float decimals) reach the engine ----
    from costing.services import cost_adjustment_run
    from inventory.models import Item
    from inventory.services import item_charge_assign

    item_charge_assign(
        entry_no=purchase.entry_no,
        posting_date=day + dt.timedelta(days=3),
        amount=Decimal("2.50"),
        item_charge_no="FREIGHT",
    )
    run = cost_adjustment_run(item_filter=item_no)
    check(run.status == "success", f"cost adjustment: {run.status} {run.error}")
    check(cost_of(sale.entry_no) == Decimal("-21.00"), f"adjusted sale {cost_of(sale.entry_no)}")
    unit_cost = Item.objects.get(no=item_no).unit_cost
    check(unit_cost == Decimal("5.25"), f"unit cost after adjustment {unit_cost}")

    return (
        f"purchase {purchase.entry_no} and sale {sale.entry_no} of {item_no} posted on SQLite, "
        "read back through the ORM and the API, and adjusted after an item charge"
    )


def main() -> int:
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    try:
        summary = run()
    except SmokeFailure as failure:
        print(f"smoke_sqlite: FAILED: {failure}")
        return 1
    except Exception as error:  # anything unexpected is a failure too, with its traceback
        import traceback

        traceback.print_exc()
        print(f"smoke_sqlite: FAILED: {type(error).__name__}: {error}")
        return 1
    print(f"smoke_sqlite: OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
