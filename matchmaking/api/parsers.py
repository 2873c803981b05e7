"""JSON bodies, held to the same size limit as every other request body.

DRF's JSONParser reads the request stream directly, which skips Django's
DATA_UPLOAD_MAX_MEMORY_SIZE check; this one applies it and answers 413.
"""

import codecs

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.utils import json


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"

    def __init__(self, limit):
        super().__init__(f"The request body is too large: send at most {limit:,} bytes.")


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def refuse_unstorable_text(data):
    """A 400 for text no database column can hold: NUL characters (PostgreSQL refuses
    them) and lone surrogates (not valid UTF-8). Iterative: nesting depth cannot hurt."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            check_text(item)


def check_text(text):
    if "\x00" in text:
        raise ParseError(_("Text may not contain the NUL character (\\u0000)."))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError(_("Text must be valid Unicode: it has a lone surrogate.")) from None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        request = parser_context.get("request")
        if limit is not None and request is not None and _content_length(request) > limit:
            raise PayloadTooLarge(limit)
        # Read one byte past the limit: a body longer than it said is refused too.
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(limit)
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(f"The request body is not valid {encoding} text.") from exc
        try:
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - the body is nested too deeply.")) from exc
        refuse_unstorable_text(data)
        return data
