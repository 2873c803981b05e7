"""The provider's side: "Offer help" page by page, the dashboard, profile edits and offers."""

import datetime
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.constants import CheckKind, ProviderStatus, Weekday
from accounts.models import ProviderProfile
from services.constants import OfferStatus
from services.models import Offer
from tests.factories import UserFactory, category
from tests.provider_factories import (
    AreaFactory,
    AvailabilityFactory,
    CheckFactory,
    OfferFactory,
    PostcodeFactory,
    ProviderProfileFactory,
)

pytestmark = pytest.mark.django_db

IN_THREE_DAYS = timezone.localdate() + datetime.timedelta(days=3)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def postcodes(db):
    return {
        "home": PostcodeFactory(
            code="RV1 1AA", latitude=51.46, longitude=-0.97, area=AreaFactory(name="Northgate")
        ),
        "outside": PostcodeFactory(code="RV9 9ZZ", area=None, ward_code=""),
    }


@pytest.fixture
def signed_in(client):
    user = UserFactory(first_name="Priya")
    client.force_login(user)
    return user


@pytest.fixture
def provider(client):
    profile = ProviderProfileFactory(skills=[category("meals"), category("companionship")])
    client.force_login(profile.user)
    return profile


def step_url(slug):
    return reverse("providers:step", args=[slug])


def jpeg_upload(name="me.jpg", size=(1200, 900)):
    out = BytesIO()
    Image.new("RGB", size, "teal").save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def gif_upload():
    out = BytesIO()
    Image.new("P", (20, 20)).save(out, format="GIF")
    return SimpleUploadedFile("me.jpg", out.getvalue(), content_type="image/jpeg")


def answers():
    return {
        "kind": {"kind": "cook"},
        "help": {"skills": [category("meals").pk, category("companionship").pk]},
        "availability": {
            "thursday_from": "17:00",
            "thursday_to": "19:00",
            "saturday_from": "10:00",
            "saturday_to": "12:30",
        },
        "where": {"home_postcode": " rv11aa ", "travel_radius_km": "2.5"},
        "people": {"capacity": "2", "languages": ["en", "pl"]},
        "about": {"bio": "I cook a big pot of something most evenings."},
    }


def answer_up_to(client, last):
    for slug, data in answers().items():
        response = client.post(step_url(slug), data)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
        if slug == last:
            return response
    return response


def errors_on(response):
    """The messages in the page's error summary, as a person reads them."""
    form = response.context["form"]
    return sorted(str(error) for errors in form.errors.values() for error in errors)


def media_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


# --- who may see what --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("providers:dashboard"),
        reverse("providers:start"),
        reverse("providers:step", args=["kind"]),
        reverse("providers:check"),
        reverse("providers:profile"),
        reverse("providers:offers"),
        reverse("providers:offer_new"),
        reverse("providers:offer_withdraw", args=[1]),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assertRedirects(response, f"{reverse('account_login')}?next={url}")


def test_a_signed_in_person_without_a_profile_is_sent_from_the_dashboard_to_the_start(
    client, signed_in
):
    assertRedirects(client.get(reverse("providers:dashboard")), reverse("providers:start"))


def test_someone_who_already_offers_help_is_sent_to_their_dashboard(client, provider):
    for url in (reverse("providers:start"), step_url("kind"), reverse("providers:check")):
        response = client.get(url, follow=True)
        assertRedirects(response, reverse("providers:dashboard"))
        assertContains(response, "You have already offered help.")


# --- the journey, step by step -----------------------------------------------------------


def test_start_page_explains_and_links_to_the_first_question(client, signed_in):
    response = client.get(reverse("providers:start"))

    assertContains(response, '<h1 class="govuk-heading-xl">Offer help</h1>', html=True)
    assertContains(response, f'href="{step_url("kind")}"')


