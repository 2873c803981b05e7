from django.core.management.base import BaseCommand

from matchmaking.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Queue the reminders of coming visits (a day and two hours before) on the task "
        "backend; each is sent once however often this runs. Run it every few minutes."
    )

    def handle(self, *args, **options):
        result = send_reminders.enqueue()
        self.stdout.write(f"Queued the visit reminders (task {result.id}).")
