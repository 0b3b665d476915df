"""The site: every app's pages and API mounted at their paths (the top of the layers:
it knows every room, and nothing imports it)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from dashboards import views as dashboard_views
from releasemgmt.views import TokenDetailView, TokensView, TokenView
from releases import downloads

api_v1 = [
    path("", include("releases.api.urls")),
    path("", include("deployments.api.urls")),
    path("", include("raci.api.urls")),
    path("", include("dsl.api.urls")),
    path("", include("changes.api.urls")),
    path("", include("dashboards.api.urls")),
    path("", include("readiness.api.urls")),
    path("", include("aftercare.api.urls")),
    path("", include("satisfaction.api.urls")),
    path("", include("kpis.api.urls")),
    path("auth/token/", transaction.non_atomic_requests(TokenView.as_view()), name="api-token"),
    path("auth/tokens/", TokensView.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_key>/", TokenDetailView.as_view(), name="api-token-detail"),
]

handler400 = "releasemgmt.web.bad_request"
handler403 = "releasemgmt.web.forbidden"
handler404 = "releasemgmt.web.not_found"
handler500 = "releasemgmt.web.server_error"

urlpatterns = [
    # the API first: its one prefix turns a page's path away at once, where behind the
    # pages' many patterns mounted at the root an API path was tried against each of
    # them (0.2 ms of an API call's 6.5; issue 17)
    path("api/v1/", include(api_v1)),
    path("", dashboard_views.start, name="home"),
    path("login/", dashboard_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("releases/", include("releases.urls")),
    path("", include("dashboards.urls")),
    path("", include("deployments.urls")),
    path("", include("dsl.urls")),
    path("raci/", include("raci.urls")),
    path("windows/", include("releases.window_urls")),
    path("packages/", include("deployments.package_urls")),
    path("policies/", include("releases.policy_urls")),
    path("applications/", include("dsl.application_urls")),
    path("changes/", include("changes.urls")),
    path("", include("readiness.urls")),
    path("", include("aftercare.urls")),
    path("", include("satisfaction.urls")),
    path("", include("kpis.urls")),
    path("account/deputies/", include("raci.deputy_urls")),
    path("account/", include("releasemgmt.accounts.urls")),
    path("files/<str:kind>/<int:pk>/", downloads.download, name="download"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
