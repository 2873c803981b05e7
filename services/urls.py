from django.urls import path

from services import (
    converters,  # noqa: F401  (registers <ref:…>)
    views,
)

app_name = "needs"

urlpatterns = [
    path("request-help/", views.request_help_start, name="start"),
    path("request-help/check/", views.request_help_check, name="check"),
    path("request-help/<slug:step>/", views.request_help_step, name="step"),
    path("requests/", views.need_list, name="list"),
    path("requests/<ref:reference>/", views.need_detail, name="detail"),
    path("requests/<ref:reference>/submitted/", views.request_help_submitted, name="submitted"),
    path("requests/<ref:reference>/change/", views.need_change, name="change"),
]
