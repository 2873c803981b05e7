"""A small borough whose dashboard figures are worked out by hand (see Borough)."""

import datetime

from django.utils import timezone

from matchmaking.constants import ConcernKind, ConcernStatus, MatchStatus, RaterRole
from matchmaking.models import Concern, Match, Rating
from services.models import Need
from tests.factories import (
    AreaFactory,
    NeedFactory,
    PostcodeFactory,
    ProgrammeFactory,
    UserFactory,
    category,
)
from tests.provider_factories import ProviderProfileFactory

NOW = timezone.now()
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


class Borough:
    """North and South. Figures by hand (all areas / North only):

    open needs: North meals 2 (1 unmet), North companionship 1, South meals 1
    time to first active match: 10 h, 20 h (North), 30 h (South) -> median 20 h / 15 h
    offers in the period: 5, 3 accepted -> 60% / North 3 offers, 2 accepted
    completed in the period: 2 / 1 (one more completed 100 days ago: outside)
    visible ratings in the period: 4, 5, 5 (one hidden 3) / North: one 5
    open concerns: 2, 1 urgent / North: 1, urgent (one resolved: not counted)
    supply (active, with the skill, by home): North meals 2, North companionship 1,
      South meals 1, no area meals 1; applicants not counted
    programme "Meals": target 4, budget 1000, residents helped 2 (r1 twice, r2) / North 1
    """

    def __init__(self):
        self.north = AreaFactory(name="North")
        self.south = AreaFactory(name="South")
        PostcodeFactory(code="RV1 1AA", area=self.north)
        PostcodeFactory(code="RV2 2BB", area=self.south)
        meals, company = category("meals"), category("companionship")

        def provider(postcode, *skills, **kwargs):
            return ProviderProfileFactory(home_postcode=postcode, skills=list(skills), **kwargs)

        p1 = provider("RV1 1AA", meals, active=True)
        p2 = provider("RV2 2BB", meals, active=True)
        provider("RV1 1AA", meals)  # applied: not supply
        provider("RV1 1AA", meals, company, active=True)
        provider("ZZ9 9ZZ", meals, active=True)  # postcode in no area

        self.programme = ProgrammeFactory(
            name="Meals",
            areas=[self.north, self.south],
            target_residents=4,
            budget=1000,
            starts_on=TODAY - 30 * DAY,
            ends_on=TODAY + 29 * DAY,
        )
        ProgrammeFactory(name="South only", areas=[self.south], target_residents=10)

        def need(area, cat=meals, status="open", created=None, **kwargs):
            made = NeedFactory(area=area, category=cat, status=status, **kwargs)
            if created:
                Need.objects.filter(pk=made.pk).update(created_at=created)
                made.refresh_from_db()
            return made

        self.r1, self.r2 = UserFactory(), UserFactory()
        need(self.north)
        need(self.north, unmet_since=NOW)
        n3 = need(self.south)
        need(self.north, cat=company)
        n5 = need(
            self.north,
            status="matched",
            created=NOW - 3 * DAY,
            requested_by=self.r1,
            programme=self.programme,
        )
        n6 = need(
            self.south,
            status="fulfilled",
            created=NOW - 4 * DAY,
            requested_by=self.r2,
            programme=self.programme,
        )
        n7 = need(
            self.north,
            status="fulfilled",
            created=NOW - 8 * DAY,
            requested_by=self.r1,
            programme=self.programme,
        )
        old = need(self.north, status="fulfilled", created=NOW - 120 * DAY)

        def match(need_, provider_, status, offered, accepted=None, confirmed=None, ended=None):
            return Match.objects.create(
                need=need_,
                provider=provider_,
                status=status,
                offered_at=offered,
                expires_at=offered + 48 * HOUR,
                accepted_at=accepted,
                confirmed_at=confirmed,
                ended_at=ended,
            )

        match(
            n5,
            p1,
            MatchStatus.ACTIVE,
            n5.created_at + HOUR,
            n5.created_at + 2 * HOUR,
            n5.created_at + 10 * HOUR,
        )
        m6 = match(
            n6,
            p2,
            MatchStatus.COMPLETED,
            n6.created_at + HOUR,
            n6.created_at + 2 * HOUR,
            n6.created_at + 30 * HOUR,
            NOW - DAY,
        )
        m7 = match(
            n7,
            p1,
            MatchStatus.COMPLETED,
            n7.created_at + HOUR,
            n7.created_at + 2 * HOUR,
            n7.created_at + 20 * HOUR,
            NOW - DAY,
        )
        match(
            Need.objects.filter(area=self.north, status="open").first(),
            p1,
            MatchStatus.DECLINED,
            NOW - 2 * DAY,
            ended=NOW - 2 * DAY,
        )
        match(n3, p2, MatchStatus.EXPIRED, NOW - 5 * DAY, ended=NOW - 3 * DAY)
        match(
            old,
            p1,
            MatchStatus.COMPLETED,
            NOW - 119 * DAY,
            NOW - 119 * DAY,
            NOW - 118 * DAY,
            NOW - 100 * DAY,
        )

        def rating(match_, role, score, hidden=False):
            Rating.objects.create(
                match=match_,
                rater=UserFactory(),
                rater_role=role,
                score=score,
                hidden=hidden,
                hidden_reason="Abusive" if hidden else "",
            )

        rating(m6, RaterRole.RESIDENT, 5)
        rating(m6, RaterRole.PROVIDER, 4)
        rating(m7, RaterRole.RESIDENT, 3, hidden=True)
        rating(m7, RaterRole.PROVIDER, 5)

        Concern.objects.create(
            raised_by=self.r1,
            match=m7,
            kind=ConcernKind.SAFEGUARDING,
            urgent=True,
            description="Worried",
        )
        Concern.objects.create(
            raised_by=UserFactory(),
            about=n3.requested_by,
            kind=ConcernKind.CONDUCT,
            description="Rude",
        )
        Concern.objects.create(
            raised_by=self.r2,
            match=m6,
            kind=ConcernKind.NO_SHOW,
            description="Late",
            status=ConcernStatus.RESOLVED,
            resolved_by=UserFactory(),
            resolved_at=NOW,
        )
