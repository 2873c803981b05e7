"""Every change of a match's state, and the engine's offers.

Each function runs in one transaction, locks the rows whose invariants it guards
(always in the order need → provider → match, so two transitions cannot deadlock),
refuses with a TransitionError that explains why, records who did it (django-auditlog
keeps before/after of each row), and tells the people concerned. Views, the API,
admin actions and management commands only ever call these.
"""

import copy
import datetime
import functools
from dataclasses import dataclass
from enum import StrEnum

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from auditlog.context import _set_extra_data, auditlog_disabled, auditlog_value, set_actor
from auditlog.diff import get_field_value, model_instance_diff, track_field
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import smart_str
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.constants import ProviderStatus
from accounts.exceptions import TransitionError
from accounts.languages import lazy_message, lowercase_translation_lazy, memoised_per_language
from accounts.models import ProviderProfile
from matchmaking import candidates, conversations, scoping, urgent, visits
from matchmaking.constants import (
    CAPACITY_STATUSES,
    COMMITTED_STATUSES,
    LIVE_STATUSES,
    DeclinedBy,
    MatchStatus,
    ProposedBy,
)
from matchmaking.models import Match
from matchmaking.notifications import Notice, notify, notify_many
from services import needs as need_writes
from services.constants import NeedStatus, Schedule
from services.models import Need
from services.selectors import slots_attach


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    refused: str  # why it cannot happen now: %(status)s is the match's current status


TRANSITIONS = {
    "offer": Transition(
        (MatchStatus.PROPOSED,),
        MatchStatus.OFFERED,
        _("This match is %(status)s, so it cannot be offered."),
    ),
    "accept": Transition(
        (MatchStatus.OFFERED,),
        MatchStatus.ACCEPTED,
        _("This match is %(status)s, so it cannot be accepted."),
    ),
    "decline": Transition(
        (MatchStatus.OFFERED,),
        MatchStatus.DECLINED,
        _("This match is %(status)s, so it cannot be declined."),
    ),
    "expire": Transition(
        (MatchStatus.OFFERED,),
        MatchStatus.EXPIRED,
        _("This match is %(status)s, so it cannot expire."),
    ),
    "confirm": Transition(
        (MatchStatus.ACCEPTED,),
        MatchStatus.ACTIVE,
        _("This match is %(status)s, so it cannot be confirmed."),
    ),
    "ask_for_someone_else": Transition(
        (MatchStatus.ACCEPTED,),
        MatchStatus.DECLINED,
        _("This match is %(status)s, so it cannot be turned down."),
    ),
    "cancel": Transition(
        tuple(LIVE_STATUSES),
        MatchStatus.CANCELLED,
        _("This match is %(status)s, so it cannot be cancelled."),
    ),
    "complete": Transition(
        (MatchStatus.ACTIVE,),
        MatchStatus.COMPLETED,
        _("This match is %(status)s, so it cannot be completed."),
    ),
}


class CancelCause(StrEnum):
    """Why a live match ends before the help was given.

    `match_cancel` decides from this alone whether the need goes back to the engine and
    who is told; every path that cancels names its cause.
    """

    RESIDENT = "resident"  # the resident's side called it off
    PROVIDER = "provider"  # the provider called it off
    STAFF = "staff"  # council staff cancelled it
    BLOCKED = "blocked"  # the resident (or staff) blocked the provider
    PROVIDER_LEFT = "provider_left"  # the provider closed their account
    SUSPENDED = "suspended"  # the council suspended the provider
    CHECK_EXPIRED = "check_expired"  # a check the category requires has expired
    WITHDRAWN = "withdrawn"  # the need itself ends (withdrawn, or its resident left)
    MISSED_VISITS = "missed_visits"  # too many visits in a row did not happen (visits.py)


# Decided by the council or by the platform, not by someone in the match: the actor's
# role is not checked, and a council-wide safety decision is not stopped at a ward boundary.
DECIDED_ELSEWHERE = frozenset(
    {
        CancelCause.BLOCKED,
        CancelCause.PROVIDER_LEFT,
        CancelCause.SUSPENDED,
        CancelCause.CHECK_EXPIRED,
        CancelCause.MISSED_VISITS,
    }
)
# The provider can no longer help: the caller tells them why in its own words.
PROVIDER_GONE = frozenset(
    {CancelCause.PROVIDER_LEFT, CancelCause.SUSPENDED, CancelCause.CHECK_EXPIRED}
)


