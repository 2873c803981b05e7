"""Vetting documents from the provider's side: upload attacks, what is stored and where, who
can download, DBS details, retention and account deletion."""

import datetime
import os
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts import documents
from accounts.constants import (
    CheckKind,
    CheckStatus,
    DbsLevel,
    DbsStatusResult,
    DbsWorkforce,
    DocumentKind,
)
from accounts.exceptions import TransitionError
from accounts.models import Check, CheckDocument
from accounts.vetting import check_reject, check_verify
from matchmaking.privacy import account_delete, personal_data
from tests.accounts.document_files import (
    encrypted_pdf,
    jpeg_with_gps,
    pdf_bytes,
    pdf_with_a_script_outside_the_table,
    pdf_with_attachment,
    pdf_with_disguised_javascript,
    pdf_with_javascript,
    pdf_with_page_action,
    png_bytes,
    private_media_fixture,  # noqa: F401 (the private_media fixture)
    stored_files,
    upload,
    zip_bytes,
)
from tests.factories import StaffFactory, UserFactory
from tests.provider_factories import CheckFactory, ProviderProfileFactory

pytestmark = pytest.mark.django_db

FOOD = reverse("providers:document_upload", args=[DocumentKind.FOOD_HYGIENE])
DBS = reverse("providers:document_upload", args=[DocumentKind.DBS_CERTIFICATE])
DBS_DETAILS = {
    "certificate_number": "0012 3456 7890",
    "level": DbsLevel.ENHANCED_BARRED,
    "workforce": DbsWorkforce.ADULT,
    "update_service": "on",
    "status_check_consent": "on",
}


@pytest.fixture
def provider(db):
    return ProviderProfileFactory()


@pytest.fixture
def as_provider(client, provider):
    client.force_login(provider.user)
    return client


def post_file(client, url, data, name="certificate.pdf", content_type="application/pdf", **extra):
    return client.post(url, {"file": upload(data, name, content_type), **extra})


# --- a good upload ------------------------------------------------------------------------


def test_a_pdf_is_kept_privately_under_a_random_name_and_waits_for_the_council(
    as_provider, provider, private_media
):
    response = post_file(as_provider, FOOD, pdf_bytes(), name="Rose Turner food hygiene.pdf")

    assert response.status_code == 302
    document = CheckDocument.objects.get()
    assert document.check_record.provider == provider
    assert document.check_record.kind == CheckKind.FOOD_HYGIENE
    assert document.check_record.status == CheckStatus.PENDING
    (stored,) = stored_files(private_media)
    assert "Rose" not in stored.name and stored.suffix == ".pdf"
    assert stored.read_bytes() == pdf_bytes()
    assert not stored_files(private_media.parent / "media")


def test_a_photo_of_a_certificate_is_re_encoded_without_its_location(as_provider, private_media):
    post_file(as_provider, FOOD, jpeg_with_gps(), name="scan.jpg", content_type="image/jpeg")

    (stored,) = stored_files(private_media)
    with Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_a_png_stays_a_png(as_provider, private_media):
    post_file(as_provider, FOOD, png_bytes(), name="scan.png", content_type="image/png")
    (stored,) = stored_files(private_media)
    assert stored.suffix == ".png"
    assert Image.open(BytesIO(stored.read_bytes())).format == "PNG"


# --- attacks: each a clear message on the form, nothing stored ----------------------------

