from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from releasemgmt import downloads
from releasemgmt.notifications import api as notification_api
from releasemgmt.views import LoginView, TokenView
from releases import views as release_views

api_v1 = [
    path("files/<str:kind>/<int:pk>/", downloads.DownloadView.as_view(), name="api-download"),
    path(
        "releases/<str:identifier>/files/",
        downloads.ReleaseFilesView.as_view(),
        name="release-files",
    ),
    path("", include("deployments.api.urls")),
    path("", include("releases.api.urls")),
    path("", include("raci.api.urls")),
    path("", include("dsl.api.urls")),
    path("", include("changes.api.urls")),
    path("auth/token/", transaction.non_atomic_requests(TokenView.as_view()), name="api-token"),
    path(
        "applications/<slug:code>/subscribers/import/",
        notification_api.SubscriberImportView.as_view(),
        name="subscriber-import",
    ),
    path(
        "releases/<str:identifier>/mass-notifications/",
        notification_api.MassNotificationsView.as_view(),
        name="mass-notifications",
    ),
    path(
        "mass-notifications/<int:pk>/",
        notification_api.MassNotificationView.as_view(),
        name="mass-notification",
    ),
]

handler404 = "releasemgmt.errors.not_found"

urlpatterns = [
    path("", release_views.start, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("releases/", include("releases.urls")),
    path("", include("deployments.urls")),
    path("", include("releasemgmt.notifications.urls")),
    path("raci/", include("raci.urls")),
    path("files/<str:kind>/<int:pk>/", downloads.download, name="download"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
