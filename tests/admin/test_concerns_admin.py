"""Safeguarding concerns: who is told, who sees them, and suspending or blocking from one.

An urgent concern reaches the officers of the areas it is in (each of whom can open it and
the person it is about) and every safeguarding lead; a lead sees concerns in every area
and can suspend the provider or block the pair in one step, which is audited.
"""

import pytest
from auditlog.models import LogEntry
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from accounts.constants import SAFEGUARDING_LEADS_GROUP, ProviderStatus
from accounts.exceptions import TransitionError
from accounts.models import ProviderProfile
from matchmaking import safeguarding
from matchmaking.constants import ConcernKind
from matchmaking.models import Block, Concern
from matchmaking.scoping import grant_area
from tests.factories import StaffFactory, UserFactory, enable_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    """A safeguarding lead who holds no ward of their own: the group alone is enough."""
    user = UserFactory(is_staff=True, email="lead@riverside.example.org")
    enable_two_factor(user)
    user.groups.add(Group.objects.get(name=SAFEGUARDING_LEADS_GROUP))
    return user


def urgent_concern(ward, **kwargs):
    """Raised by the resident of the ward's match about its provider (who lives there)."""
    return safeguarding.concern_raise(
        raised_by=ward.match.need.requested_by,
        match=ward.match,
        kind=ConcernKind.SAFEGUARDING,
        description="Bruises on her arm after the visit",
        **kwargs,
    )


def emailed():
    return {address for message in mail.outbox for address in message.to}


def act(client, action, concern, **extra):
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [concern.pk], **extra}
    return client.post(reverse("admin:matchmaking_concern_changelist"), data, follow=True)


def make_active(provider):
    ProviderProfile.objects.filter(pk=provider.pk).update(status=ProviderStatus.ACTIVE)
    provider.refresh_from_db()


# --- who is told ------------------------------------------------------------------------------


def test_an_urgent_concern_reaches_its_areas_officers_and_the_leads_only(
    ward_a, ward_b, staff_a, staff_b, lead, django_capture_on_commit_callbacks
):
    team_member = StaffFactory(email="team@riverside.example.org")
    team = Group.objects.create(name="Northgate team")
    team_member.groups.add(team)
    grant_area(team, ward_a.area)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        urgent_concern(ward_a)

    told = emailed()
    assert {staff_a.email, team_member.email, lead.email} <= told
    assert staff_b.email not in told
    assert ward_a.match.need.requested_by.email in told  # "we have received your concern"


def test_a_concern_about_a_person_reaches_the_areas_where_they_live_or_asked_for_help(
    ward_a, ward_b, staff_a, staff_b, django_capture_on_commit_callbacks
):
    # Raised by staff about ward B's provider, with no match: ward B's officers are told.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        safeguarding.concern_raise(
            raised_by=StaffFactory(),
            about=ward_b.provider.user,
            kind=ConcernKind.SAFEGUARDING,
            description="Reported by a neighbour",
        )
    told = emailed()
    assert staff_b.email in told and staff_a.email not in told


