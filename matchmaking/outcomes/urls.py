"""Survey pages: the one-time link, the baseline step, staff on the phone, your answers."""

from django.urls import path

from matchmaking.views import surveys
from services import converters  # noqa: F401  (registers <ref:…>)

app_name = "surveys"

urlpatterns = [
    path("<int:pk>/<str:token>/", surveys.survey_answer, name="answer"),
    path("before-help/<ref:reference>/", surveys.survey_baseline, name="baseline"),
    path("by-phone/<ref:reference>/", surveys.survey_by_phone, name="by_phone"),
    path("yours/", surveys.your_surveys, name="yours"),
    path("yours/<int:pk>/withdraw/", surveys.survey_withdraw, name="withdraw"),
    path("yours/stop/", surveys.surveys_stop, name="stop"),
]
