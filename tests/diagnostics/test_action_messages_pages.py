"""The Action Messages page and the notification on the Inventory Cost Adjustment page."""

from __future__ import annotations

from django_celery_beat.models import PeriodicTask

from diagnostics.models import ActionMessage, ActionMessageSnooze
from diagnostics.models import ActionMessageType as T
from inventory.models import Item
from inventory.services import inventory_setup_update, item_create
from tests.ui.conftest import page_client

PAGE = "/diagnostics/action-messages/"
RUN = "/diagnostics/action-messages/run-tests/"


def _excluded_item() -> None:
    item_create(no="A", inventory_posting_group="RESALE", gen_prod_posting_group="RETAIL")
    Item.objects.filter(no="A").update(excluded_from_cost_adjustment=True, cost_is_adjusted=False)


def test_run_tests_lists_every_check_with_its_threshold(accountant_page):
    _excluded_item()
    empty = accountant_page.get(PAGE).content.decode()
    assert "No checks have run yet: use Run Tests." in empty
    response = accountant_page.post(RUN)
    assert response.status_code == 302
    text = accountant_page.get(response["Location"]).content.decode()
    assert "Run Tests:" in text and "checks found an issue" in text
    for label in T.labels:
        assert label in text
    assert "One item is excluded from cost adjustment and not adjusted (A)" in text
    assert "One or more items are excluded from cost adjustment and not adjusted." in text
    assert "Snooze 30 days" in text


def test_the_cost_adjustment_page_notifies_and_links_to_action_messages(accountant_page):
    _excluded_item()
    page = accountant_page.get("/cost-adjustment/").content.decode()
    assert 'id="action-messages-notice"' not in page
    accountant_page.post(RUN)
    page = accountant_page.get("/cost-adjustment/").content.decode()
    assert 'id="action-messages-notice"' in page
    assert 'href="/diagnostics/action-messages/"' in page


def test_snooze_takes_the_message_out_of_the_notification(accountant_page):
    inventory_setup_update(
        average_cost_calc_type="item_location_variant", automatic_cost_adjustment="always"
    )
    PeriodicTask.objects.update(enabled=True)
    _excluded_item()
    accountant_page.post(RUN)
    active = set(ActionMessage.objects.filter(active=True).values_list("type", flat=True))
    assert T.ITEM_EXCLUDED in active
    for type_ in active:
        response = accountant_page.post(f"/diagnostics/action-messages/{type_}/snooze/")
        assert response.status_code == 302
    text = accountant_page.get(PAGE).content.decode()
    assert "snoozed until" in text
    assert ActionMessageSnooze.objects.filter(type=T.ITEM_EXCLUDED, snoozed_by="anna").exists()
    page = accountant_page.get("/cost-adjustment/").content.decode()
    assert 'id="action-messages-notice"' not in page


def test_a_viewer_sees_no_buttons_and_may_not_run_or_snooze(viewer_page, db):
    _excluded_item()
    text = viewer_page.get(PAGE).content.decode()
    assert "Run Tests</button>" not in text and "Snooze 30 days" not in text
    assert viewer_page.post(RUN).status_code == 403
    assert viewer_page.post("/diagnostics/action-messages/70/snooze/").status_code == 403
    assert not ActionMessage.objects.exists()


def test_the_page_needs_a_role(db):
    assert page_client("nobody", None).get(PAGE).status_code == 403


def test_run_tests_is_a_post(accountant_page):
    assert accountant_page.get(RUN).status_code == 405


def test_the_home_page_shows_the_notification_too(viewer_page):
    _excluded_item()
    assert 'id="action-messages-notice"' not in viewer_page.get("/").content.decode()
    from diagnostics.services.action_messages import action_messages_run_all

    action_messages_run_all()
    home = viewer_page.get("/").content.decode()
    assert 'id="action-messages-notice"' in home
    assert "need attention" in home


def test_the_api_runs_lists_and_snoozes(accountant, viewer):
    _excluded_item()
    assert viewer.post("/api/v1/diagnostics/action-messages/run-tests/").status_code == 403
    response = accountant.post("/api/v1/diagnostics/action-messages/run-tests/")
    assert response.status_code == 200
    assert sorted(m["type"] for m in response.data) == sorted(T.values)
    response = accountant.post("/api/v1/diagnostics/action-messages/70/snooze/")
    assert response.status_code == 200
    listed = {m["type"]: m for m in viewer.get("/api/v1/diagnostics/action-messages/").data}
    assert listed[70]["active"] and listed[70]["snoozed_until"]
    assert listed[70]["threshold"].startswith("One or more items")
    assert listed[100]["snoozed_until"] is None
    bad = accountant.post("/api/v1/diagnostics/action-messages/11/snooze/")
    assert bad.status_code == 400 and "type" in bad.data
