"""lifecycle.need_offer_allocated_many: a batch allocation's offers in a few queries, with the
same offers, notifications, audit entries and emails as offering them one at a time."""

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.constants import ProviderStatus
from matchmaking import lifecycle
from matchmaking.constants import MatchStatus, ProposedBy
from matchmaking.lifecycle import AllocatedEdge, OfferRefused
from matchmaking.models import Match, Notification
from services.models import Need
from tests.factories import AreaFactory, NeedFactory, StaffFactory, category
from tests.matching import NOW, eligible_cook, make_match

pytestmark = pytest.mark.django_db


def _need(area, **kwargs):
    return NeedFactory(category=category("meals"), area=area, **kwargs)


def _explanation(distance):
    return {"distance_km": distance, "components": {"proximity": {"value": 0.5, "weight": 1}}}


@pytest.fixture
def city():
    area = AreaFactory()
    needs = [_need(area) for _ in range(5)]
    # One need the engine had given up on: an offer clears its "unmet" flag (audited).
    Need.objects.filter(pk=needs[1].pk).update(unmet_since=NOW)
    cooks = [eligible_cook(needs[0], capacity=2) for _ in range(3)]
    return needs, cooks


def _edges(needs, cooks):
    pairs = [(0, 0), (1, 0), (2, 1), (3, 2), (4, 1)]
    return [
        AllocatedEdge(
            need=needs[n].pk,
            provider=cooks[p].pk,
            score=0.5 + n / 10,
            explanation=_explanation(1.0 + n),
        )
        for n, p in pairs
    ]


def _one_at_a_time(edges, actor):
    """The engine's one-offer path (`_offer`: Match.objects.create, auditlog's signals,
    `notify`), which need_offer_allocated used before the batch version."""
    with transaction.atomic(), set_actor(actor):
        for edge in edges:
            need = Need.objects.select_related("category").get(pk=edge.need)
            provider = lifecycle.ProviderProfile.objects.select_related("user").get(
                pk=edge.provider
            )
            lifecycle._offer(
                need,
                provider,
                now=NOW,
                score=edge.score,
                explanation=edge.explanation,
                proposed_by=ProposedBy.ALLOCATION,
                actor=actor,
            )


def _written(match_ids_before):
    """What the offers wrote, with each match named by its need (ids differ between runs)."""
    matches = Match.objects.exclude(pk__in=match_ids_before).order_by("need_id")
    need_of = {match.pk: match.need_id for match in matches}

    def named(text):
        for pk, need_id in need_of.items():
            text = text.replace(
                reverse("matchmaking:offer_detail", args=[pk]), f"<offer for need {need_id}>"
            )
        return text

    rows = [
        (
            m.need_id,
            m.provider_id,
            m.status,
            m.score,
            m.explanation,
            m.proposed_by,
            m.proposed_by_user_id,
            m.offered_at,
            m.expires_at,
        )
        for m in matches
    ]
    notifications = sorted(
        (n.user_id, n.message, named(n.url), need_of[n.match_id])
        for n in Notification.objects.filter(match__in=matches)
    )
    audit = []
    for entry in LogEntry.objects.order_by("pk"):
        if entry.content_type.model == "match" and int(entry.object_pk) in need_of:
            # The id and the moment of writing differ between the two runs.
            changes = {k: v for k, v in entry.changes.items() if k not in ("id", "created_at")}
            subject = ("match", need_of[int(entry.object_pk)])
        elif entry.content_type.model == "need":
            changes, subject = entry.changes, ("need", entry.object_id)
        else:
            continue
        audit.append((subject, entry.action, changes, entry.object_repr, entry.actor_id))
    emails = sorted((m.to[0], m.subject, named(m.body)) for m in mail.outbox)
    return rows, notifications, sorted(audit, key=repr), emails


