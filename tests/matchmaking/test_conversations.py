"""A match's conversation (matchmaking/conversations.py) on the web and in the admin.

The cast: Rose asked for help through Sam (her referrer), Priya the provider is matched
with her in ward A. Outsiders: another resident, a provider not in the match, and staff of
ward A and of ward B (staff never take part; they read only while a concern is open).
"""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.constants import SAFEGUARDING_LEADS_GROUP
from accounts.exceptions import TransitionError
from matchmaking import conversations, lifecycle, privacy, safeguarding
from matchmaking.constants import ConcernKind, MatchStatus
from matchmaking.models import Concern, Conversation, Message, Notification
from matchmaking.scoping import grant_area
from tests.factories import (
    AreaFactory,
    NeedFactory,
    PostcodeFactory,
    StaffFactory,
    UserFactory,
    enable_two_factor,
)
from tests.matching import eligible_cook, make_match

pytestmark = pytest.mark.django_db

RESIDENT_PHONE = "07700 900456"
PROVIDER_PHONE = "07700 900999"
PROVIDER_EMAIL = "priya@example.org"


@pytest.fixture
def area(db):
    return AreaFactory(name="Northgate")


@pytest.fixture
def need(area):
    referrer = UserFactory(first_name="Sam")
    resident = UserFactory(first_name="Rose")
    return NeedFactory(
        requested_by=referrer,
        resident=resident,
        area=area,
        contact_name="Rose Turner",
        phone=RESIDENT_PHONE,
        on_date=timezone.localdate() + datetime.timedelta(days=3),
    )


@pytest.fixture
def provider(need):
    user = UserFactory(first_name="Priya", phone=PROVIDER_PHONE, email=PROVIDER_EMAIL)
    return eligible_cook(need, user=user)


@pytest.fixture
def match(need, provider):
    return make_match(need, provider, MatchStatus.ACTIVE, confirmed_at=timezone.now())


@pytest.fixture
def staff_a(area):
    user = StaffFactory()
    grant_area(user, area)
    return user


@pytest.fixture
def staff_b(db):
    user = StaffFactory()
    grant_area(user, AreaFactory(name="Southbank"))
    return user


@pytest.fixture
def lead(db):
    user = UserFactory(is_staff=True)
    enable_two_factor(user)
    user.groups.add(Group.objects.get(name=SAFEGUARDING_LEADS_GROUP))
    return user


def url(match, name="matchmaking:conversation"):
    return reverse(name, args=[match.pk])


def post(client, user, match, body):
    client.force_login(user)
    return client.post(url(match), {"body": body}, follow=True)


def page(client, user, match):
    client.force_login(user)
    return client.get(url(match)).content.decode()


# --- who takes part ---------------------------------------------------------------------------


def test_accepting_an_offer_opens_the_conversation(need, provider):
    offer = make_match(need, provider, MatchStatus.OFFERED)
    lifecycle.match_accept(match=offer, actor=provider.user)
    assert Conversation.objects.filter(match=offer).exists()


def test_resident_referrer_and_provider_all_take_part(client, need, provider, match):
    post(client, need.resident, match, "Thursday at noon suits me")
    post(client, need.requested_by, match, "I will be there too")
    post(client, provider.user, match, "See you then")
    html = page(client, need.resident, match)
    for text in ("Thursday at noon suits me", "I will be there too", "See you then"):
        assert text in html
    assert Message.objects.filter(conversation__match=match).count() == 3


def test_outsiders_get_404_and_nothing_is_stored(client, need, match, staff_a):
    message = conversations.message_post(match=match, actor=need.resident, body="Hello")
    outsiders = [UserFactory(), eligible_cook(need).user, staff_a]
    for outsider in outsiders:
        client.force_login(outsider)
        assert client.get(url(match)).status_code == 404
        assert client.post(url(match), {"body": "Let me in"}).status_code == 404
        share = url(match, "matchmaking:conversation_share")
        assert client.post(share, {"share": "yes"}).status_code == 404
        report = reverse("matchmaking:conversation_report", args=[match.pk, message.pk])
        assert client.get(report).status_code == 404
    assert list(Message.objects.values_list("body", flat=True)) == ["Hello"]
    assert not Concern.objects.exists()


def test_staff_cannot_post_even_in_their_area(match, staff_a):
    with pytest.raises(TransitionError, match="not part of this conversation"):
        conversations.message_post(match=match, actor=staff_a, body="Hello")
    assert not Message.objects.exists()


# --- when --------------------------------------------------------------------------------------


def test_before_acceptance_nobody_can_post(client, need, provider):
    offer = make_match(need, provider, MatchStatus.OFFERED)
    response = post(client, need.resident, offer, "Hello?")
    assert "You can send messages once the offer has been accepted" in response.content.decode()
    assert not Message.objects.exists()


