import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.documents import documents_prune, orphan_files_prune
from matchmaking.idempotency import idempotency_keys_prune
from matchmaking.privacy import apply_retention, prune_task_results
from services.provider_views import PHOTO


class Command(BaseCommand):
    help = (
        "Anonymise needs closed for longer than the retention period (RETENTION_DAYS) and "
        "delete background-task records, which hold email addresses and texts, after "
        "TASK_RESULT_RETENTION_DAYS, photos left by Offer help journeys never finished, and "
        "API answers kept for Idempotency-Key retries after a day, and vetting documents "
        "DOCUMENT_RETENTION_DAYS after their check was decided."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Override RETENTION_DAYS.")

    def handle(self, *args, days=None, **options):
        days = settings.RETENTION_DAYS if days is None else days
        if days < 30:
            raise CommandError("The retention period must be at least 30 days.")
        count = apply_retention(days=days)
        self.stdout.write(f"Anonymised {count} need(s) closed more than {days} days ago.")
        task_days = settings.TASK_RESULT_RETENTION_DAYS
        pruned = prune_task_results(days=task_days)
        self.stdout.write(
            f"Deleted {pruned} background task record(s) finished more than {task_days} days ago."
        )
        # No session outlives SESSION_MAX_SECONDS, so an older draft photo has no journey.
        session_ended = timezone.now() - datetime.timedelta(seconds=settings.SESSION_MAX_SECONDS)
        photos = PHOTO.prune(stored_before=session_ended)
        self.stdout.write(f"Deleted {photos} photo(s) left by unfinished Offer help journeys.")
        # Stored answers hold the personal details the API sent back: keep them no longer.
        keys = idempotency_keys_prune()
        self.stdout.write(f"Deleted {keys} answer(s) kept for API retries (Idempotency-Key).")
        # Vetting documents are evidence for a decision: kept a while after it, then deleted.
        document_days = settings.DOCUMENT_RETENTION_DAYS
        deleted = documents_prune(days=document_days)
        self.stdout.write(
            f"Deleted {deleted} vetting document(s) of checks decided more than "
            f"{document_days} days ago."
        )
        orphans = orphan_files_prune()
        self.stdout.write(f"Deleted {orphans} document file(s) left by failed uploads.")
