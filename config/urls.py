from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/", include("config.api_urls")),
    path("", include("costing.urls")),
    path("", include("ledger.urls")),
    path("", include("diagnostics.urls")),
    path("", include("inventory.urls")),
]

if not settings.DEBUG:
    # One small deployable: the app serves its own few static files (htmx, admin css).
    urlpatterns += [
        re_path(
            r"^static/(?P<path>.*)$",
            login_not_required(serve),
            {"document_root": settings.STATIC_ROOT},
        ),
    ]
