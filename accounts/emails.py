from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string

from accounts.tasks import send_email


def send_templated_email(*, to, template, context):
    """Render `<template>_subject.txt` and `<template>_body.txt`, send once the transaction commits.

    Rendering happens now (the task gets plain strings); sending is a background task.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return
    subject, body = email_render(template=template, context=context)
    transaction.on_commit(lambda: send_email.enqueue(to=recipients, subject=subject, body=body))


def email_render(*, template, context):
    """The subject (with the council's name in front) and body of `<template>_subject.txt`
    and `<template>_body.txt`, whichever channel sends them."""
    context = {
        "COUNCIL_NAME": settings.COUNCIL_NAME,
        "SERVICE_NAME": settings.SERVICE_NAME,
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        **context,
    }
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_body.txt", context)
    return f"[{settings.COUNCIL_NAME}] {subject}", body
