"""API views: parse with a serializer, call one write function, answer with a serializer.

Each queryset holds only what the user may see, so someone else's need, offer, match,
rating, concern or notification is a 404, never a 403 that would confirm it exists.
Refusals from the write functions (TransitionError, ValidationError) become 400s in
matchmaking.api.exceptions.
"""
