"""GOV.UK Notify's delivery receipts (its "callbacks") for the texts Kith sends.

Notify POSTs one JSON receipt per text, with the bearer token set in its settings. A
wrong or missing token is a 401 and changes nothing; a body that is not a receipt is a
400. Unknown ids are acknowledged (a 204) so Notify does not retry them for ever.
"""

import json
import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.exceptions import TransitionError
from matchmaking.texts import delivery_status_record


def _authorised(request):
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    # An empty setting refuses everything: no token is never a valid token.
    return bool(expected) and constant_time_compare(given, f"Bearer {expected}")


def _error(status, detail):
    return JsonResponse({"detail": detail}, status=status)


@csrf_exempt  # a server-to-server call, authenticated by its bearer token
@require_POST
def notify_callback(request):
    if not _authorised(request):
        response = _error(401, "Send the callback bearer token set for this service.")
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        receipt = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The body must be JSON.")
    if not isinstance(receipt, dict):
        return _error(400, "The body must be a JSON object.")
    notify_id, status = receipt.get("id"), receipt.get("status")
    if not (isinstance(notify_id, str) and isinstance(status, str)):
        return _error(400, "The receipt needs an id and a status, both text.")
    try:
        # Notify's ids are UUIDs; anything else (NULs, lone surrogates…) never reaches SQL.
        notify_id = str(uuid.UUID(notify_id))
    except ValueError:
        return _error(400, "The receipt's id must be a UUID.")
    try:
        delivery_status_record(notify_id=notify_id, status=status)
    except TransitionError as error:
        return _error(400, str(error))
    return HttpResponse(status=204)
