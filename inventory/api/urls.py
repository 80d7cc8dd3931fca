from django.urls import path
from rest_framework.routers import DefaultRouter

from inventory.api import views

router = DefaultRouter()
router.register("items", views.ItemViewSet, basename="item")
router.register("locations", views.LocationViewSet, basename="location")
router.register("item-variants", views.ItemVariantViewSet, basename="item-variant")
router.register("item-ledger-entries", views.ItemLedgerEntryViewSet, basename="item-ledger-entry")
router.register("inventory-periods", views.InventoryPeriodViewSet, basename="inventory-period")
router.register(
    "inventory-period-entries", views.InventoryPeriodEntryViewSet, basename="inventory-period-entry"
)
router.register("value-entries", views.ValueEntryViewSet, basename="value-entry")
router.register(
    "item-application-entries", views.ItemApplicationEntryViewSet, basename="item-application-entry"
)
router.register("work-centers", views.WorkCenterViewSet, basename="work-center")
router.register("production-orders", views.ProductionOrderViewSet, basename="production-order")
router.register(
    "capacity-ledger-entries", views.CapacityLedgerEntryViewSet, basename="capacity-ledger-entry"
)
router.register("assembly-orders", views.AssemblyOrderViewSet, basename="assembly-order")

urlpatterns = [
    path("inventory-setup/", views.InventorySetupApi.as_view(), name="inventory-setup"),
    path("item-journal/post/", views.ItemJournalPostApi.as_view(), name="item-journal-post"),
    path(
        "item-ledger-entries/<int:entry_no>/invoice/",
        views.ItemLedgerEntryInvoiceApi.as_view(),
        name="item-ledger-entry-invoice",
    ),
    path(
        "item-ledger-entries/<int:entry_no>/item-charges/",
        views.ItemChargeApi.as_view(),
        name="item-ledger-entry-item-charges",
    ),
    path(
        "revaluation-journal/post/",
        views.RevaluationJournalPostApi.as_view(),
        name="revaluation-journal-post",
    ),
    path(
        "capacity-journal/post/",
        views.CapacityJournalPostApi.as_view(),
        name="capacity-journal-post",
    ),
    path("assembly-orders/post/", views.AssemblyOrderPostApi.as_view(), name="assembly-order-post"),
    *router.urls,
]