def test_kind_step_shows_radios_with_hints(client, signed_in):
    response = client.get(step_url("kind"))

    assertContains(response, "What kind of helper are you?")
    assertContains(response, 'class="govuk-radios__input"', count=3)
    assertContains(response, "Home cook")
    assertContains(response, "Cook an extra portion of your own meal")


@pytest.mark.parametrize("data", [{}, {"kind": "chef"}])
def test_kind_step_needs_a_kind(client, signed_in, data):
    response = client.post(step_url("kind"), data)

    assert response.status_code == 200
    assert errors_on(response) == ["Select what kind of helper you are"]
    assertContains(response, "There is a problem")


def test_kind_step_leads_to_what_you_can_help_with(client, signed_in):
    assertRedirects(client.post(step_url("kind"), {"kind": "cook"}), step_url("help"))


def test_later_steps_cannot_be_reached_before_the_earlier_ones(client, signed_in):
    assertRedirects(client.get(step_url("about")), step_url("kind"))
    client.post(step_url("kind"), {"kind": "cook"})
    assertRedirects(client.get(step_url("where")), step_url("help"))
    assertRedirects(client.get(reverse("providers:check")), step_url("help"))


def test_unknown_step_is_not_found(client, signed_in):
    assert client.get(step_url("nonsense")).status_code == 404


def test_help_step_offers_only_what_this_kind_of_helper_may_do(client, signed_in):
    answer_up_to(client, "kind")

    response = client.get(step_url("help"))

    assertContains(response, "A hot meal")
    assertContains(response, "Companionship")
    assertNotContains(response, "Personal care")
    assertNotContains(response, "Peer support")
    assertContains(response, "The council will need: Food hygiene certificate (level 2)")


@pytest.mark.parametrize(
    ("skills", "message"),
    [
        ([], "Select at least one thing you can help with"),
        (["personal-care"], "Select only things a helper like you can do"),
    ],
)
def test_help_step_validates_the_choice(client, signed_in, skills, message):
    answer_up_to(client, "kind")

    response = client.post(step_url("help"), {"skills": [category(s).pk for s in skills]})

    assert errors_on(response) == [message]


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter the times for at least one day"]),
        ({"monday_from": "09:00"}, ["Enter the time you finish on Monday"]),
        ({"tuesday_to": "12:00"}, ["Enter the time you start on Tuesday"]),
        (
            {"wednesday_from": "14:00", "wednesday_to": "09:00"},
            ["The end time on Wednesday must be after the start time"],
        ),
        (
            {"wednesday_from": "14:00", "wednesday_to": "14:00"},
            ["The end time on Wednesday must be after the start time"],
        ),
        (
            {"thursday_from": "25:00", "thursday_to": "26:00"},
            ["Enter a real time for Thursday, like 09:30"] * 2,
        ),
    ],
)
def test_availability_step_validates_each_day(client, signed_in, data, messages):
    answer_up_to(client, "help")

    response = client.post(step_url("availability"), data)

    assert errors_on(response) == messages