def test_read_only_30_days_after_the_match_ends(client, need, provider):
    ended = timezone.now() - datetime.timedelta(days=31)
    done = make_match(need, provider, MatchStatus.COMPLETED, accepted_at=ended, ended_at=ended)
    Conversation.objects.create(match=done, opened_at=ended)
    Message.objects.create(conversation=done.conversation, sender=provider.user, body="Bye")
    response = post(client, need.resident, done, "One more thing")
    html = response.content.decode()
    assert "This conversation closed" in html and "Bye" in html  # still readable
    assert 'name="body"' not in page(client, need.resident, done)  # no form offered
    assert Message.objects.count() == 1


def test_still_open_29_days_after_the_match_ends(client, need, provider):
    ended = timezone.now() - datetime.timedelta(days=29)
    done = make_match(need, provider, MatchStatus.COMPLETED, accepted_at=ended, ended_at=ended)
    post(client, need.resident, done, "Thank you again")
    assert Message.objects.get().body == "Thank you again"


def test_a_blocked_pair_cannot_post(client, need, provider, match):
    safeguarding.block_pair(resident=need.resident, provider=provider, actor=need.resident)
    match.refresh_from_db()  # the block ended the live match; the pair stays blocked
    for user in (provider.user, need.resident):
        response = post(client, user, match, "Please answer")
        assert "You cannot send messages in this conversation" in response.content.decode()
    assert not Message.objects.exists()


# --- what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Write a message"),
        ("x" * 2001, "2,000 characters or fewer"),
        ("Hello\x00there", "Null characters are not allowed"),
    ],
)
def test_bad_messages_get_a_clear_error_on_the_page(client, need, match, body, error):
    client.force_login(need.resident)
    response = client.post(url(match), {"body": body})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write a message"),
        ("x" * 2001, "2,000 characters or fewer"),
        ("Hi\x00", "NUL"),
    ],
)
def test_the_service_refuses_bad_messages_itself(need, match, body, error):
    with pytest.raises(TransitionError, match=error):
        conversations.message_post(match=match, actor=need.resident, body=body)
    assert not Message.objects.exists()


def test_messages_are_escaped_and_links_are_not_made_clickable(client, need, provider, match):
    post(client, provider.user, match, "<b>Hi</b> see http://example.net/x")
    html = page(client, need.resident, match)
    assert "&lt;b&gt;Hi&lt;/b&gt;" in html
    assert 'href="http://example.net/x"' not in html


def test_sending_is_rate_limited_per_person(need, provider, match):
    for n in range(conversations.RATE_LIMIT_MESSAGES):
        conversations.message_post(match=match, actor=need.resident, body=f"Message {n}")
    with pytest.raises(TransitionError, match="a lot of messages in a short time"):
        conversations.message_post(match=match, actor=need.resident, body="One too many")
    # The limit is the sender's: the provider can still reply.
    conversations.message_post(match=match, actor=provider.user, body="Got them all")
    assert Message.objects.count() == conversations.RATE_LIMIT_MESSAGES + 1


# --- telling people ------------------------------------------------------------------------------


