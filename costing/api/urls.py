from django.urls import path

from costing.api import views

urlpatterns = [
    path("cost-adjustment/run/", views.CostAdjustmentRunApi.as_view(), name="cost-adjustment-run"),
]
