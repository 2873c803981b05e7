"""Provider photos: accept only real, modest images and store a clean JPEG of our own making.

The uploaded bytes are never stored. Pillow decides what the file is (its name and the
browser's content type are the uploader's word, not evidence); the picture is decoded,
turned upright, shrunk and re-encoded, so no metadata (EXIF with GPS, ICC, comments) and
nothing smuggled after the image data survives.
"""

import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.uploads import read_limited

MAX_BYTES = 5 * 1024 * 1024
# Far below Pillow's own bomb threshold (~89 Mpx): a 40 Mpx RGBA image is already 160 MB decoded.
MAX_PIXELS = 40_000_000
MAX_SIDE = 800
JPEG_QUALITY = 85
OPENERS = ("JPEG", "PNG", "WEBP")
# The JPEG opener also yields MPO: the JPEGs many phone cameras write (extra frames).
ALLOWED_FORMATS = ("JPEG", "MPO", "PNG", "WEBP")

EMPTY = "The selected photo is empty"
NOT_AN_IMAGE = "The photo must be a JPG, PNG or WebP image"
TOO_LARGE = "The photo must be smaller than 5 MB"
TOO_MANY_PIXELS = "The photo is too big. Use a photo smaller than 40 megapixels"
DAMAGED = "The photo could not be read. It may be damaged: try saving it again or use another"


def _open(data):
    image = Image.open(BytesIO(data), formats=OPENERS)
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="format")
    if image.width * image.height > MAX_PIXELS:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
    return image


def _flatten_to_rgb(image):
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def process_photo(uploaded_file) -> ContentFile:
    """Validate an uploaded photo and return a clean JPEG (≤800 px, no metadata).

    Raises ValidationError with a message fit to show the person who uploaded it.
    """
    data = read_limited(uploaded_file, max_bytes=MAX_BYTES, too_large=TOO_LARGE, empty=EMPTY)
    with warnings.catch_warnings():
        # Pillow only warns between its two bomb thresholds; a warning is a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with _open(data) as image:
                image.verify()
            # verify() leaves the image unusable: open again to decode it.
            with _open(data) as image:
                # Shrink first (JPEG decodes at reduced scale), then apply the EXIF
                # orientation so the photo is upright; the box is square so order is safe.
                image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                upright = ImageOps.exif_transpose(image)
                rgb = _flatten_to_rgb(upright)
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from exc
        except UnidentifiedImageError as exc:
            raise ValidationError(NOT_AN_IMAGE, code="format") from exc
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as exc:
            # Truncated or corrupt data: Pillow's plugins raise any of these.
            raise ValidationError(DAMAGED, code="damaged") from exc

    # A fresh image carries no info dict at all: no EXIF, ICC profile, comment or XMP.
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = BytesIO()
    clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name="photo.jpg")
