import datetime
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from accounts.constants import CheckKind, CheckStatus, ProviderKind, ProviderStatus, Weekday
from accounts.models import Availability, ProviderProfile
from accounts.providers import (
    availability_replace,
    missing_checks,
    provider_apply,
    provider_update,
)
from tests.factories import UserFactory, category
from tests.provider_factories import AvailabilityFactory, CheckFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

T = datetime.time


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def clean_jpeg():
    out = BytesIO()
    Image.new("RGB", (20, 20), "green").save(out, format="JPEG")
    return ContentFile(out.getvalue(), name="photo.jpg")


def apply(user, **overrides):
    fields = {
        "user": user,
        "kind": ProviderKind.COOK,
        "bio": "  I love cooking.  ",
        "languages": ["en", "pl", "en"],
        "home_postcode": "RV1 1AA",
        "latitude": 51.45,
        "longitude": -0.97,
        "travel_radius_km": 2.5,
        "capacity": 3,
        "availability": [(Weekday.THURSDAY, T(17), T(19)), (Weekday.MONDAY, T(9), T(12))],
        "skills": [category("meals"), category("companionship")],
    }
    return provider_apply(**{**fields, **overrides})


def media_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# provider_apply


def test_apply_creates_an_applied_profile_with_skills_and_availability(user):
    profile = apply(user)

    profile.refresh_from_db()
    assert profile.status == ProviderStatus.APPLIED
    assert profile.bio == "I love cooking."
    assert profile.languages == ["en", "pl"]
    assert profile.travel_radius_km == 2.5
    assert sorted(c.slug for c in profile.skills.all()) == ["companionship", "meals"]
    assert [(a.weekday, a.starts_at, a.ends_at) for a in profile.availability.all()] == [
        (Weekday.MONDAY, T(9), T(12)),
        (Weekday.THURSDAY, T(17), T(19)),
    ]
    assert not profile.photo


def test_apply_grants_the_owner_and_nobody_else_object_permissions(user):
    profile = apply(user)
    other = UserFactory()

    assert user.has_perm("accounts.view_providerprofile", profile)
    assert user.has_perm("accounts.change_providerprofile", profile)
    assert not other.has_perm("accounts.view_providerprofile", profile)


def test_apply_stores_the_photo_under_a_generated_name(user, _media):
    profile = apply(user, photo=clean_jpeg())

    assert profile.photo.name.startswith("providers/")
    assert profile.photo.name.endswith(".jpg")
    assert "photo" not in profile.photo.name
    assert media_files(_media) == [profile.photo.name]


def test_apply_refuses_help_the_kind_of_provider_may_not_give(user):
    with pytest.raises(ValidationError) as excinfo:
        apply(user, skills=[category("personal-care")])

    assert excinfo.value.message_dict == {"skills": ["A home cook cannot offer: Personal care"]}
    assert not ProviderProfile.objects.exists()


def test_apply_twice_is_refused_and_stores_no_second_photo(user, _media):
    apply(user)

    with pytest.raises(ValidationError) as excinfo:
        apply(user, photo=clean_jpeg())

    assert excinfo.value.messages == ["You have already offered help."]
    assert ProviderProfile.objects.count() == 1
    assert media_files(_media) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"travel_radius_km": 60}, "travel_radius_km"),
        ({"travel_radius_km": 0.2}, "travel_radius_km"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 21}, "capacity"),
        ({"languages": ["en", "klingon"]}, "languages"),
        ({"kind": "chef"}, "kind"),
        ({"latitude": 95}, "__all__"),  # the database constraint's message
    ],
)
def test_apply_refuses_out_of_range_values_and_writes_nothing(user, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        apply(user, **overrides)

    assert field in excinfo.value.message_dict
    assert not ProviderProfile.objects.exists()
    assert not Availability.objects.exists()


def test_apply_refuses_overlapping_availability_and_writes_nothing(user):
    slots = [(Weekday.MONDAY, T(9), T(12)), (Weekday.MONDAY, T(11), T(13))]

    with pytest.raises(ValidationError) as excinfo:
        apply(user, availability=slots)

    assert excinfo.value.message_dict == {
        "availability": [
            "The times on Monday overlap (09:00 to 12:00 and 11:00 to 13:00). Change one of them"
        ]
    }
    assert not ProviderProfile.objects.exists()


# availability_replace


def test_availability_replace_replaces_every_slot():
    profile = ProviderProfileFactory()
    AvailabilityFactory(provider=profile, weekday=Weekday.FRIDAY)

    slots = availability_replace(
        profile=profile,
        slots=[(Weekday.SUNDAY, T(8), T(10)), (Weekday.SUNDAY, T(17), T(19))],
    )

    assert [(s.weekday, s.starts_at, s.ends_at) for s in slots] == [
        (Weekday.SUNDAY, T(8), T(10)),
        (Weekday.SUNDAY, T(17), T(19)),
    ]
    assert profile.availability.count() == 2


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ([(Weekday.TUESDAY, T(14), T(9))], "Tuesday: the end time must be after the start"),
        ([(Weekday.TUESDAY, T(9), T(9))], "Tuesday: the end time must be after the start"),
        (
            [(Weekday.WEDNESDAY, T(9), T(17)), (Weekday.WEDNESDAY, T(10), T(11))],
            "The times on Wednesday overlap (09:00 to 17:00 and 10:00 to 11:00). "
            "Change one of them",
        ),
        (
            [(Weekday.SUNDAY, T(12), T(14)), (Weekday.SUNDAY, T(10), T(12))],
            "The times on Sunday run into each other (10:00 to 12:00 and 12:00 to 14:00). "
            "Enter them as one time, 10:00 to 14:00",
        ),
        ([(7, T(9), T(10))], "Choose a day of the week"),
    ],
)
def test_availability_replace_refuses_bad_slots_and_keeps_the_old_ones(slots, message):
    profile = ProviderProfileFactory()
    AvailabilityFactory(provider=profile, weekday=Weekday.FRIDAY)

    with pytest.raises(ValidationError) as excinfo:
        availability_replace(profile=profile, slots=slots)

    assert excinfo.value.message_dict == {"availability": [message]}
    assert [a.weekday for a in profile.availability.all()] == [Weekday.FRIDAY]


