"""Certificates to upload in tests, made on the spot with pypdf and Pillow (no fixtures)."""

import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject


def _written(writer):
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return _written(writer)


def pdf_with_javascript():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    # Document-level JavaScript, as Acrobat writes it: /Names /JavaScript in the catalogue.
    action = writer._add_object(
        DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hello');"),
            }
        )
    )
    names = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("hello"), action])}
    )
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): names})
    return _written(writer)


def pdf_with_page_action():
    """JavaScript run when a page opens (/AA), no document-level script."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")}
    )
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): action})
    return _written(writer)


def encrypted_pdf():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", owner_password="secret", algorithm="AES-128")
    return _written(writer)


def pdf_with_attachment():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("payload.exe", b"MZ not really")
    return _written(writer)


def zip_bytes():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


def png_bytes(size=(600, 400)):
    out = BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps():
    image = Image.new("RGB", (640, 480), (200, 80, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS latitude
    exif[0x010F] = "PhoneMaker"
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data, name="certificate.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(name="private_media")
def private_media_fixture(settings, tmp_path):
    """Documents go to a fresh folder per test; photos elsewhere, to show none land there."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_MEDIA_ROOT


def stored_files(root):
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def handmade_pdf(*objects, orphans=()):
    """A one-page PDF from raw object bodies (object 1 the catalogue), with a correct
    cross-reference table; `orphans` are written into the file but left out of the table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    for number, body in enumerate(orphans, len(objects) + 1):
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


PAGES = (
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
)


def pdf_with_disguised_javascript():
    """Document-level JavaScript whose names are #-escaped (/J#61vaScript is /JavaScript)."""
    catalogue = b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 5 0 R >> >>"
    return handmade_pdf(
        catalogue,
        *PAGES,
        b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        b"<< /Names [(x) 4 0 R] >>",
    )


def pdf_with_a_script_outside_the_table():
    """A script object no cross-reference entry names: a viewer repairing the file finds it."""
    return handmade_pdf(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        *PAGES,
        orphans=[b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"],
    )
