"""Build (or rebuild) the demo borough.

Areas and postcodes, council staff and a commissioner, a commissioned programme,
vetted providers of every kind (with availability, checks and photos), residents
with needs, and matches in every state made through the real lifecycle, so the
notifications and the audit trail are the ones the service would produce.
"""

import datetime
import io
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.constants import (
    COMMISSIONERS_GROUP,
    COUNCIL_STAFF_GROUP,
    SAFEGUARDING_LEADS_GROUP,
    ProviderKind,
)
from accounts.models import ProviderProfile, User
from accounts.photos import process_photo
from accounts.providers import provider_apply
from accounts.vetting import check_record, check_verify, provider_set_status
from matchmaking import allocation, conversations, lifecycle, safeguarding, scoping, trust, visits
from matchmaking.constants import MatchStatus
from matchmaking.models import AllocationRun, Concern, Match, Visit
from matchmaking.outcomes.demo import demo_outcomes
from services.constants import Channel, Consent
from services.models import Area, Category, Need, Postcode, Programme, UnitCost
from services.needs import need_submit
from services.offers import offer_create
from services.postcodes import import_postcodes, write_synthetic_onspd

DEMO_DOMAIN = "demo.kith.example"
DEMO_PASSWORD = "kith-demo-pass"
PROGRAMME = "Riverside Help at Home 2026–27"

AREAS = [
    ("Riverside North", "E05999001"),
    ("Riverside South", "E05999002"),
    ("Old Town", "E05999003"),
    ("Hillcrest", "E05999004"),
]

PEOPLE = [
    # (local part, first name, last name, role, is_staff, is_superuser, group)
    ("admin", "Ada", "Admin", "Superuser (all areas)", True, True, None),
    (
        "staff.north",
        "Sam",
        "Okafor",
        "Staff: Riverside North",
        True,
        False,
        COUNCIL_STAFF_GROUP,
    ),
    (
        "staff.south",
        "Jess",
        "Patel",
        "Staff: Riverside South",
        True,
        False,
        COUNCIL_STAFF_GROUP,
    ),
    (
        "safeguarding",
        "Dana",
        "Brooks",
        "Safeguarding lead: every concern in the borough",
        True,
        False,
        SAFEGUARDING_LEADS_GROUP,
    ),
    ("commissioner", "Priya", "Shah", "Commissioner", True, False, COMMISSIONERS_GROUP),
    ("resident", "Rose", "Turner", "Resident", False, False, None),
    ("resident2", "Tom", "Evans", "Resident", False, False, None),
    ("carer", "Chloe", "Mensah", "Provider (carer)", False, False, None),
    ("cook", "Carlos", "Diaz", "Provider (home cook)", False, False, None),
    ("peer", "Pat", "Nowak", "Provider (peer supporter)", False, False, None),
]

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Cara",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Hassan",
    "Isla",
    "Jon",
    "Kasia",
    "Leo",
    "Maya",
    "Nia",
    "Omar",
    "Poppy",
    "Rafi",
    "Sofia",
    "Theo",
    "Una",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Alfie",
    "Bea",
    "Cal",
    "Dina",
    "Evan",
    "Fern",
]
LAST_NAMES = ["Ahmed", "Brown", "Clarke", "Davies", "Edwards", "Fox", "Green", "Hughes"]
PHOTO_COLOURS = ["#0b5560", "#5694ca", "#912b88", "#d53880", "#f47738", "#00703c"]

GENERATED_PROVIDERS = 36
GENERATED_RESIDENTS = 12


