from django.core.management.base import BaseCommand

from matchmaking.lifecycle import expire_offers


class Command(BaseCommand):
    help = "Expire offers not answered in time and offer those needs to the next candidate."

    def handle(self, *args, **options):
        count = expire_offers()
        self.stdout.write(f"Expired {count} offer{'' if count == 1 else 's'}.")
