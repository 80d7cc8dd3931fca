"""The diagnostics pages: /diagnostics/costing-issues/, /diagnostics/action-messages/,
/diagnostics/item-data/."""

from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("diagnostics/costing-issues/", views.costing_issues, name="costing_issues"),
]