def cancel_reoffers(cause):
    """The one rule: the need still wants help unless it is itself ending, so it goes back
    to the engine at once (and is flagged unmet when nobody is left)."""
    return cause != CancelCause.WITHDRAWN


# --- who may act ----------------------------------------------------------------------------


def is_resident_side(match_or_need, user):
    need = getattr(match_or_need, "need", match_or_need)
    return user is not None and user.pk in (need.requested_by_id, need.resident_id)


def is_provider_side(match, user):
    return user is not None and match.provider.user_id == user.pk


def other_side_of(match, user):
    """The person on the other side of the match from `user` (None if user is in neither)."""
    if is_provider_side(match, user):
        return match.need.resident or match.need.requested_by
    if is_resident_side(match, user):
        return match.provider.user
    return None


def is_staff_for(need, user):
    """Council staff who work in the need's area (or in every area)."""
    return user is not None and user.is_staff and scoping.works_in(user, need.area_id)


def _require(allowed, message):
    if not allowed:
        raise TransitionError(message)


def help_starts_at(need):
    """When a one-off need's help is due to start, in the council's time zone (None for a
    weekly need: its arrangement can end at any time)."""
    if need.schedule != Schedule.ONE_OFF or need.on_date is None or need.starts_at is None:
        return None
    naive = datetime.datetime.combine(need.on_date, need.starts_at)
    return timezone.make_aware(naive, timezone.get_default_timezone())


def done_not_before(need, *, now=None):
    """When help for `need` may first be marked as done, if that is still to come (None
    once it may be): match_complete refuses before it, and pages hide the button."""
    starts = help_starts_at(need)
    if starts is not None and (now or timezone.now()) < starts:
        return starts
    return None


# --- locking and the state machine ----------------------------------------------------------


def _lock(match):
    """Lock need, provider and match (in that order) and return fresh copies."""
    need = Need.objects.select_for_update().get(pk=match.need_id)
    provider = ProviderProfile.objects.select_for_update().get(pk=match.provider_id)
    locked = Match.objects.select_for_update().get(pk=match.pk)
    locked.need, locked.provider = need, provider
    return locked


def _move(match, action, now, **fields):
    transition = TRANSITIONS[action]
    if match.status not in transition.sources:
        raise TransitionError(transition.refused % {"status": match.get_status_display().lower()})
    match.status = transition.target
    for name, value in fields.items():
        setattr(match, name, value)
    if transition.target not in LIVE_STATUSES:
        match.ended_at = now
    match.save()
    return match


def _set_need_status(need, status, now):
    if need.status != status:
        need.status = status
        need.status_changed_at = now
        need.save(update_fields=["status", "status_changed_at", "updated_at"])


def _provider_url(match):
    return reverse("matchmaking:offer_detail", args=[match.pk])


# A match id no database reaches for years: the offer page's address is reversed once with
# it, then each match's id is put in its place (reverse() is 0.2 ms, thousands in a batch).
_URL_PLACEHOLDER = 987654321987


def _provider_urls(matches):
    """{match id: its offer page}, as _provider_url gives it, with one reversal for all."""
    before, after = reverse("matchmaking:offer_detail", args=[_URL_PLACEHOLDER]).split(
        str(_URL_PLACEHOLDER)
    )
    return {match.pk: f"{before}{match.pk}{after}" for match in matches}


def _resident_url(match):
    return reverse("matchmaking:need_match", args=[match.pk])


def _resident_users(need):
    return [need.requested_by, need.resident]


def _first_name(provider):
    return provider.user.display_name


# --- the engine's offers --------------------------------------------------------------------


def _offer(
    need,
    provider,
    *,
    now,
    score,
    explanation,
    proposed_by,
    actor=None,
    reason="",
    alerted_together=1,
    expires_at=None,
):
    expires_at = expires_at or now + datetime.timedelta(hours=settings.OFFER_EXPIRY_HOURS)
    match = Match.objects.create(
        offered_to_several=alerted_together > 1,
        need=need,
        provider=provider,
        status=MatchStatus.OFFERED,
        score=score,
        explanation=explanation,
        proposed_by=proposed_by,
        proposed_by_user=actor,
        staff_reason=reason,
        offered_at=now,
        expires_at=expires_at,
    )
    ProviderProfile.objects.filter(pk=provider.pk).update(offers_received=F("offers_received") + 1)
    if need.unmet_since:
        need.unmet_since = None
        need.save(update_fields=["unmet_since", "updated_at"])
    message = _offer_message(need, explanation, expires_at)
    if alerted_together > 1:
        message = urgent.with_alerted_together_note(message, alerted_together)
    notify(users=[provider.user], message=message, url=_provider_url(match), match=match)
    return match