def test_availability_step_shows_one_row_per_day(client, signed_in):
    answer_up_to(client, "help")

    response = client.get(step_url("availability"))

    for day in Weekday:
        assertContains(response, f'govuk-fieldset__legend--s">{day.label}</legend>')
        assertContains(response, f"Add another time on {day.label}")
    # A first window per day, and a second folded under "Add another time".
    assertContains(response, 'type="time"', count=28)


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        ({}, ["Enter how far you can travel, in kilometres", "Enter your home postcode"]),
        (
            {"home_postcode": "XYZ", "travel_radius_km": "2"},
            ["Enter a full postcode, like RV1 2AB"],
        ),
        (
            {"home_postcode": "RV8 8ZZ", "travel_radius_km": "2"},
            ["We cannot find RV8 8ZZ. Enter a postcode in {area}"],
        ),
        (
            {"home_postcode": "rv99zz", "travel_radius_km": "2"},
            [
                "RV9 9ZZ is outside {area}. You can offer help through {service} only if you "
                "live in {area}"
            ],
        ),
        (
            {"home_postcode": "RV1 1AA", "travel_radius_km": "0.2"},
            ["The distance must be 0.5 km or more"],
        ),
        (
            {"home_postcode": "RV1 1AA", "travel_radius_km": "51"},
            ["The distance must be 50 km or less"],
        ),
        (
            {"home_postcode": "RV1 1AA", "travel_radius_km": "999"},
            ["The distance must be 50 km or less"],
        ),
        (
            {"home_postcode": "RV1 1AA", "travel_radius_km": "far"},
            ["Enter the distance as a number, like 2 or 2.5"],
        ),
        (
            {"home_postcode": "RV1 1AA", "travel_radius_km": "2.55"},
            ["Enter the distance to one decimal place, like 2.5"],
        ),
    ],
)
def test_where_step_validates_postcode_and_distance(client, signed_in, settings, data, messages):
    answer_up_to(client, "availability")

    response = client.post(step_url("where"), data)

    expected = [
        m.format(area=settings.COUNCIL_AREA, service=settings.SERVICE_NAME) for m in messages
    ]
    assert errors_on(response) == sorted(expected)


@pytest.mark.parametrize(
    ("data", "messages"),
    [
        (
            {},
            [
                "Enter how many people you could help at the same time",
                "Select at least one language you speak",
            ],
        ),
        ({"capacity": "0", "languages": ["en"]}, ["You must be able to help at least 1 person"]),
        ({"capacity": "21", "languages": ["en"]}, ["Enter 20 people or fewer"]),
        ({"capacity": "two", "languages": ["en"]}, ["Enter a whole number, like 2"]),
        ({"capacity": "2", "languages": ["en", "xx"]}, ["Select languages from the list"]),
    ],
)
def test_people_step_validates_capacity_and_languages(client, signed_in, data, messages):
    answer_up_to(client, "where")

    response = client.post(step_url("people"), data)

    assert errors_on(response) == messages


def test_people_step_lists_the_councils_languages(client, signed_in):
    answer_up_to(client, "where")

    response = client.get(step_url("people"))

    assertContains(response, "British Sign Language")
    assertContains(response, "Welsh")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bio": ""}, "Tell residents a little about yourself"),
        ({"bio": "x" * 1001}, "Use 1,000 characters or fewer"),
    ],
)
def test_about_step_needs_a_short_bio(client, signed_in, data, message):
    answer_up_to(client, "people")

    response = client.post(step_url("about"), data)

    assert errors_on(response) == [message]


def test_about_step_refuses_a_file_that_is_not_a_photo_and_stores_nothing(
    client, signed_in, _media
):
    answer_up_to(client, "people")

    response = client.post(step_url("about"), {"bio": "Hello", "photo": gif_upload()})

    assert errors_on(response) == ["The photo must be a JPG, PNG or WebP image"]
    assertContains(response, "govuk-form-group--error")
    assert media_files(_media) == []
    assert "about" not in client.session["offer_help"]


def test_about_step_keeps_a_processed_photo_until_the_answers_are_sent(client, signed_in, _media):
    answer_up_to(client, "people")

    response = client.post(step_url("about"), {"bio": "Hello", "photo": jpeg_upload()})

    assertRedirects(response, reverse("providers:check"))
    [draft] = media_files(_media)
    assert draft.startswith("provider-drafts/")
    with Image.open(_media / draft) as image:
        assert max(image.size) == 800


def test_a_new_photo_replaces_the_draft_and_remove_discards_it(client, signed_in, _media):
    answer_up_to(client, "people")
    client.post(step_url("about"), {"bio": "Hello", "photo": jpeg_upload()})
    [first] = media_files(_media)

    response = client.get(step_url("about"))
    assertContains(response, "Remove the photo you added")
    client.post(step_url("about"), {"bio": "Hello", "photo": jpeg_upload()})
    [second] = media_files(_media)
    assert first != second

    client.post(step_url("about"), {"bio": "Hello", "remove_photo": "on"})
    assert media_files(_media) == []
    assertContains(client.get(reverse("providers:check")), "Not added")


