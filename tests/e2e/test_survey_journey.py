"""In the browser: three months after the first visit done, a resident answers the survey
from the link in their email, without signing in; the same link then shows it was used; and
the commissioner sees the answer counted on the commissioning dashboard, where it brings the
programme's 3-month answers to 5, the smallest number shown."""

import datetime
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking.constants import VisitStatus
from matchmaking.models import OutcomeSurvey, SurveyConsent, Visit
from matchmaking.outcomes import selectors, surveys
from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from matchmaking.scoping import grant_area
from services.constants import NeedStatus
from tests.e2e.test_staff_vetting_journey import current_code
from tests.factories import (
    PASSWORD,
    CommissionerFactory,
    NeedFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SURVEY_LINK = re.compile(r"https?://\S+?(/surveys/\d+/[^/\s]+/)")


def commissioner_signs_in(page, commissioner, secret):
    page.goto("/admin/")
    page.get_by_label("Email").fill(commissioner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("input[name=code]").fill(current_code(secret))
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).not_to_be_visible()


def month_3_answers(page, programme):
    """The Answered cell of the programme's 3-month row in the survey responses table."""
    page.goto("/admin/dashboard/")
    row = (
        page.locator("tr")
        .filter(has_text=f"Programme: {programme.name}")
        .filter(has_text="3 months after help started")
    )
    return row.locator("td").nth(3).inner_text().strip()


def test_a_resident_answers_the_three_month_survey_from_the_emailed_link(new_page):
    page = new_page()
    programme = ProgrammeFactory()
    resident = UserFactory(first_name="Rose")
    need = NeedFactory(
        requested_by=resident, resident=resident, programme=programme, status=NeedStatus.MATCHED
    )
    match = make_match(need, eligible_cook(need), "active")
    start = timezone.now() - datetime.timedelta(days=92)
    Visit.objects.create(
        match=match,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        status=VisitStatus.DONE,
    )
    for _ in range(4):  # four neighbours in the programme answered already
        other = NeedFactory(programme=programme, area=need.area, category=need.category)
        survey = OutcomeSurvey.objects.create(
            need=other,
            respondent=other.resident,
            wave=SurveyWave.MONTH_3,
            programme=programme,
            area=other.area,
            category=other.category,
            expires_at=timezone.now() + datetime.timedelta(days=28),
        )
        SurveyConsent.objects.create(user=other.resident, agreed=True, how=AnsweredHow.SELF)
        surveys.survey_answer(survey=survey, answers={"ons_happy": 6})
    commissioner = CommissionerFactory(two_factor=False)
    secret = generate_totp_secret()
    TOTP.activate(commissioner, secret)
    grant_area(commissioner, need.area)
    as_commissioner = new_page()
    commissioner_signs_in(as_commissioner, commissioner, secret)
    assert month_3_answers(as_commissioner, programme) == "Not shown: fewer than 5 people"
    mail.outbox.clear()

    surveys.surveys_send()  # what the daily task does

    (email,) = [m for m in mail.outbox if m.to == [resident.email]]
    path = SURVEY_LINK.search(email.body).group(1)
    page.set_viewport_size({"width": 320, "height": 740})
    page.goto(path)
    expect(page.get_by_role("heading", name="How are you?")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 320
    serious = [
        violation["id"]
        for violation in Axe().run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.get_by_role("group", name="May we keep these answers?").get_by_label(
        "Yes, keep my answers"
    ).check()
    page.get_by_role("group", name="How often do you feel lonely?").get_by_label(
        "Some of the time"
    ).check()
    page.get_by_role("group", name="How often do you feel left out?").get_by_label(
        "Hardly ever or never"
    ).check()
    page.get_by_role("group", name="Overall, how happy did you feel yesterday?").get_by_label(
        "7", exact=True
    ).check()
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    survey = OutcomeSurvey.objects.get(need=need, wave=SurveyWave.MONTH_3)
    assert (survey.lonely_how_often, survey.ucla_left_out, survey.ons_happy) == (2, 1, 7)
    # Counted among the programme's 3-month answers (what the commissioners' figures read).
    counts = {row.wave: row for row in selectors.response_counts(programme=programme)}
    assert (counts[SurveyWave.MONTH_3].invited, counts[SurveyWave.MONTH_3].answered) == (5, 5)

    page.goto(path)  # the link works once
    expect(
        page.get_by_role("heading", name="This survey has already been answered")
    ).to_be_visible()