def _offer_message(need, explanation, expires_at):
    distance = explanation.get("distance_km")
    params = {
        "name": need.first_name,
        "help": _help_lazy(need),
        "when": _when_lazy(need),
        "by": _date_lazy(timezone.localtime(expires_at), "j F H:i"),
    }
    if distance is None:
        return lazy_message(
            _("Can you help? %(name)s needs %(help)s, %(when)s. Please answer by %(by)s."),
            **params,
        )
    return lazy_message(
        _(
            "Can you help? %(name)s needs %(help)s about %(km).1f km from you, %(when)s. "
            "Please answer by %(by)s."
        ),
        km=distance,
        **params,
    )


def _when_display(need):
    return need.when_display


# When the help is wanted, with day and month names in the reader's language.
_when_lazy = lazy(_when_display, str)


def _help_lazy(need):
    """The kind of help, in lower case, in the reader's language."""
    return lowercase_translation_lazy(need.category.name)


# A date in the language of whoever reads the notification (a batch's offers share one).
_date_lazy = lazy(memoised_per_language(date_format), str)


def _has_free_place(provider):
    live = provider.matches.filter(status__in=CAPACITY_STATUSES).count()
    return _place_is_free(provider, live)


def _place_is_free(provider, held):
    """The one capacity rule: an active provider holding fewer places than they offer
    (`held`: their matches in CAPACITY_STATUSES, offers waiting for an answer included)."""
    return provider.status == ProviderStatus.ACTIVE and held < provider.capacity


@transaction.atomic
def need_offer_next(*, need, actor=None, now=None):
    """Offer the need to the best candidate who has not already turned it down.

    Returns the new offer, or None when the need is not open, already has a live
    match, or no candidate is left (then it is marked unmet for staff). An urgent need
    goes to the best several at once (matchmaking.urgent); the best of them is returned.
    """
    now = now or timezone.now()
    with set_actor(actor):
        need = Need.objects.select_for_update().select_related("category").get(pk=need.pk)
        if need.status != NeedStatus.OPEN or need.matches.filter(status__in=LIVE_STATUSES).exists():
            return None
        ranking = candidates.rank_need(need, now=now)
        # Whoever this need's match was cancelled with (by them, the resident or staff)
        # is not asked again straight away.
        cancelled_with = set(
            need.matches.filter(status=MatchStatus.CANCELLED).values_list("provider_id", flat=True)
        )
        if urgent.fans_out(need):
            offers = urgent.offer_several(
                need=need, ranking=ranking, skip=cancelled_with, now=now, actor=actor
            )
            return offers[0] if offers else None
        chosen = free_candidates(need, ranking.ranked, skip=cancelled_with, wanted=1, now=now)
        if not chosen:
            return None
        [(provider, scored)] = chosen
        return _offer(
            need,
            provider,
            now=now,
            score=scored.score,
            explanation=scored.explanation,
            proposed_by=ProposedBy.ENGINE,
        )


def free_candidates(need, ranked, *, skip, wanted, now):
    """The first `wanted` of `ranked` (best first) with a free place, their rows locked, as
    (provider, scored) pairs. The caller holds the need's lock. When nobody is free the need
    is marked unmet for staff and the list is empty."""
    chosen = []
    for scored in ranked:
        if len(chosen) == wanted:
            break
        if scored.provider_id in skip:
            continue
        provider = (
            ProviderProfile.objects.select_for_update()
            .select_related("user")
            .get(pk=scored.provider_id)
        )
        # The ranking was read before the lock: check the place is still free.
        if _has_free_place(provider):
            chosen.append((provider, scored))
    if not chosen and need.unmet_since is None:
        need.unmet_since = now
        need.save(update_fields=["unmet_since", "updated_at"])
    return chosen


