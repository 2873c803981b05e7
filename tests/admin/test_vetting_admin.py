"""Vetting in the admin: each action through accounts.vetting (suspension through
matchmaking.safeguarding), with refusals shown as messages, and the provider filters."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.constants import CheckKind, CheckStatus, ProviderStatus
from matchmaking.constants import MatchStatus
from tests.factories import NeedFactory
from tests.matching import make_match
from tests.provider_factories import CheckFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

PROVIDERS = reverse("admin:accounts_providerprofile_changelist")
CHECKS = reverse("admin:accounts_check_changelist")
TODAY = timezone.localdate()


def act(client, url, action, objects, **extra):
    data = {"action": action, "index": 0, ACTION_CHECKBOX_NAME: [o.pk for o in objects], **extra}
    return client.post(url, data, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- providers ------------------------------------------------------------------------------


def test_activate_then_refuse_to_activate_again(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    response = act(client, PROVIDERS, "activate_providers", [ward_a.provider])
    ward_a.provider.refresh_from_db()
    assert ward_a.provider.status == ProviderStatus.ACTIVE
    assert "1 activated." in messages_of(response)

    response = act(client, PROVIDERS, "activate_providers", [ward_a.provider])
    assert any("is active, so they cannot be activated" in m for m in messages_of(response))


def test_reject_an_application_and_refuse_to_reject_an_active_provider(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    response = act(client, PROVIDERS, "reject_providers", [ward_a.provider])
    ward_a.provider.refresh_from_db()
    assert ward_a.provider.status == ProviderStatus.REJECTED
    assert "1 rejected." in messages_of(response)
    active = ProviderProfileFactory(active=True, home_postcode="RV1 1AA")
    response = act(client, PROVIDERS, "reject_providers", [active])
    assert any("cannot be rejected" in m for m in messages_of(response))


def test_suspend_asks_for_a_reason_then_cancels_live_matches(
    as_user, ward_a, staff_a, django_capture_on_commit_callbacks
):
    client = as_user(staff_a)
    provider = ward_a.provider
    provider.status = ProviderStatus.ACTIVE
    provider.save()
    live = make_match(ward_a.need, provider, MatchStatus.OFFERED)

    response = act(client, PROVIDERS, "suspend_providers", [provider])
    assert response.templates[0].name == "admin/kith/action_form.html"
    assert str(provider) in response.content.decode()

    response = act(client, PROVIDERS, "suspend_providers", [provider], kith_apply=1, reason="")
    assert "This field is required" in response.content.decode()
    provider.refresh_from_db()
    assert provider.status == ProviderStatus.ACTIVE

    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            client,
            PROVIDERS,
            "suspend_providers",
            [provider],
            kith_apply=1,
            reason="Safeguarding concern under investigation",
        )
    provider.refresh_from_db()
    live.refresh_from_db()
    assert provider.status == ProviderStatus.SUSPENDED
    assert live.status == MatchStatus.CANCELLED
    assert "1 suspended." in messages_of(response)


def test_suspending_an_applicant_is_refused_with_the_reason(as_user, ward_a, staff_a):
    response = act(
        as_user(staff_a),
        PROVIDERS,
        "suspend_providers",
        [ward_a.provider],
        kith_apply=1,
        reason="Test",
    )
    assert any("is applied, so they cannot be suspended" in m for m in messages_of(response))
    ward_a.provider.refresh_from_db()
    assert ward_a.provider.status == ProviderStatus.APPLIED


def test_reinstate_a_suspended_provider_and_refuse_an_active_one(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    ward_a.provider.status = ProviderStatus.SUSPENDED
    ward_a.provider.save()
    response = act(client, PROVIDERS, "reinstate_providers", [ward_a.provider])
    ward_a.provider.refresh_from_db()
    assert ward_a.provider.status == ProviderStatus.ACTIVE
    assert "1 reinstated." in messages_of(response)
    response = act(client, PROVIDERS, "reinstate_providers", [ward_a.provider])
    assert any("cannot be reinstated" in m for m in messages_of(response))


def test_the_provider_page_is_read_only_and_links_each_check_to_its_decision(
    as_user, ward_a, staff_a
):
    html = (
        as_user(staff_a)
        .get(reverse("admin:accounts_providerprofile_change", args=[ward_a.provider.pk]))
        .content.decode()
    )
    assert 'name="_save"' not in html
    assert reverse("admin:accounts_check_decide", args=[ward_a.check.pk]) in html
    assert "Record a check" in html


# --- checks ---------------------------------------------------------------------------------


def test_verify_checks_with_an_expiry_date(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    expires = TODAY + datetime.timedelta(days=365)
    response = act(client, CHECKS, "verify_checks", [ward_a.check])
    assert 'name="expires_at"' in response.content.decode()
    response = act(
        client, CHECKS, "verify_checks", [ward_a.check], kith_apply=1, expires_at=expires
    )
    ward_a.check.refresh_from_db()
    assert (ward_a.check.status, ward_a.check.expires_at) == (CheckStatus.VERIFIED, expires)
    assert ward_a.check.verified_by == staff_a
    assert "1 verified." in messages_of(response)


def test_verifying_with_a_past_expiry_date_is_explained(as_user, ward_a, staff_a):
    response = act(
        as_user(staff_a),
        CHECKS,
        "verify_checks",
        [ward_a.check],
        kith_apply=1,
        expires_at=TODAY - datetime.timedelta(days=1),
    )
    assert "The expiry date is in the past" in response.content.decode()
    ward_a.check.refresh_from_db()
    assert ward_a.check.status == CheckStatus.PENDING


def test_reject_checks_needs_a_reason(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    response = act(client, CHECKS, "reject_checks", [ward_a.check], kith_apply=1, reason="  ")
    assert "This field is required" in response.content.decode()
    response = act(
        client, CHECKS, "reject_checks", [ward_a.check], kith_apply=1, reason="Name differs"
    )
    ward_a.check.refresh_from_db()
    assert ward_a.check.status == CheckStatus.REJECTED
    assert "Name differs" in ward_a.check.notes
    assert "1 rejected." in messages_of(response)


def test_a_refused_verification_is_a_message(as_user, ward_a, staff_a, monkeypatch):
    from accounts import vetting
    from accounts.exceptions import TransitionError

    def refuse(**kwargs):
        raise TransitionError("Only council staff can make vetting decisions.")

    monkeypatch.setattr(vetting, "check_verify", refuse)
    response = act(as_user(staff_a), CHECKS, "verify_checks", [ward_a.check], kith_apply=1)
    assert any("Only council staff can make vetting decisions." in m for m in messages_of(response))


def test_decide_on_one_check_from_the_provider_page(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    url = reverse("admin:accounts_check_decide", args=[ward_a.check.pk])
    response = client.post(url, {"reject": "1", "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()

    response = client.post(url, {"verify": "1", "expires_at": ""})
    assert response.url == reverse(
        "admin:accounts_providerprofile_change", args=[ward_a.provider.pk]
    )
    ward_a.check.refresh_from_db()
    assert ward_a.check.status == CheckStatus.VERIFIED and ward_a.check.expires_at is None


def test_record_a_check_and_renew_one(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    add = reverse("admin:accounts_check_add")
    assert (
        f'value="{ward_a.provider.pk}"'
        in client.get(add, {"provider": ward_a.provider.pk}).content.decode()
    )
    client.post(
        add, {"provider": ward_a.provider.pk, "kind": CheckKind.IDENTITY, "reference": "P1"}
    )
    assert ward_a.provider.checks.get(kind=CheckKind.IDENTITY).status == CheckStatus.PENDING

    verified = CheckFactory(provider=ward_a.provider, kind=CheckKind.FOOD_HYGIENE, verified=True)
    response = client.post(
        add, {"provider": ward_a.provider.pk, "kind": CheckKind.FOOD_HYGIENE, "reference": "FH2"}
    )
    verified.refresh_from_db()
    assert response.status_code == 302
    assert (verified.status, verified.reference) == (CheckStatus.PENDING, "FH2")


# --- filters --------------------------------------------------------------------------------


def listed(client, url, **params):
    html = client.get(url, params).content.decode()
    return html


def test_filter_providers_missing_a_check_their_skills_require(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    complete = ProviderProfileFactory(home_postcode="RV1 1AA", skills=[ward_a.need.category])
    for kind in (CheckKind.FOOD_HYGIENE, CheckKind.DBS_BASIC):
        CheckFactory(provider=complete, kind=kind, verified=True)
    expired = ProviderProfileFactory(home_postcode="RV1 1AA", skills=[ward_a.need.category])
    CheckFactory(provider=expired, kind=CheckKind.FOOD_HYGIENE, verified=True)
    CheckFactory(
        provider=expired,
        kind=CheckKind.DBS_BASIC,
        verified=True,
        expires_at=TODAY - datetime.timedelta(days=1),
    )
    no_skills = ProviderProfileFactory(home_postcode="RV1 1AA")

    def change(p):
        return reverse("admin:accounts_providerprofile_change", args=[p.pk])

    missing = listed(client, PROVIDERS, checks="missing")
    assert change(ward_a.provider) in missing and change(expired) in missing
    assert change(complete) not in missing and change(no_skills) not in missing
    done = listed(client, PROVIDERS, checks="complete")
    assert change(complete) in done and change(no_skills) in done
    assert change(ward_a.provider) not in done


def test_filter_providers_and_checks_expiring_within_30_days(as_user, ward_a, staff_a):
    client = as_user(staff_a)
    soon = CheckFactory(
        provider=ward_a.provider,
        kind=CheckKind.FOOD_HYGIENE,
        verified=True,
        expires_at=TODAY + datetime.timedelta(days=20),
    )
    later = ProviderProfileFactory(home_postcode="RV1 1AA")
    CheckFactory(provider=later, kind=CheckKind.FOOD_HYGIENE, verified=True)
    html = listed(client, PROVIDERS, expiry="soon")
    assert reverse("admin:accounts_providerprofile_change", args=[ward_a.provider.pk]) in html
    assert reverse("admin:accounts_providerprofile_change", args=[later.pk]) not in html
    html = listed(client, CHECKS, expiry="soon")
    assert reverse("admin:accounts_check_change", args=[soon.pk]) in html
    assert reverse("admin:accounts_check_change", args=[ward_a.check.pk]) not in html


def test_filter_providers_by_status_kind_and_area(as_user, ward_a, ward_b, superuser):
    client = as_user(superuser)
    carer = ProviderProfileFactory(home_postcode="RV2 2BB", kind="carer", active=True)

    def change(p):
        return reverse("admin:accounts_providerprofile_change", args=[p.pk])

    html = listed(client, PROVIDERS, area=ward_b.area.pk)
    assert change(carer) in html and change(ward_b.provider) in html
    assert change(ward_a.provider) not in html
    html = listed(client, PROVIDERS, kind="carer", status="active")
    assert change(carer) in html and change(ward_b.provider) not in html
    assert listed(client, PROVIDERS, area="x²").count("/change/") >= 3  # ignored, not an error


def test_a_need_of_the_unmet_kind_is_filtered(as_user, ward_a, staff_a):
    unmet = NeedFactory(area=ward_a.area, unmet_since=timezone.now())
    html = listed(as_user(staff_a), reverse("admin:services_need_changelist"), unmet="yes")
    assert unmet.reference in html and ward_a.need.reference not in html
