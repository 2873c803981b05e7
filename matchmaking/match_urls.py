from django.urls import path

from matchmaking import views
from services import converters  # noqa: F401  (registers <ref:…>)

app_name = "matchmaking"

urlpatterns = [
    path("help-requests/", views.offer_list, name="offer_list"),
    path("help-requests/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("help-requests/<int:pk>/accept/", views.offer_accept, name="offer_accept"),
    path("help-requests/<int:pk>/decline/", views.offer_decline, name="offer_decline"),
    path("matches/<int:pk>/", views.need_match, name="need_match"),
    path("matches/<int:pk>/confirm/", views.match_confirm, name="match_confirm"),
    path("matches/<int:pk>/someone-else/", views.match_someone_else, name="match_someone_else"),
    path("matches/<int:pk>/cancel/", views.match_cancel, name="match_cancel"),
    path("matches/<int:pk>/complete/", views.match_complete, name="match_complete"),
    path("matches/<int:pk>/rate/", views.match_rate, name="match_rate"),
    path("matches/<int:pk>/concern/", views.match_concern, name="match_concern"),
    path("matches/<int:pk>/block/", views.match_block, name="match_block"),
    path("requests/<ref:reference>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("account/your-data/", views.your_data, name="your_data"),
    path("account/your-data/download/", views.your_data_download, name="your_data_download"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("notifications/", views.notification_list, name="notifications"),
]
