"""Vetting documents: certificates providers upload, the DBS details staff need, retention.

An upload is believed only after the bytes say what it is (magic numbers, never the name or
the browser's content type). Images are decoded and re-encoded by Pillow, so nothing but
pixels survives; PDFs are parsed with pypdf and refused if encrypted, scripted (JavaScript,
automatic actions), carrying embedded files, or not a clean PDF from first byte to last
(a polyglot: a PDF with a ZIP glued on, an image header in front of a PDF).

Files live in PRIVATE_MEDIA_ROOT under random names and leave only through
`document_response`, called by views that have checked who is asking.
"""

import datetime
import functools
import re
import warnings
from io import BytesIO

from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Max, OuterRef, Q, Subquery
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from accounts.constants import (
    CheckKind,
    CheckStatus,
    DbsLevel,
    DbsStatusResult,
    DocumentKind,
)
from accounts.exceptions import TransitionError
from accounts.models import (
    DOCUMENT_FOLDER,
    Check,
    CheckDocument,
    DbsStatusCheck,
    private_documents,
)
from accounts.uploads import read_limited

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Large enough to read a certificate's small print, small enough to keep files modest.
MAX_SIDE = 3000
MAX_PAGES = 50

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
MAGIC_NUMBERS = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))

WRONG_TYPE = "The file must be a PDF, JPG or PNG"
TOO_LARGE = "The file must be smaller than 10 MB"
EMPTY = "The selected file is empty"
DAMAGED = "The file could not be read. It may be damaged: try saving it again or scan it again"
ENCRYPTED = "The PDF is protected by a password. Upload a copy without a password"
ACTIVE_CONTENT = (
    "The PDF contains scripts or attached files, which we do not accept. "
    "Print it to a new PDF, or upload a photo or scan of the certificate"
)
JOINED = (
    "The file is not a plain PDF: something else is joined on after its end. "
    "Save or print it to a new PDF and upload that"
)
TOO_MANY_PAGES = f"The PDF must have no more than {MAX_PAGES} pages"

# Which check each document is evidence for. A DBS certificate answers the check its level
# meets (see check_kind_for): only the adults' barred list satisfies the enhanced check.
DOCUMENT_CHECKS = {
    DocumentKind.FOOD_HYGIENE: CheckKind.FOOD_HYGIENE,
    DocumentKind.DRIVING_LICENCE: CheckKind.DRIVING,
    DocumentKind.INSURANCE: CheckKind.DRIVING,
}
DBS_CHECKS = (CheckKind.DBS_BASIC, CheckKind.DBS_ENHANCED_BARRED)

# Names that make a PDF do something when opened or carry other files. pypdf decodes
# #-escaped names (/J#61vaScript), so the parsed objects are searched by name; the raw bytes
# are searched too, for objects an inconsistent cross-reference table would hide.
ACTIVE_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",
        "/OpenAction",
        "/Launch",
        "/EmbeddedFiles",
        "/EmbeddedFile",
        "/RichMedia",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
    }
)
FILE_ATTACHMENT = "/FileAttachment"
RAW_ACTIVE = re.compile(
    rb"/(JS|JavaScript|AA|OpenAction|Launch|EmbeddedFiles?|RichMedia|XFA|FileAttachment)"
    rb"(?=[\s/<>\[\]()%{}]|$)"
)
# After %%EOF only an end of line may follow; anything more is another file glued on.
PDF_END = re.compile(rb"%%EOF\s*\Z")


# --- what the bytes are -----------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """The content type the first bytes prove, or None."""
    return next((kind for magic, kind in MAGIC_NUMBERS if data.startswith(magic)), None)


def _walk(obj, seen):
    """Every name used as a key or value anywhere under `obj`, following references once."""
    while isinstance(obj, IndirectObject):
        key = (obj.idnum, obj.generation)
        if key in seen:
            return
        seen.add(key)
        obj = obj.get_object()
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            yield str(key)
            if str(key) == "/Subtype":
                yield str(value)
            yield from _walk(value, seen)
    elif isinstance(obj, ArrayObject):
        for item in obj:
            yield from _walk(item, seen)