# --- check your answers and submit ---------------------------------------------------------


def test_check_your_answers_shows_every_answer_with_change_links(client, signed_in):
    answer_up_to(client, "about")

    response = client.get(reverse("providers:check"))

    for text in (
        "Home cook",
        "A hot meal",
        "Companionship",
        "Thursday, 17:00 to 19:00",
        "Saturday, 10:00 to 12:30",
        "RV1 1AA",
        "2.5 km",
        "English, Polish",
        "I cook a big pot of something most evenings.",
        "Not added",
    ):
        assertContains(response, text)
    assertContains(response, "govuk-summary-list")
    for slug in answers():
        assertContains(response, f'href="{step_url(slug)}"')


def test_changing_the_kind_asks_again_what_you_can_help_with(client, signed_in):
    answer_up_to(client, "about")

    response = client.post(step_url("kind"), {"kind": "carer"})

    # A carer cannot cook meals for the scheme, so the earlier choice no longer stands.
    assertRedirects(response, step_url("help"))
    assertRedirects(client.get(reverse("providers:check")), step_url("help"))


def test_changing_an_answer_returns_to_check_your_answers(client, signed_in):
    answer_up_to(client, "about")

    response = client.post(step_url("people"), {"capacity": "5", "languages": ["cy"]})

    assertRedirects(response, reverse("providers:check"))
    assertContains(client.get(reverse("providers:check")), "Welsh")


def test_submitting_creates_the_profile_and_shows_the_dashboard(client, signed_in, _media):
    answer_up_to(client, "people")
    client.post(step_url("about"), {**answers()["about"], "photo": jpeg_upload()})

    response = client.post(reverse("providers:check"), follow=True)

    assertRedirects(response, reverse("providers:dashboard"))
    assertContains(response, "Thank you for offering to help.")
    profile = ProviderProfile.objects.get(user=signed_in)
    assert profile.status == ProviderStatus.APPLIED
    assert profile.kind == "cook"
    assert (profile.home_postcode, profile.latitude, profile.longitude) == ("RV1 1AA", 51.46, -0.97)
    assert (profile.travel_radius_km, profile.capacity) == (2.5, 2)
    assert profile.languages == ["en", "pl"]
    assert sorted(c.slug for c in profile.skills.all()) == ["companionship", "meals"]
    assert [(a.weekday, str(a)) for a in profile.availability.all()] == [
        (Weekday.THURSDAY, "Thursday 17:00–19:00"),
        (Weekday.SATURDAY, "Saturday 10:00–12:30"),
    ]
    # The draft photo became the profile's; nothing else is left in storage.
    assert media_files(_media) == [profile.photo.name]
    assert profile.photo.name.startswith("providers/")
    assert signed_in.has_perm("accounts.change_providerprofile", profile)
    assert "offer_help" not in client.session
    # Nothing is verified yet: every check each kind of help needs is still to do.
    assertContains(response, "Food hygiene certificate (level 2)")
    assertContains(response, "Basic DBS check", count=2)
    assertContains(response, "Not started", count=3)


def test_a_draft_that_no_longer_validates_is_not_submitted(client, signed_in, postcodes):
    answer_up_to(client, "about")
    postcodes["home"].delete()

    response = client.post(reverse("providers:check"))

    assertRedirects(response, step_url("where"))
    assert not ProviderProfile.objects.exists()


def test_submitting_twice_creates_one_profile(client, signed_in):
    answer_up_to(client, "about")
    session_draft = client.session["offer_help"]
    client.post(reverse("providers:check"))
    session = client.session
    session["offer_help"] = session_draft
    session.save()

    response = client.post(reverse("providers:check"))

    assertRedirects(response, reverse("providers:dashboard"))
    assert ProviderProfile.objects.count() == 1


