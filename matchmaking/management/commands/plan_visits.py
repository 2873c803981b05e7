from django.core.management.base import BaseCommand

from matchmaking.visits import visits_plan


class Command(BaseCommand):
    help = "Plan every active match's visits a rolling four weeks ahead (safe to run again)."

    def handle(self, *args, **options):
        count = visits_plan()
        self.stdout.write(f"Planned {count} visit{'' if count == 1 else 's'}.")
