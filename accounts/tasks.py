from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> None:
    # Runs in the task worker (inline by default): a failing mail server fails the
    # task, which the backend records, never the request that asked for the email.
    send_mail(subject, body, None, to)
