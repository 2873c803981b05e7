class TransitionError(Exception):
    """A state change was refused; the message is written for the person who asked for it."""


class TooManyRequests(TransitionError):
    """Refused for now, not for good: the person sent too much in a short time (the API
    answers 429 so a client knows to wait rather than fix the request)."""

    def __init__(self, message, *, retry_after_seconds=None):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class AlreadyTaken(TransitionError):
    """Refused because someone else got there first (an urgent request offered to several
    people, one of whom already said yes): the API answers 409, the web shows the message."""