def test_many_at_once_writes_what_one_at_a_time_writes(city, django_capture_on_commit_callbacks):
    needs, cooks = city
    staff = StaffFactory()
    edges = _edges(needs, cooks)
    before = set(Match.objects.values_list("pk", flat=True))
    LogEntry.objects.all().delete()

    with transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            _one_at_a_time(edges, staff)
        expected = _written(before)
        transaction.set_rollback(True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = lifecycle.need_offer_allocated_many(edges=edges, actor=staff, now=NOW)

    assert result.refused == []
    assert [m.need_id for m in result.offers] == [edge.need for edge in edges]
    written = _written(before)
    assert written == expected
    rows, notifications, audit, emails = written
    assert len(rows) == len(notifications) == len(emails) == 5
    assert sum(1 for entry in audit if entry[0][0] == "need") == 1  # the unmet flag cleared
    assert all(entry[-1] == staff.pk for entry in audit)
    offers_audited = [changes for subject, _, changes, _, _ in audit if subject[0] == "match"]
    assert len(offers_audited) == 5
    # Who was offered what, with the score, is audited; the engine's reasoning stays on the
    # offer itself, written once.
    assert all("score" in changes and "explanation" not in changes for changes in offers_audited)
    assert all(
        row_explanation
        for row_explanation in Match.objects.filter(
            pk__in=[m.pk for m in result.offers]
        ).values_list("explanation", flat=True)
    )
    assert not Need.objects.filter(pk=needs[1].pk, unmet_since__isnull=False).exists()
    for cook, offers in zip(cooks, (2, 2, 1), strict=True):
        cook.refresh_from_db()
        assert cook.offers_received == offers


def test_edges_that_changed_since_the_run_read_them_are_refused_and_reported(city):
    needs, cooks = city
    area = needs[0].area
    withdrawn = _need(area, status="withdrawn")
    paused = cooks[2]
    paused.status = ProviderStatus.PAUSED
    paused.save()
    full = eligible_cook(needs[0], capacity=1)
    make_match(_need(area), full, MatchStatus.OFFERED)
    one_place = eligible_cook(needs[0], capacity=1)
    make_match(needs[4], cooks[0], MatchStatus.OFFERED)  # staff offered it meanwhile

    def edge(need, provider):
        return AllocatedEdge(need=need.pk, provider=provider.pk, score=0.5, explanation={})

    edges = [
        edge(withdrawn, cooks[0]),
        edge(needs[4], cooks[1]),
        edge(needs[0], paused),
        edge(needs[0], full),
        edge(needs[1], one_place),
        edge(needs[2], one_place),  # its one place went to the edge before
        edge(needs[1], cooks[1]),  # the same need twice: the first offer stands
        edge(needs[3], cooks[1]),
    ]
    result = lifecycle.need_offer_allocated_many(edges=edges, now=NOW)

    assert [(e.need, e.provider) for e, _ in result.refused] == [
        (e.need, e.provider) for e in edges[:4] + edges[5:7]
    ]
    assert [reason for _, reason in result.refused] == [
        OfferRefused.NEED_NOT_OPEN,
        OfferRefused.NEED_HAS_LIVE_MATCH,
        OfferRefused.PROVIDER_NOT_ACTIVE,
        OfferRefused.PROVIDER_FULL,
        OfferRefused.PROVIDER_FULL,
        OfferRefused.NEED_HAS_LIVE_MATCH,
    ]
    assert [(m.need_id, m.provider_id) for m in result.offers] == [
        (needs[1].pk, one_place.pk),
        (needs[3].pk, cooks[1].pk),
    ]
    assert not withdrawn.matches.exists()
    assert not needs[0].matches.exists() and not needs[2].matches.exists()
    assert Notification.objects.filter(user__in=[paused.user, full.user]).count() == 0


def test_the_queries_do_not_grow_with_the_number_of_offers(django_capture_on_commit_callbacks):
    area = AreaFactory()

    def queries_for(count):
        needs = [_need(area) for _ in range(count)]
        Need.objects.filter(pk__in=[n.pk for n in needs]).update(unmet_since=NOW)
        cooks = [eligible_cook(needs[0], capacity=3) for _ in range(count)]
        edges = [
            AllocatedEdge(need=n.pk, provider=c.pk, score=0.5, explanation=_explanation(1.0))
            for n, c in zip(needs, cooks, strict=True)
        ]
        # Some providers take two offers, as a batch allocation's often do.
        edges.append(
            AllocatedEdge(need=_need(area).pk, provider=cooks[0].pk, score=0.4, explanation={})
        )
        with CaptureQueriesContext(connection) as queries:
            result = lifecycle.need_offer_allocated_many(edges=edges, now=NOW)
        assert len(result.offers) == count + 1
        return len(queries)

    few, many = queries_for(2), queries_for(12)
    assert few == many
    assert many <= 14


def test_one_offer_is_the_batch_of_one():
    area = AreaFactory()
    need = _need(area)
    cook = eligible_cook(need, capacity=1)
    match = lifecycle.need_offer_allocated(
        need=need, provider=cook, score=0.7, explanation=_explanation(2.0), now=NOW
    )
    assert (match.need_id, match.provider_id, match.status) == (need.pk, cook.pk, "offered")
    assert (
        lifecycle.need_offer_allocated(
            need=_need(area), provider=cook.pk, score=0.7, explanation={}, now=NOW
        )
        is None
    )
