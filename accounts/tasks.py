"""Email, sent by the task worker and retried with backoff while the mail server is unavailable.

Retrying needs a tasks backend that can run a task later (`supports_defer`: the database
backend in production). With the inline backend (development, tests) a failure is logged
and recorded on the task, never raised into the request, and the email is not retried.

Logs and recorded errors name the task and how many recipients, never an address or the
body: the people written to may be vulnerable. (The mail server's own error text can
quote an address, so it is left out too.)
"""

import logging
import smtplib
from datetime import timedelta

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import TaskContext, task

logger = logging.getLogger(__name__)

# The wait before attempts 2, 3, …: a restarted or briefly overloaded relay is back within
# minutes, planned maintenance within hours. The last attempt comes about 8½ hours after
# the first, well inside the 48 hours an offer stays open; then the task gives up and
# logs an error, so staff hear of it the same working day.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


class EmailNotSent(Exception):
    """Recorded on the failed task in place of the mail server's error (see the module doc)."""


def is_permanent(error: OSError) -> bool:
    """RFC 5321: a 5xx reply is permanent; 4xx replies, dropped connections and timeouts pass."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


@task(takes_context=True)
def send_email(
    context: TaskContext, *, to: list[str], subject: str, body: str, attempt: int = 1
) -> None:
    """Send one email; on a transient failure enqueue the next attempt, then fail this one.

    Every attempt that did not deliver ends FAILED (EmailNotSent, naming the retry's task
    id when there is one), so the task results count failures truthfully.
    """
    try:
        send_mail(subject, body, None, to)
    except OSError as error:  # smtplib.SMTPException, ConnectionError, TimeoutError
        reason = f"{type(error).__name__} {getattr(error, 'smtp_code', '')}".strip()
        this = context.task_result.task
        failure = (
            f"Email task {context.task_result.id} to {len(to)} recipient(s) failed ({reason})"
            f" on attempt {attempt} of {MAX_ATTEMPTS}"
        )
        if is_permanent(error):
            logger.error("%s: refused by the mail server, not retried", failure)
        elif attempt >= MAX_ATTEMPTS:
            logger.error("%s: giving up", failure)
        elif not this.get_backend().supports_defer:
            logger.warning("%s: the tasks backend cannot run it later, not retried", failure)
        else:
            delay = RETRY_DELAYS[attempt - 1]
            retry = this.using(run_after=timezone.now() + delay).enqueue(
                to=to, subject=subject, body=body, attempt=attempt + 1
            )
            logger.warning("%s: retrying in %s as task %s", failure, delay, retry.id)
            # This attempt still failed, and its task result must say so (a dashboard or
            # an alert counts failures); the retry is already queued in its own row.
            raise EmailNotSent(
                f"{reason} on attempt {attempt} of {MAX_ATTEMPTS}: retrying as task {retry.id}"
            ) from None
        raise EmailNotSent(f"{reason} on attempt {attempt} of {MAX_ATTEMPTS}") from None
