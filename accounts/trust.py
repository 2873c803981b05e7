"""Trust figures on a provider's profile, written by the matching app when ratings change."""

from accounts.models import ProviderProfile


def provider_set_rating_figures(*, provider_id, rating_count, rating_sum):
    """Store the count and sum of the visible ratings residents gave this provider.

    The engine turns them into a Bayesian average with its prior (scoring.trust_score),
    so the figures stay the plain facts and the maths stays in one place.
    """
    ProviderProfile.objects.filter(pk=provider_id).update(
        rating_count=rating_count, rating_sum=rating_sum
    )


def provider_set_visit_figures(*, provider_id, kept, missed):
    """Store how many of the provider's visits happened and how many did not (counted by
    the matching app); the engine folds them into reliability with the same prior."""
    ProviderProfile.objects.filter(pk=provider_id).update(visits_kept=kept, visits_missed=missed)
