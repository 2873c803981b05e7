"""Outcome surveys: one row per person per wave, with the item answers, and consent.

The questions and their scoring live in `matchmaking.outcomes.instruments`; the answers
are stored one column per item so that the database refuses an out-of-range answer too
(a CheckConstraint per item, from the same published ranges).
"""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from matchmaking.outcomes.constants import AnsweredHow, SurveyWave
from matchmaking.outcomes.instruments import (
    ITEMS,
    RESIDENT_INSTRUMENTS,
    VOLUNTEER_INSTRUMENTS,
    items_of,
)
from services.models import Area, Category, Need, Programme

ITEM_CODES = tuple(ITEMS)


class SurveyConsent(models.Model):
    """A person's answer to "may we ask you about how you are?", asked once and kept.

    Keyed to the person's account, or, for a resident with no account (someone asked for
    help for them), to the request made for them. `agreed` False means they said no: they
    are not asked again. Withdrawing later sets `withdrawn_at` and stops further surveys.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_consent",
    )
    need = models.OneToOneField(
        Need, on_delete=models.CASCADE, null=True, blank=True, related_name="survey_consent"
    )
    agreed = models.BooleanField()
    how = models.CharField(max_length=20, choices=AnsweredHow.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who recorded it: the person, their referrer or a member of staff.",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(need__isnull=False),
                name="survey_consent_has_person",
                violation_error_message="Consent must belong to a person or a request.",
            ),
        ]

    def __str__(self):
        said = "agreed" if self.agreed else "declined"
        return f"Survey consent {said} ({self.get_how_display()})"

    @property
    def active(self):
        return self.agreed and self.withdrawn_at is None


def _in_range(code):
    item = ITEMS[code]
    return Q(**{f"{code}__isnull": True}) | Q(
        **{f"{code}__gte": item.low, f"{code}__lte": item.high}
    )


def about_need(need):
    """Who answers a survey about `need`, and the grouping it is counted under."""
    return {
        "respondent": need.resident,
        "programme": need.programme,
        "area": need.area,
        "category": need.category,
    }


class OutcomeSurveyQuerySet(models.QuerySet):
    def create_for_need(self, need, **fields):
        """A resident's survey about `need`, counted under the need's programme, area and
        category as they are now."""
        return self.create(need=need, **about_need(need), **fields)

    def answered(self):
        """Answered and not withdrawn: the answers the figures may use."""
        return self.filter(answered_at__isnull=False, withdrawn_at__isnull=True)

    def open(self):
        """Invitations still waiting for answers (not answered, withdrawn or expired)."""
        return self.filter(
            answered_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
        )

    def of_person(self, user):
        """The surveys a signed-in person was asked (as resident or as volunteer)."""
        return self.filter(Q(respondent=user) | Q(need__resident=user))


class OutcomeSurvey(models.Model):
    """One person's survey at one wave: when invited, the answers, who gave them.

    A resident's surveys hang off the request for help (`need`), which also names the
    programme, area and category they are counted under (copied here, so the figures keep
    the grouping the person was surveyed in). A volunteer's have no need.
    """

    wave = models.CharField(max_length=20, choices=SurveyWave.choices)
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcome_surveys",
        help_text="The person asked: the resident (if they have an account) or the volunteer.",
    )
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, null=True, blank=True, related_name="outcome_surveys"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="The link stops working after this.")
    reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_how = models.CharField(max_length=20, choices=AnsweredHow.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who entered the answers, when not the person through their own link.",
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="The person withdrew these answers; they are erased."
    )

    # The answers, one column per published item (None: not asked, skipped or withdrawn).
    lonely_how_often = models.PositiveSmallIntegerField(null=True, blank=True)
    ucla_lack_companionship = models.PositiveSmallIntegerField(null=True, blank=True)
    ucla_left_out = models.PositiveSmallIntegerField(null=True, blank=True)
    ucla_isolated = models.PositiveSmallIntegerField(null=True, blank=True)
    ons_life_satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    ons_worthwhile = models.PositiveSmallIntegerField(null=True, blank=True)
    ons_happy = models.PositiveSmallIntegerField(null=True, blank=True)
    ons_anxious = models.PositiveSmallIntegerField(null=True, blank=True)
    ascof_social_contact = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = OutcomeSurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "wave"],
                condition=Q(need__isnull=False),
                name="outcome_survey_once_per_need_wave",
                violation_error_message="This request already has a survey at this wave.",
            ),
            models.UniqueConstraint(
                fields=["respondent", "wave"],
                condition=Q(need__isnull=True),
                name="outcome_survey_once_per_volunteer_wave",
                violation_error_message="This volunteer already has a survey at this wave.",
            ),
            models.CheckConstraint(
                condition=Q(respondent__isnull=False) | Q(need__isnull=False),
                name="outcome_survey_has_person",
            ),
            models.CheckConstraint(
                condition=Q(wave__in=SurveyWave.values), name="outcome_survey_wave_valid"
            ),
            # Answers entered for someone say so, and by whom.
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(answered_how=AnsweredHow.SELF)
                | Q(answered_by__isnull=False),
                name="outcome_survey_on_behalf_has_who",
                violation_error_message="Answers given on someone's behalf must say by whom.",
            ),
            # Withdrawn answers are erased, not merely hidden.
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True)
                | Q(**{f"{code}__isnull": True for code in ITEM_CODES}),
                name="outcome_survey_withdrawn_erased",
            ),
            *(
                models.CheckConstraint(
                    condition=_in_range(code),
                    name=f"outcome_survey_{code}_range",
                    violation_error_message=f"{code} is outside its published answers.",
                )
                for code in ITEM_CODES
            ),
        ]
        indexes = [
            # The survey task polls invitations still open, by when they were sent.
            models.Index(
                fields=["invited_at"],
                name="outcome_survey_open",
                condition=Q(answered_at__isnull=True, withdrawn_at__isnull=True),
            ),
            models.Index(fields=["programme", "wave"], name="outcome_survey_programme"),
        ]

    def __str__(self):
        return f"{self.get_wave_display()} survey {self.pk}"

    @property
    def is_volunteer(self):
        return self.wave in (SurveyWave.VOLUNTEER_START, SurveyWave.VOLUNTEER_MONTH_6)

    @property
    def instruments(self):
        """The instruments this survey asks (volunteers: ONS4 only)."""
        return VOLUNTEER_INSTRUMENTS if self.is_volunteer else RESIDENT_INSTRUMENTS

    @property
    def items(self):
        return items_of(self.instruments)

    def answers(self):
        """Item code → stored answer (None when skipped), for the items this survey asks."""
        return {item.code: getattr(self, item.code) for item in self.items}


auditlog.register(OutcomeSurvey, exclude_fields=list(ITEM_CODES))
auditlog.register(SurveyConsent)
