"""Every API error is JSON: {"detail": "what went wrong", "errors": {field: [messages]}}.

`errors` is there for validation errors only. Domain refusals from the write functions
(TransitionError, Django's ValidationError) become 400s with their own message (a 409
when someone else got there first: AlreadyTaken), an oversized body a 413, and a request
Django finds suspicious a 400: never a 500.
"""

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from accounts.exceptions import AlreadyTaken, TooManyRequests, TransitionError
from matchmaking.api.parsers import PayloadTooLarge

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class Refused(exceptions.APIException):
    """A write function said no (TransitionError): the message is written for the person."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"


class Taken(Refused):
    """Someone else got there first (AlreadyTaken): a conflict, not a bad request."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "taken"


def django_validation_error(exc):
    """A model or write-function ValidationError as DRF's, "__all__" under non_field_errors."""
    if hasattr(exc, "error_dict"):
        detail = {
            (NON_FIELD if name == "__all__" else name): messages
            for name, messages in get_error_detail(exc).items()
        }
    else:
        detail = {NON_FIELD: get_error_detail(exc)}
    return exceptions.ValidationError(detail)


def _translate(exc):
    if isinstance(exc, TooManyRequests):
        return exceptions.Throttled(wait=exc.retry_after_seconds, detail=str(exc))
    if isinstance(exc, AlreadyTaken):
        return Taken(str(exc))
    if isinstance(exc, TransitionError):
        return Refused(str(exc))
    if isinstance(exc, DjangoValidationError):
        return django_validation_error(exc)
    if isinstance(exc, RequestDataTooBig):
        from django.conf import settings

        return PayloadTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ParseError(_("The request could not be read."))
    if isinstance(exc, Http404):
        # Never name the model or echo the lookup: "not yours" and "not there" look alike.
        return exceptions.NotFound()
    return exc


def _summary(errors):
    if isinstance(errors, dict):
        general = errors.get(NON_FIELD)
        if general:
            return " ".join(str(message) for message in general)
        if errors:
            return f"Check these fields: {', '.join(str(name) for name in errors)}."
    if isinstance(errors, list) and errors:
        return " ".join(str(message) for message in errors if isinstance(message, str)) or (
            _("The request is not valid.")
        )
    return _("The request is not valid.")


def exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = response.data
        if isinstance(errors, list):
            errors = {NON_FIELD: errors}
        response.data = {"detail": _summary(errors), "errors": errors}
    elif not (isinstance(response.data, dict) and "detail" in response.data):
        response.data = {"detail": str(response.data)}
    return response