# --- the dashboard --------------------------------------------------------------------------


def test_dashboard_shows_what_is_still_needed_for_each_kind_of_help(client, provider):
    CheckFactory(provider=provider, kind=CheckKind.DBS_BASIC, verified=True)
    CheckFactory(provider=provider, kind=CheckKind.FOOD_HYGIENE)  # waiting for the council
    AvailabilityFactory(provider=provider, weekday=Weekday.THURSDAY)

    response = client.get(reverse("providers:dashboard"))

    assertContains(response, "Applied")
    assertContains(response, "is checking your application")
    assertContains(response, "govuk-task-list")
    categories = {c["category"].slug: c["tasks"] for c in response.context["categories"]}
    assert [t["kind"] for t in categories["meals"]] == [CheckKind.FOOD_HYGIENE]
    assert categories["companionship"] == []
    assertContains(response, "Waiting for the council")
    assertContains(response, "The council has verified everything needed for companionship.")
    assertContains(response, "Thursday")
    assertContains(response, "17:00 to 19:00")


def test_dashboard_shows_an_expired_check_as_still_needed(client, provider):
    CheckFactory(provider=provider, kind=CheckKind.DBS_BASIC, verified=True, expires_at=YESTERDAY)
    CheckFactory(provider=provider, kind=CheckKind.FOOD_HYGIENE, verified=True)

    response = client.get(reverse("providers:dashboard"))

    assertContains(response, f"Expired on {YESTERDAY:%-d %B %Y}", count=2)


@pytest.mark.parametrize(
    ("trait", "text"),
    [
        ({"active": True}, "You can be matched with people who need help"),
        ({"suspended": True}, "The council has paused your account"),
        ({"status": "rejected"}, "The council could not approve your application"),
    ],
)
def test_dashboard_explains_the_status(client, trait, text):
    profile = ProviderProfileFactory(**trait)
    client.force_login(profile.user)

    assertContains(client.get(reverse("providers:dashboard")), text)


def test_dashboard_shows_the_photo_from_media(client, provider, settings):
    client.post(reverse("providers:photo"), {"photo": jpeg_upload()})
    provider.refresh_from_db()

    response = client.get(reverse("providers:dashboard"))

    assertContains(response, f'src="{settings.MEDIA_URL}{provider.photo.name}"')


# --- editing -----------------------------------------------------------------------------


def test_edit_profile_saves_valid_changes(client, provider):
    response = client.get(reverse("providers:profile"))
    assertContains(response, "Change your profile")

    response = client.post(
        reverse("providers:profile"),
        {
            "skills": [category("meals").pk],
            "home_postcode": "rv1 1aa",
            "travel_radius_km": "4",
            "capacity": "3",
            "languages": ["en", "so"],
            "bio": "Updated",
        },
        follow=True,
    )

    assertContains(response, "Your profile has been updated.")
    provider.refresh_from_db()
    assert (provider.travel_radius_km, provider.capacity, provider.bio) == (4, 3, "Updated")
    assert provider.languages == ["en", "so"]
    assert [c.slug for c in provider.skills.all()] == ["meals"]


def test_edit_profile_shows_the_same_errors_as_the_journey(client, provider, settings):
    response = client.post(
        reverse("providers:profile"),
        {
            "skills": [category("personal-care").pk],
            "home_postcode": "RV9 9ZZ",
            "travel_radius_km": "60",
            "capacity": "0",
            "bio": "",
        },
    )

    area, service = settings.COUNCIL_AREA, settings.SERVICE_NAME
    assert errors_on(response) == sorted(
        [
            "Select only things a helper like you can do",
            f"RV9 9ZZ is outside {area}. You can offer help through {service} only if you "
            f"live in {area}",
            "The distance must be 50 km or less",
            "You must be able to help at least 1 person",
            "Select at least one language you speak",
            "Tell residents a little about yourself",
        ]
    )
    provider.refresh_from_db()
    assert provider.travel_radius_km == 3


