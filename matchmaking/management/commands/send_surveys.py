from django.core.management.base import BaseCommand

from matchmaking.tasks import send_surveys


class Command(BaseCommand):
    help = (
        "Queue the outcome survey invitations now due (residents 3 and 6 months after their "
        "first visit done, volunteers at sign-up and after 6 months) and their one reminder. "
        "Each is sent once however often this runs; run it daily or more often."
    )

    def handle(self, *args, **options):
        result = send_surveys.enqueue()
        self.stdout.write(f"Queued the outcome surveys (task {result.id}).")
