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
    path("diagnostics/item-data/", views.item_data, name="item_data"),
    path("diagnostics/item-data/export/", views.item_data_export, name="item_data_export"),
    path("diagnostics/item-data/import/", views.item_data_import_view, name="item_data_import"),
    path("diagnostics/item-data/delete/", views.item_data_delete_view, name="item_data_delete"),
    path(
        "diagnostics/reset-cost-is-adjusted/",
        views.reset_cost_is_adjusted_view,
        name="reset_cost_is_adjusted",
    ),
]
