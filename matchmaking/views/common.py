"""What the web views of matchmaking share."""

import logging

from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from accounts.exceptions import TransitionError
from matchmaking import lifecycle
from matchmaking.models import Match

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
            request, _("Sorry, something went wrong and nothing was changed. Please try again.")
        )
        return False
    return True


def party_match(request, pk, *related):
    """The match if the user is on either side of it; 404 for anyone else."""
    matches = Match.objects.for_party(request.user).select_related(
        "need", "provider__user", *related
    )
    return get_object_or_404(matches, pk=pk)


def match_page(match, user):
    """The name of the match's page for this user's side of it."""
    if lifecycle.is_provider_side(match, user):
        return "matchmaking:offer_detail"
    return "matchmaking:need_match"