def test_edit_availability(client, provider):
    AvailabilityFactory(provider=provider, weekday=Weekday.MONDAY)
    assertContains(client.get(reverse("providers:availability")), 'value="17:00"')

    response = client.post(
        reverse("providers:availability"), {"friday_from": "09:00", "friday_to": "08:00"}
    )
    assert errors_on(response) == ["The end time on Friday must be after the start time"]

    response = client.post(
        reverse("providers:availability"), {"friday_from": "09:00", "friday_to": "11:00"}
    )
    assertRedirects(response, reverse("providers:dashboard"))
    assert [str(a) for a in provider.availability.all()] == ["Friday 09:00–11:00"]


def test_edit_photo_upload_replace_and_remove(client, provider, _media):
    response = client.post(reverse("providers:photo"), {})
    assert errors_on(response) == ["Select a photo to upload"]

    response = client.post(reverse("providers:photo"), {"photo": gif_upload()})
    assert errors_on(response) == ["The photo must be a JPG, PNG or WebP image"]
    assert media_files(_media) == []

    response = client.post(reverse("providers:photo"), {"photo": jpeg_upload()}, follow=True)
    assertContains(response, "Your photo has been updated.")
    provider.refresh_from_db()
    assert media_files(_media) == [provider.photo.name]

    response = client.post(reverse("providers:photo"), {"remove_photo": "on"}, follow=True)
    assertContains(response, "Your photo has been removed.")
    provider.refresh_from_db()
    assert not provider.photo


# --- one-off offers ------------------------------------------------------------------------


def offer_data(**overrides):
    return {
        "category": category("meals").pk,
        "description": "Two extra portions of a vegetarian lasagne",
        "portions": "2",
        "dietary_notes": "Vegetarian",
        "on_date": IN_THREE_DAYS.isoformat(),
        "starts_at": "18:00",
        "ends_at": "19:30",
        "max_distance_km": "2",
        **overrides,
    }


def test_post_an_offer(client, provider):
    response = client.get(reverse("providers:offer_new"))
    assertContains(response, "Post an offer")
    assertNotContains(response, "Personal care")

    response = client.post(reverse("providers:offer_new"), offer_data(), follow=True)

    assertRedirects(response, reverse("providers:offers"))
    assertContains(response, "Your offer has been posted.")
    assertContains(response, "Two extra portions of a vegetarian lasagne")
    offer = Offer.objects.get()
    assert offer.provider == provider
    assert offer.status == OfferStatus.OPEN
    assert (offer.latitude, offer.longitude) == (provider.latitude, provider.longitude)
    assert (offer.portions, offer.max_distance_km) == (2, 2)
    assert provider.user.has_perm("services.change_offer", offer)


@pytest.mark.parametrize(
    ("overrides", "messages"),
    [
        (
            {"category": "", "description": ""},
            ["Describe your offer", "Select what you are offering"],
        ),
        ({"category": "personal-care"}, ["Select what you are offering"]),
        ({"on_date": YESTERDAY.isoformat()}, ["The date must be today or in the future"]),
        ({"on_date": "2025-02-30"}, ["Enter a real date"]),
        (
            {"on_date": (timezone.localdate() + datetime.timedelta(days=120)).isoformat()},
            ["The date must be within the next 90 days"],
        ),
        ({"starts_at": "19:00", "ends_at": "18:00"}, ["The end time must be after the start time"]),
        (
            {"starts_at": "", "ends_at": "7pm"},
            ["Enter a real end time, like 19:00", "Enter the start time"],
        ),
        ({"max_distance_km": "0"}, ["The distance must be 0.5 km or more"]),
        ({"max_distance_km": ""}, ["Enter how far you will take it, in kilometres"]),
        ({"portions": "0"}, ["Enter at least 1 portion"]),
        ({"portions": "21"}, ["Enter 20 portions or fewer"]),
        ({"description": "x" * 241}, ["Use 240 characters or fewer"]),
    ],
)
def test_post_an_offer_validates_input(client, provider, overrides, messages):
    if overrides.get("category") == "personal-care":
        overrides["category"] = category("personal-care").pk

    response = client.post(reverse("providers:offer_new"), offer_data(**overrides))

    assert response.status_code == 200
    assert errors_on(response) == sorted(messages)
    assert not Offer.objects.exists()


