"""Outcome figures as JSON: each figure says whether it is withheld and why, and a withheld
figure carries no number (statistical disclosure control, matchmaking.outcomes.statistics)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from matchmaking import dashboard
from matchmaking.outcomes import figures
from matchmaking.outcomes import statistics as stats
from matchmaking.outcomes.constants import FOLLOW_UP_WAVES, RESIDENT_WAVES, SurveyWave

MAX_DAYS = 5 * 366
# Dates outside these are typing mistakes; they also keep date arithmetic in range.
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


class OutcomesQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day of the period (default: 90 days ago)."
    )
    end = serializers.DateField(
        required=False, help_text="Last day of the period (default: today)."
    )
    follow_up = serializers.ChoiceField(
        choices=[(wave.value, wave.label) for wave in FOLLOW_UP_WAVES],
        required=False,
        default=SurveyWave.MONTH_3.value,
        help_text="Which follow-up to compare with the baseline.",
    )

    def validate(self, data):
        for name in ("start", "end"):
            if name in data and not EARLIEST <= data[name] <= LATEST:
                raise serializers.ValidationError({name: _("Choose a date between 2000 and 2100.")})
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=dashboard.DEFAULT_DAYS - 1)
        if start > end:
            raise serializers.ValidationError({"end": _("The end must be on or after the start.")})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError({"end": _("Choose a period of at most five years.")})
        data["period"] = dashboard.Period(start, end)
        return data


def _withheld(value):
    if isinstance(value, stats.Suppressed):
        return {"suppressed": True, "reason": value.reason}
    return {"suppressed": False, "reason": ""}


def count_data(value):
    return {"value": None if isinstance(value, stats.Suppressed) else value, **_withheld(value)}


def share_data(value):
    shown = not isinstance(value, stats.Suppressed)
    return {"value": round(value.value, 4) if shown else None, **_withheld(value)}


def change_data(key, value):
    shown = isinstance(value, stats.PairedChange)
    numbers = ("baseline_mean", "follow_up_mean", "mean_change", "ci_low", "ci_high")
    return {
        "measure": key,
        "label": figures.MEASURE_LABELS[key],
        "people": value.people if shown else None,
        **{name: round(getattr(value, name), 4) if shown else None for name in numbers},
        "confidence": stats.CONFIDENCE,
        **_withheld(value),
    }


def before_after_data(value):
    shown = isinstance(value, stats.SharesBeforeAfter)
    return {
        "people": value.before.people if shown else None,
        "before": round(value.before.value, 4) if shown else None,
        "after": round(value.after.value, 4) if shown else None,
        **_withheld(value),
    }


def group_data(row: figures.GroupOutcomes):
    return {
        "kind": row.group.kind,
        "name": row.group.name,
        "people": count_data(row.people),
        "responses": [
            {
                "wave": response.wave,
                "invited": count_data(response.invited),
                "answered": count_data(response.answered),
                "rate": share_data(response.rate),
            }
            for response in row.responses
        ],
        "changes": [change_data(key, row.changes[key]) for key in figures.MEASURE_LABELS],
        "often_lonely": before_after_data(row.often_lonely),
        "ascof_contact": before_after_data(row.ascof_contact),
    }


class _Withheld(serializers.Serializer):
    suppressed = serializers.BooleanField(help_text="True: not shown, too few people.")
    reason = serializers.CharField(allow_blank=True, help_text="Why it is not shown.")


class CountSerializer(_Withheld):
    value = serializers.IntegerField(allow_null=True)


class ShareSerializer(_Withheld):
    value = serializers.FloatField(allow_null=True, help_text="A share from 0 to 1.")


class ChangeSerializer(_Withheld):
    measure = serializers.ChoiceField(choices=list(figures.MEASURE_LABELS))
    label = serializers.CharField()
    people = serializers.IntegerField(allow_null=True, help_text="People answering both times.")
    baseline_mean = serializers.FloatField(allow_null=True)
    follow_up_mean = serializers.FloatField(allow_null=True)
    mean_change = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="Paired t interval, low end.")
    ci_high = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField()


class BeforeAfterSerializer(_Withheld):
    people = serializers.IntegerField(allow_null=True)
    before = serializers.FloatField(allow_null=True, help_text="A share from 0 to 1.")
    after = serializers.FloatField(allow_null=True, help_text="A share from 0 to 1.")


class ResponseSerializer(serializers.Serializer):
    wave = serializers.ChoiceField(choices=[wave.value for wave in RESIDENT_WAVES])
    invited = CountSerializer()
    answered = CountSerializer()
    rate = ShareSerializer()


class GroupOutcomesSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[figures.ALL, *figures.GROUP_KINDS])
    name = serializers.CharField()
    people = CountSerializer(help_text="People with a baseline and a follow-up answer.")
    responses = ResponseSerializer(many=True)
    changes = ChangeSerializer(many=True)
    often_lonely = BeforeAfterSerializer(help_text="Share often or always lonely.")
    ascof_contact = BeforeAfterSerializer(
        help_text="Share with as much social contact as they want (ASCOF 1I)."
    )


class ProgrammeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProgrammeOutcomesSerializer(serializers.Serializer):
    programme = ProgrammeRefSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    follow_up = serializers.ChoiceField(choices=[wave.value for wave in FOLLOW_UP_WAVES])
    suppression = serializers.CharField(help_text="The rule for figures not shown.")
    groups = GroupOutcomesSerializer(
        many=True, help_text="The programme, then each area and each category in it."
    )


def programme_outcomes_data(programme, period, follow_up, rows):
    return {
        "programme": {"id": programme.pk, "name": programme.name},
        "start": period.start,
        "end": period.end,
        "follow_up": follow_up,
        "suppression": stats.SUPPRESSION_NOTE,
        "groups": [group_data(row) for row in rows],
    }


class PublicProgrammeSummarySerializer(serializers.Serializer):
    programme = ProgrammeRefSerializer()
    start = serializers.DateField(help_text="The programme's start.")
    end = serializers.DateField(help_text="Today, or the programme's end if sooner.")
    residents_helped = CountSerializer()
    visits_done = CountSerializer()
    people_surveyed = CountSerializer(help_text="People with a baseline and a 3-month answer.")
    loneliness_change = ChangeSerializer(help_text="UCLA-3 (3 to 9; a fall is an improvement).")
    often_lonely = BeforeAfterSerializer()
    ascof_contact = BeforeAfterSerializer()
    suppression = serializers.CharField()


def public_summary_data(summary: figures.ProgrammeSummary):
    outcomes = summary.outcomes
    return {
        "programme": {"id": summary.programme.pk, "name": summary.programme.name},
        "start": summary.period_start,
        "end": summary.period_end,
        "residents_helped": count_data(summary.residents_helped),
        "visits_done": count_data(summary.visits_done),
        "people_surveyed": count_data(outcomes.people),
        "loneliness_change": change_data("ucla3", outcomes.changes["ucla3"]),
        "often_lonely": before_after_data(outcomes.often_lonely),
        "ascof_contact": before_after_data(outcomes.ascof_contact),
        "suppression": stats.SUPPRESSION_NOTE,
    }
