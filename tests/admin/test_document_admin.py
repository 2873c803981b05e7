"""Staff and vetting documents: only in their areas, every look recorded, and a check decided
from its document on one page; DBS checks due a status check are flagged in the list."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts import documents
from accounts.constants import (
    CheckKind,
    CheckStatus,
    DbsLevel,
    DbsStatusResult,
    DbsWorkforce,
    DocumentKind,
)
from accounts.models import Check, CheckDocument
from accounts.vetting import check_verify
from tests.accounts.document_files import (
    pdf_bytes,
    png_bytes,
    private_media_fixture,  # noqa: F401 (the private_media fixture)
    upload,
)
from tests.factories import UserFactory
from tests.provider_factories import CheckFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db


def document_for(provider, data=None, kind=DocumentKind.FOOD_HYGIENE, content_type=None):
    return documents.document_upload(
        provider=provider,
        kind=kind,
        uploaded_file=upload(data or pdf_bytes()),
        actor=provider.user,
    )


@pytest.fixture
def document_a(ward_a, private_media):
    return document_for(ward_a.provider)


def document_url(document):
    return reverse("admin:accounts_check_document", args=[document.check_record_id, document.pk])


def fetch(client, url):
    """GET a document and read it to the end, so the test client closes the file it streams
    (an open file is a warning, so an error)."""
    response = client.get(url)
    b"".join(response.streaming_content)
    return response


def accesses(document):
    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        content_type=ContentType.objects.get_for_model(CheckDocument),
        object_id=document.pk,
    )


# --- who may look -------------------------------------------------------------------------


def test_staff_in_the_area_see_the_document_and_the_look_is_recorded(as_user, staff_a, document_a):
    response = as_user(staff_a).get(document_url(document_a))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    entry = accesses(document_a).get()
    assert entry.actor == staff_a


def test_every_look_is_recorded(as_user, staff_a, document_a):
    client = as_user(staff_a)
    fetch(client, document_url(document_a))
    fetch(client, document_url(document_a))
    assert accesses(document_a).count() == 2


def test_staff_of_another_area_get_not_found_and_nothing_is_recorded(as_user, staff_b, document_a):
    assert as_user(staff_b).get(document_url(document_a)).status_code == 404
    assert not accesses(document_a).exists()


def test_staff_with_no_area_get_not_found(as_user, outsider, document_a):
    assert as_user(outsider).get(document_url(document_a)).status_code == 404


def test_a_document_of_another_check_is_not_found_under_this_one(
    as_user, staff_a, ward_a, document_a
):
    other_check = CheckFactory(provider=ward_a.provider, kind=CheckKind.REFERENCE)
    url = reverse("admin:accounts_check_document", args=[other_check.pk, document_a.pk])
    assert as_user(staff_a).get(url).status_code == 404


def test_a_resident_or_provider_is_sent_to_the_admin_sign_in(as_user, ward_a, document_a):
    response = as_user(ward_a.provider.user).get(document_url(document_a))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert not accesses(document_a).exists()


def test_someone_signed_out_is_sent_to_sign_in(client, document_a):
    response = client.get(document_url(document_a))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- deciding from the document -----------------------------------------------------------


def decide_url(check):
    return reverse("admin:accounts_check_decide", args=[check.pk])


def test_the_decision_page_shows_the_documents(as_user, staff_a, ward_a, private_media):
    pdf = document_for(ward_a.provider)
    photo = document_for(ward_a.provider, data=png_bytes(), kind=DocumentKind.FOOD_HYGIENE)

    page = as_user(staff_a).get(decide_url(pdf.check_record)).content.decode()

    assert f'href="{document_url(pdf)}"' in page
    # An image (re-encoded by us) is shown on the page; a PDF is only ever a download.
    assert f'src="{document_url(photo)}?view=1"' in page
    assert f'src="{document_url(pdf)}?view=1"' not in page


def test_an_image_is_shown_inline_but_a_pdf_is_always_a_download(
    as_user, staff_a, ward_a, private_media
):
    pdf = document_for(ward_a.provider)
    photo = document_for(ward_a.provider, data=png_bytes())
    client = as_user(staff_a)

    assert fetch(client, document_url(photo) + "?view=1")["Content-Disposition"].startswith(
        "inline"
    )
    assert fetch(client, document_url(pdf) + "?view=1")["Content-Disposition"].startswith(
        "attachment"
    )


def test_staff_verify_with_an_expiry_from_the_document_page(as_user, staff_a, document_a):
    check = document_a.check_record
    expiry = timezone.localdate() + datetime.timedelta(days=365 * 3)

    response = as_user(staff_a).post(
        decide_url(check), {"verify": "1", "expires_at": expiry.isoformat()}
    )

    assert response.status_code == 302
    check.refresh_from_db()
    assert check.status == CheckStatus.VERIFIED
    assert check.expires_at == expiry
    assert check.verified_by == staff_a
    assert check.decided_at is not None


def test_staff_reject_with_a_reason_the_provider_then_reads(
    as_user, client, staff_a, ward_a, document_a
):
    check = document_a.check_record
    as_user(staff_a).post(
        decide_url(check), {"reject": "1", "reason": "The certificate has expired"}
    )
    check.refresh_from_db()
    assert check.status == CheckStatus.REJECTED

    client.force_login(ward_a.provider.user)
    page = client.get(reverse("providers:documents")).content.decode()
    assert "The certificate has expired" in page


def test_staff_of_another_area_cannot_open_the_decision_page(as_user, staff_b, document_a):
    assert as_user(staff_b).get(decide_url(document_a.check_record)).status_code == 404


# --- DBS status checks --------------------------------------------------------------------


def dbs_check(provider, *, verified_days_ago=0):
    check = CheckFactory(
        provider=provider,
        kind=CheckKind.DBS_ENHANCED_BARRED,
        verified=True,
        dbs_certificate_number="001234567890",
        dbs_level=DbsLevel.ENHANCED_BARRED,
        dbs_workforce=DbsWorkforce.BOTH,
        dbs_update_service=True,
        dbs_status_check_consent=True,
    )
    Check.objects.filter(pk=check.pk).update(
        verified_at=timezone.now() - datetime.timedelta(days=verified_days_ago)
    )
    return check


def test_the_decision_page_shows_dbs_details_and_records_a_status_check(as_user, staff_a, ward_a):
    check = dbs_check(ward_a.provider)
    client = as_user(staff_a)

    page = client.get(decide_url(check)).content.decode()
    assert "001234567890" in page
    assert "Adult and child workforce" in page

    today = timezone.localdate()
    response = client.post(
        decide_url(check),
        {"status_check": "1", "checked_on": today.isoformat(), "result": DbsStatusResult.CURRENT},
    )
    assert response.status_code == 302
    (status_check,) = check.status_checks.all()
    assert status_check.checked_on == today
    assert status_check.recorded_by == staff_a


def test_a_status_check_in_the_future_is_a_form_error(as_user, staff_a, ward_a):
    check = dbs_check(ward_a.provider)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = as_user(staff_a).post(
        decide_url(check),
        {"status_check": "1", "checked_on": tomorrow.isoformat(), "result": "current"},
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not check.status_checks.exists()


def test_the_vetting_list_flags_checks_due_a_status_check(as_user, staff_a, ward_a, settings):
    settings.DBS_STATUS_CHECK_INTERVAL_DAYS = 365
    overdue = dbs_check(ward_a.provider, verified_days_ago=400)
    fresh = dbs_check(ProviderProfileFactory(home_postcode=ward_a.postcode.code))
    client = as_user(staff_a)
    changelist = reverse("admin:accounts_check_changelist")

    page = client.get(changelist).content.decode()
    assert "<strong>Due</strong> (last: never)" in page

    filtered = client.get(changelist, {"status_check": "due"}).context["cl"].result_list
    assert [check.pk for check in filtered] == [overdue.pk]
    assert fresh.pk not in [check.pk for check in filtered]


def test_the_check_list_reads_status_checks_in_the_same_query(
    as_user, staff_a, ward_a, django_assert_max_num_queries
):
    for _ in range(5):
        provider = ProviderProfileFactory(home_postcode=ward_a.postcode.code)
        check = dbs_check(provider, verified_days_ago=400)
        documents.dbs_status_check_record(
            check=check,
            checked_on=timezone.localdate(),
            result=DbsStatusResult.CURRENT,
            actor=staff_a,
        )
    client = as_user(staff_a)
    url = reverse("admin:accounts_check_changelist")
    client.get(url)  # warm the caches (content types)
    # session, user, two-factor device, user and group permissions, staff areas (guardian),
    # area filter choices, the count, the page of checks (provider, user, verifier and the
    # last status check in one query), the header's provider and unread-notification flags.
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 6


def test_a_non_staff_user_cannot_record_a_status_check(ward_a):
    check = dbs_check(ward_a.provider)
    with pytest.raises(documents.TransitionError):
        documents.dbs_status_check_record(
            check=check,
            checked_on=timezone.localdate(),
            result=DbsStatusResult.CURRENT,
            actor=UserFactory(),
        )


def test_the_check_page_links_to_its_documents(as_user, staff_a, document_a):
    url = reverse("admin:accounts_check_change", args=[document_a.check_record_id])
    page = as_user(staff_a).get(url).content.decode()
    assert f'href="{document_url(document_a)}"' in page


def test_the_vetting_list_finds_checks_with_documents_sent_since_the_decision(
    as_user, staff_a, ward_a, private_media
):
    renewed = document_for(ward_a.provider).check_record
    documents.document_upload(
        provider=ward_a.provider,
        kind=DocumentKind.DRIVING_LICENCE,
        uploaded_file=upload(pdf_bytes()),
        actor=ward_a.provider.user,
    )
    # Verified yesterday, then a renewal arrived: the check stays valid but needs a look.
    check_verify(check=renewed, actor=staff_a, now=timezone.now() - datetime.timedelta(days=1))
    seen = Check.objects.get(kind=CheckKind.DRIVING)
    check_verify(check=seen, actor=staff_a)
    document_for(ward_a.provider)  # the food hygiene renewal

    url = reverse("admin:accounts_check_changelist")
    listed = as_user(staff_a).get(url, {"documents": "unseen"}).context["cl"].result_list

    assert [check.pk for check in listed] == [renewed.pk]
