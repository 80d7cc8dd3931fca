from django.urls import path
from rest_framework.routers import DefaultRouter

from costing.api import views

router = DefaultRouter()
router.register("cost-adjustment/batches", views.BatchViewSet, basename="cost-adjustment-batch")
router.register("cost-adjustment/runs", views.RunLogViewSet, basename="cost-adjustment-run-log")
router.register("cost-adjustment/trace", views.TraceEventViewSet, basename="cost-adjustment-trace")
router.register("cost-adjustment/orders", views.AdjmtOrderViewSet, basename="cost-adjustment-order")

urlpatterns = [
    path("cost-adjustment/run/", views.CostAdjustmentRunApi.as_view(), name="cost-adjustment-run"),
    path(
        "cost-adjustment/orders/adjust/",
        views.AdjustSelectedOrdersApi.as_view(),
        name="cost-adjustment-orders-adjust",
    ),
    path(
        "cost-adjustment/orders/reset/",
        views.ResetOrdersApi.as_view(),
        name="cost-adjustment-orders-reset",
    ),
    path(
        "cost-adjustment/reset-cost-is-adjusted/",
        views.ResetCostIsAdjustedApi.as_view(),
        name="cost-adjustment-reset-cost-is-adjusted",
    ),
    path(
        "cost-adjustment/mark-for-adjustment/",
        views.MarkForAdjustmentApi.as_view(),
        name="cost-adjustment-mark-for-adjustment",
    ),
    path(
        "cost-adjustment/reset-outbound-entry-is-updated/",
        views.ResetOutboundEntryIsUpdatedApi.as_view(),
        name="cost-adjustment-reset-outbound-entry-is-updated",
    ),
    path(
        "items/<str:no>/exclude-from-cost-adjustment/",
        views.ItemExclusionApi.as_view(),
        {"excluded": True},
        name="item-exclude-from-cost-adjustment",
    ),
    path(
        "items/<str:no>/include-in-cost-adjustment/",
        views.ItemExclusionApi.as_view(),
        {"excluded": False},
        name="item-include-in-cost-adjustment",
    ),
    *router.urls,
]
