from django.urls import path

from inventory import period_views, production_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/figures/", views.home_figures, name="home-figures"),
    path("home/reconciliation/", views.home_reconciliation, name="home-reconciliation"),
    path("inventory-setup/", views.inventory_setup, name="inventory-setup"),
    path("items/", views.items, name="items"),
    path("items/<path:no>/", views.item_card, name="item-card"),
    path("inventory-periods/", period_views.inventory_periods, name="inventory-periods"),
    path(
        "inventory-periods/<int:pk>/test/",
        period_views.inventory_period_test,
        name="inventory-period-test",
    ),
    path(
        "inventory-periods/<int:pk>/close/",
        period_views.inventory_period_close,
        name="inventory-period-close",
    ),
    path(
        "inventory-periods/<int:pk>/reopen/",
        period_views.inventory_period_reopen,
        name="inventory-period-reopen",
    ),
    path("ledgers/item-entries/", views.item_ledger_entries, name="item-ledger-entries"),
    path("ledgers/value-entries/", views.value_entries, name="value-entries"),
    path("ledgers/gl-entries/", views.gl_entries, name="gl-entries"),
    path("production-orders/", production_views.production_orders, name="production-orders"),
    path(
        "production-orders/<str:no>/",
        production_views.production_order_card,
        name="production-order",
    ),
    path(
        "production-orders/<str:no>/finish/",
        production_views.production_order_finish_page,
        name="production-order-finish",
    ),
    path("capacity-journal/", production_views.capacity_journal, name="capacity-journal"),
    path("assembly-orders/", production_views.assembly_orders, name="assembly-orders"),
]
