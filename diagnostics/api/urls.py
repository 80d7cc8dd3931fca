from django.urls import path

from diagnostics.api import views

urlpatterns = [
    path(
        "diagnostics/costing-issues/",
        views.CostingIssuesApi.as_view(),
        name="diagnostics-costing-issues",
    ),
    path(
        "diagnostics/action-messages/",
        views.ActionMessagesApi.as_view(),
        name="diagnostics-action-messages",
    ),
    path(
        "diagnostics/action-messages/run-tests/",
        views.ActionMessagesRunTestsApi.as_view(),
        name="diagnostics-action-messages-run-tests",
    ),
    path(
        "diagnostics/action-messages/<int:type>/snooze/",
        views.ActionMessageSnoozeApi.as_view(),
        name="diagnostics-action-message-snooze",
    ),
    path(
        "diagnostics/item-data/export/",
        views.ItemDataExportApi.as_view(),
        name="diagnostics-item-data-export",
    ),
    path(
        "diagnostics/item-data/import/",
        views.ItemDataImportApi.as_view(),
        name="diagnostics-item-data-import",
    ),
    path(
        "diagnostics/item-data/delete/",
        views.ItemDataDeleteApi.as_view(),
        name="diagnostics-item-data-delete",
    ),
]
