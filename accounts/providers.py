"""Writes for provider profiles: apply, update, replace availability; and what vetting is missing.

`accounts` knows nothing of postcodes or categories: the caller looks the postcode up and
passes its latitude and longitude, and passes the Category objects chosen as `skills`
(anything with `allows(kind)` and a `name`).
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm

from accounts.constants import LANGUAGES, CheckKind, ProviderKind, Weekday
from accounts.models import Availability, ProviderProfile, TimeAway
from accounts.windows import clash_message, window_clash

OWNER_PERMISSIONS = ("accounts.view_providerprofile", "accounts.change_providerprofile")
LANGUAGE_CODES = {code for code, _ in LANGUAGES}

# What a provider may change themselves. Kind is not here: a carer who wants to cook
# instead needs different checks, so the council changes it.
UPDATABLE_FIELDS = {
    "bio",
    "languages",
    "home_postcode",
    "latitude",
    "longitude",
    "travel_radius_km",
    "capacity",
    "photo",
    "skills",
}
PROFILE_FIELDS_CHECKED = [
    "kind",
    "bio",
    "languages",
    "home_postcode",
    "latitude",
    "longitude",
    "travel_radius_km",
    "capacity",
]


def _check_languages(languages):
    languages = list(dict.fromkeys(languages or []))
    unknown = [code for code in languages if code not in LANGUAGE_CODES]
    if unknown:
        raise ValidationError({"languages": "Select languages from the list"})
    return languages


def _check_skills(kind, skills):
    skills = list(skills)
    refused = [category for category in skills if not category.allows(kind)]
    if refused:
        names = ", ".join(category.name for category in refused)
        raise ValidationError(
            {"skills": f"A {ProviderKind(kind).label.lower()} cannot offer: {names}"}
        )
    return skills


def _check_profile(profile):
    # full_clean raises field-keyed messages (radius, capacity, lengths) and the constraints'.
    exclude = [f.name for f in ProviderProfile._meta.fields if f.name not in PROFILE_FIELDS_CHECKED]
    profile.full_clean(exclude=exclude, validate_unique=False)


def _check_slots(slots):
    """Normalise (weekday, start, end) triples; refuse bad windows and overlaps on one day."""
    checked = []
    for weekday, starts_at, ends_at in slots:
        if weekday not in Weekday.values:
            raise ValidationError({"availability": "Choose a day of the week"})
        if not isinstance(starts_at, datetime.time) or not isinstance(ends_at, datetime.time):
            raise ValidationError({"availability": "Enter a start and an end time"})
        if ends_at <= starts_at:
            raise ValidationError(
                {"availability": f"{Weekday(weekday).label}: the end time must be after the start"}
            )
        checked.append((weekday, starts_at, ends_at))
    checked.sort()
    if clash := window_clash(checked):
        raise ValidationError({"availability": clash_message(*clash)})
    return checked


def _write_slots(profile, slots):
    profile.availability.all().delete()
    Availability.objects.bulk_create(
        Availability(provider=profile, weekday=w, starts_at=s, ends_at=e) for w, s, e in slots
    )


def _store_photo(profile, photo):
    """Save the photo file now; the caller deletes it again if the transaction fails."""
    # The name passed here is ignored: provider_photo_path generates one.
    profile.photo.save("photo.jpg", photo, save=False)
    return profile.photo.name


def _delete_file(storage, name):
    if name:
        storage.delete(name)


def provider_apply(
    *,
    user,
    kind,
    bio,
    languages,
    home_postcode,
    latitude,
    longitude,
    travel_radius_km,
    capacity,
    photo=None,
    availability: Iterable = (),
    skills: Iterable = (),
) -> ProviderProfile:
    """Create the user's provider profile (status applied) with availability and skills.

    `photo` is a clean image from accounts.photos.process_photo. Grants the user view and
    change permissions on the profile. Raises ValidationError (field-keyed where it can).
    """
    if kind not in ProviderKind.values:
        raise ValidationError({"kind": "Select what kind of helper you are"})
    profile = ProviderProfile(
        user=user,
        kind=kind,
        bio=bio.strip(),
        languages=_check_languages(languages),
        home_postcode=home_postcode,
        latitude=latitude,
        longitude=longitude,
        travel_radius_km=travel_radius_km,
        capacity=capacity,
    )
    _check_profile(profile)
    skills = _check_skills(kind, skills)
    slots = _check_slots(availability)

    stored = None
    try:
        with transaction.atomic():
            if ProviderProfile.objects.filter(user=user).exists():
                raise ValidationError(_("You have already offered help."))
            if photo is not None:
                stored = _store_photo(profile, photo)
            try:
                # Its own savepoint: a second submit racing this one hits the unique user.
                with transaction.atomic():
                    profile.save()
            except IntegrityError as exc:
                raise ValidationError(_("You have already offered help.")) from exc
            profile.skills.set(skills)
            _write_slots(profile, slots)
            for perm in OWNER_PERMISSIONS:
                assign_perm(perm, user, profile)
    except BaseException:
        _delete_file(profile.photo.storage, stored)
        raise
    return profile


def provider_update(*, profile, **fields) -> ProviderProfile:
    """Change what a provider may change themselves (see UPDATABLE_FIELDS).

    `photo=None` removes the photo; the old file is deleted once the change is committed.
    """
    unknown = set(fields) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"provider_update() cannot change {', '.join(sorted(unknown))}")
    stored = None
    try:
        with transaction.atomic():
            locked = ProviderProfile.objects.select_for_update().get(pk=profile.pk)
            skills = fields.pop("skills", None)
            has_photo = "photo" in fields
            photo = fields.pop("photo", None)
            if "languages" in fields:
                fields["languages"] = _check_languages(fields["languages"])
            if "bio" in fields:
                fields["bio"] = fields["bio"].strip()
            for name, value in fields.items():
                setattr(locked, name, value)
            _check_profile(locked)
            if skills is not None:
                skills = _check_skills(locked.kind, skills)
            old_photo = locked.photo.name
            if has_photo:
                if photo is None:
                    locked.photo = ""
                else:
                    stored = _store_photo(locked, photo)
                if old_photo:
                    storage = locked.photo.storage
                    transaction.on_commit(lambda: _delete_file(storage, old_photo))
            locked.save()
            if skills is not None:
                locked.skills.set(skills)
    except BaseException:
        _delete_file(profile.photo.storage, stored)
        raise
    return locked


def availability_replace(*, profile, slots) -> list[Availability]:
    """Replace the provider's weekly availability with `slots`: (weekday, start, end) triples."""
    slots = _check_slots(slots)
    with transaction.atomic():
        # Lock the profile: two edits at once must not interleave their delete and insert.
        ProviderProfile.objects.select_for_update().filter(pk=profile.pk).first()
        _write_slots(profile, slots)
    return list(profile.availability.all())


