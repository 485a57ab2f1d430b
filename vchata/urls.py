from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from vchata.accounts.views import admin_login
from vchata.converters import register_all
from vchata.health import health, live, ready

register_all()

# Envelopes for API paths, pages that need neither the static manifest nor the database (vchata/error_pages.py).
handler404 = "vchata.error_pages.page_not_found"
handler500 = "vchata.error_pages.server_error"

urlpatterns = [
    path("health", health, name="health"),
    path("health/live", live, name="health-live"),
    path("health/ready", ready, name="health-ready"),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/login/", admin_login, name="admin-login"),  # throttled (vchata.accounts.login_throttle)
    path("admin/", admin.site.urls),
    # JSON API (no trailing slashes, as documented).
    path("", include("vchata.accounts.urls")),
    path("", include("analytics.urls")),  # before leads: /leads/<org>/stats etc.
    path("", include("leads.urls")),
    path("", include("pipelines.urls")),
    path("", include("pipelines.automation.urls")),  # /pipelines/{orgId}/{pipelineId}/rules…
    path("", include("integrations.urls")),
    # Browser pages.
    path("", include("vchata.accounts.page_urls")),
    path("app/", include("pipelines.board.urls")),
    path("app/", include("leads.page_urls")),
    path("app/", include("analytics.page_urls")),
    path("app/", include("integrations.page_urls")),
]
