"""Ratings: once the first visit was done each side rates the other once.

A rating can be changed for a week; a weekly match's rating can be updated for as long as
the match goes on, so it follows the relationship instead of piling up. Ratings by
residents feed the provider's trust figures in the same transaction (the score counts at
once); the comment is shown to others only once staff of the area approved it. Hidden
ratings stop counting. Ratings by providers about residents are for staff only.
"""

import datetime

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import TransitionError
from accounts.languages import lazy_message
from accounts.models import ProviderProfile
from accounts.trust import provider_set_rating_figures
from matchmaking.constants import RATING_EDIT_DAYS, MatchStatus, RaterRole, VisitStatus
from matchmaking.lifecycle import is_provider_side, is_resident_side, is_staff_for
from matchmaking.models import Match, Rating
from matchmaking.notifications import notify
from matchmaking.scoring import DEFAULT_PRIORS, trust_score
from services.constants import Schedule

MAX_COMMENT = 1000


def _check_score(score, comment):
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise TransitionError(_("Choose a rating from 1 to 5."))
    if len(comment) > MAX_COMMENT:
        raise TransitionError(f"Keep the comment to {MAX_COMMENT} characters or fewer.")


def _refresh_figures(provider_id):
    """Recount the visible ratings residents gave the provider (one aggregate query)."""
    figures = Rating.objects.filter(
        match__provider_id=provider_id, rater_role=RaterRole.RESIDENT, hidden=False
    ).aggregate(count=Count("pk"), total=Sum("score"))
    provider_set_rating_figures(
        provider_id=provider_id, rating_count=figures["count"], rating_sum=figures["total"] or 0
    )


def _lock_provider(provider_id):
    # Two ratings of the same provider at once must not lose one in the recount.
    ProviderProfile.objects.select_for_update().filter(pk=provider_id).first()


def rater_role_for(match, user):
    if is_resident_side(match, user):
        return RaterRole.RESIDENT
    if is_provider_side(match, user):
        return RaterRole.PROVIDER
    return None


@transaction.atomic
def rating_give(*, match, actor, score, comment=""):
    """Rate the other side of a completed match, once."""
    with set_actor(actor):
        _lock_provider(match.provider_id)
        match = Match.objects.select_related("need", "provider__user").get(pk=match.pk)
        role = rater_role_for(match, actor)
        if role is None:
            raise TransitionError(_("Only the people in this match can rate it."))
        if not first_visit_done(match):
            raise TransitionError(_("You can rate once the first visit has happened."))
        if Rating.objects.filter(match=match, rater_role=role).exists():
            raise TransitionError(
                _("You have already rated this match. You can change your rating.")
            )
        _check_score(score, comment)
        rating = Rating.objects.create(
            match=match, rater=actor, rater_role=role, score=score, comment=comment.strip()
        )
        if role == RaterRole.RESIDENT:
            _refresh_figures(match.provider_id)
            notify(
                users=[match.provider.user],
                message=lazy_message(
                    _("%(name)s rated your help %(score)s out of 5."),
                    name=match.need.first_name,
                    score=score,
                ),
                match=match,
            )
        return rating


def first_visit_done(match):
    """Whether there is something to rate: a visit of the match was done (a match completed
    before visits were recorded has none, and its completion stands for the visit)."""
    if match.status not in (MatchStatus.ACTIVE, MatchStatus.COMPLETED):
        return False
    if match.visits.filter(status=VisitStatus.DONE).exists():
        return True
    return match.status == MatchStatus.COMPLETED and not match.visits.exists()


def editable_until(rating):
    """A week after the rating, or for a weekly match a week after its latest visit done:
    the one rating is updated as the weeks go on, rather than new ones piling up."""
    since = rating.created_at
    if rating.match.need.schedule == Schedule.WEEKLY:
        latest = rating.match.visits.filter(status=VisitStatus.DONE).aggregate(
            latest=Max("starts_at")
        )["latest"]
        if latest is not None and latest > since:
            since = latest
    return since + datetime.timedelta(days=RATING_EDIT_DAYS)


@transaction.atomic
def rating_edit(*, rating, actor, score, comment="", now=None):
    """The person who gave a rating may change it for a week."""
    now = now or timezone.now()
    with set_actor(actor):
        _lock_provider(rating.match.provider_id)
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        if rating.rater_id != getattr(actor, "pk", None):
            raise TransitionError(_("Only the person who gave this rating can change it."))
        if now > editable_until(rating):
            raise TransitionError(
                _("Ratings can be changed for %(days)s days; this one can no longer be.")
                % {"days": RATING_EDIT_DAYS}
            )
        _check_score(score, comment)
        if comment.strip() != rating.comment:
            rating.comment_approved_at, rating.comment_approved_by = None, None
        rating.score, rating.comment = score, comment.strip()
        rating.save()
        if rating.rater_role == RaterRole.RESIDENT:
            _refresh_figures(rating.match.provider_id)
        return rating


@transaction.atomic
def rating_hide(*, rating, actor, reason, now=None):
    """Staff hide a rating (abusive, identifying, untrue); it stops counting."""
    if actor is None or not actor.is_staff:
        raise TransitionError(_("Only council staff can hide ratings."))
    if not reason.strip():
        raise TransitionError(_("Give a reason for hiding the rating."))
    with set_actor(actor):
        _lock_provider(rating.match.provider_id)
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        rating.hidden, rating.hidden_reason = True, reason.strip()[:240]
        rating.hidden_by, rating.hidden_at = actor, now or timezone.now()
        rating.save()
        _refresh_figures(rating.match.provider_id)
        return rating


@transaction.atomic
def rating_unhide(*, rating, actor):
    if actor is None or not actor.is_staff:
        raise TransitionError(_("Only council staff can show hidden ratings again."))
    with set_actor(actor):
        _lock_provider(rating.match.provider_id)
        rating = Rating.objects.select_for_update().get(pk=rating.pk)
        rating.hidden, rating.hidden_reason, rating.hidden_by, rating.hidden_at = (
            False,
            "",
            None,
            None,
        )
        rating.save()
        _refresh_figures(rating.match.provider_id)
        return rating


@transaction.atomic
def rating_comment_approve(*, rating, actor, now=None):
    """Staff of the need's area let others see the comment (the score already counts)."""
    with set_actor(actor):
        rating = Rating.objects.select_for_update().select_related("match__need").get(pk=rating.pk)
        if not is_staff_for(rating.match.need, actor):
            raise TransitionError(_("Only council staff of this area can approve comments."))
        if not rating.comment:
            raise TransitionError(_("This rating has no comment to approve."))
        rating.comment_approved_at, rating.comment_approved_by = now or timezone.now(), actor
        rating.save()
        return rating


def smoothed_rating(provider):
    """The provider's rating as the engine weighs it (out of 5, one decimal), or None."""
    if not provider.rating_count:
        return None
    return round(trust_score(provider.rating_sum, provider.rating_count, DEFAULT_PRIORS), 1)


# Shown beside the figure: why it is not the plain average.
SMOOTHED_RATING_EXPLAINED = (
    "We count every helper as starting with a few average ratings, so a single review "
    "cannot make or break them."
)


def recent_comments(provider, limit=3):
    """Approved, visible comments residents left for this provider, newest first."""
    return list(
        Rating.objects.filter(
            match__provider=provider,
            rater_role=RaterRole.RESIDENT,
            hidden=False,
            comment_approved_at__isnull=False,
        )
        .exclude(comment="")
        .order_by("-created_at")
        .values("score", "comment", "created_at")[:limit]
    )