ATTACKS = {
    "pdf_with_javascript": (pdf_with_javascript, "certificate.pdf", "contains scripts"),
    "pdf_running_script_on_a_page": (pdf_with_page_action, "certificate.pdf", "contains scripts"),
    "pdf_with_an_attached_file": (pdf_with_attachment, "certificate.pdf", "attached files"),
    "pdf_with_disguised_javascript": (
        pdf_with_disguised_javascript,
        "certificate.pdf",
        "contains scripts",
    ),
    "pdf_with_a_script_outside_the_table": (
        pdf_with_a_script_outside_the_table,
        "certificate.pdf",
        "contains scripts",
    ),
    "encrypted_pdf": (encrypted_pdf, "certificate.pdf", "protected by a password"),
    "png_header_glued_to_a_pdf": (
        lambda: png_bytes()[:16] + pdf_bytes(),
        "certificate.png",
        "could not be read",
    ),
    "pdf_with_a_zip_appended": (
        lambda: pdf_bytes() + zip_bytes(),
        "certificate.pdf",
        "something else is joined on",
    ),
    "zip_named_pdf": (zip_bytes, "certificate.pdf", "must be a PDF, JPG or PNG"),
    "html_named_png": (
        lambda: b"<html><script>alert(1)</script></html>",
        "certificate.png",
        "must be a PDF, JPG or PNG",
    ),
    "oversized": (
        lambda: pdf_bytes() + b"%" * (10 * 1024 * 1024),
        "certificate.pdf",
        "smaller than 10 MB",
    ),
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_a_dangerous_or_false_file_is_refused_with_a_message_and_nothing_kept(
    as_provider, private_media, attack
):
    make, name, message = ATTACKS[attack]

    response = post_file(as_provider, FOOD, make(), name=name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'class="govuk-error-summary' in response.content.decode()
    assert not CheckDocument.objects.exists()
    assert not Check.objects.exists()
    assert not stored_files(private_media)


def test_the_service_refuses_an_attack_even_without_the_form(provider, private_media):
    with pytest.raises(documents.ValidationError):
        documents.document_upload(
            provider=provider,
            kind=DocumentKind.FOOD_HYGIENE,
            uploaded_file=upload(pdf_with_javascript()),
            actor=provider.user,
        )
    assert not stored_files(private_media)


def test_only_the_provider_can_upload_their_documents(provider, private_media):
    with pytest.raises(TransitionError):
        documents.document_upload(
            provider=provider,
            kind=DocumentKind.FOOD_HYGIENE,
            uploaded_file=upload(pdf_bytes()),
            actor=UserFactory(),
        )
    assert not stored_files(private_media)


# --- DBS details --------------------------------------------------------------------------


def test_a_dbs_certificate_records_what_the_update_service_needs(as_provider, private_media):
    response = post_file(as_provider, DBS, pdf_bytes(), **DBS_DETAILS)

    assert response.status_code == 302
    check = Check.objects.get()
    assert check.kind == CheckKind.DBS_ENHANCED_BARRED
    assert check.dbs_certificate_number == "001234567890"
    assert check.dbs_level == DbsLevel.ENHANCED_BARRED
    assert check.dbs_workforce == DbsWorkforce.ADULT
    assert check.dbs_update_service and check.dbs_status_check_consent


def test_a_basic_dbs_certificate_answers_the_basic_check(as_provider, private_media):
    post_file(as_provider, DBS, pdf_bytes(), **{**DBS_DETAILS, "level": DbsLevel.BASIC})
    assert Check.objects.get().kind == CheckKind.DBS_BASIC


@pytest.mark.parametrize("number", ["12345", "abcdefghijkl", "1234567890123", "<script>"])
def test_a_dbs_certificate_number_must_be_12_digits(as_provider, private_media, number):
    response = post_file(
        as_provider, DBS, pdf_bytes(), **{**DBS_DETAILS, "certificate_number": number}
    )
    assert response.status_code == 200
    assert "12 digits" in response.content.decode()
    assert not Check.objects.exists()
    assert not stored_files(private_media)


def test_consent_to_status_checks_needs_the_update_service(as_provider, private_media):
    details = {k: v for k, v in DBS_DETAILS.items() if k != "update_service"}
    response = post_file(as_provider, DBS, pdf_bytes(), **details)
    assert response.status_code == 200
    assert "Status checks need a subscription" in response.content.decode()
    assert not Check.objects.exists()


def test_an_unknown_kind_of_document_is_not_found(as_provider):
    url = reverse("providers:document_upload", args=["passport"])
    assert as_provider.get(url).status_code == 404


# --- what happens to the check ------------------------------------------------------------


def test_a_new_document_puts_a_rejected_check_back_in_the_queue(
    as_provider, provider, private_media
):
    check = CheckFactory(provider=provider, kind=CheckKind.FOOD_HYGIENE)
    check_reject(check=check, actor=StaffFactory(), reason="The certificate is cut off")

    post_file(as_provider, FOOD, pdf_bytes())

    check.refresh_from_db()
    assert check.status == CheckStatus.PENDING
    assert check.rejection_reason == ""


def test_a_renewal_does_not_unverify_a_valid_check(as_provider, provider, private_media):
    check = CheckFactory(provider=provider, kind=CheckKind.FOOD_HYGIENE, verified=True)

    post_file(as_provider, FOOD, pdf_bytes())

    check.refresh_from_db()
    assert check.status == CheckStatus.VERIFIED
    assert check.documents.count() == 1


def test_the_provider_sees_why_a_check_was_rejected(as_provider, provider, private_media):
    post_file(as_provider, FOOD, pdf_bytes())
    check_reject(check=Check.objects.get(), actor=StaffFactory(), reason="The name does not match")

    page = as_provider.get(reverse("providers:documents")).content.decode()

    assert "Not accepted" in page or "Rejected" in page
    assert "The name does not match" in page


# --- who can download ---------------------------------------------------------------------


@pytest.fixture
def document(provider, private_media):
    return documents.document_upload(
        provider=provider,
        kind=DocumentKind.FOOD_HYGIENE,
        uploaded_file=upload(pdf_bytes()),
        actor=provider.user,
    )


def test_the_owner_downloads_their_document_never_cached_never_sniffed(as_provider, document):
    response = as_provider.get(reverse("providers:document", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_provider_gets_not_found(client, document):
    client.force_login(ProviderProfileFactory().user)
    assert client.get(reverse("providers:document", args=[document.pk])).status_code == 404


def test_a_signed_in_outsider_gets_not_found(client, document):
    client.force_login(UserFactory())
    assert client.get(reverse("providers:document", args=[document.pk])).status_code == 404


def test_staff_get_not_found_on_the_provider_route(client, document):
    # Staff look through the admin, where their areas are checked and the access is logged.
    client.force_login(StaffFactory())
    assert client.get(reverse("providers:document", args=[document.pk])).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(client, document):
    response = client.get(reverse("providers:document", args=[document.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_media_urls_never_reach_a_document(client, settings, document):
    # The file is not under MEDIA_ROOT, so even a development static() route cannot serve it.
    assert not str(document.file.path).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


# --- retention and account deletion -------------------------------------------------------


def upload_for(provider, *, days_ago=0, kind=DocumentKind.FOOD_HYGIENE):
    return documents.document_upload(
        provider=provider,
        kind=kind,
        uploaded_file=upload(pdf_bytes()),
        actor=provider.user,
        now=timezone.now() - datetime.timedelta(days=days_ago),
    )


def decide(document, *, days_ago):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    check_verify(check=document.check_record, actor=StaffFactory(), now=when)


def test_retention_deletes_documents_of_checks_decided_long_enough_ago(
    private_media, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_RETENTION_DAYS = 30
    expired = upload_for(ProviderProfileFactory(), days_ago=60)
    decide(expired, days_ago=31)
    recent = upload_for(ProviderProfileFactory(), days_ago=60)
    decide(recent, days_ago=29)
    waiting = upload_for(ProviderProfileFactory(), days_ago=60)
    # A renewal sent after the decision is not covered by it: it waits for the next one.
    renewed = upload_for(ProviderProfileFactory(), days_ago=60)
    decide(renewed, days_ago=40)
    renewal = upload_for(renewed.check_record.provider, days_ago=5)
    expired_path = Path(expired.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=StringIO())

    assert not expired_path.exists()
    kept = set(CheckDocument.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, waiting.pk, renewal.pk}
    assert len(stored_files(private_media)) == 3


def test_closing_the_account_deletes_the_documents_and_their_files(
    provider, private_media, django_capture_on_commit_callbacks
):
    document = upload_for(provider)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=provider.user)

    assert not CheckDocument.objects.filter(pk=document.pk).exists()
    assert not stored_files(private_media)


# --- DBS status checks --------------------------------------------------------------------


@pytest.fixture
def dbs_check(provider):
    return CheckFactory(
        provider=provider,
        kind=CheckKind.DBS_ENHANCED_BARRED,
        verified=True,
        dbs_certificate_number="001234567890",
        dbs_level=DbsLevel.ENHANCED_BARRED,
        dbs_workforce=DbsWorkforce.ADULT,
        dbs_update_service=True,
        dbs_status_check_consent=True,
    )


def due(check):
    return (
        documents.with_status_check_due(Check.objects.filter(pk=check.pk), timezone.localdate())
        .get()
        .status_check_due
    )


def test_a_dbs_check_without_a_recent_status_check_is_due(dbs_check, settings):
    settings.DBS_STATUS_CHECK_INTERVAL_DAYS = 365
    Check.objects.filter(pk=dbs_check.pk).update(
        verified_at=timezone.now() - datetime.timedelta(days=400)
    )
    assert due(dbs_check)

    documents.dbs_status_check_record(
        check=dbs_check,
        checked_on=timezone.localdate() - datetime.timedelta(days=10),
        result=DbsStatusResult.CURRENT,
        actor=StaffFactory(),
    )
    assert not due(dbs_check)


def test_a_status_check_older_than_the_interval_is_due_again(dbs_check, settings):
    settings.DBS_STATUS_CHECK_INTERVAL_DAYS = 365
    documents.dbs_status_check_record(
        check=dbs_check,
        checked_on=timezone.localdate() - datetime.timedelta(days=366),
        result=DbsStatusResult.CURRENT,
        actor=StaffFactory(),
    )
    assert due(dbs_check)
    settings.DBS_STATUS_CHECK_INTERVAL_DAYS = 400
    assert not due(dbs_check)


def test_a_recently_verified_dbs_check_is_not_due(dbs_check):
    assert not due(dbs_check)


def test_a_status_check_needs_consent(dbs_check):
    Check.objects.filter(pk=dbs_check.pk).update(dbs_status_check_consent=False)
    with pytest.raises(TransitionError, match="not consented"):
        documents.dbs_status_check_record(
            check=dbs_check,
            checked_on=timezone.localdate(),
            result=DbsStatusResult.CURRENT,
            actor=StaffFactory(),
        )
    assert not dbs_check.status_checks.exists()


def test_a_status_check_cannot_be_in_the_future_or_on_another_kind(provider, dbs_check):
    staff = StaffFactory()
    with pytest.raises(TransitionError, match="future"):
        documents.dbs_status_check_record(
            check=dbs_check,
            checked_on=timezone.localdate() + datetime.timedelta(days=1),
            result=DbsStatusResult.CURRENT,
            actor=staff,
        )
    food = CheckFactory(provider=provider, kind=CheckKind.FOOD_HYGIENE)
    with pytest.raises(TransitionError, match="Only a DBS check"):
        documents.dbs_status_check_record(
            check=food, checked_on=timezone.localdate(), result="current", actor=staff
        )


def test_only_staff_record_status_checks(dbs_check):
    with pytest.raises(TransitionError):
        documents.dbs_status_check_record(
            check=dbs_check,
            checked_on=timezone.localdate(),
            result=DbsStatusResult.CURRENT,
            actor=dbs_check.provider.user,
        )


def test_the_documents_page_reads_every_check_and_file_in_a_fixed_number_of_queries(
    as_provider, provider, private_media, django_assert_max_num_queries
):
    for kind in (DocumentKind.FOOD_HYGIENE, DocumentKind.DRIVING_LICENCE, DocumentKind.INSURANCE):
        upload_for(provider, kind=kind)
        upload_for(provider, kind=kind)
    url = reverse("providers:documents")
    as_provider.get(url)
    # session, user, the provider's profile, the header's provider and unread-notification
    # flags, their checks, and the checks' documents (one prefetch): six, however many files.
    with django_assert_max_num_queries(6):
        page = as_provider.get(url).content.decode()
    for document in CheckDocument.objects.all():
        assert reverse("providers:document", args=[document.pk]) in page


def test_retention_deletes_files_left_by_failed_uploads_once_a_day_old(provider, private_media):
    kept = upload_for(provider)
    folder = private_media / "documents"
    stale, fresh = folder / "stale.pdf", folder / "fresh.pdf"
    stale.write_bytes(pdf_bytes())
    fresh.write_bytes(pdf_bytes())
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(stale, (two_days_ago, two_days_ago))
    os.utime(kept.file.path, (two_days_ago, two_days_ago))

    call_command("apply_retention", stdout=StringIO())

    assert not stale.exists()
    assert fresh.exists()  # perhaps an upload still committing
    assert Path(kept.file.path).exists()


def test_a_copy_of_my_data_lists_the_documents_i_sent_and_the_status_checks(
    provider, private_media
):
    document = upload_for(provider)
    data = personal_data(provider.user)

    (check,) = data["provider_profile"]["checks"]
    assert [d["kind"] for d in check["documents"]] == [document.kind]
    assert "file" not in check["documents"][0]  # where it is stored is the council's business
    assert check["status_checks"] == []
