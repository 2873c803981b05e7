from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from matchmaking.views import api_tokens, language, notify_callback, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("cookies/", TemplateView.as_view(template_name="pages/cookies.html"), name="cookies"),
    path("session/extend/", pages.session_extend, name="session_extend"),
    path("language/", language.language_set, name="language_set"),
    path("signed-out/", pages.signed_out, name="signed_out"),
    path("", include("services.urls")),
    path("", include("matchmaking.match_urls")),
    path("surveys/", include("matchmaking.outcomes.urls")),
    path("provide/", include("services.provider_urls")),
    path("accounts/api-token/", api_tokens.api_token, name="api_token"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("matchmaking.api.urls")),
    path("openreferral/v1/", include("matchmaking.openreferral.urls")),
    path("notify/callback/", notify_callback.notify_callback, name="notify_callback"),
]

if settings.BENCH_VIEWS:
    from matchmaking.bench.pages import PATTERNS as bench_pages

    urlpatterns += bench_pages

if settings.DEBUG:
    # Development only: uploaded provider photos. Production serves MEDIA_ROOT from the proxy.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
