import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm

from accounts.constants import COMMISSIONERS_GROUP, COUNCIL_STAFF_GROUP
from accounts.models import User
from services.models import Area

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Fixed names: Faker's can hold apostrophes ("O'Neill") that pages rightly escape,
    # which made tests searching the HTML for a name fail at random.
    first_name = factory.Iterator(["Rose", "Tom", "Amara", "Ben", "Chloe", "Dev", "Ellie", "Femi"])
    last_name = factory.Iterator(["Turner", "Evans", "Okafor", "Shah", "Mensah", "Nowak", "Hughes"])
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary address, as allauth requires to sign in; verified=False skips it."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in (extracted or []) if create else []:
            self.groups.add(Group.objects.get(name=name))


def enable_two_factor(user):
    """Give the user a TOTP authenticator, as staff must have before the admin opens."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())


class StaffFactory(UserFactory):
    """Council staff with two-factor authentication set up; `two_factor=False` skips it."""

    is_staff = True

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            enable_two_factor(self)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=COUNCIL_STAFF_GROUP))


class CommissionerFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def two_factor(self, create, extracted, **kwargs):
        if create and extracted is not False:
            enable_two_factor(self)

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=COMMISSIONERS_GROUP))


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Ward {n}")
    code = factory.Sequence(lambda n: f"E05{n:06d}")


INWARD = "ABDEFGHJLNPQRSTUWXYZ"


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Postcode"
        django_get_or_create = ("code",)

    code = factory.Sequence(
        lambda n: f"RV{n // 4000 + 1} {n % 10}{INWARD[(n // 10) % 20]}{INWARD[(n // 200) % 20]}"
    )
    latitude = 51.4543
    longitude = -0.9781
    area = factory.SubFactory(AreaFactory)
    ward_code = factory.LazyAttribute(lambda o: o.area.code if o.area else "")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "services.Programme"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programme {n}")
    starts_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=365))
    budget = 10000
    target_residents = 100

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


def category(slug="meals"):
    from services.models import Category

    return Category.objects.get(slug=slug)


class NeedFactory(factory.django.DjangoModelFactory):
    """An open one-off need, made the way need_submit makes one (owner permissions included)."""

    class Meta:
        model = "services.Need"
        skip_postgeneration_save = True

    requested_by = factory.SubFactory(UserFactory)
    resident = factory.SelfAttribute("requested_by")
    category = factory.LazyFunction(category)
    area = factory.SubFactory(AreaFactory)
    details = "A hot lunch, please"
    schedule = "one_off"
    on_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=3))
    starts_at = datetime.time(12, 0)
    ends_at = datetime.time(13, 0)
    postcode = "RV1 1AA"
    latitude = 51.4543
    longitude = -0.9781
    contact_name = factory.LazyAttribute(lambda o: f"{o.requested_by.first_name} Smith")
    address = "1 High Street\nRiverside"
    phone = "07700 900123"
    status = "open"

    @factory.post_generation
    def owner_permissions(self, create, extracted, **kwargs):
        if create:
            for user in {self.requested_by, self.resident} - {None}:
                assign_perm("services.view_need", user, self)
                assign_perm("services.change_need", user, self)