@transaction.atomic
def need_offer_to(*, need, provider, actor, reason, now=None):
    """Council staff offer a need to a provider they chose (the reason is kept)."""
    now = now or timezone.now()
    _require(
        is_staff_for(need, actor),
        _("Only council staff of this area can choose a provider by hand."),
    )
    _require(reason.strip(), _("Give a reason for choosing this provider."))
    with set_actor(actor):
        need = Need.objects.select_for_update().select_related("category").get(pk=need.pk)
        provider = (
            ProviderProfile.objects.select_for_update().select_related("user").get(pk=provider.pk)
        )
        _require(need.status == NeedStatus.OPEN, _("Only an open need can be offered."))
        _require(
            not need.matches.filter(status__in=LIVE_STATUSES).exists(),
            _("This need already has a live match."),
        )
        _require(_has_free_place(provider), _("This provider is not active or has no free place."))
        ranking = candidates.rank_need(need, now=now)
        scored = next((s for s in ranking.ranked if s.provider_id == provider.pk), None)
        excluded = next((e for e in ranking.excluded if e.provider_id == provider.pk), None)
        explanation = dict(scored.explanation) if scored else {}
        if excluded:
            explanation["staff_override"] = excluded.detail
        return _offer(
            need,
            provider,
            now=now,
            score=scored.score if scored else 0.0,
            explanation=explanation,
            proposed_by=ProposedBy.STAFF,
            actor=actor,
            reason=reason.strip(),
        )


@transaction.atomic
def need_offer_allocated(*, need, provider, score, explanation, actor=None, now=None):
    """Offer a need to the provider a batch allocation assigned it (`provider`: row or id).

    `need_offer_allocated_many` with one edge: returns the new offer, or None when the need
    is no longer open without a live match or the provider has no free place (the run
    counts the need as skipped and it waits for the next run or the engine).
    """
    edge = AllocatedEdge(need=need, provider=provider, score=score, explanation=explanation)
    result = need_offer_allocated_many(edges=[edge], actor=actor, now=now)
    return result.offers[0] if result.offers else None


@dataclass(frozen=True, slots=True)
class AllocatedEdge:
    """A need and the provider a batch allocation assigned it (each a row or an id)."""

    need: object
    provider: object
    score: float
    explanation: dict


class OfferRefused(StrEnum):
    """Why an allocated edge was not offered: it changed after the allocation read it."""

    NEED_NOT_OPEN = "need_not_open"
    NEED_HAS_LIVE_MATCH = "need_has_live_match"  # offered meanwhile, or twice in the batch
    PROVIDER_GONE = "provider_gone"
    PROVIDER_NOT_ACTIVE = "provider_not_active"
    PROVIDER_FULL = "provider_full"


@dataclass
class AllocatedOffers:
    offers: list  # the new Match rows, in the order of the edges offered
    refused: list  # (AllocatedEdge, OfferRefused) for each edge not offered


