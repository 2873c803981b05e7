from django.core.management.base import BaseCommand

from matchmaking.lifecycle import expire_offers
from matchmaking.offer_proposals import offers_expire


class Command(BaseCommand):
    help = (
        "Expire offers not answered in time and offer those needs to the next candidate; "
        "end providers' one-off offers nobody took before their time."
    )

    def handle(self, *args, **options):
        count = expire_offers()
        self.stdout.write(f"Expired {count} offer{'' if count == 1 else 's'}.")
        ended = offers_expire()
        self.stdout.write(f"Ended {ended} one-off offer{'' if ended == 1 else 's'} nobody took.")
