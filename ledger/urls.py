"""The G/L pages. Stable paths: /gl/post-inventory-cost/, /gl/reconciliation/,
/month-end-close/."""

from django.urls import path

from ledger import close_views, views

app_name = "ledger"

urlpatterns = [
    path("gl/post-inventory-cost/", views.post_inventory_cost, name="post_inventory_cost"),
    path(
        "gl/post-inventory-cost/test/",
        views.post_inventory_cost_test,
        name="post_inventory_cost_test",
    ),
    path(
        "gl/post-inventory-cost/tasks/<str:task_id>/",
        views.post_inventory_cost_task,
        name="post_inventory_cost_task",
    ),
    path("month-end-close/", close_views.month_end_close, name="month_end_close"),
    path(
        "month-end-close/<int:pk>/",
        close_views.month_end_close_detail,
        name="month_end_close_detail",
    ),
    path(
        "month-end-close/<int:pk>/status/",
        close_views.month_end_close_status,
        name="month_end_close_status",
    ),
    path(
        "month-end-close/<int:pk>/reverse/",
        close_views.month_end_close_reverse,
        name="month_end_close_reverse",
    ),
    path("gl/reconciliation/", views.reconciliation, name="reconciliation"),
    path(
        "gl/reconciliation/value-entries/",
        views.reconciliation_value_entries,
        name="reconciliation_value_entries",
    ),
    path(
        "gl/reconciliation/gl-entries/",
        views.reconciliation_gl_entries,
        name="reconciliation_gl_entries",
    ),
]
