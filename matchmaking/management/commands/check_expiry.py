from django.core.management.base import BaseCommand

from matchmaking.safeguarding import check_expiry_sweep


class Command(BaseCommand):
    help = "Daily: warn about checks expiring within 30 days; flag live matches of expired ones."

    def handle(self, *args, **options):
        warned, flagged = check_expiry_sweep()
        self.stdout.write(f"Warned about {warned} check(s); flagged {flagged} live match(es).")
