from django.urls import path
from rest_framework.routers import DefaultRouter

from ledger.api import reconciliation, views

router = DefaultRouter()
router.register("gl-accounts", views.GLAccountViewSet, basename="gl-account")
router.register(
    "general-posting-setups", views.GeneralPostingSetupViewSet, basename="general-posting-setup"
)
router.register(
    "inventory-posting-setups",
    views.InventoryPostingSetupViewSet,
    basename="inventory-posting-setup",
)
router.register("gl-entries", views.GLEntryViewSet, basename="gl-entry")
router.register("inventory-closes", views.InventoryCloseViewSet, basename="inventory-close")

urlpatterns = [
    path(
        "gl/post-inventory-cost/", views.PostInventoryCostApi.as_view(), name="post-inventory-cost"
    ),
    path(
        "gl/post-inventory-cost/test/",
        views.PostInventoryCostTestApi.as_view(),
        name="post-inventory-cost-test",
    ),
    path("reconciliation/", reconciliation.ReconciliationApi.as_view(), name="reconciliation"),
    path(
        "reconciliation/value-entries/",
        reconciliation.CellValueEntriesApi.as_view(),
        name="reconciliation-value-entries",
    ),
    path(
        "reconciliation/gl-entries/",
        reconciliation.RowGLEntriesApi.as_view(),
        name="reconciliation-gl-entries",
    ),
    *router.urls,
]
