"""The diagnostics pages: /diagnostics/costing-issues/, /diagnostics/action-messages/,
/diagnostics/item-data/."""

from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("diagnostics/costing-issues/", views.costing_issues, name="costing_issues"),
    path("diagnostics/action-messages/", views.action_messages, name="action_messages"),
    path(
        "diagnostics/action-messages/run-tests/",
        views.action_messages_run_tests,
        name="action_messages_run_tests",
    ),
    path(
        "diagnostics/action-messages/<int:type>/snooze/",
        views.action_message_snooze_view,
        name="action_message_snooze",
    ),
]
