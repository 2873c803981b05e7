from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from accounts.languages import languages_for_addresses
from accounts.tasks import send_email


def send_templated_email(*, to, template, context, language=None):
    """Render `<template>_subject.txt` and `<template>_body.txt`, send once the transaction commits.

    Rendering happens now (the task gets plain strings), in each recipient's language: the
    one on the account with that address, else `language` (None: the current one). Sending
    is a background task.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return
    by_language = {}
    for address, account_language in languages_for_addresses(recipients).items():
        by_language.setdefault(account_language or language, []).append(address)
    for recipient_language, addresses in by_language.items():
        email_queue(to=addresses, template=template, context=context, language=recipient_language)


def email_queue(*, to, template, context, language):
    """Render the email in `language` now; send it to `to` once the transaction commits."""
    subject, body = email_render(template=template, context=context, language=language)
    transaction.on_commit(partial(send_email.enqueue, to=list(to), subject=subject, body=body))


def email_render(*, template, context, language=None):
    """The subject (with the council's name in front) and body of `<template>_subject.txt`
    and `<template>_body.txt`, whichever channel sends them, in `language` (None: the
    current one)."""
    context = {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "SERVICE_NAME": settings.SERVICE_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        **context,
    }
    with translation.override(language or translation.get_language()):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    return f"[{settings.COUNCIL_NAME}] {subject}", body
