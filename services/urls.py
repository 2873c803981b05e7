from django.urls import path

from services import views

app_name = "needs"

urlpatterns = [
    path("request-help/", views.request_help_start, name="start"),
    path("request-help/check/", views.request_help_check, name="check"),
    path("request-help/<slug:step>/", views.request_help_step, name="step"),
    path("requests/", views.need_list, name="list"),
    path("requests/<str:reference>/", views.need_detail, name="detail"),
    path("requests/<str:reference>/submitted/", views.request_help_submitted, name="submitted"),
    path("requests/<str:reference>/change/", views.need_change, name="change"),
]
