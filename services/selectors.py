"""Reads of a person's own needs and offers, for the web pages and the API.

Ownership is a plain foreign key (a need's requested_by and resident, an offer's provider's
user), so these filter on the indexed columns. django-guardian holds the same facts as
object permissions (need_submit and offer_create still grant them), but asking it costs a
content-type lookup and a subquery on its permission table for every list.
"""

from services.models import Need, NeedSlot, Offer

# What "Your requests" shows of a need, and no more: a need is forty columns, several of
# them private (address, phone) or long (details).
NEED_LIST_FIELDS = (
    "reference",
    "channel",
    "contact_name",
    "schedule",
    "on_date",
    "starts_at",
    "ends_at",
    "status",
    "category__name",
)
# What "Your offers" and the dashboard's coming offers show of an offer.
OFFER_LIST_FIELDS = (
    "description",
    "portions",
    "max_distance_km",
    "on_date",
    "starts_at",
    "ends_at",
    "status",
    "category__name",
)


def needs_visible_to(user):
    """The needs this person asked for or that were asked for them."""
    if not user.is_authenticated:
        return Need.objects.none()
    return Need.objects.owned_by(user)


def needs_listed_for(user):
    """The "Your requests" list: the person's needs with what the list shows of each."""
    return (
        needs_visible_to(user)
        .select_related("category")
        .only(*NEED_LIST_FIELDS)
        .prefetch_related("slots")
    )


def offers_visible_to(user):
    """The offers this person made as a provider (not staff-wide)."""
    if not user.is_authenticated:
        return Offer.objects.none()
    return Offer.objects.filter(provider__user=user)


def offers_listed_for(user):
    """The "Your offers" list: the provider's offers with what the list shows of each."""
    return offers_visible_to(user).select_related("category").only(*OFFER_LIST_FIELDS)


def slots_attach(needs):
    """Give each of `needs` its weekly slots, as prefetch_related("slots") would, with one
    query for all: `need.slots.all()` then asks nothing. Django's prefetch builds a filtered
    queryset for every need (0.1 ms each, half a second for a batch allocation's 5,000);
    here each gets an unfiltered one holding its rows. Returns `needs`, a list."""
    needs = list(needs)
    by_need = {need.pk: [] for need in needs}
    ids = sorted(by_need)
    for start in range(0, len(ids), _IDS_PER_QUERY):
        for slot in NeedSlot.objects.filter(need_id__in=ids[start : start + _IDS_PER_QUERY]):
            by_need[slot.need_id].append(slot)
    cache_name = Need._meta.get_field("slots").cache_name
    for need in needs:
        slots = NeedSlot.objects.all()
        slots._result_cache = by_need[need.pk]
        slots._prefetch_done = True
        for slot in slots._result_cache:
            slot.need = need
        if not hasattr(need, "_prefetched_objects_cache"):
            need._prefetched_objects_cache = {}
        need._prefetched_objects_cache[cache_name] = slots
    return needs


# Ids per IN list: well inside every backend's limit on query parameters.
_IDS_PER_QUERY = 900
