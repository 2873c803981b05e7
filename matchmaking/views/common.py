"""What the web views of matchmaking share."""

import logging

from django.contrib import messages
from django.db import DatabaseError

from accounts.exceptions import TransitionError

logger = logging.getLogger(__name__)


def act(request, call):
    """Run one state change; a refusal or a failure becomes a message, never an error page.

    Every state change is one transaction, so after a database error nothing was changed.
    """
    try:
        call()
    except TransitionError as error:
        messages.error(request, str(error))
        return False
    except DatabaseError:
        logger.exception("State change failed")
        messages.error(
            request, "Sorry, something went wrong and nothing was changed. Please try again."
        )
        return False
    return True