# provider_update


def test_update_changes_what_a_provider_may_change():
    profile = ProviderProfileFactory(skills=[category("meals")])

    updated = provider_update(
        profile=profile,
        travel_radius_km=5,
        capacity=4,
        languages=["cy"],
        bio=" New bio ",
        skills=[category("companionship")],
    )

    updated.refresh_from_db()
    assert (updated.travel_radius_km, updated.capacity, updated.languages) == (5, 4, ["cy"])
    assert updated.bio == "New bio"
    assert [c.slug for c in updated.skills.all()] == ["companionship"]


def test_update_cannot_change_kind_or_status():
    profile = ProviderProfileFactory()

    with pytest.raises(TypeError):
        provider_update(profile=profile, kind=ProviderKind.CARER)
    with pytest.raises(TypeError):
        provider_update(profile=profile, status=ProviderStatus.ACTIVE)


def test_update_refuses_bad_values_and_changes_nothing():
    profile = ProviderProfileFactory(skills=[category("meals")])

    with pytest.raises(ValidationError) as excinfo:
        provider_update(profile=profile, capacity=50, skills=[category("personal-care")])

    assert "capacity" in excinfo.value.message_dict
    profile.refresh_from_db()
    assert profile.capacity == 2
    assert [c.slug for c in profile.skills.all()] == ["meals"]


def test_update_replaces_the_photo_and_deletes_the_old_file_once_committed(
    _media, django_capture_on_commit_callbacks
):
    profile = ProviderProfileFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = provider_update(profile=profile, photo=clean_jpeg()).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = provider_update(profile=profile, photo=clean_jpeg()).photo.name

    assert first != second
    assert media_files(_media) == [second]

    with django_capture_on_commit_callbacks(execute=True):
        removed = provider_update(profile=profile, photo=None)

    assert not removed.photo
    assert not default_storage.exists(second)


# missing_checks

REQUIRED = [CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC]


def test_every_required_check_is_missing_when_none_exist():
    profile = ProviderProfileFactory()

    assert missing_checks(profile, REQUIRED, timezone.localdate()) == REQUIRED


def test_verified_in_date_checks_are_not_missing_and_pending_ones_are():
    profile = ProviderProfileFactory()
    CheckFactory(provider=profile, kind=CheckKind.DBS_BASIC, verified=True)
    CheckFactory(provider=profile, kind=CheckKind.FOOD_HYGIENE)  # pending

    assert missing_checks(profile, REQUIRED, timezone.localdate()) == [CheckKind.FOOD_HYGIENE]


def test_a_check_that_expired_before_the_date_is_missing_but_one_expiring_that_day_is_not():
    today = timezone.localdate()
    profile = ProviderProfileFactory()
    CheckFactory(
        provider=profile,
        kind=CheckKind.DBS_BASIC,
        verified=True,
        expires_at=today - datetime.timedelta(days=1),
    )
    CheckFactory(provider=profile, kind=CheckKind.FOOD_HYGIENE, verified=True, expires_at=today)

    assert missing_checks(profile, REQUIRED, today) == [CheckKind.DBS_BASIC]
    tomorrow = today + datetime.timedelta(days=1)
    assert missing_checks(profile, REQUIRED, tomorrow) == REQUIRED


def test_rejected_checks_are_missing_and_checks_without_expiry_stay_valid():
    profile = ProviderProfileFactory()
    CheckFactory(provider=profile, kind=CheckKind.DBS_BASIC, status=CheckStatus.REJECTED)
    CheckFactory(provider=profile, kind=CheckKind.FOOD_HYGIENE, verified=True, expires_at=None)

    assert missing_checks(profile, REQUIRED, timezone.localdate()) == [CheckKind.DBS_BASIC]


def test_another_providers_checks_do_not_count():
    profile = ProviderProfileFactory()
    CheckFactory(kind=CheckKind.DBS_BASIC, verified=True)

    assert missing_checks(profile, [CheckKind.DBS_BASIC], timezone.localdate()) == [
        CheckKind.DBS_BASIC
    ]
