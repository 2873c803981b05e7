"""Build (or rebuild) the demo borough: areas, staff, commissioner, residents, providers."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.constants import COMMISSIONERS_GROUP, COUNCIL_STAFF_GROUP
from accounts.models import User
from services.models import Area

DEMO_DOMAIN = "demo.kith.example"
DEMO_PASSWORD = "kith-demo-pass"

AREAS = [
    ("Riverside North", "E05999001"),
    ("Riverside South", "E05999002"),
    ("Old Town", "E05999003"),
    ("Hillcrest", "E05999004"),
]

PEOPLE = [
    # (local part, first name, last name, role, is_staff, is_superuser, group)
    ("admin", "Ada", "Admin", "Superuser (all areas)", True, True, None),
    ("staff.north", "Sam", "Okafor", "Council staff", True, False, COUNCIL_STAFF_GROUP),
    ("commissioner", "Priya", "Shah", "Commissioner", True, False, COMMISSIONERS_GROUP),
    ("resident", "Rose", "Turner", "Resident", False, False, None),
    ("resident2", "Tom", "Evans", "Resident", False, False, None),
    ("carer", "Chloe", "Mensah", "Provider (carer)", False, False, None),
    ("cook", "Carlos", "Diaz", "Provider (home cook)", False, False, None),
    ("peer", "Pat", "Nowak", "Provider (peer supporter)", False, False, None),
]


class Command(BaseCommand):
    help = "Create the demo borough. Safe to run again; --reset deletes the demo data first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete existing demo data and start over."
        )

    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        if reset:
            self.reset()
        areas = [
            Area.objects.get_or_create(code=code, defaults={"name": name})[0]
            for name, code in AREAS
        ]
        logins = [self.person(*row) for row in PEOPLE]
        self.stdout.write(
            self.style.SUCCESS(f"Demo borough ready: {len(areas)} areas, {len(logins)} people.")
        )
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        width = max(len(email) for email, _ in logins)
        for email, role in logins:
            self.stdout.write(f"  {email.ljust(width)}  {role}")

    def reset(self):
        User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()
        Area.objects.filter(code__in=[code for _, code in AREAS]).delete()
        self.stdout.write("Deleted the previous demo data.")

    def person(self, local, first, last, role, is_staff, is_superuser, group):
        email = f"{local}@{DEMO_DOMAIN}"
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return email, role
