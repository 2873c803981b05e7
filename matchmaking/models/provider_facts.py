"""The stamp that says when providers' ranking facts last changed (provider_index)."""

from django.db import models


class ProviderFactsStamp(models.Model):
    """One row whose `stamp` database triggers replace with a random number whenever a
    provider's ranking facts change, in the same transaction as the change: providers joining,
    leaving, changing status, kind, place, reach, capacity or languages, and their skills,
    checks, availability and dates away. A process that kept those facts knows they are still
    the database's while the stamp it read before reading them is the stamp now.

    Random rather than counted, so that a stamp rolled back with its transaction never comes
    back for another change.
    """

    stamp = models.BigIntegerField()

    class Meta:
        verbose_name = "provider facts stamp"

    def __str__(self):
        return str(self.stamp)
