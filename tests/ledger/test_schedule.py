"""The scheduled Post Inventory Cost to G/L (DOMAIN §11.4, §13: the job queue entry for report
1002; "Run Adjust Cost first") and the management command.

The data migration keeps the schedule in django-celery-beat; the task adjusts cost first when
Inventory Setup asks for it. Without a broker the settings run tasks eagerly, in process."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from config.celery import app as celery_app
from inventory.models import Item
from inventory.services import inventory_setup_update, item_charge_assign
from ledger.models import GLEntry
from ledger.tasks import post_inventory_cost_to_gl_task
from tests.ledger.conftest import (
    COGS,
    DIRECT_COST_APPLIED,
    INVENTORY,
    D,
    assert_every_transaction_balances,
    balances,
    day,
    gl_rows,
    make_item,
    nonzero,
    post,
    post_per_entry,
    queued,
    values_of,
)

pytestmark = pytest.mark.django_db

NAME = "Post Inventory Cost to G/L"


# -- the schedule ------------------------------------------------------------------------------


def test_the_migration_schedules_post_inventory_cost_to_g_l_every_night():
    task = PeriodicTask.objects.get(name=NAME)
    assert task.task == "ledger.post_inventory_cost_to_gl"
    assert task.enabled is True
    assert (task.crontab.minute, task.crontab.hour) == ("0", "2")
    assert json.loads(task.kwargs) == {"post_method": "per_posting_group"}
    # The name it calls is a registered task.
    assert "ledger.post_inventory_cost_to_gl" in celery_app.tasks
    assert post_inventory_cost_to_gl_task.name == task.task


# -- the task ----------------------------------------------------------------------------------


@pytest.fixture
def charged_after_posting(gl_setup, batch_posting):
    """Purchase 1 @ 10 (Jan 1), sale (Jan 15), both posted to the G/L; then an item charge of 2
    on the purchase (Feb 10). The item now needs adjustment: the sale should cost 12."""
    item = make_item("A")
    receipt = post("purchase", item, 1, day(1, 1, 2020), unit_cost=10)
    sale = post("sale", item, 1, day(1, 15, 2020))
    post_per_entry()
    item_charge_assign(entry_no=receipt.pk, posting_date=day(2, 10, 2020), amount=D(2))
    assert Item.objects.get(no="A").cost_is_adjusted is False
    return receipt, sale


def test_the_task_adjusts_cost_first_when_the_setup_asks_for_it(charged_after_posting):
    _, sale = charged_after_posting
    assert len(queued()) == 1  # only the charge waits

    result = post_inventory_cost_to_gl_task.apply().get()

    # The sale is adjusted by -2 and that adjustment posts with the charge:
    # COGS 10 + 2 = 12, DCA -10 - 2 = -12, Inventory 0.
    assert result["entries_adjusted"] == 1
    assert result["value_entries_posted"] == 2
    assert result["skipped"] == 0
    assert result["message"] == "2 value entries have been posted to the general ledger."
    (adjustment,) = [v for v in values_of(sale) if v.adjustment]
    assert gl_rows(adjustment) == [(INVENTORY, D("-2")), (COGS, D("2"))]
    assert nonzero(balances()) == {COGS: D("12"), DIRECT_COST_APPLIED: D("-12")}
    assert Item.objects.get(no="A").cost_is_adjusted is True
    # Per posting group with a document no. of its own: charge (Feb 10) and adjustment
    # (Jan 15) are on different dates, so two pairs.
    assert result["gl_entries"] == 4
    run_documents = set(
        GLEntry.objects.filter(value_links__value_entry=adjustment).values_list(
            "document_no", flat=True
        )
    )
    assert len(run_documents) == 1 and run_documents.pop().startswith("INVT")
    assert queued() == set()
    assert_every_transaction_balances()


def test_the_task_does_not_adjust_when_the_setup_says_not_to(charged_after_posting):
    _, sale = charged_after_posting
    inventory_setup_update(adjust_cost_before_posting_to_gl=False)

    result = post_inventory_cost_to_gl_task.apply().get()

    # Only the charge posts: Inventory +2, DCA -2; COGS stays 10.
    assert result["entries_adjusted"] == 0
    assert result["value_entries_posted"] == 1
    assert not [v for v in values_of(sale) if v.adjustment]
    assert nonzero(balances()) == {
        INVENTORY: D("2"),
        COGS: D("10"),
        DIRECT_COST_APPLIED: D("-12"),
    }
    assert Item.objects.get(no="A").cost_is_adjusted is False


def test_the_task_runs_with_the_arguments_the_schedule_gives_it(charged_after_posting):
    kwargs = json.loads(PeriodicTask.objects.get(name=NAME).kwargs)
    result = post_inventory_cost_to_gl_task.apply(kwargs=kwargs).get()
    assert result["value_entries_posted"] == 2
    assert queued() == set()


def test_the_task_can_post_per_entry(charged_after_posting):
    receipt, _ = charged_after_posting
    result = post_inventory_cost_to_gl_task.apply(kwargs={"post_method": "per_entry"}).get()
    assert result["value_entries_posted"] == 2
    charge = values_of(receipt)[-1]
    assert gl_rows(charge) == [(INVENTORY, D("2")), (DIRECT_COST_APPLIED, D("-2"))]
    assert GLEntry.objects.values("transaction_no").distinct().count() == 4  # 2 + 2 entries


def test_the_task_with_nothing_to_do_says_so(gl_setup, batch_posting):
    result = post_inventory_cost_to_gl_task.apply().get()
    assert result["message"] == "There is nothing to post to the general ledger."
    assert result["value_entries_posted"] == 0
    assert not GLEntry.objects.exists()


# -- the management command --------------------------------------------------------------------


@pytest.fixture
def unposted(gl_setup, batch_posting):
    """Purchase 10 @ 7 and sale of 2 (2 x 7 = 14), not posted yet."""
    item = make_item("A")
    post("purchase", item, 10, day(1, 5), unit_cost=7)
    post("sale", item, 2, day(1, 15))


def _command(*args: str) -> str:
    out = StringIO()
    call_command("post_inventory_cost_to_gl", *args, stdout=out)
    return out.getvalue()


def test_the_command_posts_and_prints_the_totals_and_the_message(unposted):
    output = _command("--document-no", "INVT-9")
    assert "2 value entries have been posted to the general ledger." in output
    # Inventory 70 - 14 = 56, DCA -70, COGS 14.
    assert "56.00" in output and "-70.00" in output and "14.00" in output
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-9"}
    assert queued() == set()
    assert_every_transaction_balances()


def test_the_command_can_post_per_entry(unposted):
    output = _command("--method", "per_entry")
    assert "2 value entries have been posted to the general ledger." in output
    assert GLEntry.objects.count() == 4


def test_the_command_preview_posts_nothing(unposted):
    output = _command("--method", "per_entry", "--preview")
    assert "2 value entries would be posted to the general ledger." in output
    assert "56.00" in output
    assert not GLEntry.objects.exists()
    assert len(queued()) == 2


def test_the_command_lists_skipped_entries_with_their_reason(unposted):
    item = make_item("N", inventory_posting_group="NOSETUP")
    (value,) = values_of(post("purchase", item, 1, day(1, 6), unit_cost=3))
    output = _command("--method", "per_entry")
    assert f"skipped value entry {value.pk}:" in output
    assert "NOSETUP" in output
    assert "2 value entries have been posted" in output
    assert queued() == {value.pk}


def test_the_command_refuses_per_posting_group_without_a_document_no(unposted):
    with pytest.raises(CommandError) as raised:
        _command()
    assert "document_no" in str(raised.value)
    assert not GLEntry.objects.exists()
    assert len(queued()) == 2


def test_the_command_with_nothing_to_post_says_so(gl_setup, batch_posting):
    output = _command("--method", "per_entry")
    assert "There is nothing to post to the general ledger." in output
