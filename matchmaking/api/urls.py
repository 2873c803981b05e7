"""/api/v1/: the REST API, its OpenAPI schema and its documentation (served offline)."""

from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from matchmaking.api.views.conversations import MatchMessagesView
from matchmaking.api.views.index import ApiRootView, not_found
from matchmaking.api.views.matches import MatchViewSet
from matchmaking.api.views.needs import NeedViewSet
from matchmaking.api.views.notifications import NotificationViewSet
from matchmaking.api.views.offers import OfferViewSet
from matchmaking.api.views.outcomes import ProgrammeOutcomesView, PublicProgrammeSummaryView
from matchmaking.api.views.providers import ProviderMeView
from matchmaking.api.views.ratings_concerns import ConcernViewSet, RatingViewSet
from matchmaking.api.views.reference import AreaViewSet, CategoryViewSet
from matchmaking.api.views.staff import StaffMatchViewSet, StaffNeedViewSet, StaffProviderViewSet
from matchmaking.api.views.visits import VisitViewSet

app_name = "api"

router = SimpleRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("areas", AreaViewSet, basename="area")
router.register("needs", NeedViewSet, basename="need")
router.register("offers", OfferViewSet, basename="offer")
router.register("matches", MatchViewSet, basename="match")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("ratings", RatingViewSet, basename="rating")
router.register("concerns", ConcernViewSet, basename="concern")
router.register("visits", VisitViewSet, basename="visit")
router.register("staff/needs", StaffNeedViewSet, basename="staff-need")
router.register("staff/providers", StaffProviderViewSet, basename="staff-provider")
router.register("staff/matches", StaffMatchViewSet, basename="staff-match")

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
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
    path("provider/me/", ProviderMeView.as_view(), name="provider-me"),
    path("matches/<int:pk>/messages/", MatchMessagesView.as_view(), name="match-messages"),
    path(
        "programmes/<int:pk>/outcomes/",
        ProgrammeOutcomesView.as_view(),
        name="programme-outcomes",
    ),
    path(
        "public/programmes/<int:pk>/summary/",
        PublicProgrammeSummaryView.as_view(),
        name="public-programme-summary",
    ),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404, not the web's HTML page.
    re_path(r"^", not_found, name="not-found"),
]
