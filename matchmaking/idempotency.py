"""Idempotent API writes: a retried POST with the same `Idempotency-Key` makes no second row.

The first request with a key claims it (a row, unique per user and key, committed at
once so a concurrent retry sees it), runs, and stores its answer in the same transaction
as the rows it made. A retry with the same key and the same request gets that answer
again; with another body, method or path it is refused (`KeyReused`); while the first
is still running it is told to wait (`KeyInFlight`). Only successes are stored: after a
refusal nothing was made, and the key is free to send again.
"""

import datetime
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from matchmaking.models import IdempotencyKey

# How long a stored answer is replayed; apply_retention deletes older ones.
KEY_LIFETIME = datetime.timedelta(hours=24)
# A claim this old with no answer belongs to a request that died (a worker killed
# mid-request rolls back its rows): a retry may take it over.
ABANDONED_AFTER = datetime.timedelta(minutes=5)


class KeyInFlight(Exception):
    """The first request with this key has not finished yet."""


class KeyReused(Exception):
    """The key was first used for a different request."""


def request_fingerprint(data) -> str:
    """SHA-256 of the parsed request body, so key order and spacing do not matter."""
    if hasattr(data, "lists"):  # a QueryDict (form or multipart body)
        data = dict(data.lists())
    canonical = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_key_claim(*, user, key, method, path, fingerprint) -> IdempotencyKey:
    """Claim `key` for this request, or return the finished earlier request to replay.

    The returned row has no `status_code` when this request is to run (then call
    `idempotency_key_store` or `idempotency_key_release`). Raises KeyInFlight or KeyReused.
    """
    request = {"method": method, "path": path, "fingerprint": fingerprint}
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, key=key, **request)
    except IntegrityError:
        pass  # used before: the unique constraint lets only one request claim a key
    earlier = IdempotencyKey.objects.filter(user=user, key=key).first()
    if earlier is None:
        raise KeyInFlight  # the first request failed and released the key just now
    if any(getattr(earlier, name) != value for name, value in request.items()):
        raise KeyReused
    if earlier.status_code is not None:
        return earlier
    now = timezone.now()
    if earlier.created_at < now - ABANDONED_AFTER:
        # Conditional on the old claim time, so two retries cannot both take it over.
        taken = IdempotencyKey.objects.filter(
            pk=earlier.pk, status_code__isnull=True, created_at=earlier.created_at
        ).update(created_at=now)
        if taken:
            earlier.created_at = now
            return earlier
    raise KeyInFlight


def idempotency_key_store(*, claim, status_code, response):
    """Keep the answer to replay. Call inside the transaction that made the rows, so the
    answer is kept exactly when they are."""
    claim.status_code = status_code
    claim.response = response
    claim.save(update_fields=["status_code", "response"])


def idempotency_key_release(*, claim):
    """The request made nothing: free the key for another try."""
    IdempotencyKey.objects.filter(pk=claim.pk, status_code__isnull=True).delete()


def idempotency_keys_prune(*, now=None) -> int:
    """Delete keys older than KEY_LIFETIME; returns how many."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
