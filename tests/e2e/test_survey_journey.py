"""In the browser: three months after the first visit done, a resident answers the survey
from the link in their email, without signing in; the answer is counted for commissioners;
the same link then shows it was used."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from matchmaking.constants import VisitStatus
from matchmaking.models import OutcomeSurvey, Visit
from matchmaking.outcomes import selectors, surveys
from matchmaking.outcomes.constants import SurveyWave
from services.constants import NeedStatus
from tests.factories import NeedFactory, ProgrammeFactory, UserFactory
from tests.matching import eligible_cook, make_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SURVEY_LINK = re.compile(r"https?://\S+?(/surveys/\d+/[^/\s]+/)")


def test_a_resident_answers_the_three_month_survey_from_the_emailed_link(page):
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
    assert (counts[SurveyWave.MONTH_3].invited, counts[SurveyWave.MONTH_3].answered) == (1, 1)

    page.goto(path)  # the link works once
    expect(
        page.get_by_role("heading", name="This survey has already been answered")
    ).to_be_visible()