@transaction.atomic
def need_offer_allocated_many(*, edges, actor=None, now=None):
    """Offer each need to the provider a batch allocation assigned it, in the edges' order.

    The same rules as one offer at a time, checked again under lock because the allocation
    read needs and places before this transaction: the need is open and without a live
    match, the provider is active with a free place (`_place_is_free`, counting the offers
    made earlier in this batch). The needs, then the providers, are locked in id order (the
    need → provider order of every transition), places are counted in one query, and the
    offers, notifications and audit entries are written in bulk: a handful of queries
    however many edges. Emails and texts go once the transaction commits, as `notify` does.
    Returns AllocatedOffers: the offers made and the edges refused, with why.
    """
    now = now or timezone.now()
    edges = list(edges)
    result = AllocatedOffers(offers=[], refused=[])
    if not edges:
        return result
    need_ids = sorted({getattr(edge.need, "pk", edge.need) for edge in edges})
    provider_ids = sorted({getattr(edge.provider, "pk", edge.provider) for edge in edges})
    needs = {
        need.pk: need
        for need in slots_attach(
            Need.objects.select_for_update(of=("self",))
            .prefetch_related("category")  # a few shared, not one a need
            .only(*_ALLOCATED_NEED_FIELDS)
            .filter(pk__in=need_ids)
            .order_by("pk")
        )
    }
    taken = set(
        Match.objects.filter(need_id__in=need_ids, status__in=LIVE_STATUSES).values_list(
            "need_id", flat=True
        )
    )
    providers = {
        provider.pk: provider
        for provider in ProviderProfile.objects.select_for_update(of=("self",))
        .select_related("user")
        .only(*_ALLOCATED_PROVIDER_FIELDS)
        .filter(pk__in=provider_ids)
        .order_by("pk")
    }
    held = dict.fromkeys(provider_ids, 0)
    held.update(
        Match.objects.filter(provider_id__in=provider_ids, status__in=CAPACITY_STATUSES)
        .values_list("provider_id")
        .annotate(count=Count("pk"))
        .order_by()
    )

    expires_at = now + datetime.timedelta(hours=settings.OFFER_EXPIRY_HOURS)
    chosen = []
    for edge in edges:
        need = needs.get(getattr(edge.need, "pk", edge.need))
        provider_id = getattr(edge.provider, "pk", edge.provider)
        provider = providers.get(provider_id)
        if need is None or need.status != NeedStatus.OPEN:
            refusal = OfferRefused.NEED_NOT_OPEN
        elif need.pk in taken:
            refusal = OfferRefused.NEED_HAS_LIVE_MATCH
        elif provider is None:
            refusal = OfferRefused.PROVIDER_GONE
        elif not _place_is_free(provider, held[provider_id]):
            refusal = (
                OfferRefused.PROVIDER_FULL
                if provider.status == ProviderStatus.ACTIVE
                else OfferRefused.PROVIDER_NOT_ACTIVE
            )
        else:
            refusal = None
        if refusal is not None:
            result.refused.append((edge, refusal))
            continue
        taken.add(need.pk)
        held[provider_id] += 1
        chosen.append((edge, need, provider))

    with set_actor(actor):
        matches = Match.objects.bulk_create(
            [
                Match(
                    need=need,
                    provider=provider,
                    status=MatchStatus.OFFERED,
                    score=edge.score,
                    explanation=edge.explanation,
                    proposed_by=ProposedBy.ALLOCATION,
                    proposed_by_user=actor,
                    offered_at=now,
                    expires_at=expires_at,
                )
                for edge, need, provider in chosen
            ]
        )
        audited = [(None, match, None) for match in matches]
        for match in matches:
            # A row just inserted has nothing pointing at it yet: saying so spares the
            # audit diff a query per reverse one-to-one relation per offer.
            for relation in Match._meta.related_objects:
                if relation.one_to_one:
                    relation.set_cached_value(match, None)
        offers_by_provider = {}
        for match in matches:
            offers_by_provider[match.provider_id] = offers_by_provider.get(match.provider_id, 0) + 1
        # One UPDATE per distinct number of new offers (almost always just 1).
        by_count = {}
        for provider_id, count in offers_by_provider.items():
            by_count.setdefault(count, []).append(provider_id)
        for count, ids in sorted(by_count.items()):
            ProviderProfile.objects.filter(pk__in=ids).update(
                offers_received=F("offers_received") + count
            )
        unmet = [need for _, need, _ in chosen if need.unmet_since]
        if unmet:
            for need in unmet:
                before = copy.copy(need)
                need.unmet_since = None
                audited.append((before, need, ["unmet_since", "updated_at"]))
            Need.objects.filter(pk__in=[need.pk for need in unmet]).update(
                unmet_since=None, updated_at=timezone.now()
            )
        # Match.__str__ (the audit entry's object_repr) shows the status's and the provider
        # kind's labels: Django reads every choice's translated label on each such call.
        _displays_memoised(matches, "status")
        _displays_memoised(providers.values(), "kind")
        _audit_entries_create(audited)
        urls = _provider_urls(matches)
        notify_many(
            Notice(
                users=[match.provider.user],
                message=_offer_message(match.need, match.explanation, expires_at),
                url=urls[match.pk],
                match=match,
            )
            for match in matches
        )
    result.offers = matches
    return result


# What need_offer_allocated_many reads of each need and provider under lock: the checks, the
# offer's message, the audit entry's name and the person notified. Loading every column
# (a need has 39, a provider's account parses its phone number) was a fifth of a batch's
# offer writing.
_ALLOCATED_NEED_FIELDS = (
    "reference",
    "category",
    "schedule",
    "on_date",
    "starts_at",
    "ends_at",
    "contact_name",
    "status",
    "unmet_since",
    "updated_at",
)
_ALLOCATED_PROVIDER_FIELDS = (
    "user",
    "kind",
    "status",
    "capacity",
    "user__email",
    "user__language",
    "user__contact_method",
    "user__full_name",
    "user__first_name",
    "user__last_name",
)