# Dates away further ahead than this are a typo more often than a plan.
TIME_AWAY_MAX_DAYS_AHEAD = 2 * 365


def _lock_provider(profile):
    # Two adds at once must not both miss the other's overlap.
    ProviderProfile.objects.select_for_update().filter(pk=profile.pk).first()


def _overlapping_time_away(profile, starts_on, ends_on):
    return profile.time_away.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()


def time_away_add(*, profile, starts_on, ends_on, note="", today=None) -> TimeAway:
    """Record dates the provider is away (first and last day included).

    Refused (ValidationError keyed by field, nothing saved) when the last day is before the
    first or already past, when it is more than TIME_AWAY_MAX_DAYS_AHEAD away, or when it
    overlaps dates away already recorded: one period per holiday keeps the list readable.
    """
    today = today or timezone.localdate()
    if ends_on < starts_on:
        raise ValidationError(
            {"ends_on": gettext("The last day away must be on or after the first")}
        )
    if ends_on < today:
        raise ValidationError({"ends_on": gettext("The last day away must be today or later")})
    if ends_on > today + datetime.timedelta(days=TIME_AWAY_MAX_DAYS_AHEAD):
        raise ValidationError(
            {"ends_on": gettext("The last day away must be within the next two years")}
        )
    with transaction.atomic():
        _lock_provider(profile)
        clash = _overlapping_time_away(profile, starts_on, ends_on)
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": gettext(
                        "You are already away from %(first)s to %(last)s. "
                        "Remove those dates first, or choose dates that do not overlap them"
                    )
                    % {
                        "first": f"{clash.starts_on:%-d %B %Y}",
                        "last": f"{clash.ends_on:%-d %B %Y}",
                    }
                }
            )
        away = TimeAway(provider=profile, starts_on=starts_on, ends_on=ends_on, note=note.strip())
        away.full_clean(exclude=["provider"])
        away.save()
    return away


def time_away_remove(*, profile, time_away_id) -> None:
    """Remove one of the provider's own dates away; TimeAway.DoesNotExist for anyone else's."""
    profile.time_away.get(pk=time_away_id).delete()


def missing_checks(profile, required_check_kinds, on_date) -> list[CheckKind]:
    """The required checks that are not verified, or that expire before `on_date`.

    Reads `profile.checks.all()`, so prefetch `checks` to ask about many categories at once.
    """
    valid = {check.kind for check in profile.checks.all() if check.is_valid_on(on_date)}
    return [CheckKind(kind) for kind in required_check_kinds if kind not in valid]