def test_a_new_message_is_notified_in_app_and_by_email_without_its_text(
    need, provider, match, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        conversations.message_post(match=match, actor=provider.user, body="My secret door code")
    told = {n.user for n in Notification.objects.all()}
    assert told == {need.resident, need.requested_by}
    assert Notification.objects.first().url == url(match)
    assert {address for m in mail.outbox for address in m.to} == {
        need.resident.email,
        need.requested_by.email,
    }
    for email in mail.outbox:
        assert "Priya" in email.subject
        assert f"/matches/{match.pk}/conversation/" in email.body
        assert "secret door code" not in email.body + email.subject


def test_many_messages_in_a_short_time_send_one_email(
    need, provider, match, django_capture_on_commit_callbacks
):
    now = timezone.now()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for minutes in (0, 2, 5):
            conversations.message_post(
                match=match,
                actor=provider.user,
                body=f"Message at {minutes}",
                now=now + datetime.timedelta(minutes=minutes),
            )
    to_rose = [m for m in mail.outbox if need.resident.email in m.to]
    assert len(to_rose) == 1
    # One unread notification each, however many messages.
    assert Notification.objects.filter(user=need.resident).count() == 1


def test_an_email_goes_again_once_read_or_after_a_quiet_period(
    need, provider, match, django_capture_on_commit_callbacks
):
    now = timezone.now()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        conversations.message_post(match=match, actor=provider.user, body="One", now=now)
        conversations.conversation_mark_read(
            match=match, user=need.resident, now=now + datetime.timedelta(minutes=1)
        )
        conversations.message_post(
            match=match, actor=provider.user, body="Two", now=now + datetime.timedelta(minutes=2)
        )
        conversations.message_post(
            match=match,
            actor=provider.user,
            body="Three",
            now=now + datetime.timedelta(minutes=20),
        )
    to_rose = [m for m in mail.outbox if need.resident.email in m.to]
    assert len(to_rose) == 3


def test_opening_the_conversation_marks_its_notifications_read(client, need, provider, match):
    conversations.message_post(match=match, actor=provider.user, body="Hello")
    page(client, need.resident, match)
    assert not Notification.objects.filter(user=need.resident, read_at__isnull=True).exists()


# --- reporting -----------------------------------------------------------------------------------


def test_reporting_a_message_raises_a_concern_with_the_message_attached(
    client, need, provider, match
):
    message = conversations.message_post(match=match, actor=provider.user, body="Send me cash")
    client.force_login(need.resident)
    report = reverse("matchmaking:conversation_report", args=[match.pk, message.pk])
    assert "Send me cash" in client.get(report).content.decode()
    response = client.post(
        report, {"kind": ConcernKind.CONDUCT, "description": "Asked for money"}, follow=True
    )
    assert "We have received your report" in response.content.decode()
    concern = Concern.objects.get()
    assert concern.about == provider.user and concern.match == match
    message.refresh_from_db()
    assert message.reported_in == concern


def test_you_cannot_report_your_own_message(client, need, match):
    message = conversations.message_post(match=match, actor=need.resident, body="Hello")
    client.force_login(need.resident)
    report = reverse("matchmaking:conversation_report", args=[match.pk, message.pk])
    assert client.get(report).status_code == 404
    with pytest.raises(TransitionError):
        conversations.message_report(message=message, actor=need.resident, description="x")
    assert not Concern.objects.exists()


# --- phone and email: each side chooses ----------------------------------------------------


def match_page(client, user, match, provider_side):
    name = "matchmaking:offer_detail" if provider_side else "matchmaking:need_match"
    client.force_login(user)
    return client.get(reverse(name, args=[match.pk])).content.decode()


def test_phone_and_email_are_not_shown_until_each_side_shares(client, need, provider, match):
    assert RESIDENT_PHONE not in match_page(client, provider.user, match, True)
    resident_view = match_page(client, need.resident, match, False)
    assert PROVIDER_PHONE not in resident_view and PROVIDER_EMAIL not in resident_view
    # The address is still the provider's, because they need it to help.
    assert "1 High Street" in match_page(client, provider.user, match, True)


def test_sharing_shows_your_details_to_the_other_side_and_can_be_undone(
    client, need, provider, match
):
    share = url(match, "matchmaking:conversation_share")
    client.force_login(need.requested_by)
    client.post(share, {"share": "yes"})
    assert RESIDENT_PHONE in match_page(client, provider.user, match, True)
    # The resident's side sharing does not share the provider's details.
    assert PROVIDER_PHONE not in match_page(client, need.resident, match, False)

    client.force_login(provider.user)
    client.post(share, {"share": "yes"})
    resident_view = match_page(client, need.resident, match, False)
    assert PROVIDER_PHONE in resident_view and PROVIDER_EMAIL in resident_view

    client.force_login(provider.user)
    client.post(share, {"share": "no"})
    assert PROVIDER_PHONE not in match_page(client, need.resident, match, False)


def test_sharing_is_refused_unless_the_match_is_active(client, need, provider):
    offer = make_match(need, provider, MatchStatus.ACCEPTED)
    client.force_login(provider.user)
    response = client.post(
        url(offer, "matchmaking:conversation_share"), {"share": "yes"}, follow=True
    )
    assert "while the match is active" in response.content.decode()
    assert not Conversation.objects.filter(provider_shares_contact=True).exists()


def test_bad_share_value_is_a_message_not_an_error(client, need, match):
    client.force_login(need.resident)
    response = client.post(
        url(match, "matchmaking:conversation_share"), {"share": "maybe"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose whether to share" in response.content.decode()


def test_match_pages_link_to_the_conversation(client, need, provider, match):
    assert url(match) in match_page(client, provider.user, match, True)
    assert url(match) in match_page(client, need.resident, match, False)


def test_the_conversation_page_has_a_fixed_number_of_queries(
    client, need, provider, match, django_assert_max_num_queries
):
    for n in range(10):
        conversations.message_post(
            match=match, actor=provider.user if n % 2 else need.resident, body=f"Message {n}"
        )
    client.force_login(need.resident)
    # session + user, navigation facts, the match with need and provider, the messages
    # with senders, the block check, the sharing choice, marking read (conversation,
    # reader get/update, notifications update) and the savepoints around them.
    with django_assert_max_num_queries(16):
        response = client.get(url(match))
    assert response.content.decode().count("Message ") >= 10


# --- staff reading -----------------------------------------------------------------------------


def admin_url(match):
    conversation = Conversation.objects.get(match=match)
    return reverse("admin:matchmaking_conversation_change", args=[conversation.pk])


def accesses(conversation):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(Conversation),
        object_id=conversation.pk,
    )


@pytest.fixture
def talked(need, provider, match):
    conversations.message_post(match=match, actor=provider.user, body="Private words")
    match.refresh_from_db()  # now with its conversation
    return match


def grant_area_of(user):
    from matchmaking.scoping import staff_area_ids
    from services.models import Area

    return Area.objects.get(pk=next(iter(staff_area_ids(user))))


def open_concern(match):
    return safeguarding.concern_raise(
        raised_by=match.need.resident, match=match, kind=ConcernKind.CONDUCT, description="Rude"
    )


def test_staff_cannot_read_a_conversation_without_an_open_concern(client, talked, staff_a):
    client.force_login(staff_a)
    response = client.get(admin_url(talked))
    assert "Private words" not in response.content.decode()
    assert not accesses(talked.conversation).exists()


def test_staff_of_the_area_read_while_a_concern_is_open_and_it_is_logged(client, talked, staff_a):
    concern = open_concern(talked)
    client.force_login(staff_a)
    response = client.get(admin_url(talked))
    assert response.status_code == 200 and "Private words" in response.content.decode()
    assert accesses(talked.conversation).get().actor == staff_a
    # Reachable from the match and from the concern.
    match_admin = client.get(reverse("admin:matchmaking_match_change", args=[talked.pk]))
    assert admin_url(talked) in match_admin.content.decode()
    concern_admin = client.get(reverse("admin:matchmaking_concern_change", args=[concern.pk]))
    assert admin_url(talked) in concern_admin.content.decode()

    safeguarding.concern_resolve(concern=concern, actor=staff_a, resolution="Spoke to both")
    response = client.get(admin_url(talked))
    assert "Private words" not in response.content.decode()
    match_admin = client.get(reverse("admin:matchmaking_match_change", args=[talked.pk]))
    assert admin_url(talked) not in match_admin.content.decode()


def test_a_concern_about_either_person_opens_the_conversation_to_staff(
    need, provider, talked, staff_a
):
    Concern.objects.create(
        raised_by=staff_a, about=provider.user, kind=ConcernKind.OTHER, description="x"
    )
    assert conversations.staff_may_read(talked, staff_a)


def test_staff_of_another_area_cannot_read_even_with_a_concern_open(client, talked, staff_b):
    open_concern(talked)
    client.force_login(staff_b)
    response = client.get(admin_url(talked))
    assert "Private words" not in response.content.decode()
    with pytest.raises(TransitionError):
        conversations.conversation_staff_read(conversation=talked.conversation, actor=staff_b)
    assert not accesses(talked.conversation).exists()


def test_staff_who_see_a_concern_about_the_provider_still_read_only_in_their_areas(
    need, provider, talked, staff_b
):
    """The provider lives in ward B, so staff of B see a concern about them; the match is
    in ward A, so its conversation is not theirs to read."""
    ward_b = grant_area_of(staff_b)
    provider.home_postcode = PostcodeFactory(area=ward_b).code
    provider.save()
    Concern.objects.create(
        raised_by=need.resident, about=provider.user, kind=ConcernKind.OTHER, description="x"
    )
    assert not conversations.staff_may_read(talked, staff_b)


def test_a_safeguarding_lead_reads_in_any_area_while_a_concern_is_open(client, talked, lead):
    open_concern(talked)
    client.force_login(lead)
    assert "Private words" in client.get(admin_url(talked)).content.decode()
    assert accesses(talked.conversation).get().actor == lead


# --- privacy ----------------------------------------------------------------------------------


def test_messages_are_in_download_my_data(need, provider, talked):
    conversations.message_post(match=talked, actor=need.resident, body="Thank you Priya")
    data = privacy.personal_data(need.resident)
    [conversation] = data["conversations"]
    bodies = {(m["from_me"], m["body"]) for m in conversation["messages"]}
    assert bodies == {(False, "Private words"), (True, "Thank you Priya")}


def test_deleting_the_account_erases_its_messages_but_not_a_reported_one(need, provider, talked):
    reported = conversations.message_post(match=talked, actor=provider.user, body="Rude words")
    conversations.message_report(message=reported, actor=need.resident, description="Rude")
    privacy.account_delete(user=provider.user)
    bodies = set(Message.objects.values_list("body", flat=True))
    assert bodies == {privacy.REMOVED, "Rude words"}
    assert "Private words" not in str(privacy.personal_data(need.resident))