def _audit_entries_create(changes):
    """What django-auditlog's signals write for each (before, after, fields saved) (before
    None: a new row; fields None: all), for rows written by bulk_create or update(), which
    send no signals: one insert for all. The actor and the request's details come from
    `set_actor`, as theirs do."""
    try:
        if auditlog_disabled.get():
            return
    except LookupError:
        pass
    log_entry = get_logentry_model()
    entries = []
    creation_diffs = iter(_creation_diffs([after for before, after, _ in changes if not before]))
    for before, after, fields in changes:
        diff = next(creation_diffs) if before is None else _fields_diff(before, after, fields)
        if not diff:
            continue
        entry = log_entry(
            content_type=ContentType.objects.get_for_model(after),
            object_pk=str(after.pk),
            object_id=after.pk,
            object_repr=str(after),
            serialized_data=log_entry.objects._get_serialized_data_or_none(after),
            action=log_entry.Action.CREATE if before is None else log_entry.Action.UPDATE,
            changes=diff,
            cid=get_cid(),
        )
        try:
            context = auditlog_value.get()
        except LookupError:
            pass
        else:
            _set_extra_data(log_entry, entry, context["signal_duid"])
        entries.append(entry)
    log_entry.objects.bulk_create(entries)


def _creation_diffs(rows):
    """auditlog's `model_instance_diff(None, row)` for each new row (all of one model),
    worked out in full for the first row only (4 ms a row on a busy machine): a field that
    holds the same value as in the first row shows the same change."""
    if not rows:
        return []
    json_changes = settings.AUDITLOG_STORE_JSON_CHANGES
    first = rows[0]
    full = model_instance_diff(None, first, use_json_for_changes=json_changes) or {}
    concrete = first._meta.concrete_fields
    diffs = [full or None]
    for row in rows[1:]:
        differing = [
            field.name
            for field in concrete
            if getattr(row, field.attname) != getattr(first, field.attname)
        ]
        diff = {name: change for name, change in full.items() if name not in differing}
        if differing:
            diff.update(_fields_diff(None, row, differing) or {})
        diffs.append(diff or None)
    return diffs


def _fields_diff(before, after, names):
    """`model_instance_diff(before, after, fields_to_check=names)` (before None: a new row;
    names None: every field), with the model's audited fields looked up once, not on every
    row: auditlog lists and filters every field of the model on each call, 0.3 ms, most of a
    batch's audit. Masked fields and JSON changes go through auditlog itself."""
    json_changes = settings.AUDITLOG_STORE_JSON_CHANGES
    fields, masked = _audited_fields(type(after))
    if json_changes or masked:
        return model_instance_diff(
            before, after, fields_to_check=names, use_json_for_changes=json_changes
        )
    diff = {}
    for name in fields if names is None else names:
        field = fields.get(name)
        if field is None:
            continue
        old, new = get_field_value(before, field), get_field_value(after, field)
        if old != new:
            diff[name] = (smart_str(old), smart_str(new))
    return diff or None


@functools.cache
def _audited_fields(model):
    """{name: field} of the model's fields auditlog diffs (its registration's include and
    exclude applied, as model_instance_diff does), and whether any field is masked."""
    from auditlog.registry import auditlog

    options = auditlog.get_model_fields(model)
    fields = [field for field in model._meta.fields if track_field(field)]
    if options["include_fields"]:
        fields = [field for field in fields if field.name in options["include_fields"]]
    if options["exclude_fields"]:
        fields = [field for field in fields if field.name not in options["exclude_fields"]]
    return {field.name: field for field in fields}, bool(options["mask_fields"])


def _displays_memoised(rows, field):
    """Have each row answer get_<field>_display() from a memo of its value's label: Django
    hashes every choice's (lazily translated) label on each call, a gettext each, and a
    batch asks the same few labels thousands of times."""
    labels = {}
    for row in rows:
        value = getattr(row, field)
        if value not in labels:
            labels[value] = getattr(row, f"get_{field}_display")()
        setattr(row, f"get_{field}_display", lambda label=labels[value]: label)


@transaction.atomic
def match_offer(*, match, actor=None, now=None):
    """Send a proposed match (from a batch allocation) to its provider."""
    now = now or timezone.now()
    with set_actor(actor):
        match = _lock(match)
        _require(
            match.status != MatchStatus.PROPOSED or _has_free_place(match.provider),
            _("This provider is not active or has no free place."),
        )
        _move(
            match,
            "offer",
            now,
            offered_at=now,
            expires_at=now + datetime.timedelta(hours=settings.OFFER_EXPIRY_HOURS),
        )
        ProviderProfile.objects.filter(pk=match.provider_id).update(
            offers_received=F("offers_received") + 1
        )
        notify(
            users=[match.provider.user],
            message=lazy_message(
                _("Can you help? %(name)s needs %(help)s, %(when)s."),
                name=match.need.first_name,
                help=_help_lazy(match.need),
                when=_when_lazy(match.need),
            ),
            url=_provider_url(match),
            match=match,
        )
        return match


