from django.dispatch import Signal

# Sent (after commit) when a need is open for matching. services cannot import
# matchmaking, so the matching app subscribes to this instead of being called.
need_opened = Signal()  # sender=Need, need=<Need>
# Sent (after commit) when a provider posts a one-off offer: matchmaking proposes it to
# residents nearby.
offer_posted = Signal()  # sender=Offer, offer=<Offer>
offer_withdrawn = Signal()  # sender=Offer, offer=<Offer>; after commit