def test_a_suspended_provider_cannot_post_offers(client):
    profile = ProviderProfileFactory(suspended=True, skills=[category("meals")])
    client.force_login(profile.user)

    response = client.post(reverse("providers:offer_new"), offer_data())

    assert errors_on(response) == [
        "You cannot post offers at the moment. Contact the council to find out why."
    ]
    assert not Offer.objects.exists()


def test_offers_list_filters_by_status_and_date(client, provider):
    OfferFactory(provider=provider, description="Soup on Friday")
    OfferFactory(provider=provider, description="Old stew", status=OfferStatus.WITHDRAWN)
    OfferFactory(
        provider=provider,
        description="Curry next month",
        on_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    OfferFactory(description="Someone else's pie")

    response = client.get(reverse("providers:offers"))
    assertContains(response, "3 offers")
    assertNotContains(response, "Someone else")

    response = client.get(reverse("providers:offers"), {"status": "withdrawn"})
    assertContains(response, "Old stew")
    assertNotContains(response, "Soup on Friday")

    later = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = client.get(reverse("providers:offers"), {"on_date": later})
    assertContains(response, "Curry next month")
    assertNotContains(response, "Soup on Friday")

    response = client.get(reverse("providers:offers"), {"status": "nonsense", "on_date": "soon"})
    assert response.status_code == 200
    assertContains(response, "govuk-error-message")


def test_withdraw_an_offer_after_confirming(client, provider):
    offer = OfferFactory(provider=provider)
    url = reverse("providers:offer_withdraw", args=[offer.pk])

    response = client.get(url)
    assertContains(response, "Are you sure you want to withdraw this offer?")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN

    response = client.post(url, follow=True)

    assertRedirects(response, reverse("providers:offers"))
    assertContains(response, "has been withdrawn.")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN


def test_withdrawing_twice_is_refused_with_a_message(client, provider):
    offer = OfferFactory(provider=provider)
    url = reverse("providers:offer_withdraw", args=[offer.pk])
    client.post(url)

    response = client.post(url, follow=True)
    assertContains(response, "This offer is withdrawn, so it cannot be withdrawn.")

    response = client.get(url, follow=True)
    assertRedirects(response, reverse("providers:offers"))
    assertContains(response, "This offer is withdrawn, so it cannot be withdrawn.")


def test_only_the_owner_can_see_or_withdraw_an_offer(client, provider):
    offer = OfferFactory(provider=provider)
    url = reverse("providers:offer_withdraw", args=[offer.pk])
    other_provider = ProviderProfileFactory()
    outsider = UserFactory()

    for person in (other_provider.user, outsider):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404

    client.force_login(provider.user)
    assert client.get(url).status_code == 200
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


@pytest.mark.parametrize("count", [5, 50])
def test_offers_list_runs_a_constant_number_of_queries(
    client, provider, django_assert_max_num_queries, count
):
    OfferFactory.create_batch(count, provider=provider)
    # Guardian looks up the permission's content type once per process, then caches it.
    client.get(reverse("providers:offers"))

    # 1 session, 2 user, 3 provider profile, 4 count of the filtered offers, 5 the header
    # navigation's facts (is a provider, unread notifications), 6 the page of offers with
    # their category (joined). Guardian's permission filter is a subquery, not a query.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("providers:offers"))

    assert response.status_code == 200
    assertContains(response, f"{count} offers")