def test_every_officer_told_can_open_the_concern_and_the_person(as_user, ward_a, staff_a):
    concern = urgent_concern(ward_a)
    client = as_user(staff_a)
    response = client.get(reverse("admin:matchmaking_concern_change", args=[concern.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    # The person is not a link to the user admin, which ward officers cannot open ...
    assert "/admin/accounts/user/" not in html
    # ... but to their provider record in the officer's area, which opens.
    profile = reverse("admin:accounts_providerprofile_change", args=[ward_a.provider.pk])
    assert profile in html
    assert client.get(profile).status_code == 200


# --- the lead sees every area -----------------------------------------------------------------


def test_a_lead_sees_concerns_in_every_area(as_user, ward_a, ward_b, lead, staff_a):
    client = as_user(lead)
    response = client.get(reverse("admin:matchmaking_concern_changelist"))
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {ward_a.concern, ward_b.concern}
    for concern in (ward_a.concern, ward_b.concern):
        url = reverse("admin:matchmaking_concern_change", args=[concern.pk])
        assert client.get(url).status_code == 200
    # A ward officer still sees only their ward's.
    response = as_user(staff_a).get(reverse("admin:matchmaking_concern_changelist"))
    assert list(response.context["cl"].result_list) == [ward_a.concern]


# --- suspend or block in one step -------------------------------------------------------------


def test_a_lead_suspends_the_provider_from_a_concern_and_it_is_audited(as_user, ward_b, lead):
    make_active(ward_b.provider)
    concern = urgent_concern(ward_b)
    client = as_user(lead)
    page = client.get(reverse("admin:matchmaking_concern_change", args=[concern.pk]))
    assert "Suspend the provider" in page.content.decode()

    response = act(client, "suspend_from_concerns", concern, kith_apply=1, reason="Police informed")

    assert "1 suspended." in [str(m) for m in response.context["messages"]]
    ward_b.provider.refresh_from_db()
    assert ward_b.provider.status == ProviderStatus.SUSPENDED
    on_provider = LogEntry.objects.get_for_object(ward_b.provider).filter(actor=lead).first()
    assert on_provider.changes_dict["status"] == ["active", "suspended"]
    on_concern = LogEntry.objects.get_for_object(concern).get(
        actor=lead, action=LogEntry.Action.UPDATE
    )
    assert "suspended" in on_concern.changes_dict["safeguarding_action"][1]
    assert on_concern.additional_data == {"reason": "Police informed"}


def test_a_lead_blocks_the_pair_from_a_concern(as_user, ward_b, lead):
    concern = urgent_concern(ward_b)
    act(as_user(lead), "block_from_concerns", concern, kith_apply=1, reason="Not again")
    block = Block.objects.get()
    assert (block.resident, block.provider) == (ward_b.match.need.requested_by, ward_b.provider)
    assert LogEntry.objects.get_for_object(concern).filter(actor=lead).exists()


def test_a_ward_officer_outside_the_area_cannot_suspend_from_its_concern(
    as_user, ward_a, ward_b, staff_a
):
    make_active(ward_b.provider)
    concern = urgent_concern(ward_b)
    client = as_user(staff_a)
    url = reverse("admin:matchmaking_concern_change", args=[concern.pk])
    assert client.get(url, follow=True).context.get("original") is None  # not found
    act(client, "suspend_from_concerns", concern, kith_apply=1, reason="x")
    with pytest.raises(TransitionError, match="safeguarding lead"):
        safeguarding.concern_suspend_provider(concern=concern, actor=staff_a, reason="x")
    with pytest.raises(TransitionError, match="safeguarding lead"):
        safeguarding.concern_block(concern=concern, actor=staff_a, reason="x")
    ward_b.provider.refresh_from_db()
    assert ward_b.provider.status == ProviderStatus.ACTIVE
    assert not Block.objects.exists()


def test_the_ward_officer_of_the_area_may_suspend_from_its_concern(as_user, ward_a, staff_a):
    make_active(ward_a.provider)
    concern = urgent_concern(ward_a)
    act(as_user(staff_a), "suspend_from_concerns", concern, kith_apply=1, reason="Checks")
    ward_a.provider.refresh_from_db()
    assert ward_a.provider.status == ProviderStatus.SUSPENDED


def test_a_concern_about_the_resident_suspends_no_one(ward_a, lead):
    make_active(ward_a.provider)
    concern = Concern.objects.create(
        raised_by=ward_a.provider.user,
        match=ward_a.match,
        about=ward_a.match.need.requested_by,
        kind=ConcernKind.CONDUCT,
        description="Shouted at me",
    )
    with pytest.raises(TransitionError, match="not about a provider"):
        safeguarding.concern_suspend_provider(concern=concern, actor=lead, reason="x")
