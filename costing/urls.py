"""The Inventory Cost Adjustment pages (spec §13). Stable paths: /cost-adjustment/,
/cost-adjustment/batches/, /cost-adjustment/logs/, /cost-adjustment/trace/."""

from django.urls import path

from costing import order_views, views

app_name = "costing"

ITEM = "cost-adjustment/items/<str:no>"

urlpatterns = [
    path("cost-adjustment/", views.item_list_page, name="cost_adjustment"),
    path("cost-adjustment/run/", views.run_selected, name="run_selected"),
    path("cost-adjustment/add-batch/", views.add_batch_selected, name="add_batch_selected"),
    path(
        "cost-adjustment/add-batch-and-run/",
        views.add_batch_and_run_selected,
        name="add_batch_and_run_selected",
    ),
    path("cost-adjustment/exclude/", views.exclude_selected, name="exclude_selected"),
    path("cost-adjustment/include/", views.include_selected, name="include_selected"),
    path(
        "cost-adjustment/reset-cost-is-adjusted/",
        views.reset_cost_is_adjusted_selected,
        name="reset_cost_is_adjusted_selected",
    ),
    # Cost Adjmt. Orders
    path("cost-adjustment/orders/", order_views.orders, name="orders"),
    path("cost-adjustment/orders/adjust/", order_views.orders_adjust, name="orders_adjust"),
    path("cost-adjustment/orders/reset/", order_views.orders_reset, name="orders_reset"),
    # The Item menu
    path(f"{ITEM}/entries/", views.item_entries, name="item_entries"),
    path(
        f"{ITEM}/entries/mark-for-adjustment/",
        views.item_entries_mark,
        name="item_entries_mark",
    ),
    path(f"{ITEM}/values/", views.item_values, name="item_values"),
    path(f"{ITEM}/entry-points/", views.item_entry_points, name="item_entry_points"),
    path(
        f"{ITEM}/entry-points/adjust-until/",
        views.item_adjust_until,
        name="item_adjust_until",
    ),
    path(f"{ITEM}/applications/", views.item_applications, name="item_applications"),
    path(
        f"{ITEM}/applications/reset-outbound-updated/",
        views.item_applications_reset,
        name="item_applications_reset",
    ),
    # Item Batches
    path("cost-adjustment/batches/", views.batches, name="batches"),
    path("cost-adjustment/batches/table/", views.batches_table, name="batches_table"),
    path("cost-adjustment/batches/add/", views.batch_add, name="batch_add"),
    path(
        "cost-adjustment/batches/add-missing-items/",
        views.batches_add_missing_items,
        name="batches_add_missing_items",
    ),
    path("cost-adjustment/batches/run/", views.batches_run_all, name="batches_run_all"),
    path("cost-adjustment/batches/stop/", views.batches_stop, name="batches_stop"),
    path("cost-adjustment/batches/<int:pk>/run/", views.batch_run, name="batch_run"),
    path("cost-adjustment/batches/<int:pk>/cancel/", views.batch_cancel, name="batch_cancel"),
    path("cost-adjustment/batches/<int:pk>/reset/", views.batch_reset, name="batch_reset"),
    # Logs and the tracer
    path("cost-adjustment/logs/", views.run_logs, name="logs"),
    path("cost-adjustment/logs/items/", views.item_logs, name="item_logs"),
    path("cost-adjustment/logs/<int:pk>/", views.run_log, name="log"),
    path("cost-adjustment/trace/", views.trace, name="trace"),
    path("cost-adjustment/trace/analysis/", views.trace_analysis, name="trace_analysis"),
]