class Command(BaseCommand):
    help = "Create the demo borough. Safe to run again; --reset deletes the demo data first."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete existing demo data and start over."
        )

    def handle(self, *args, reset=False, **options):
        if reset:
            self.reset()
        # The demo's own emails would flood the console: keep them in memory.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with transaction.atomic():
                areas = [
                    Area.objects.get_or_create(code=code, defaults={"name": name})[0]
                    for name, code in AREAS
                ]
                logins = [self.person(*row) for row in PEOPLE]
                self.grant_areas(areas)
            if not Programme.objects.filter(name=PROGRAMME).exists():
                self.build_borough(areas)
            else:
                self.stdout.write("The demo borough is already built (use --reset to rebuild).")
        self.stdout.write(self.style.SUCCESS(self.summary()))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}")
        code = getattr(settings, "MFA_TOTP_INSECURE_BYPASS_CODE", None)
        if code:
            self.stdout.write(
                f"Staff logins then ask for a two-factor code: use {code} (demo only)."
            )
        width = max(len(email) for email, _ in logins)
        for email, role in logins:
            self.stdout.write(f"  {email.ljust(width)}  {role}")

    # --- people --------------------------------------------------------------------------

    def person(self, local, first, last, role, is_staff, is_superuser, group):
        email = f"{local}@{DEMO_DOMAIN}"
        user, created = User.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "phone": f"07700 900{len(local):03d}",
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
        if is_staff and not is_mfa_enabled(user):
            # Staff need two-factor authentication before the admin opens.
            TOTP.activate(user, generate_totp_secret())
        return email, role

    def grant_areas(self, areas):
        """Each ward officer works in their ward; the commissioner sees the whole borough."""
        by_name = {area.name: area for area in areas}
        for local, ward in (("staff.north", "Riverside North"), ("staff.south", "Riverside South")):
            officer = User.objects.get(email=f"{local}@{DEMO_DOMAIN}")
            scoping.grant_area(officer, by_name[ward])
            # Ward officers also take requests over the phone.
            officer.user_permissions.add(Permission.objects.get(codename="add_need"))
        commissioner = User.objects.get(email=f"commissioner@{DEMO_DOMAIN}")
        scoping.grant_areas(commissioner, areas)

    def reset(self):
        demo_users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
        with transaction.atomic():
            # Concerns protect what they are about; the demo's own go first.
            Concern.objects.filter(raised_by__in=demo_users).delete()
            AllocationRun.objects.filter(programme__name=PROGRAMME).delete()
            Need.objects.filter(requested_by__in=demo_users).delete()
            ProviderProfile.objects.filter(user__in=demo_users).delete()
            Programme.objects.filter(name=PROGRAMME).delete()
            demo_users.delete()
            Area.objects.filter(code__in=[code for _, code in AREAS]).delete()
        self.stdout.write("Deleted the previous demo data.")

    def summary(self):
        matches = dict(
            Match.objects.values_list("status").annotate(count=Count("pk")).order_by("status")
        )
        return (
            f"Demo borough ready: {Area.objects.count()} areas, "
            f"{Postcode.objects.count()} postcodes, {ProviderProfile.objects.count()} providers, "
            f"{Need.objects.count()} needs, matches by status {matches}."
        )

    # --- the borough ---------------------------------------------------------------------

    def build_borough(self, areas):
        rng = random.Random(7)
        admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
        with tempfile.TemporaryDirectory() as folder:
            path = write_synthetic_onspd(Path(folder) / "postcodes.csv", 3000, seed=7)
            import_postcodes(path)
        postcodes = list(Postcode.objects.filter(area__in=areas).order_by("code"))
        today = timezone.localdate()
        Programme.objects.create(
            name=PROGRAMME,
            description="Meals, care, company, errands, lifts and peer support at home.",
            budget=250_000,
            # What has really been spent (the dashboard's spend per resident uses it).
            actual_spend=Decimal("61250.00"),
            spend_as_at=today - datetime.timedelta(days=14),
            starts_on=today - datetime.timedelta(days=120),
            ends_on=today + datetime.timedelta(days=245),
            target_residents=400,
            max_distance_km=10,
        ).categories.set(Category.objects.all())
        Programme.objects.get(name=PROGRAMME).areas.set(areas)
        self.unit_costs(Programme.objects.get(name=PROGRAMME))

        providers = self.providers(rng, postcodes, admin)
        self.residents_and_matches(rng, postcodes, providers, admin, today)
        self.batch_allocation(rng, postcodes, admin)
        pairs = demo_outcomes(
            rng=rng,
            programme=Programme.objects.get(name=PROGRAMME),
            postcodes=postcodes,
            domain=DEMO_DOMAIN,
            password=DEMO_PASSWORD,
        )
        self.stdout.write(f"Outcome surveys: {pairs} residents answered before help and after.")

    def unit_costs(self, programme):
        """What each kind of visit would cost the council to provide itself. Demo figures,
        labelled as such: a real programme records its own, with their source."""
        costs = {
            "meals": ("6.50", "a meal delivered at home"),
            "personal-care": ("27.00", "an hour of home care"),
            "companionship": ("18.00", "an hour of a befriending visit"),
            "shopping": ("15.00", "a shopping trip"),
            "transport": ("12.00", "an accompanied journey"),
            "peer-support": ("20.00", "an hour of peer support"),
        }
        for category in Category.objects.filter(slug__in=costs):
            cost, unit = costs[category.slug]
            UnitCost.objects.create(
                programme=programme,
                category=category,
                cost=Decimal(cost),
                unit=unit,
                source="Demo figure, not a published price",
            )

    def providers(self, rng, postcodes, admin):
        named = {
            "carer": (
                ProviderKind.CARER,
                "Carer for twelve years; happy to help with washing, dressing and a chat.",
            ),
            "cook": (
                ProviderKind.COOK,
                "I cook a big pot of something most evenings and always have extra.",
            ),
            "peer": (
                ProviderKind.PEER,
                "I cared for my dad through dementia and know how lonely it can get.",
            ),
        }
        made = {}
        for local, (kind, bio) in named.items():
            user = User.objects.get(email=f"{local}@{DEMO_DOMAIN}")
            made[local] = self.provider(
                user, kind, bio, postcodes[len(made) * 7], admin, rng, photo=True
            )
        kinds = [ProviderKind.CARER, ProviderKind.COOK, ProviderKind.PEER]
        for n in range(GENERATED_PROVIDERS):
            first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[n % len(LAST_NAMES)]
            email = f"helper{n + 1}@{DEMO_DOMAIN}"
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            status = "applied" if n % 12 == 5 else "suspended" if n == 11 else "active"
            made[email] = self.provider(
                user,
                kinds[n % 3],
                f"{first} from {rng.choice(postcodes).area.name}.",
                rng.choice(postcodes),
                admin,
                rng,
                photo=n < 9,
                status=status,
            )
        return made

    @transaction.atomic
    def provider(self, user, kind, bio, postcode, admin, rng, *, photo=False, status="active"):
        skills = [c for c in Category.objects.all() if c.allows(kind)]
        availability = [
            (day, datetime.time(rng.choice([8, 9, 10])), datetime.time(rng.choice([15, 17, 19])))
            for day in sorted(rng.sample(range(7), rng.randint(3, 6)))
        ]
        profile = provider_apply(
            user=user,
            kind=kind,
            bio=bio,
            languages=["en", *rng.sample(["pl", "ur", "pa", "so", "ro"], rng.randint(0, 1))],
            home_postcode=postcode.code,
            latitude=postcode.latitude,
            longitude=postcode.longitude,
            travel_radius_km=rng.choice([3, 5, 8]),
            capacity=rng.choice([2, 3]),
            photo=self.photo(user) if photo else None,
            availability=availability,
            skills=skills,
        )
        required = sorted({kind for c in skills for kind in c.required_checks})
        expires = timezone.localdate() + datetime.timedelta(days=rng.randint(200, 900))
        for check_kind in required:
            check = check_record(
                provider=profile, kind=check_kind, reference=f"{rng.randint(10**11, 10**12 - 1)}"
            )
            if status != "applied":
                check_verify(check=check, actor=admin, expires_at=expires)
        if status in ("active", "suspended"):
            provider_set_status(profile=profile, action="activate", actor=admin)
        if status == "suspended":
            provider_set_status(profile=profile, action="suspend", actor=admin)
        return profile

    def photo(self, user):
        image = Image.new("RGB", (600, 600), PHOTO_COLOURS[user.pk % len(PHOTO_COLOURS)])
        draw = ImageDraw.Draw(image)
        initials = f"{user.first_name[:1]}{user.last_name[:1]}"
        draw.text((300, 300), initials, fill="white", anchor="mm", font_size=220)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return process_photo(SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png"))

    # --- residents, needs and matches ----------------------------------------------------

    def rating_history(self, cook, admin):
        """Carlos's past meals, rated by the diners; Tom's abusive rating comes later."""
        comments = [
            (5, "Delicious, and she stayed for a chat."),
            (5, "Always on time and so kind."),
            (4, "Lovely food, a little late."),
            (3, ""),
        ]
        for n, (score, comment) in enumerate(comments):
            email = f"diner{n + 1}@{DEMO_DOMAIN}"
            neighbour = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, first_name=FIRST_NAMES[n], last_name="Okoro"
            )
            EmailAddress.objects.create(user=neighbour, email=email, verified=True, primary=True)
            match = self.directed(
                neighbour,
                Postcode.objects.get(code=cook.home_postcode),
                "meals",
                n + 1,
                cook,
                admin,
                details="A hot meal, please.",
            )
            lifecycle.match_accept(match=match, actor=cook.user)
            lifecycle.match_confirm(match=match, actor=neighbour)
            self.delivered(match, by=cook.user)
            trust.rating_give(match=match, actor=neighbour, score=score, comment=comment)
            trust.rating_give(match=match, actor=cook.user, score=5, comment="A pleasure.")

    def concerns(self, providers, admin, rose, tom):
        """A hidden rating, an urgent open concern and a resolved one."""
        carer = providers["carer"]
        tom_meal = Match.objects.filter(
            need__requested_by=tom, status=MatchStatus.COMPLETED
        ).first()
        rude = trust.rating_give(
            match=tom_meal, actor=tom, score=1, comment="Rubbish, and I know where he lives!"
        )
        trust.rating_hide(
            rating=rude, actor=admin, reason="Threatening; staff spoke to the resident."
        )

        care = Match.objects.get(need__requested_by=tom, provider=carer, status=MatchStatus.ACTIVE)
        safeguarding.concern_raise(
            raised_by=carer.user,
            match=care,
            about=tom,
            kind="safeguarding",
            urgent=True,
            description="Tom had bruises on his arms and seemed frightened of his visitor.",
        )
        company = Match.objects.get(need__requested_by=rose, status=MatchStatus.ACTIVE)
        late = safeguarding.concern_raise(
            raised_by=rose,
            match=company,
            about=company.provider.user,
            kind="no_show",
            description="Pat did not come last Tuesday and did not call.",
        )
        safeguarding.concern_resolve(
            concern=late,
            actor=admin,
            resolution="Pat was ill and has apologised; new phone number recorded.",
        )

    def batch_allocation(self, rng, postcodes, admin):
        """Needs left for a batch run (not offered one by one), then one allocation run.

        One transaction: the engine's own offer for a new need waits for the commit, and by
        then the run has offered what it could (the engine then only tries the rest).
        """
        with transaction.atomic():
            for n, urgency in enumerate(("urgent", "soon", "routine", "routine", "soon", "urgent")):
                email = f"batch{n + 1}@{DEMO_DOMAIN}"
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    first_name=FIRST_NAMES[n],
                    last_name=LAST_NAMES[-n - 1],
                )
                EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
                category = ("meals", "companionship", "shopping")[n % 3]
                days = rng.randint(2, 9)
                postcode = rng.choice(postcodes)
                self.need(user, postcode, category, days, offer=False, urgency=urgency)
            run = allocation.allocation_run(
                actor=admin, programme=Programme.objects.get(name=PROGRAMME)
            )
        figures = run.figures
        self.stdout.write(
            f"Allocation run: {figures['matched']} of {figures['needs_considered']} open needs "
            f"offered, unmatched by reason {figures['unmatched']}."
        )

    def need(self, user, postcode, category, days, offer=True, **extra):
        fields = {
            "category": Category.objects.get(slug=category),
            "details": extra.pop("details", "Help would be very welcome."),
            "schedule": "one_off",
            "on_date": timezone.localdate() + datetime.timedelta(days=days),
            "starts_at": datetime.time(11),
            "ends_at": datetime.time(13),
            "urgency": "soon",
            "contact_name": f"{user.first_name} {user.last_name}",
            "address": f"{(user.pk * 7) % 90 + 1} Orchard Way",
            "phone": "07700 900111",
            "channel": Channel.SELF,
            **extra,
        }
        if fields["schedule"] == "weekly":
            fields.update(on_date=None, starts_at=None, ends_at=None)
        need = need_submit(requested_by=user, postcode=postcode, **fields)
        if offer:
            # Also done by the need_opened signal after commit; doing it here keeps the demo
            # independent of when callbacks run (no-op when an offer is already out).
            lifecycle.need_offer_next(need=need)
        return need

    def delivered(self, match, *, by):
        """History: the help was given (a week ago), then marked as done.

        Requests cannot be made for past dates and a match is done only once its time
        has started, so the demo moves the date back first.
        """
        Need.objects.filter(pk=match.need_id).update(
            on_date=timezone.localdate() - datetime.timedelta(days=7)
        )
        match.need.refresh_from_db()
        lifecycle.match_complete(match=match, actor=by)

    def visit_history(self, match, *, resident, helper):
        """The weekly match began three weeks ago: two visits kept, the latest one missed
        (Rose said so, and staff were told); the coming four weeks are planned."""
        planned = list(match.visits.order_by("starts_at")[:1])
        if not planned:
            return
        first = planned[0]
        for weeks in (3, 2, 1):
            back = datetime.timedelta(weeks=weeks)
            visit = Visit.objects.create(
                match=match, starts_at=first.starts_at - back, ends_at=first.ends_at - back
            )
            if weeks == 1:
                visits.visit_report_missed(visit=visit, actor=resident)
            else:
                visits.visit_mark_done(visit=visit, actor=helper)

    def conversation(self, match, lines, *, sharing=()):
        """Messages on an active match, and who chose to share their phone and email."""
        for sender, body in lines:
            conversations.message_post(match=match, actor=sender, body=body)
        for person in sharing:
            conversations.contact_share_set(match=match, actor=person, share=True)

    def directed(self, user, postcode, category, days, provider, admin, **extra):
        """A need offered to a chosen demo provider, so each demo login has something to do."""
        with transaction.atomic():
            need = self.need(user, postcode, category, days, offer=False, **extra)
            return lifecycle.need_offer_to(
                need=need, provider=provider, actor=admin, reason="Demo: introduced by staff"
            )

    def residents_and_matches(self, rng, postcodes, providers, admin, today):
        rose = User.objects.get(email=f"resident@{DEMO_DOMAIN}")
        tom = User.objects.get(email=f"resident2@{DEMO_DOMAIN}")
        carer, cook, peer = providers["carer"], providers["cook"], providers["peer"]
        near = {p: Postcode.objects.get(code=p.home_postcode) for p in (carer, cook, peer)}
        self.rating_history(cook, admin)

        # Rose: a meal Carlos has accepted (Rose to confirm), weekly company with Pat (active),
        # and shopping waiting for a provider's answer.
        meal = self.directed(
            rose,
            near[cook],
            "meals",
            2,
            cook,
            admin,
            details="A hot lunch, no pork.",
            dietary_needs="No pork",
        )
        lifecycle.match_accept(match=meal, actor=cook.user)
        company = self.directed(
            rose,
            near[peer],
            "companionship",
            0,
            peer,
            admin,
            schedule="weekly",
            slots=[(1, datetime.time(14), datetime.time(16))],
            details="A cup of tea and a chat on Tuesdays.",
        )
        lifecycle.match_accept(match=company, actor=peer.user)
        lifecycle.match_confirm(match=company, actor=rose)
        self.visit_history(company, resident=rose, helper=peer.user)
        self.conversation(
            company,
            [
                (peer.user, "Hello Rose, I am looking forward to Tuesday. Tea or coffee?"),
                (rose, "Tea, please! The bell does not work, so knock loudly."),
                (peer.user, "Will do. See you at two."),
            ],
            sharing=[rose],
        )
        self.directed(
            rose, near[carer], "shopping", 3, carer, admin, details="Weekly shop from the Co-op."
        )

        # Tom: personal care active with Chloe; a meal Carlos delivered (completed);
        # a lift that one helper declined and another cancelled.
        care = self.directed(
            tom,
            near[carer],
            "personal-care",
            1,
            carer,
            admin,
            details="Help getting washed and dressed.",
        )
        lifecycle.match_accept(match=care, actor=carer.user)
        lifecycle.match_confirm(match=care, actor=tom)
        self.conversation(
            care,
            [
                (carer.user, "Hi Tom, I will come at 9. Is there anywhere to park?"),
                (tom, "Yes, on the drive. Thank you, Chloe."),
            ],
        )
        done = self.directed(
            tom, near[cook], "meals", 1, cook, admin, details="Soup and bread, please."
        )
        lifecycle.match_accept(match=done, actor=cook.user)
        lifecycle.match_confirm(match=done, actor=tom)
        self.delivered(done, by=cook.user)
        lift = self.need(tom, near[carer], "transport", 4, details="A lift to the eye clinic.")
        offer = lift.matches.filter(status=MatchStatus.OFFERED).first()
        if offer:
            lifecycle.match_decline(
                match=offer, actor=offer.provider.user, reason="I am away that week"
            )

        # A referral from a GP practice, with the resident's consent.
        self.need(
            tom,
            rng.choice(postcodes),
            "companionship",
            5,
            channel=Channel.REFERRAL,
            referrer_name="Dr Helen Ade",
            referrer_role="gp",
            referrer_organisation="Old Town Surgery",
            referrer_email="surgery@oldtown.example",
            consent=Consent.GIVEN,
            contact_name="Edith Brown",
            email="",
            details="Very isolated since her husband died.",
        )

        # Generated residents: the engine offers their needs to whoever ranks best.
        categories = [
            "meals",
            "companionship",
            "shopping",
            "transport",
            "peer-support",
            "personal-care",
        ]
        for n in range(GENERATED_RESIDENTS):
            email = f"neighbour{n + 1}@{DEMO_DOMAIN}"
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=FIRST_NAMES[-n - 1],
                last_name=LAST_NAMES[-n % len(LAST_NAMES)],
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            need = self.need(
                user, rng.choice(postcodes), categories[n % len(categories)], rng.randint(1, 10)
            )
            offer = need.matches.filter(status=MatchStatus.OFFERED).first()
            if offer and n % 3 == 0:
                lifecycle.match_accept(match=offer, actor=offer.provider.user)
            elif offer and n % 3 == 1:
                lifecycle.match_accept(match=offer, actor=offer.provider.user)
                lifecycle.match_confirm(match=offer, actor=user)

        self.concerns(providers, admin, rose, tom)

        # One-off offers in the Casserole Club style.
        offer_create(
            provider=cook,
            category=Category.objects.get(slug="meals"),
            description="Two extra portions of vegetable lasagne",
            portions=2,
            dietary_notes="Vegetarian",
            on_date=today + datetime.timedelta(days=3),
            starts_at=datetime.time(17),
            ends_at=datetime.time(19),
            max_distance_km=2,
        )
