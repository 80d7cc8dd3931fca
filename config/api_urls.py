from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("v1/", include("inventory.api.urls")),
    path("v1/", include("costing.api.urls")),
    path("v1/", include("ledger.api.urls")),
    path("v1/", include("diagnostics.api.urls")),
]