def _check_pdf(data):
    if not PDF_END.search(data[-1024:]):
        raise ValidationError(JOINED, code="polyglot")
    if RAW_ACTIVE.search(data):
        raise ValidationError(ACTIVE_CONTENT, code="active_content")
    try:
        with warnings.catch_warnings():
            # pypdf warns about what it repaired; a repaired file is not a clean one.
            warnings.simplefilter("error")
            reader = PdfReader(BytesIO(data), strict=True)
            if reader.is_encrypted:
                raise ValidationError(ENCRYPTED, code="encrypted")
            if not 1 <= len(reader.pages) <= MAX_PAGES:
                raise ValidationError(TOO_MANY_PAGES if reader.pages else DAMAGED, code="pages")
            seen = set()
            names = set(_walk(reader.trailer, seen))
            # Objects in the cross-reference table that nothing points to are read as well.
            for generation, numbers in reader.xref.items():
                for number in numbers:
                    names.update(_walk(IndirectObject(number, generation, reader), seen))
            for number in reader.xref_objStm:
                names.update(_walk(IndirectObject(number, 0, reader), seen))
    except ValidationError:
        raise
    except (
        PyPdfError,
        PdfReadError,
        Warning,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
        RecursionError,
        OSError,
    ) as exc:
        raise ValidationError(DAMAGED, code="damaged") from exc
    if names & ACTIVE_NAMES or FILE_ATTACHMENT in names:
        raise ValidationError(ACTIVE_CONTENT, code="active_content")


def _reencode_image(data, content_type):
    fmt = "PNG" if content_type == PNG else "JPEG"
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=(fmt,)) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValidationError(DAMAGED, code="too_many_pixels")
                image.verify()
            with Image.open(BytesIO(data), formats=(fmt,)) as image:
                image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                rgb = image.convert("RGB")
        except ValidationError:
            raise
        except (
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
            IndexError,
            TypeError,
        ) as exc:
            # A PNG or JPEG header in front of something else lands here too.
            raise ValidationError(DAMAGED, code="damaged") from exc
    # A fresh image carries pixels only: no EXIF (GPS), ICC, comments or trailing data.
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = BytesIO()
    if fmt == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=90)
    return out.getvalue()


def document_clean(uploaded_file) -> tuple[bytes, str]:
    """The bytes to store and their content type, or a ValidationError fit to show."""
    data = read_limited(uploaded_file, max_bytes=MAX_BYTES, too_large=TOO_LARGE, empty=EMPTY)
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError(WRONG_TYPE, code="format")
    if content_type == PDF:
        _check_pdf(data)
        return data, PDF
    return _reencode_image(data, content_type), content_type


# --- writes -----------------------------------------------------------------------------


def check_kind_for(document_kind, dbs_level=""):
    if document_kind == DocumentKind.DBS_CERTIFICATE:
        return (
            CheckKind.DBS_ENHANCED_BARRED
            if dbs_level == DbsLevel.ENHANCED_BARRED
            else CheckKind.DBS_BASIC
        )
    return DOCUMENT_CHECKS[document_kind]


@transaction.atomic
def document_upload(*, provider, kind, uploaded_file, actor, dbs=None, now=None):
    """Store a certificate for the check it evidences; the check waits for staff again.

    `dbs` holds the DBS details (certificate_number, level, workforce, update_service,
    status_check_consent) for a DBS certificate. A verified check stays verified (the council
    looks at a renewal before it runs out); a rejected one is pending again.
    """
    now = now or timezone.now()
    if actor != provider.user:
        raise TransitionError(_("Only the provider can upload their documents."))
    data, content_type = document_clean(uploaded_file)
    dbs = dbs or {}
    if kind == DocumentKind.DBS_CERTIFICATE and not dbs.get("level"):
        raise ValidationError({"level": "Select the level of the DBS certificate"})
    check_kind = check_kind_for(kind, dbs.get("level", ""))
    with set_actor(actor):
        check, _created = Check.objects.select_for_update().get_or_create(
            provider=provider, kind=check_kind
        )
        if check.status == CheckStatus.REJECTED:
            check.status = CheckStatus.PENDING
            check.decided_at = None
            check.rejection_reason = ""
        if check_kind in DBS_CHECKS:
            check.dbs_certificate_number = dbs["certificate_number"]
            check.dbs_level = dbs["level"]
            check.dbs_workforce = dbs["workforce"]
            check.dbs_update_service = dbs["update_service"]
            check.dbs_status_check_consent = dbs["status_check_consent"]
            check.full_clean(exclude=["provider"], validate_unique=False)
        check.save()
        document = CheckDocument(
            check_record=check,
            kind=kind,
            content_type=content_type,
            size=len(data),
            uploaded_at=now,
        )
        document.file.save(f"upload.{document.extension}", ContentFile(data), save=False)
        # The file is on disk before the row is saved: do not leave it behind on failure.
        try:
            document.save()
        except Exception:
            document.file.delete(save=False)
            raise
    return document


