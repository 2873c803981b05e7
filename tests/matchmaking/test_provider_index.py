"""provider_index: providers' ranking facts kept in the process, exact to the last change.

The index must give the query's candidates, and must never be used once the database has
changed under it, however the change was made (tests/matchmaking/test_candidates.py runs its
tests both ways too).
"""

import datetime
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from accounts.constants import CheckKind, CheckStatus, ProviderStatus
from accounts.models import Availability, Check, ProviderProfile, TimeAway
from matchmaking import provider_index
from matchmaking.bench.city import build_city
from matchmaking.candidates import candidate_facts, rank_need
from matchmaking.models import ProviderFactsStamp
from services.models import Need
from tests.factories import NeedFactory, UserFactory, category
from tests.match_factories import MatchFactory
from tests.matching import eligible_cook

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def need():
    """A hot meal three days from now, 12:00 to 13:00."""
    return NeedFactory(
        category=category("meals"), on_date=timezone.localdate() + datetime.timedelta(days=3)
    )


@pytest.fixture
def cook(need):
    """A cook at the need's door who passes every hard filter."""
    return eligible_cook(need, kind="cook")


def ranked_ids(need):
    return [s.provider_id for s in rank_need(need, now=NOW).ranked]


def reasons(need):
    return {e.provider_id: e.reason for e in rank_need(need, now=NOW).excluded}


def both_ways(need, settings):
    settings.PROVIDER_INDEX = False
    by_query = candidate_facts(need, now=NOW), rank_need(need, now=NOW)
    settings.PROVIDER_INDEX = True
    by_index = candidate_facts(need, now=NOW), rank_need(need, now=NOW)
    return by_query, by_index


def comparable(records):
    # The query groups a provider's windows and dates away in no set order; the engine does
    # not mind.
    return [
        record._replace(
            availability=tuple(sorted(record.availability)), away=tuple(sorted(record.away))
        )
        for record in records
    ]


# --- the same candidates as the query -----------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_finds_the_querys_candidates_with_the_same_facts(seed, settings):
    city = build_city(providers=150, needs=12, seed=seed, now=NOW, radius_km=2.0)
    compared = 0
    for need in Need.objects.filter(pk__in=city.needs):
        (query_facts, query_ranking), (index_facts, index_ranking) = both_ways(need, settings)
        assert comparable(index_facts) == comparable(query_facts), need.pk
        assert index_ranking == query_ranking, need.pk
        compared += len(query_facts)
    assert compared > 100  # so the cities are crowded enough to tell


def test_the_index_is_used_and_kept_while_nothing_changes(need, cook, django_assert_num_queries):
    assert provider_index.triggers_installed(connection)
    first = provider_index.current("default")
    assert first is not None and cook.pk in first.position
    with django_assert_num_queries(1):  # the stamp alone
        assert provider_index.current("default") is first


def test_off_or_without_triggers_the_query_is_used(need, cook, settings):
    settings.PROVIDER_INDEX = False
    assert provider_index.current("default") is None
    assert ranked_ids(need) == [cook.pk]

    settings.PROVIDER_INDEX = True
    provider_index.drop_triggers(connection)
    assert provider_index.current("default") is None  # a stamp nobody replaces proves nothing
    assert ranked_ids(need) == [cook.pk]
    provider_index.install_triggers("default")
    assert provider_index.current("default") is not None


# --- any change to a provider's facts is seen by the next ranking --------------------------------


def suspend_by_update(cook):
    ProviderProfile.objects.filter(pk=cook.pk).update(status=ProviderStatus.SUSPENDED)


def suspend_by_raw_sql(cook):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ProviderProfile._meta.db_table} SET status = %s WHERE id = %s",
            [ProviderStatus.SUSPENDED, cook.pk],
        )


def move_away(cook):
    ProviderProfile.objects.filter(pk=cook.pk).update(latitude=cook.latitude + 1)


def drop_the_skill(cook):
    cook.skills.clear()


def delete_the_availability(cook):
    Availability.objects.filter(provider=cook).delete()


@pytest.mark.parametrize(
    "change",
    [suspend_by_update, suspend_by_raw_sql, move_away, drop_the_skill],
)
def test_a_provider_no_longer_found_is_gone_from_the_next_ranking(need, cook, change):
    assert ranked_ids(need) == [cook.pk]
    change(cook)
    assert ranked_ids(need) == []
    assert cook.pk not in reasons(need)


