"""Which areas a member of council staff works in, and which rows that puts in front of them.

Staff are granted areas with a guardian object permission (`services.work_in_area`) held in
the direct-foreign-key tables AreaUserObjectPermission / AreaGroupObjectPermission, to a
person or to a group. A model-wide grant of the same permission means nothing here: global
permissions are never accepted, so a careless tick in the user admin cannot open every ward.

`staff_area_ids(user)` reads the grants once per request (cached on the user object) and
returns the area ids, or None when nothing is hidden from the user (a superuser, or someone
granted every area). Each `*_in_areas(queryset, area_ids)` then adds one WHERE clause (a join
or an IN subquery) to a queryset; `*_for_staff(user, queryset)` does both. Nothing here checks
a permission per row. The admin, the dashboard and the API all scope through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from accounts.models import Check, ProviderProfile
from matchmaking.models import Block, Concern, Match, Rating
from services.models import Area, Need, Offer, Postcode

WORK_IN_AREA = "services.work_in_area"
_CACHE = "_kith_staff_area_ids"
_UNSET = object()

AreaIds = frozenset[int] | None  # None: every row, including rows in no area


# --- whose areas ----------------------------------------------------------------------------


def staff_area_ids(user) -> AreaIds:
    """Ids of the areas `user` works in, or None when nothing is hidden from them.

    None for an active superuser, and for active staff granted every area (directly or
    through a group). An empty set for anyone else without a grant, for inactive users and
    for people who are not staff. One query, cached on the user object for the request.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not (user.is_active and user.is_staff):
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE, _UNSET)
    if cached is not _UNSET:
        return cached
    granted = get_objects_for_user(
        user, WORK_IN_AREA, klass=Area, accept_global_perms=False, with_superuser=True
    )
    # Every area with a flag saying whether it is granted: one query answers both
    # "which areas" and "all of them?".
    rows = Area.objects.order_by().values_list(
        "pk",
        ExpressionWrapper(Q(pk__in=granted.values("pk")), output_field=BooleanField()),
    )
    rows = list(rows)
    ids = frozenset(pk for pk, ok in rows if ok)
    result = None if rows and len(ids) == len(rows) else ids
    setattr(user, _CACHE, result)
    return result


def forget_areas(user) -> None:
    """Drop the cached answer of staff_area_ids (after granting or revoking an area)."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)


def sees_every_area(user) -> bool:
    return staff_area_ids(user) is None


def works_in(user, area_id) -> bool:
    ids = staff_area_ids(user)
    return ids is None or area_id in ids


def grant_area(user_or_group, area: Area) -> None:
    """Let a person (or everyone in a group) work on needs, providers and matches in `area`."""
    assign_perm(WORK_IN_AREA, user_or_group, area)
    forget_areas(user_or_group)


def revoke_area(user_or_group, area: Area) -> None:
    remove_perm(WORK_IN_AREA, user_or_group, area)
    forget_areas(user_or_group)


def grant_areas(user_or_group, areas: Iterable[Area]) -> None:
    for area in areas:
        grant_area(user_or_group, area)


# --- one WHERE clause per model ---------------------------------------------------------------


def _restrict(queryset: QuerySet, area_ids: AreaIds, condition) -> QuerySet:
    if area_ids is None:
        return queryset
    if not area_ids:
        return queryset.none()
    return queryset.filter(condition(sorted(area_ids)))


def postcodes_in(ids) -> QuerySet:
    """Postcode codes in the areas `ids` (an IN subquery, never fetched)."""
    return Postcode.objects.filter(area_id__in=ids).order_by().values("code")


def _provider_home_in(ids, prefix=""):
    return Q(**{f"{prefix}home_postcode__in": postcodes_in(ids)})


def _person_in(ids, field):
    """The user in `field` asked for help in, or lives as a provider in, one of the areas.

    Uncorrelated IN subqueries: the database builds each set of people once (a hashed
    subplan) instead of searching needs for every row.
    """
    needs = Need.objects.filter(area_id__in=ids).order_by()
    residents = needs.filter(resident_id__isnull=False).values("resident_id")
    requesters = needs.values("requested_by_id")
    providers = ProviderProfile.objects.filter(_provider_home_in(ids)).order_by().values("user_id")
    return (
        Q(**{f"{field}__in": residents})
        | Q(**{f"{field}__in": requesters})
        | Q(**{f"{field}__in": providers})
    )


def areas_in_areas(queryset, area_ids: AreaIds):
    return _restrict(queryset, area_ids, lambda ids: Q(pk__in=ids))


def needs_in_areas(queryset, area_ids: AreaIds):
    return _restrict(queryset, area_ids, lambda ids: Q(area_id__in=ids))


def providers_in_areas(queryset, area_ids: AreaIds):
    """Providers by home area: their home postcode's area (no postcode row: no area)."""
    return _restrict(queryset, area_ids, _provider_home_in)


def checks_in_areas(queryset, area_ids: AreaIds):
    return _restrict(queryset, area_ids, lambda ids: _provider_home_in(ids, "provider__"))


def offers_in_areas(queryset, area_ids: AreaIds):
    return _restrict(queryset, area_ids, lambda ids: _provider_home_in(ids, "provider__"))


def matches_in_areas(queryset, area_ids: AreaIds):
    return _restrict(queryset, area_ids, lambda ids: Q(need__area_id__in=ids))


def ratings_in_areas(queryset, area_ids: AreaIds):
    return _restrict(queryset, area_ids, lambda ids: Q(match__need__area_id__in=ids))


def concerns_in_areas(queryset, area_ids: AreaIds):
    """About a match whose need is in the areas, or about a person who asked for help or
    provides it there."""
    return _restrict(
        queryset,
        area_ids,
        lambda ids: Q(match__need__area_id__in=ids) | _person_in(ids, "about"),
    )


def blocks_in_areas(queryset, area_ids: AreaIds):
    return _restrict(
        queryset,
        area_ids,
        lambda ids: _person_in(ids, "resident") | _provider_home_in(ids, "provider__"),
    )


# --- the same, for a person -------------------------------------------------------------------


def _for(queryset, default, user, in_areas):
    return in_areas(default.all() if queryset is None else queryset, staff_area_ids(user))


def areas_for_staff(user, queryset=None):
    return _for(queryset, Area.objects, user, areas_in_areas)


def needs_for_staff(user, queryset=None):
    return _for(queryset, Need.objects, user, needs_in_areas)


def providers_for_staff(user, queryset=None):
    return _for(queryset, ProviderProfile.objects, user, providers_in_areas)


def checks_for_staff(user, queryset=None):
    return _for(queryset, Check.objects, user, checks_in_areas)


def offers_for_staff(user, queryset=None):
    return _for(queryset, Offer.objects, user, offers_in_areas)


def matches_for_staff(user, queryset=None):
    return _for(queryset, Match.objects, user, matches_in_areas)


def ratings_for_staff(user, queryset=None):
    return _for(queryset, Rating.objects, user, ratings_in_areas)


def concerns_for_staff(user, queryset=None):
    return _for(queryset, Concern.objects, user, concerns_in_areas)


def blocks_for_staff(user, queryset=None):
    return _for(queryset, Block.objects, user, blocks_in_areas)
