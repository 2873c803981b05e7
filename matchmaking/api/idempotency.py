"""The `Idempotency-Key` header on the API's creating endpoints (see matchmaking.idempotency).

Decorate the view method that creates with `@idempotent`, and add `IDEMPOTENCY_KEY` to
its documented parameters and `IDEMPOTENCY_RESPONSES` to its documented responses.
"""

import functools
import json
import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from matchmaking.api.schema import ERROR
from matchmaking.idempotency import (
    KeyInFlight,
    KeyReused,
    idempotency_key_claim,
    idempotency_key_release,
    idempotency_key_store,
    request_fingerprint,
)

HEADER = "Idempotency-Key"
KEY_PATTERN = r"^[!-~]{1,128}$"  # visible ASCII: a UUID fits
REPLAYED_HEADER = "Idempotent-Replayed"
RETRY_IN_FLIGHT_SECONDS = 5

IDEMPOTENCY_KEY = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    pattern=KEY_PATTERN,
    description=(
        "A value unique to this request (a UUID), so that retrying it is safe: a retry "
        "with the same key gets the first answer again (status and body, with the header "
        f"`{REPLAYED_HEADER}: true`) and nothing is created twice. Keys are yours alone "
        "and kept for at least 24 hours. The same key with a different body, method or "
        "path is a 422; while the first request is still running, a 409. A request that "
        "was refused (4xx) keeps nothing, so its key may be sent again."
    ),
)
IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(
        ERROR,
        description=(
            f"A request with this {HEADER} is still running: retry after Retry-After seconds."
        ),
    ),
    422: OpenApiResponse(ERROR, description=f"This {HEADER} was used for a different request."),
}


def _error(code, detail, **headers):
    return Response({"detail": detail}, status=code, headers=headers)


def _as_sent(response):
    """The body as the client read it (dates as the renderer writes them), to replay."""
    return json.loads(JSONRenderer().render(response.data))


def idempotent(create):
    """Make a creating view method honour the Idempotency-Key header."""

    @functools.wraps(create)
    def view(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return create(self, request, *args, **kwargs)
        if not re.fullmatch(KEY_PATTERN, key):
            raise ValidationError(
                {HEADER: ["Send from 1 to 128 visible ASCII characters, such as a UUID."]}
            )
        try:
            claim = idempotency_key_claim(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path,
                fingerprint=request_fingerprint(request.data),
            )
        except KeyInFlight:
            return _error(
                status.HTTP_409_CONFLICT,
                _("A request with this %(header)s is still running. Try again in a moment.")
                % {"header": HEADER},
                **{"Retry-After": str(RETRY_IN_FLIGHT_SECONDS)},
            )
        except KeyReused:
            return _error(
                status.HTTP_422_UNPROCESSABLE_ENTITY,
                _(
                    "This %(header)s was already used for a different request. "
                    "Use a new key for a new request."
                )
                % {"header": HEADER},
            )
        if claim.status_code is not None:
            return Response(
                claim.response, status=claim.status_code, headers={REPLAYED_HEADER: "true"}
            )
        try:
            # The answer is kept in the transaction that makes the rows: both or neither.
            with transaction.atomic():
                response = create(self, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    idempotency_key_store(
                        claim=claim, status_code=response.status_code, response=_as_sent(response)
                    )
        except BaseException:
            idempotency_key_release(claim=claim)
            raise
        if not status.is_success(response.status_code):
            idempotency_key_release(claim=claim)
        return response

    return view
