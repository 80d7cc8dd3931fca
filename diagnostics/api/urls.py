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
]
