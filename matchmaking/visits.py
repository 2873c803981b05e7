"""Visits: the times an active match's provider is due to help, and what became of each.

Planned at activation and by `manage.py plan_visits` (a rolling four weeks for a weekly
need, the one time of a one-off need); the provider marks one done or says they cannot
come, the resident's side says one did not happen (staff are told). Each change runs in a
transaction that locks need → provider → match → visit (lifecycle's order, so a visit
change and a match change cannot deadlock) and is recorded by django-auditlog.
"""

import datetime

from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import TransitionError
from accounts.languages import lazy_message
from accounts.trust import provider_set_visit_figures
from matchmaking import lifecycle, scoping
from matchmaking.constants import (
    VISIT_PLANNING_WEEKS,
    VISIT_SHORT_NOTICE_HOURS,
    MatchStatus,
    VisitStatus,
)
from matchmaking.models import Match, Visit
from matchmaking.notifications import notify
from services.constants import Schedule


def _aware(day, time):
    return timezone.make_aware(
        datetime.datetime.combine(day, time), timezone.get_default_timezone()
    )


def local_when(moment):
    """'Tuesday 3 March at 10:00', in the council's time zone."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{local:%A %-d %B} at {local:%H:%M}"


def _read_when(moment):
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return gettext("%(day)s at %(time)s") % {
        "day": date_format(local, "l j F"),
        "time": f"{local:%H:%M}",
    }


# local_when in the language of whoever reads it (a notification to a Welsh account).
local_when_lazy = lazy(_read_when, str)


def planned_times(need, *, now, weeks=VISIT_PLANNING_WEEKS):
    """(start, end) of each visit the need asks for: the one time of a one-off need, or each
    weekly slot on each day from today for `weeks` weeks (times already begun left out)."""
    if need.schedule == Schedule.ONE_OFF:
        if need.on_date and need.starts_at and need.ends_at:
            return [(_aware(need.on_date, need.starts_at), _aware(need.on_date, need.ends_at))]
        return []
    today = timezone.localdate(now, timezone.get_default_timezone())
    times = []
    for offset in range(weeks * 7):
        day = today + datetime.timedelta(days=offset)
        for slot in need.slots.all():
            if slot.weekday == day.weekday():
                start = _aware(day, slot.starts_at)
                if start >= now:
                    times.append((start, _aware(day, slot.ends_at)))
    return sorted(times)


def visits_plan_for_match(*, match, now=None):
    """Add the active match's visits not yet planned; returns how many were added.

    Idempotent: a visit already planned for the same start is left alone (the unique
    constraint on match and start also stops two workers adding it twice).
    """
    now = now or timezone.now()
    if match.status != MatchStatus.ACTIVE:
        return 0
    wanted = planned_times(match.need, now=now)
    existing = set(match.visits.values_list("starts_at", flat=True))
    new = [
        Visit(match=match, starts_at=start, ends_at=end)
        for start, end in wanted
        if start not in existing
    ]
    Visit.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def visits_plan(*, now=None):
    """Keep every active match planned a rolling four weeks ahead (`manage.py plan_visits`)."""
    now = now or timezone.now()
    active = Match.objects.filter(status=MatchStatus.ACTIVE).select_related("need")
    added = 0
    for match in active.prefetch_related("need__slots").iterator(chunk_size=500):
        added += visits_plan_for_match(match=match, now=now)
    return added


def visits_settle_on_end(*, match, completed, actor=None, now=None):
    """A match ends: visits still to come are dropped. When it ends because the help was
    given, a visit that has begun and was not recorded counts as done (the person ending
    it says so). Called by lifecycle inside its transaction, with the match locked."""
    now = now or timezone.now()
    planned = Visit.objects.filter(match=match, status=VisitStatus.PLANNED)
    planned.filter(starts_at__gt=now).delete()
    if completed:
        for visit in planned.filter(starts_at__lte=now):
            visit.status, visit.recorded_by, visit.recorded_at = VisitStatus.DONE, actor, now
            visit.save()
        _refresh_reliability(match.provider_id)


# --- recording what happened ----------------------------------------------------------------


def _lock(visit):
    """Lock need, provider and match (lifecycle's order), then the visit; fresh copies."""
    match = lifecycle._lock(Match.objects.only("need_id", "provider_id").get(pk=visit.match_id))
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    locked.match = match
    return locked


def _refresh_reliability(provider_id):
    """Recount the provider's visits kept and missed (one aggregate query) for the engine."""
    kept, missed = visit_figures([provider_id]).get(provider_id, (0, 0))
    provider_set_visit_figures(provider_id=provider_id, kept=kept, missed=missed)


def _require(allowed, message):
    if not allowed:
        raise TransitionError(message)


def _match_url(match, *, provider):
    name = "matchmaking:offer_detail" if provider else "matchmaking:need_match"
    return reverse(name, args=[match.pk])


def _visits_url():
    return reverse("matchmaking:visits")


@transaction.atomic
def visit_mark_done(*, visit, actor, now=None):
    """The provider says the visit happened; not before it has started."""
    now = now or timezone.now()
    with set_actor(actor):
        visit = _lock(visit)
        _require(
            lifecycle.is_provider_side(visit.match, actor),
            _("Only the helper can mark a visit as done."),
        )
        _require(
            visit.status == VisitStatus.PLANNED,
            lazy_message(
                _("This visit is already recorded as %(status)s."),
                status=visit.get_status_display().lower(),
            ),
        )
        _require(
            now >= visit.starts_at,
            lazy_message(
                _("This visit is due on %(when)s, so it cannot be marked as done before then."),
                when=local_when_lazy(visit.starts_at),
            ),
        )
        visit.status, visit.recorded_by, visit.recorded_at = VisitStatus.DONE, actor, now
        visit.save()
        _refresh_reliability(visit.match.provider_id)
        return visit


@transaction.atomic
def visit_cancel(*, visit, actor, now=None):
    """One side cannot make a planned visit; the other side is told at once.

    The notice given is kept: a helper who cancels with less than a day's notice has, for
    their reliability, missed the visit.
    """
    now = now or timezone.now()
    with set_actor(actor):
        visit = _lock(visit)
        match = visit.match
        by_provider = lifecycle.is_provider_side(match, actor)
        by_resident = lifecycle.is_resident_side(match, actor)
        _require(by_provider or by_resident, _("Only the people in this match can cancel a visit."))
        _require(
            visit.status == VisitStatus.PLANNED,
            lazy_message(
                _("This visit is already recorded as %(status)s."),
                status=visit.get_status_display().lower(),
            ),
        )
        _require(now < visit.ends_at, _("This visit is over, so it can no longer be cancelled."))
        visit.status = (
            VisitStatus.CANCELLED_BY_PROVIDER if by_provider else VisitStatus.CANCELLED_BY_RESIDENT
        )
        visit.notice_hours = round(max(0.0, (visit.starts_at - now).total_seconds() / 3600), 1)
        visit.recorded_by, visit.recorded_at = actor, now
        visit.save()
        _refresh_reliability(match.provider_id)
        when = local_when_lazy(visit.starts_at)
        if by_provider:
            helper = match.provider.user.display_name
            notify(
                users=[match.need.requested_by, match.need.resident],
                message=lazy_message(
                    _("%(helper)s cannot come on %(when)s. Sorry for the change."),
                    helper=helper,
                    when=when,
                ),
                url=_visits_url(),
                match=match,
            )
        else:
            notify(
                users=[match.provider.user],
                message=lazy_message(
                    _("%(name)s has cancelled the visit on %(when)s."),
                    name=match.need.first_name,
                    when=when,
                ),
                url=_visits_url(),
                match=match,
            )
        return visit


@transaction.atomic
def visit_report_missed(*, visit, actor, now=None):
    """The resident's side says a visit did not happen: staff of the area are told, and
    after MISSED_VISITS_TO_END such visits in a row the match ends on its own."""
    now = now or timezone.now()
    with set_actor(actor):
        visit = _lock(visit)
        match = visit.match
        _require(
            lifecycle.is_resident_side(match, actor),
            _("Only the person who asked for help can say a visit did not happen."),
        )
        _require(
            visit.status in (VisitStatus.PLANNED, VisitStatus.DONE),
            lazy_message(
                _("This visit is already recorded as %(status)s."),
                status=visit.get_status_display().lower(),
            ),
        )
        _require(
            now >= visit.starts_at,
            lazy_message(
                _("This visit is due on %(when)s; you can tell us it did not happen after that."),
                when=local_when_lazy(visit.starts_at),
            ),
        )
        visit.status, visit.flagged_at = VisitStatus.MISSED, now
        visit.recorded_by, visit.recorded_at = actor, now
        visit.save()
        _refresh_reliability(match.provider_id)
        officers = list(scoping.officers_in([match.need.area_id]))
        notify(
            users=officers,
            message=(
                f"A visit for request {match.need.reference} on {local_when(visit.starts_at)} "
                "did not happen, the resident's side says."
            ),
            url=_admin_match_url(match),
            match=match,
        )
        if missed_in_a_row(match) >= settings.MISSED_VISITS_TO_END:
            _end_after_missed_visits(match, officers, now)
        return visit


def missed_in_a_row(match):
    """How many of the match's latest recorded visits did not happen, counting back."""
    recorded = (
        Visit.objects.filter(match=match, status__in=(VisitStatus.DONE, VisitStatus.MISSED))
        .order_by("-starts_at")
        .values_list("status", flat=True)[: settings.MISSED_VISITS_TO_END]
    )
    count = 0
    for status in recorded:
        if status != VisitStatus.MISSED:
            break
        count += 1
    return count


def _end_after_missed_visits(match, officers, now):
    missed = settings.MISSED_VISITS_TO_END
    lifecycle.match_cancel(
        match=match,
        actor=None,
        reason=f"{missed} visits in a row did not happen.",
        cause=lifecycle.CancelCause.MISSED_VISITS,
        now=now,
    )
    notify(
        users=officers,
        message=(
            f"The match for request {match.need.reference} ended on its own: "
            f"{missed} visits in a row did not happen."
        ),
        url=_admin_match_url(match),
        match=match,
    )


def _admin_match_url(match):
    try:
        return reverse("admin:matchmaking_match_change", args=[match.pk])
    except NoReverseMatch:  # the admin is optional: the notification still goes out
        return ""


# --- reading --------------------------------------------------------------------------------


def visits_for_person(user):
    """A person's visits on either side, with what a list shows (one query)."""
    return Visit.objects.for_person(user).select_related(
        "match__need__category", "match__provider__user", "match__need__resident"
    )


def visit_figures(provider_ids):
    """{provider_id: (kept, missed)} from visits: a missed visit, or a cancellation by the
    helper with less than a day's notice, counts as missed."""
    rows = (
        Visit.objects.filter(match__provider_id__in=provider_ids)
        .values("match__provider_id")
        .annotate(
            kept=Count("pk", filter=Q(status=VisitStatus.DONE)),
            missed=Count(
                "pk",
                filter=Q(status=VisitStatus.MISSED)
                | Q(
                    status=VisitStatus.CANCELLED_BY_PROVIDER,
                    notice_hours__lt=VISIT_SHORT_NOTICE_HOURS,
                ),
            ),
        )
    )
    return {row["match__provider_id"]: (row["kept"], row["missed"]) for row in rows}


def visit_actions(visit, user, now):
    """What `user` may do with the visit now (for buttons; the functions above decide)."""
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.DONE):
        return frozenset()
    provider = lifecycle.is_provider_side(visit.match, user)
    started, over = now >= visit.starts_at, now >= visit.ends_at
    actions = set()
    if visit.status == VisitStatus.PLANNED:
        if provider and started:
            actions.add("done")
        if not over:
            actions.add("cancel")
    if not provider and started and lifecycle.is_resident_side(visit.match, user):
        actions.add("missed")
    return frozenset(actions)


def visits_coming_and_past(user, *, now=None, past_limit=20):
    """(coming, past) for the "Your visits" page: the next four weeks soonest first, then
    the latest `past_limit` past visits, newest first (two queries)."""
    now = now or timezone.now()
    horizon = now + datetime.timedelta(weeks=VISIT_PLANNING_WEEKS)
    mine = visits_for_person(user)
    coming = list(mine.filter(ends_at__gt=now, starts_at__lt=horizon).order_by("starts_at"))
    past = list(mine.filter(ends_at__lte=now).order_by("-starts_at")[:past_limit])
    return coming, past