# --- the provider answers -------------------------------------------------------------------


@transaction.atomic
def match_accept(*, match, actor, now=None):
    """The provider says yes; the resident is asked to confirm."""
    now = now or timezone.now()
    with set_actor(actor):
        match = _lock(match)
        _require(is_provider_side(match, actor), _("Only the provider can accept this offer."))
        urgent.refuse_if_taken(match)
        if match.status == MatchStatus.OFFERED and match.expires_at <= now:
            raise TransitionError(_("This offer has expired, so it cannot be accepted."))
        provider = match.provider
        _require(provider.status == ProviderStatus.ACTIVE, _("Your profile is not active."))
        committed = provider.matches.filter(status__in=COMMITTED_STATUSES).count()
        if match.status == MatchStatus.OFFERED and committed >= provider.capacity:
            raise TransitionError(
                ngettext(
                    "You are already helping %(count)d person, your limit.",
                    "You are already helping %(count)d people, your limit.",
                    committed,
                )
                % {"count": committed}
            )
        _move(match, "accept", now, accepted_at=now)
        urgent.stand_down_others(match=match, now=now)
        conversations.conversation_open(match=match, now=now)
        ProviderProfile.objects.filter(pk=provider.pk).update(
            offers_accepted=F("offers_accepted") + 1
        )
        notify(
            users=_resident_users(match.need),
            message=lazy_message(
                _(
                    "%(name)s can help with request %(reference)s. "
                    "Please confirm, or ask for someone else."
                ),
                name=_first_name(provider),
                reference=match.need.reference,
            ),
            url=_resident_url(match),
            match=match,
        )
        return match


@transaction.atomic
def match_decline(*, match, actor, reason="", now=None):
    """The provider says no; the next candidate is asked."""
    now = now or timezone.now()
    with set_actor(actor):
        match = _lock(match)
        _require(is_provider_side(match, actor), _("Only the provider can decline this offer."))
        _move(match, "decline", now, declined_by=DeclinedBy.PROVIDER, reason=reason[:240])
        need_offer_next(need=match.need, actor=actor, now=now)
        return match


@transaction.atomic
def match_expire(*, match, now=None):
    """An offer not answered in time moves on to the next candidate."""
    now = now or timezone.now()
    with set_actor(None):
        match = _lock(match)
        if match.status != MatchStatus.OFFERED or match.expires_at > now:
            raise TransitionError(_("This offer has not expired."))
        _move(match, "expire", now)
        notify(
            users=[match.provider.user],
            message=lazy_message(
                _(
                    "The request for %(help)s was not answered in time, "
                    "so we have asked someone else."
                ),
                help=_help_lazy(match.need),
            ),
            url=_provider_url(match),
            match=match,
        )
        need_offer_next(need=match.need, now=now)
        return match


def expire_offers(*, now=None):
    """Expire every offer past its time, one transaction each; returns how many."""
    now = now or timezone.now()
    expired = 0
    stale = Match.objects.filter(status=MatchStatus.OFFERED, expires_at__lte=now)
    for match in stale.only("pk", "need_id", "provider_id").iterator():
        try:
            match_expire(match=match, now=now)
        except TransitionError:
            continue  # answered or expired by someone else in the meantime
        expired += 1
    return expired


# --- the resident answers -------------------------------------------------------------------


@transaction.atomic
def match_confirm(*, match, actor, now=None):
    """The resident says yes: the match is active and contact details are shared."""
    now = now or timezone.now()
    with set_actor(actor):
        match = _lock(match)
        _require(
            is_resident_side(match, actor) or is_staff_for(match.need, actor),
            _("Only the person who asked for help can confirm."),
        )
        _move(match, "confirm", now, confirmed_at=now)
        _set_need_status(match.need, NeedStatus.MATCHED, now)
        visits.visits_plan_for_match(match=match, now=now)
        notify(
            users=[match.provider.user],
            message=lazy_message(
                _("%(name)s confirmed. You can now see their address and send them messages."),
                name=match.need.first_name,
            ),
            url=_provider_url(match),
            match=match,
        )
        return match


@transaction.atomic
def match_ask_for_someone_else(*, match, actor, reason="", now=None):
    """The resident would rather have someone else; the next candidate is asked."""
    now = now or timezone.now()
    with set_actor(actor):
        match = _lock(match)
        _require(
            is_resident_side(match, actor) or is_staff_for(match.need, actor),
            _("Only the person who asked for help can ask for someone else."),
        )
        _move(match, "ask_for_someone_else", now, declined_by=DeclinedBy.RESIDENT, reason=reason)
        notify(
            users=[match.provider.user],
            message=_("Thank you for offering. This time the resident asked for someone else."),
            url=_provider_url(match),
            match=match,
        )
        need_offer_next(need=match.need, actor=actor, now=now)
        return match


