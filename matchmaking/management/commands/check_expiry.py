from django.core.management.base import BaseCommand

from matchmaking.safeguarding import check_expiry_sweep


class Command(BaseCommand):
    help = (
        "Daily: warn about checks expiring within 30 days; end (and re-match) live matches "
        "that need an expired one."
    )

    def handle(self, *args, **options):
        warned, cancelled = check_expiry_sweep()
        self.stdout.write(f"Warned about {warned} check(s); ended {cancelled} live match(es).")
