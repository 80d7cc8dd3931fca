"""The month-end close on a real Redis broker and a real Celery worker: the close is a task of
its own, its progress can be followed on the close while it adjusts, and it ends settled, posted
and closed. See tests/costing/worker.py for the broker.

Ledger (hand-checked): items A, B and C (FIFO), each bought 2 @ 10 on 5 Jan 2025 and 1 sold on
20 Jan, with nothing adjusted yet. The close at 31 Jan adjusts the three items one after the
other and settles each sale against its receipt: 1 unit for 10.00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from inventory.models import InventoryPeriod
from inventory.services import JournalLine, inventory_setup_update, item_create, item_journal_post
from ledger.models import InventoryClose, InventoryCloseSettlement, InventoryCloseStatus
from ledger.services.closing import inventory_close_start
from tests.costing.worker import app_on_broker, broker_url_for_tests, thread_worker, wait_until
from tests.ledger.conftest import create_gl_setup

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, available_apps=["inventory", "costing", "ledger"]),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

D = Decimal
JAN_31 = dt.date(2025, 1, 31)


@pytest.fixture
def worker():
    with app_on_broker(broker_url_for_tests()) as app, thread_worker(app) as started:
        yield started


@pytest.fixture
def three_items():
    create_gl_setup()
    inventory_setup_update(automatic_cost_adjustment="never", automatic_cost_posting=False)
    for no in ("A", "B", "C"):
        item_create(no=no, inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
        item_journal_post(
            lines=[
                JournalLine("purchase", no, dt.date(2025, 1, 5), D(2), unit_cost=D(10)),
                JournalLine("sale", no, dt.date(2025, 1, 20), D(1)),
            ]
        )


def test_a_close_runs_on_a_worker_and_reports_its_progress(three_items, worker, settings):
    settings.COST_ADJUSTMENT_PAUSE_BETWEEN_ITEMS_SECONDS = 0.3
    close = inventory_close_start(kind="close", closing_date=JAN_31)  # autocommit: sent now

    def adjusting():
        row = InventoryClose.objects.get(pk=close.pk)
        running = row.status == InventoryCloseStatus.RUNNING and row.phase == "adjusting"
        return row if running and 1 <= row.items_done < row.items_total else None

    seen = wait_until(adjusting, timeout=30, what="the close to report progress")
    assert seen.items_total == 3
    done = wait_until(
        lambda: InventoryClose.objects.filter(
            pk=close.pk, status=InventoryCloseStatus.DONE
        ).first(),
        timeout=60,
        what="the close to finish",
    )
    assert done.task_id and done.items_done == 3
    assert sorted(
        InventoryCloseSettlement.objects.values_list("item__no", "quantity", "cost_amount")
    ) == [("A", D("1"), D("10.00")), ("B", D("1"), D("10.00")), ("C", D("1"), D("10.00"))]
    assert InventoryPeriod.objects.get(ending_date=JAN_31).closed