# --- either side ----------------------------------------------------------------------------


@transaction.atomic
def match_cancel(*, match, actor, reason, cause=None, now=None):
    """End a live match before the help was given; `cause` says why (a CancelCause).

    Without a cause it is the actor's own decision: the provider, the resident's side or
    staff of the need's area. Unless the need itself is ending, it goes straight back to
    the engine (`cancel_reoffers`): a resident never waits because their helper left.
    """
    now = now or timezone.now()
    _require(reason.strip(), _("Give a reason for cancelling."))
    with set_actor(actor):
        match = _lock(match)
        by_provider = is_provider_side(match, actor)
        by_resident = is_resident_side(match, actor)
        _require(
            by_provider
            or by_resident
            or is_staff_for(match.need, actor)
            or (cause is not None and CancelCause(cause) in DECIDED_ELSEWHERE),
            "You cannot cancel this match.",
        )
        if cause is None:
            cause = (
                CancelCause.PROVIDER
                if by_provider
                else CancelCause.RESIDENT
                if by_resident
                else CancelCause.STAFF
            )
        _move(match, "cancel", now, cancelled_by=actor, reason=reason.strip()[:240])
        visits.visits_settle_on_end(match=match, completed=False, actor=actor, now=now)
        if match.need.status == NeedStatus.MATCHED:
            _set_need_status(match.need, NeedStatus.OPEN, now)
        cause = CancelCause(cause)
        if cause == CancelCause.PROVIDER or cause in PROVIDER_GONE:
            others = _resident_users(match.need)
        elif cause == CancelCause.RESIDENT:
            others = [match.provider.user]
        else:  # staff, a block, a withdrawal: tell both sides
            others = [*_resident_users(match.need), match.provider.user]
        notify(
            users=[user for user in others if user != actor],
            message=lazy_message(
                _("The match for request %(reference)s was cancelled: %(reason)s"),
                reference=match.need.reference,
                reason=reason,
            ),
            url="",
            match=match,
        )
        if cancel_reoffers(cause):
            need_offer_next(need=match.need, actor=actor, now=now)
        return match


@transaction.atomic
def match_complete(*, match, actor, now=None):
    """The help was given (a weekly arrangement ends here); the need is fulfilled.

    A one-off need's match is done only once its time has started: before then nobody
    can have helped, and a rating would be about nothing.
    """
    now = now or timezone.now()
    with set_actor(actor):
        match = _lock(match)
        _require(
            is_provider_side(match, actor)
            or is_resident_side(match, actor)
            or is_staff_for(match.need, actor),
            _("You cannot complete this match."),
        )
        starts = done_not_before(match.need, now=now)
        if match.status == MatchStatus.ACTIVE and starts is not None:
            local = timezone.localtime(starts, timezone.get_default_timezone())
            raise TransitionError(
                _("This help is due on %(when)s, so it cannot be marked as done before then.")
                % {"when": visits.local_when_lazy(local)}
            )
        _move(match, "complete", now)
        visits.visits_settle_on_end(match=match, completed=True, actor=actor, now=now)
        _set_need_status(match.need, NeedStatus.FULFILLED, now)
        ProviderProfile.objects.filter(pk=match.provider_id).update(
            matches_completed=F("matches_completed") + 1
        )
        others = (
            _resident_users(match.need) if is_provider_side(match, actor) else [match.provider.user]
        )
        notify(
            users=others,
            message=lazy_message(
                _("Request %(reference)s was marked as done. Thank you."),
                reference=match.need.reference,
            ),
            url="",
            match=match,
        )
        return match


@transaction.atomic
def need_withdraw(*, need, actor, reason=""):
    """The resident no longer needs help: cancel any live match, then withdraw."""
    with set_actor(actor):
        need = Need.objects.select_for_update().get(pk=need.pk)
        # Several while an urgent need's offers are out together.
        for live in need.matches.filter(status__in=LIVE_STATUSES):
            match_cancel(
                match=live,
                actor=actor,
                reason=reason or "The request was withdrawn.",
                cause=CancelCause.WITHDRAWN,
            )
        return need_writes.need_withdraw(need=need, actor=actor, reason=reason)