@transaction.atomic
def dbs_status_check_record(*, check, checked_on, result, actor, today=None):
    """Record one Update Service status check; a result other than "current" is for staff
    to act on (reject the check, ask for a new one)."""
    if actor is None or not actor.is_staff:
        raise TransitionError(_("Only council staff can record status checks."))
    today = today or timezone.localdate()
    check = Check.objects.select_for_update().get(pk=check.pk)
    if check.kind not in DBS_CHECKS:
        raise TransitionError(_("Only a DBS check has status checks."))
    if not (check.dbs_update_service and check.dbs_status_check_consent):
        raise TransitionError(
            _(
                "This provider has not subscribed to the Update Service or not consented to "
                "status checks: ask for a new certificate instead."
            )
        )
    if checked_on > today:
        raise TransitionError(_("A status check cannot be in the future."))
    if result not in DbsStatusResult.values:
        raise TransitionError(_("Choose the result of the status check."))
    with set_actor(actor):
        return DbsStatusCheck.objects.create(
            check_record=check, checked_on=checked_on, result=result, recorded_by=actor
        )


def documents_prune(*, days, now=None):
    """Delete documents seen by a decision taken more than `days` ago, files and rows.

    A document uploaded after the decision (a renewal) waits for the next one.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    stale = CheckDocument.objects.filter(
        check_record__status__in=(CheckStatus.VERIFIED, CheckStatus.REJECTED),
        check_record__decided_at__lt=cutoff,
        uploaded_at__lte=F("check_record__decided_at"),
    )
    return documents_delete(stale)


def documents_delete(documents):
    """Delete these documents' rows, and their files once that is committed; returns how many.

    The files go only after the commit: a rolled-back deletion must not leave rows whose
    files are gone.
    """
    count = 0
    for document in documents.iterator():
        with transaction.atomic():
            storage, name = document.file.storage, document.file.name
            document.delete()
            transaction.on_commit(functools.partial(storage.delete, name))
        count += 1
    return count


def orphan_files_prune(*, older_than=datetime.timedelta(days=1), now=None):
    """Delete document files no row names, once they are a day old; returns how many.

    An upload whose transaction rolled back after its file was written leaves one behind
    (the file is written before the row commits). A younger file may be an upload still
    committing, so it is left for the next run.
    """
    storage = private_documents()
    try:
        _folders, names = storage.listdir(DOCUMENT_FOLDER)
    except FileNotFoundError:
        return 0
    known = set(CheckDocument.objects.values_list("file", flat=True))
    cutoff = (now or timezone.now()) - older_than
    count = 0
    for name in names:
        path = f"{DOCUMENT_FOLDER}/{name}"
        if path not in known and storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            count += 1
    return count


def provider_documents_delete(*, provider):
    """Every document a provider uploaded (their account is closing)."""
    return documents_delete(CheckDocument.objects.filter(check_record__provider=provider))


# --- reads ------------------------------------------------------------------------------


def last_status_check_subquery():
    return Subquery(
        DbsStatusCheck.objects.filter(check_record=OuterRef("pk"))
        .order_by()
        .values("check_record")
        .annotate(last=Max("checked_on"))
        .values("last")[:1]
    )


def with_status_check_due(checks, today):
    """Annotate `last_status_check` (a date or None) and `status_check_due`: a verified DBS
    check on the Update Service whose last status check (or, before the first, its
    verification) is older than DBS_STATUS_CHECK_INTERVAL_DAYS."""
    cutoff = today - datetime.timedelta(days=settings.DBS_STATUS_CHECK_INTERVAL_DAYS)
    due = Q(kind__in=DBS_CHECKS, status=CheckStatus.VERIFIED, dbs_update_service=True) & (
        Q(last_status_check__lt=cutoff)
        | Q(last_status_check__isnull=True, verified_at__date__lt=cutoff)
    )
    return checks.annotate(last_status_check=last_status_check_subquery()).annotate(
        status_check_due=ExpressionWrapper(due, output_field=BooleanField())
    )


def with_unseen_documents(checks):
    """Annotate `has_unseen_documents`: a document uploaded since the check was last decided
    (or never decided), such as a renewal sent while the check is still verified."""
    unseen = CheckDocument.objects.filter(check_record=OuterRef("pk")).filter(
        Q(check_record__decided_at__isnull=True) | Q(uploaded_at__gt=F("check_record__decided_at"))
    )
    return checks.annotate(has_unseen_documents=Exists(unseen))


def document_response(document, *, inline=False):
    """The file, for a view that has already decided the person may see it.

    Only images (re-encoded by us) may be shown in the page; a PDF is always a download,
    opened by the person's own reader rather than inside the site.
    """
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=not (inline and document.content_type != PDF),
        filename=f"{document.kind}-{document.pk}.{document.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    # Opened on its own, the file can run nothing and reach nothing.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
