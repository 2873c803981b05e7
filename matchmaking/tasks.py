from datetime import timedelta

from django.utils import timezone
from django_tasks import TaskContext, task

from matchmaking import lifecycle
from services.models import Need


@task()
def offer_need(need_id: int) -> None:
    need = Need.objects.filter(pk=need_id).first()
    if need is not None:
        lifecycle.need_offer_next(need=need)


@task()
def expire_offers() -> int:
    return lifecycle.expire_offers()


@task()
def propose_offer(offer_id: int) -> int:
    """Put a provider's newly posted one-off offer to the best residents nearby."""
    from matchmaking.offer_proposals import offer_propose
    from services.models import Offer

    offer = Offer.objects.filter(pk=offer_id).first()
    return len(offer_propose(offer=offer)) if offer is not None else 0


@task()
def expire_provider_offers() -> int:
    """Providers' one-off offers nobody took before their time (the provider is told)."""
    from matchmaking.offer_proposals import offers_expire

    return offers_expire()


@task()
def check_expiry_sweep() -> list[int]:
    from matchmaking.safeguarding import check_expiry_sweep as sweep

    return list(sweep())


@task()
def run_allocation(run_id: int) -> int | None:
    """Fill the AllocationRun created when staff asked for it; returns the needs offered."""
    from matchmaking.allocation import allocation_run
    from matchmaking.models import AllocationRun

    run = (
        AllocationRun.objects.select_related("started_by", "programme", "area")
        .filter(pk=run_id, finished_at__isnull=True)
        .first()
    )
    if run is None:
        return None
    run = allocation_run(actor=run.started_by, programme=run.programme, area=run.area, run=run)
    return run.figures["matched"]


@task()
def send_reminders() -> int:
    """The reminders of coming visits now due (each sent once, however many run this)."""
    from matchmaking.reminders import reminders_send

    return reminders_send()


@task()
def send_surveys() -> list[int]:
    """Outcome survey invitations now due (3 and 6 months after the first visit done;
    volunteers at sign-up and 6 months) and their one reminder: [invited, reminded]."""
    from matchmaking.outcomes.surveys import surveys_send

    return list(surveys_send())


# Texts say something is happening now: a few quick retries, then give up (email and
# the app still carry the message).
TEXT_RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))


@task(takes_context=True)
def send_text(context: TaskContext, *, delivery_id: int, message: str, attempt: int = 1) -> None:
    """One text message through the text channel (GOV.UK Notify), retried later while
    Notify is unreachable or busy, when the tasks backend can run a task later."""
    from matchmaking.texts import text_delivery_send

    this = context.task_result.task
    can_retry = attempt <= len(TEXT_RETRY_DELAYS) and this.get_backend().supports_defer
    if text_delivery_send(delivery_id=delivery_id, message=message, last_attempt=not can_retry):
        this.using(run_after=timezone.now() + TEXT_RETRY_DELAYS[attempt - 1]).enqueue(
            delivery_id=delivery_id, message=message, attempt=attempt + 1
        )


@task()
def send_notify_email(*, to: str, subject: str, body: str) -> None:
    """One notification email through GOV.UK Notify; a refusal is logged without the
    address (the people written to may be vulnerable)."""
    import logging

    from matchmaking.channels import ChannelError, text_channel

    channel = text_channel()
    if channel is None:
        return
    try:
        channel.send_email(email=to, subject=subject, body=body, reference="kith-notification")
    except ChannelError as error:
        logging.getLogger(__name__).error("Notification email not sent: %s", error)


@task()
def send_notification_emails(notification_ids: list[int]) -> int:
    """The emails of one `notify_many` call (notifications.notification_emails_send)."""
    from matchmaking.notifications import notification_emails_send

    return notification_emails_send(notification_ids)


@task()
def solve_components(problem: str) -> str:
    """Solve a group of an allocation's independent components (allocation.solve_on_workers):
    the problem and the answer are JSON text (see allocation.components_solve)."""
    from matchmaking.allocation import components_solve

    return components_solve(problem)
