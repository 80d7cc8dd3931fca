from django.urls import path

from diagnostics.api import views

urlpatterns = [
    path(
        "diagnostics/costing-issues/",
        views.CostingIssuesApi.as_view(),
        name="diagnostics-costing-issues",
    ),
]
