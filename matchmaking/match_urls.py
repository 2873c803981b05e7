from django.urls import path

from matchmaking.views import (
    account,
    conversations,
    details,
    help_requests,
    matches,
    offers_for_you,
    phone,
    visits,
)
from services import converters  # noqa: F401  (registers <ref:…>)

app_name = "matchmaking"

urlpatterns = [
    path("help-requests/", help_requests.offer_list, name="offer_list"),
    path("help-requests/<int:pk>/", help_requests.offer_detail, name="offer_detail"),
    path("help-requests/<int:pk>/accept/", help_requests.offer_accept, name="offer_accept"),
    path("help-requests/<int:pk>/decline/", help_requests.offer_decline, name="offer_decline"),
    path("matches/<int:pk>/", matches.need_match, name="need_match"),
    path("matches/<int:pk>/confirm/", matches.match_confirm, name="match_confirm"),
    path("matches/<int:pk>/someone-else/", matches.match_someone_else, name="match_someone_else"),
    path("matches/<int:pk>/cancel/", matches.match_cancel, name="match_cancel"),
    path("matches/<int:pk>/complete/", matches.match_complete, name="match_complete"),
    path("matches/<int:pk>/rate/", matches.match_rate, name="match_rate"),
    path("matches/<int:pk>/concern/", matches.match_concern, name="match_concern"),
    path("matches/<int:pk>/block/", matches.match_block, name="match_block"),
    path("matches/<int:pk>/conversation/", conversations.conversation, name="conversation"),
    path(
        "matches/<int:pk>/conversation/share/",
        conversations.conversation_share,
        name="conversation_share",
    ),
    path(
        "matches/<int:pk>/conversation/<int:message_pk>/report/",
        conversations.message_report,
        name="conversation_report",
    ),
    path("requests/<ref:reference>/withdraw/", matches.need_withdraw, name="need_withdraw"),
    path("account/your-data/", account.your_data, name="your_data"),
    path("account/your-data/download/", account.your_data_download, name="your_data_download"),
    path("account/delete/", account.account_delete, name="account_delete"),
    path("account/your-details/", details.your_details, name="your_details"),
    path("account/your-name/", details.name_ask, name="name_ask"),
    path("provide/pause/", details.provider_pause, name="provider_pause"),
    path("provide/resume/", details.provider_resume, name="provider_resume"),
    path("notifications/", account.notification_list, name="notifications"),
    path("account/text-messages/", phone.text_messages, name="text_messages"),
    path(
        "account/text-messages/confirm/",
        phone.text_messages_confirm,
        name="text_messages_confirm",
    ),
    path("account/text-messages/resend/", phone.text_messages_resend, name="text_messages_resend"),
    path("visits/", visits.visit_list, name="visits"),
    path("visits/<int:pk>/done/", visits.visit_done, name="visit_done"),
    path("visits/<int:pk>/cancel/", visits.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/did-not-happen/", visits.visit_missed, name="visit_missed"),
    path("account/offers-near-you/", offers_for_you.offer_alerts, name="offer_alerts"),
    path("offers-for-you/<int:pk>/", offers_for_you.offer_proposal, name="offer_proposal"),
    path(
        "offers-for-you/<int:pk>/accept/",
        offers_for_you.offer_proposal_accept,
        name="offer_proposal_accept",
    ),
    path(
        "offers-for-you/<int:pk>/decline/",
        offers_for_you.offer_proposal_decline,
        name="offer_proposal_decline",
    ),
    path("account/calendar/", visits.calendar_page, name="calendar"),
    path("account/calendar/new/", visits.calendar_create, name="calendar_create"),
    path("account/calendar/stop/", visits.calendar_revoke, name="calendar_revoke"),
    path("calendar/<slug:token>.ics", visits.calendar_feed, name="calendar_feed"),
]
