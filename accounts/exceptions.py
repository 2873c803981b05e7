class TransitionError(Exception):
    """A state change was refused; the message is written for the person who asked for it."""
