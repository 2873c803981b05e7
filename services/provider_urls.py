from django.urls import path

from services import provider_views as views

app_name = "providers"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("offer-help/", views.offer_help_start, name="start"),
    path("offer-help/check/", views.offer_help_check, name="check"),
    path("offer-help/<slug:step>/", views.offer_help_step, name="step"),
    path("profile/", views.profile_edit, name="profile"),
    path("availability/", views.availability_edit, name="availability"),
    path("availability/away/", views.away_add, name="away_add"),
    path("availability/away/<int:pk>/remove/", views.away_remove, name="away_remove"),
    path("photo/", views.photo_edit, name="photo"),
    path("documents/", views.document_list, name="documents"),
    path("documents/upload/<slug:kind>/", views.document_upload, name="document_upload"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("offers/", views.offer_list, name="offers"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw_confirm, name="offer_withdraw"),
]
