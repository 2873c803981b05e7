"""Which areas a member of council staff works in, and which rows that puts in front of them.

Staff are granted areas with a guardian object permission (`services.work_in_area`) held in
the direct-foreign-key tables AreaUserObjectPermission / AreaGroupObjectPermission, to a
person or to a group. A model-wide grant of the same permission means nothing here: global
permissions are never accepted, so a careless tick in the user admin cannot open every ward.

Safeguarding leads (the "Safeguarding leads" group) see every concern in the borough:
`concern_area_ids` answers None for them, whatever areas they hold for the rest of their work.

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

from accounts.constants import COUNCIL_STAFF_GROUP, SAFEGUARDING_LEADS_GROUP
from accounts.models import Check, ProviderProfile, User
from matchmaking.models import Block, Concern, Match, Rating
from services.models import (
    Area,
    AreaGroupObjectPermission,
    AreaUserObjectPermission,
    Need,
    Offer,
    Postcode,
)

WORK_IN_AREA = "services.work_in_area"
_CACHE = "_kith_staff_area_ids"
_LEAD_CACHE = "_kith_safeguarding_lead"
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
    """Drop the cached answers of staff_area_ids and is_safeguarding_lead."""
    for name in (_CACHE, _LEAD_CACHE):
        if hasattr(user, name):
            delattr(user, name)


def is_safeguarding_lead(user) -> bool:
    """Active staff in the "Safeguarding leads" group (one query, cached on the user)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not (user.is_active and user.is_staff):
        return False
    cached = getattr(user, _LEAD_CACHE, None)
    if cached is None:
        cached = user.groups.filter(name=SAFEGUARDING_LEADS_GROUP).exists()
        setattr(user, _LEAD_CACHE, cached)
    return cached


def concern_area_ids(user) -> AreaIds:
    """The areas whose concerns `user` sees: every area for a safeguarding lead."""
    return None if is_safeguarding_lead(user) else staff_area_ids(user)


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
    queryset = Concern.objects.all() if queryset is None else queryset
    return concerns_in_areas(queryset, concern_area_ids(user))


def blocks_for_staff(user, queryset=None):
    return _for(queryset, Block.objects, user, blocks_in_areas)


# --- who works where ---------------------------------------------------------------------------


def concern_areas(concern) -> frozenset[int]:
    """The areas a concern is in, as concerns_in_areas reads them: its match's need's, and
    wherever the person it is about asked for help or lives as a provider."""
    ids = set()
    if concern.match_id:
        ids.add(Match.objects.filter(pk=concern.match_id).values_list("need__area_id").get()[0])
    if concern.about_id:
        about = concern.about_id
        ids.update(
            Need.objects.filter(Q(resident_id=about) | Q(requested_by_id=about))
            .order_by()
            .values_list("area_id", flat=True)
        )
        homes = ProviderProfile.objects.filter(user_id=about).values("home_postcode")
        ids.update(Postcode.objects.filter(code__in=homes).values_list("area_id", flat=True))
    ids.discard(None)
    return frozenset(ids)


def _in_group(name):
    return User.objects.filter(groups__name=name).values("pk")


def officers_in(area_ids) -> QuerySet:
    """Active council staff granted any of `area_ids`, directly or through a group.

    Subqueries only (no joins), so the result combines with `|` and needs no DISTINCT.
    """
    granted = Q(permission__codename=WORK_IN_AREA.split(".")[1], content_object_id__in=area_ids)
    people = AreaUserObjectPermission.objects.filter(granted).values("user_id")
    teams = AreaGroupObjectPermission.objects.filter(granted).values("group_id")
    in_teams = User.objects.filter(groups__in=teams).values("pk")
    return User.objects.filter(
        Q(pk__in=people) | Q(pk__in=in_teams),
        pk__in=_in_group(COUNCIL_STAFF_GROUP),
        is_active=True,
        is_staff=True,
    )


def safeguarding_leads() -> QuerySet:
    return User.objects.filter(
        pk__in=_in_group(SAFEGUARDING_LEADS_GROUP), is_active=True, is_staff=True
    )
