import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from accounts.photos import process_photo

GPS_IFD = ExifTags.IFD.GPSInfo  # 0x8825


def image_bytes(fmt="JPEG", size=(1200, 900), mode="RGB", color=(200, 80, 40), **save):
    out = BytesIO()
    Image.new(mode, size, color).save(out, format=fmt, **save)
    return out.getvalue()


def noisy_jpeg(size=(400, 300)):
    # Noise does not compress, so cutting the file loses real image data.
    out = BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_declaring(width, height):
    """A tiny, valid PNG whose header claims `width` x `height` pixels (a decompression bomb)."""
    data = image_bytes("PNG", size=(1, 1), mode="1", color=0)
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    # Signature (8 bytes), then the IHDR chunk (4 + 4 + 13 + 4 bytes).
    return data[:8] + ihdr + data[8 + 25 :]


def reopen(content_file):
    image = Image.open(BytesIO(content_file.read()))
    image.load()
    return image


def rejection(data, **kwargs):
    with pytest.raises(ValidationError) as excinfo:
        process_photo(upload(data, **kwargs))
    return excinfo.value.messages


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_become_an_rgb_jpeg(fmt):
    result = process_photo(upload(image_bytes(fmt, size=(300, 200)), name=f"me.{fmt.lower()}"))

    image = reopen(result)
    assert image.format == "JPEG"
    assert image.mode == "RGB"
    assert image.size == (300, 200)


def test_large_photo_is_resized_to_800_px_on_its_longest_side():
    image = reopen(process_photo(upload(image_bytes(size=(2000, 1000)))))

    assert image.size == (800, 400)


def test_portrait_photo_keeps_its_shape():
    image = reopen(process_photo(upload(image_bytes(size=(900, 1800)))))

    assert image.size == (400, 800)


def test_exif_gps_and_every_other_tag_are_stripped():
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    exif[ExifTags.Base.Artist] = "Jo Bloggs"
    exif[GPS_IFD] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (51.0, 27.0, 15.6),
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 58.0, 41.2),
    }
    source = image_bytes(size=(1000, 800), exif=exif)
    assert Image.open(BytesIO(source)).getexif().get_ifd(GPS_IFD), "the test photo has GPS"

    image = reopen(process_photo(upload(source)))

    assert not image.getexif().get_ifd(GPS_IFD)
    assert len(image.getexif()) == 0
    assert "exif" not in image.info


def test_icc_profile_and_comments_are_stripped():
    source = image_bytes(icc_profile=b"not really a profile", comment=b"taken at 1 High St")

    image = reopen(process_photo(upload(source)))

    assert "icc_profile" not in image.info
    assert "comment" not in image.info


def test_exif_orientation_is_applied_so_the_photo_is_upright():
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # stored sideways: display rotated 90° clockwise
    source = image_bytes(size=(1600, 800), exif=exif)

    image = reopen(process_photo(upload(source)))

    assert image.size == (400, 800)
    assert len(image.getexif()) == 0


def test_transparent_png_is_flattened_onto_white():
    source = image_bytes("PNG", size=(50, 50), mode="RGBA", color=(0, 0, 0, 0))

    image = reopen(process_photo(upload(source, name="me.png")))

    red, green, blue = image.getpixel((25, 25))
    assert min(red, green, blue) > 240


def test_anything_appended_to_a_real_jpeg_is_not_kept():
    source = image_bytes(size=(100, 100)) + b"<?php system($_GET['c']); ?>"

    result = process_photo(upload(source, name="photo.jpg.php")).read()

    assert b"<?php" not in result
    assert result.startswith(b"\xff\xd8")


def test_gif_is_refused():
    messages = rejection(image_bytes("GIF", size=(50, 50)), name="me.gif")

    assert messages == ["The photo must be a JPG, PNG or WebP image"]


def test_text_file_named_photo_jpg_is_refused():
    messages = rejection(b"Dear council, this is not a photo.\n", name="photo.jpg")

    assert messages == ["The photo must be a JPG, PNG or WebP image"]


def test_php_script_named_photo_jpg_php_is_refused():
    messages = rejection(b"<?php system($_GET['cmd']); ?>", name="photo.jpg.php")

    assert messages == ["The photo must be a JPG, PNG or WebP image"]


def test_svg_with_a_script_is_refused():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script></svg>"
    )
    messages = rejection(svg, name="photo.svg", content_type="image/svg+xml")

    assert messages == ["The photo must be a JPG, PNG or WebP image"]


def test_file_over_5_mb_is_refused():
    data = image_bytes(size=(10, 10)) + b"\0" * (5 * 1024 * 1024)

    assert rejection(data) == ["The photo must be smaller than 5 MB"]


def test_empty_file_is_refused():
    assert rejection(b"") == ["The selected photo is empty"]


def test_truncated_jpeg_is_refused():
    data = noisy_jpeg()

    messages = rejection(data[: len(data) // 2])

    assert messages == [
        "The photo could not be read. It may be damaged: try saving it again or use another"
    ]


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (7000, 7000),  # 49 Mpx: over our own 40 Mpx limit, under Pillow's
        (10000, 10000),  # 100 Mpx: Pillow's DecompressionBombWarning, treated as an error
        (20000, 20000),  # 400 Mpx: Pillow's DecompressionBombError
    ],
)
def test_decompression_bomb_is_refused(width, height):
    data = png_declaring(width, height)
    assert len(data) < 200, "the bomb itself is tiny"

    messages = rejection(data, name="photo.png")

    assert messages == ["The photo is too big. Use a photo smaller than 40 megapixels"]


def test_under_the_pixel_limit_is_fine():
    image = reopen(process_photo(upload(image_bytes("PNG", size=(6000, 4000), mode="1", color=1))))

    assert image.size == (800, 533)
