from django.urls import path
from rest_framework.routers import DefaultRouter

from ledger.api import views

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

urlpatterns = [
    path(
        "gl/post-inventory-cost/", views.PostInventoryCostApi.as_view(), name="post-inventory-cost"
    ),
    path(
        "gl/post-inventory-cost/test/",
        views.PostInventoryCostTestApi.as_view(),
        name="post-inventory-cost-test",
    ),
    *router.urls,
]
