"""English | Cymraeg: the header's switch, the account's language, Accept-Language, the
English admin and emails written in their recipient's language."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.emails import send_templated_email
from accounts.exceptions import TransitionError
from accounts.languages import lazy_message
from matchmaking.lifecycle import match_accept
from matchmaking.notifications import notify
from tests.factories import PASSWORD, NeedFactory, StaffFactory, UserFactory
from tests.match_factories import MatchFactory
from tests.matchmaking.test_notify import fake_notify, send  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

WELSH_HEADING = "Cael help gan bobl yn agos atoch, neu gynnig eich help chi"
ENGLISH_HEADING = "Get help from people near you, or offer yours"
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A Welsh request leaves Welsh active in this thread; the next test must start in English.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def home(client, **headers):
    return client.get(reverse("home"), headers=headers).content.decode()


def test_a_first_visit_with_accept_language_cy_is_in_welsh(client):
    html = home(client, accept_language="cy,en;q=0.5")
    assert '<html lang="cy"' in html and WELSH_HEADING in html
    # The switch offers the other language, named in itself.
    assert 'lang="en-GB">English</button>' in html


def test_a_first_visit_in_english_offers_cymraeg(client):
    html = home(client, accept_language="en-GB")
    assert '<html lang="en-GB"' in html and ENGLISH_HEADING in html
    assert 'lang="cy">Cymraeg</button>' in html


@pytest.mark.parametrize("accept_language", ["fr", "xx-yy", "", "de;q=1, zz"])
def test_unknown_languages_fall_back_to_english(client, accept_language):
    assert ENGLISH_HEADING in home(client, accept_language=accept_language)


def test_an_unknown_language_cookie_falls_back_to_english(client):
    client.cookies[COOKIE] = "klingon"
    assert ENGLISH_HEADING in home(client, accept_language="")


def test_the_switch_keeps_a_visitors_choice_in_a_cookie_and_returns_to_the_page(client):
    response = client.post(reverse("language_set"), {"language": "cy", "next": "/privacy/"})
    assert response.status_code == 302 and response.url == "/privacy/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "cy" and cookie["max-age"] == settings.LANGUAGE_COOKIE_AGE
    assert cookie["samesite"] == "Lax" and cookie["httponly"]
    # The cookie wins over the browser's Accept-Language from then on.
    assert WELSH_HEADING in home(client, accept_language="en-GB")

    client.post(reverse("language_set"), {"language": "en-gb", "next": "/"})
    assert ENGLISH_HEADING in home(client, accept_language="cy")


def test_the_switch_stores_an_unknown_language_as_english(client):
    response = client.post(reverse("language_set"), {"language": "fr", "next": "/"})
    assert response.cookies[COOKIE].value == "en-gb"


def test_the_switch_never_sends_someone_to_another_site(client):
    response = client.post(
        reverse("language_set"), {"language": "cy", "next": "https://evil.example.com/"}
    )
    assert response.url == reverse("home")


def test_the_switch_is_a_post(client):
    assert client.get(reverse("language_set"), {"language": "cy"}).status_code == 405


def test_a_signed_in_persons_choice_is_stored_on_their_account(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("language_set"), {"language": "cy", "next": "/"})
    user.refresh_from_db()
    assert user.language == "cy"

    # Another browser, no cookie, an English Accept-Language: still Welsh for them.
    elsewhere = type(client)()
    elsewhere.force_login(user)
    response = elsewhere.get(reverse("home"), headers={"accept_language": "en-GB"})
    assert WELSH_HEADING in response.content.decode()
    # ...and the browser is given the cookie, so pages stay Welsh after signing out.
    assert response.cookies[COOKIE].value == "cy"


def test_signing_in_switches_to_the_accounts_language(client):
    UserFactory(email="rose@example.org", language="cy")
    client.cookies[COOKIE] = "en-gb"
    client.post(reverse("account_login"), {"login": "rose@example.org", "password": PASSWORD})
    assert WELSH_HEADING in home(client, accept_language="en-GB")


def test_an_english_account_signing_in_from_a_welsh_browser_reads_english(client):
    UserFactory(email="tom@example.org", language="en-gb")
    client.cookies[COOKIE] = "cy"
    client.post(reverse("account_login"), {"login": "tom@example.org", "password": PASSWORD})
    assert ENGLISH_HEADING in home(client, accept_language="cy")


def test_an_account_made_on_welsh_pages_is_welsh(client):
    from accounts.models import User

    client.cookies[COOKIE] = "cy"
    client.post(
        reverse("account_signup"),
        {
            "full_name": "Rhian Jones",
            "known_as": "Rhian",
            "email": "rhian@example.org",
            "password1": "a long and memorable passphrase",
            "password2": "a long and memorable passphrase",
        },
    )
    assert User.objects.get(email="rhian@example.org").language == "cy"


def test_the_admin_stays_in_english_for_welsh_staff(client):
    staff = StaffFactory(language="cy")
    client.force_login(staff)
    client.cookies[COOKIE] = "cy"
    response = client.get(reverse("admin:index"), headers={"accept_language": "cy"})
    assert response.status_code == 200
    assert response["Content-Language"] == "en-gb"
    html = response.content.decode()
    # Django's own admin strings are translated into Welsh; staff still see them in English.
    assert "Log out" in html and "Allgofnodi" not in html
    # The public pages are still Welsh for them.
    assert WELSH_HEADING in home(client)


def test_emails_go_in_each_recipients_language(django_capture_on_commit_callbacks):
    rhian, tom = UserFactory(language="cy"), UserFactory(language="en-gb")
    need = NeedFactory(requested_by=rhian)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en-gb"):
        send_templated_email(
            to=[rhian.email, tom.email, "no.account@example.org"],
            template="services/email/need_received",
            context={"need": need},
        )
    by_address = {message.to[0]: message for message in mail.outbox}
    welsh = by_address[rhian.email]
    assert welsh.subject.endswith(f"Mae eich cais am help gennym: {need.reference}")
    assert "Eich cyfeirnod yw" in welsh.body and "Pryd o fwyd poeth" not in welsh.subject
    assert by_address[tom.email].subject.endswith(
        f"We have your request for help: {need.reference}"
    )
    # An address without an account gets the sender's language.
    assert "Your reference is" in by_address["no.account@example.org"].body


def test_a_notification_email_to_a_welsh_account_is_in_welsh(django_capture_on_commit_callbacks):
    rhian = UserFactory(language="cy", first_name="Rhian")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[rhian], message="Request R-1 has a helper.", url="/requests/")
    assert mail.outbox[-1].body.startswith("Helo Rhian,")
    assert "Gweld y manylion a beth i’w wneud nesaf:" in mail.outbox[-1].body


def test_a_notification_is_written_in_each_readers_own_language(
    django_capture_on_commit_callbacks,
):
    from matchmaking import visits
    from matchmaking.constants import MatchStatus
    from matchmaking.models import Notification, Visit
    from services.constants import NeedStatus
    from tests.matching import eligible_cook, make_match

    rhian = UserFactory(language="cy", first_name="Rhian")
    need = NeedFactory(requested_by=rhian, status=NeedStatus.MATCHED)
    match = make_match(need, eligible_cook(need), MatchStatus.ACTIVE)
    helper = match.provider.user
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    start += datetime.timedelta(days=(7 - start.weekday()) or 7)  # next Monday, 10:00
    visit = Visit.objects.create(
        match=match, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=True), translation.override("en-gb"):
        visits.visit_cancel(visit=visit, actor=helper)

    told = Notification.objects.get(user=rhian)
    with translation.override("cy"):
        day = date_format(start, "l j F")  # Django's own Welsh names of days and months
    assert day.startswith("Dydd Llun")
    assert told.message == (
        f"Ni all {helper.display_name} ddod ar {day} am 10:00. Mae’n ddrwg gennym am y newid."
    )
    welsh_email = next(m for m in mail.outbox if m.to == [rhian.email])
    assert told.message in welsh_email.body and welsh_email.body.startswith("Helo Rhian,")


def test_the_sign_in_and_sign_up_pages_are_in_welsh_too(client):
    client.cookies[COOKIE] = "cy"
    sign_in = client.get(reverse("account_login")).content.decode()
    assert "Mewngofnodi" in sign_in and "Cyfrinair" in sign_in and "Sign In" not in sign_in
    sign_up = client.get(reverse("account_signup")).content.decode()
    assert "Creu cyfrif" in sign_up and "Beth ddylen ni eich galw chi?" in sign_up

    response = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "x"}
    )
    assert "Nid yw’r cyfeiriad e-bost a/neu’r cyfrinair a roesoch yn gywir." in (
        response.content.decode()
    )


def test_the_apis_own_error_messages_follow_the_language_too(client):
    client.force_login(UserFactory(language="cy"))
    response = client.post("/api/v1/offers/", {}, content_type="application/json")
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == "Cynigiwch help yn gyntaf: mae angen proffil cynorthwyydd ar hyn."
    )
    assert response["Content-Language"] == "cy"


def test_an_offer_to_a_welsh_helper_is_in_welsh_and_its_answer_to_an_english_resident_is_not(
    django_capture_on_commit_callbacks,
):
    from matchmaking import lifecycle
    from matchmaking.models import Notification
    from tests.factories import category
    from tests.matching import NOW, eligible_cook

    need = NeedFactory(category=category("meals"), contact_name="Rose Turner")
    cook = eligible_cook(need)
    cook.user.language = "cy"
    cook.user.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        match = lifecycle.need_offer_next(need=need, now=NOW)
        lifecycle.match_accept(match=match, actor=cook.user, now=NOW)

    offer = Notification.objects.get(user=cook.user).message
    assert offer.startswith("Allwch chi helpu? Mae angen pryd o fwyd poeth ar Rose tua ")
    with translation.override("cy"):
        assert need.when_display in offer  # "Iau 3 Rhag 2026, 12:00–13:00": Welsh names
    assert "Atebwch erbyn" in offer
    told = Notification.objects.get(user=need.requested_by).message
    assert told == (
        f"{cook.user.display_name} can help with request {need.reference}. "
        "Please confirm, or ask for someone else."
    )


def test_the_kinds_of_help_the_council_seeded_read_in_welsh(client):
    from tests.factories import category

    rhian = UserFactory(language="cy")
    need = NeedFactory(requested_by=rhian, category=category("meals"))
    client.force_login(rhian)
    assert "Pryd o fwyd poeth" in client.get(reverse("needs:list")).content.decode()
    detail = client.get(reverse("needs:detail", args=[need.reference])).content.decode()
    assert '<h1 class="govuk-heading-l">Pryd o fwyd poeth</h1>' in detail


def test_texts_to_a_welsh_account_are_in_welsh(client, fake_notify, send):  # noqa: F811
    from accounts.constants import ContactMethod
    from tests.matchmaking.test_notify import choose_texts, confirm, texts_to

    rhian = UserFactory(language="cy", contact_method=ContactMethod.TEXT)
    client.force_login(rhian)
    choose_texts(client, send)
    [code_text] = texts_to(fake_notify, "+447700900123")
    assert code_text.endswith(
        f"yw eich cod {settings.SERVICE_NAME} i gadarnhau’r rhif hwn. Mae’n gweithio am 15 munud."
    )
    confirm(client, send, fake_notify)
    rhian.refresh_from_db()

    send(
        lambda: notify(
            users=[rhian],
            message=lazy_message(
                _("%(name)s rated your help %(score)s out of 5."), name="Rose", score=5
            ),
        )
    )
    assert texts_to(fake_notify, "+447700900123")[-1].startswith(
        f"{settings.SERVICE_NAME}: Rhoddodd Rose sgôr o 5 allan o 5 i’ch help."
    )


def test_a_step_a_match_can_no_longer_take_is_refused_in_the_readers_language():
    match = MatchFactory(completed=True)

    with translation.override("cy"), pytest.raises(TransitionError) as refused:
        match_accept(match=match, actor=match.provider.user)

    assert str(refused.value) == "Statws y paru hwn yw “wedi’i gwblhau”, felly ni ellir ei dderbyn."


def test_a_batch_of_offers_reads_each_in_its_own_helpers_language(
    django_capture_on_commit_callbacks,
):
    # A batch allocation writes its notices together: Welsh, English, Welsh again, each
    # with the kind of help and the answer-by date in the reader's language.
    from matchmaking import lifecycle
    from matchmaking.models import Notification
    from tests.factories import category
    from tests.matching import NOW, eligible_cook

    edges, cooks = [], []
    for language in ("cy", "en-gb", "cy"):
        need = NeedFactory(category=category("meals"), contact_name="Rose Turner")
        cook = eligible_cook(need)
        cook.user.language = language
        cook.user.save(update_fields=["language"])
        cooks.append(cook)
        edges.append(
            lifecycle.AllocatedEdge(need=need.pk, provider=cook.pk, score=0.5, explanation={})
        )
    with django_capture_on_commit_callbacks(execute=True):
        result = lifecycle.need_offer_allocated_many(edges=edges, now=NOW)

    assert len(result.offers) == 3
    welsh, english, welsh_again = (
        Notification.objects.get(user=cook.user).message for cook in cooks
    )
    assert welsh.startswith("Allwch chi helpu? Mae angen pryd o fwyd poeth ar Rose")
    assert welsh_again.startswith("Allwch chi helpu? Mae angen pryd o fwyd poeth ar Rose")
    assert english.startswith("Can you help? Rose needs a hot meal")
    assert "Atebwch erbyn" in welsh and "Please answer by" in english
    with translation.override("cy"):
        welsh_date = date_format(timezone.localtime(result.offers[0].expires_at), "j F H:i")
    assert welsh.endswith(f"{welsh_date}.") and welsh_date not in english