def revoke_a_check(cook):
    Check.objects.filter(provider=cook, kind=CheckKind.DBS_BASIC).update(
        status=CheckStatus.REJECTED
    )


def expire_a_check(cook):
    Check.objects.filter(provider=cook, kind=CheckKind.DBS_BASIC).update(
        expires_at=NOW.date() - datetime.timedelta(days=1)
    )


def go_away(cook):
    TimeAway.objects.bulk_create(
        [TimeAway(provider=cook, starts_on=NOW.date(), ends_on=NOW.date() + datetime.timedelta(30))]
    )


def lower_capacity_to_the_places_held(cook):
    MatchFactory(provider=cook, accepted=True)
    ProviderProfile.objects.filter(pk=cook.pk).update(capacity=1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (revoke_a_check, "check_missing"),
        (expire_a_check, "check_expired"),
        (go_away, "away"),
        (lower_capacity_to_the_places_held, "no_capacity"),
        # Round the corner, so still shown to staff, with why.
        (delete_the_availability, "unavailable"),
    ],
)
def test_a_provider_no_longer_suitable_is_excluded_with_the_reason(need, cook, change, reason):
    assert ranked_ids(need) == [cook.pk]
    change(cook)
    assert ranked_ids(need) == []
    assert reasons(need)[cook.pk] == reason


def test_a_new_provider_is_found_by_the_next_ranking(need, cook):
    assert ranked_ids(need) == [cook.pk]
    newcomer = ProviderProfile.objects.get(pk=cook.pk)
    newcomer.pk = None
    newcomer.user = UserFactory()
    newcomer.save()
    newcomer.skills.add(need.category)
    for check in Check.objects.filter(provider=cook):
        check.pk, check.provider = None, newcomer
        check.save()
    Availability.objects.bulk_create(
        [
            Availability(
                provider=newcomer,
                weekday=need.on_date.weekday(),
                starts_at=datetime.time(11),
                ends_at=datetime.time(14),
            )
        ]
    )
    assert sorted(ranked_ids(need)) == sorted([cook.pk, newcomer.pk])


def test_ratings_and_offers_change_the_ranking_without_rebuilding_the_index(need, cook):
    index = provider_index.current("default")
    before = rank_need(need, now=NOW).ranked[0].explanation
    ProviderProfile.objects.filter(pk=cook.pk).update(rating_sum=25, rating_count=5)
    assert provider_index.current("default") is index  # read per ranking, not kept
    after = rank_need(need, now=NOW).ranked[0].explanation
    assert after != before


def test_a_change_rolled_back_never_leaves_its_copy_in_use(need, cook):
    assert ranked_ids(need) == [cook.pk]
    with pytest.raises(RuntimeError), transaction.atomic():
        suspend_by_update(cook)
        assert ranked_ids(need) == []  # the index built inside the transaction
        raise RuntimeError("rolled back")
    # The stamp went back with the transaction: the suspended copy is not the stamp now.
    assert ranked_ids(need) == [cook.pk]


def test_a_missing_stamp_row_is_written_again_with_a_new_stamp(need, cook):
    index = provider_index.current("default")
    ProviderFactsStamp.objects.all().delete()
    assert provider_index.current("default") is not index
    assert ProviderFactsStamp.objects.count() == 1


def test_migrating_installs_the_triggers_and_makes_every_process_rebuild(need, cook):
    index = provider_index.current("default")
    provider_index.install_triggers("default")  # what every migrate ends with
    assert provider_index.triggers_installed(connection)
    assert provider_index.current("default") is not index


def test_migrating_back_past_the_stamp_removes_every_trigger(cook):
    migration = importlib.import_module("matchmaking.migrations.0014_provider_facts_stamp")
    migration.drop_triggers(apps, SimpleNamespace(connection=connection))
    stamp = ProviderFactsStamp.objects.get().stamp
    suspend_by_update(cook)
    Availability.objects.filter(provider=cook).delete()
    assert ProviderFactsStamp.objects.get().stamp == stamp  # nothing left to write to its table
    assert provider_index.current("default") is None
