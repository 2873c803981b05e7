"""Factories for providers, their checks and offers, made the way the write functions make them.

PostcodeFactory is the one in tests.factories, re-exported so provider tests import from here.
"""

import datetime

import factory
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.constants import CheckKind, CheckStatus, ProviderKind, ProviderStatus, Weekday
from accounts.models import Availability, Check, ProviderProfile
from services.constants import OfferStatus
from services.models import Offer
from tests.factories import AreaFactory, PostcodeFactory, StaffFactory, UserFactory, category

__all__ = [
    "AreaFactory",
    "AvailabilityFactory",
    "CheckFactory",
    "OfferFactory",
    "PostcodeFactory",
    "ProviderProfileFactory",
]


class ProviderProfileFactory(factory.django.DjangoModelFactory):
    """An applied home cook with owner permissions; `skills=[...]` sets the categories."""

    class Meta:
        model = ProviderProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    kind = ProviderKind.COOK
    bio = "I cook a big pot of something most evenings."
    languages = factory.LazyFunction(lambda: ["en"])
    home_postcode = "RV1 1AA"
    latitude = 51.4543
    longitude = -0.9781
    travel_radius_km = 3
    capacity = 2
    status = ProviderStatus.APPLIED

    class Params:
        active = factory.Trait(status=ProviderStatus.ACTIVE)
        suspended = factory.Trait(status=ProviderStatus.SUSPENDED)

    @factory.post_generation
    def owner_permissions(self, create, extracted, **kwargs):
        if create:
            assign_perm("accounts.view_providerprofile", self.user, self)
            assign_perm("accounts.change_providerprofile", self.user, self)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            self.skills.set(extracted)


class AvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Availability

    provider = factory.SubFactory(ProviderProfileFactory)
    weekday = Weekday.THURSDAY
    starts_at = datetime.time(17, 0)
    ends_at = datetime.time(19, 0)


class CheckFactory(factory.django.DjangoModelFactory):
    """A pending check; `verified=True` records who verified it and when."""

    class Meta:
        model = Check

    provider = factory.SubFactory(ProviderProfileFactory)
    kind = CheckKind.DBS_BASIC
    status = CheckStatus.PENDING

    class Params:
        verified = factory.Trait(
            status=CheckStatus.VERIFIED,
            verified_by=factory.SubFactory(StaffFactory),
            verified_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyFunction(
                lambda: timezone.localdate() + datetime.timedelta(days=365)
            ),
        )


class OfferFactory(factory.django.DjangoModelFactory):
    """An open meal offer three days ahead, with the owner's permissions (as offer_create does)."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderProfileFactory)
    category = factory.LazyFunction(category)
    description = "Two extra portions of vegetable curry"
    portions = 2
    dietary_notes = "Vegetarian"
    on_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
    starts_at = datetime.time(18, 0)
    ends_at = datetime.time(19, 30)
    max_distance_km = 2
    latitude = factory.SelfAttribute("provider.latitude")
    longitude = factory.SelfAttribute("provider.longitude")
    status = OfferStatus.OPEN

    @factory.post_generation
    def owner_permissions(self, create, extracted, **kwargs):
        if create:
            assign_perm("services.view_offer", self.provider.user, self)
            assign_perm("services.change_offer", self.provider.user, self)
