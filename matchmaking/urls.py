from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from matchmaking import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("privacy/", TemplateView.as_view(template_name="pages/privacy.html"), name="privacy"),
    path("cookies/", TemplateView.as_view(template_name="pages/cookies.html"), name="cookies"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
