"""Choices for outcome surveys (who answers when, and how answers were given)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyWave(models.TextChoices):
    """When a survey is asked. Residents: before help and 3 and 6 months after the first
    visit done; volunteers (providers): at sign-up and 6 months later."""

    BASELINE = "baseline", _("Before help starts")
    MONTH_3 = "month_3", _("3 months after help started")
    MONTH_6 = "month_6", _("6 months after help started")
    VOLUNTEER_START = "volunteer_start", _("When you started volunteering")
    VOLUNTEER_MONTH_6 = "volunteer_month_6", _("6 months after you started volunteering")


RESIDENT_WAVES = (SurveyWave.BASELINE, SurveyWave.MONTH_3, SurveyWave.MONTH_6)
FOLLOW_UP_WAVES = (SurveyWave.MONTH_3, SurveyWave.MONTH_6)
VOLUNTEER_WAVES = (SurveyWave.VOLUNTEER_START, SurveyWave.VOLUNTEER_MONTH_6)


class AnsweredHow(models.TextChoices):
    """Who gave the answers. Only the person can answer for themselves; a referrer may
    enter them only with the person present, and staff only reading them out by phone."""

    SELF = "self", _("By the person themselves")
    REFERRER_PRESENT = (
        "referrer_present",
        _("Entered by the person who asked for help for them, with them present"),
    )
    STAFF_PHONE = "staff_phone", _("Entered by council staff on the phone with the person")
