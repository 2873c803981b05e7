"""/api/v1/: the REST API, its OpenAPI schema and its documentation (served offline)."""

from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from matchmaking.api import views

app_name = "api"

router = SimpleRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("areas", views.AreaViewSet, basename="area")
router.register("needs", views.NeedViewSet, basename="need")
router.register("offers", views.OfferViewSet, basename="offer")
router.register("matches", views.MatchViewSet, basename="match")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("ratings", views.RatingViewSet, basename="rating")
router.register("concerns", views.ConcernViewSet, basename="concern")
router.register("staff/needs", views.StaffNeedViewSet, basename="staff-need")
router.register("staff/providers", views.StaffProviderViewSet, basename="staff-provider")
router.register("staff/matches", views.StaffMatchViewSet, basename="staff-match")

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path(
        "docs/",
        # Split: the init script is a URL of its own, as the site's CSP allows no inline script.
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema",
            template_name="api/swagger_ui.html",
            title=f"{settings.SERVICE_NAME} API",
        ),
        name="docs",
    ),
    path("provider/me/", views.ProviderMeView.as_view(), name="provider-me"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404, not the web's HTML page.
    re_path(r"^", views.not_found, name="not-found"),
]
