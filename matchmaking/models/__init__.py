"""Matchmaking's models, one module per domain (as pretix's base/models/)."""

from matchmaking.models.allocation import AllocationRun
from matchmaking.models.conversations import Conversation, ConversationReader, Message
from matchmaking.models.idempotency import IdempotencyKey
from matchmaking.models.matches import Match, MatchQuerySet
from matchmaking.models.notifications import Notification
from matchmaking.models.offers import OfferAlert, OfferProposal, OfferProposalQuerySet
from matchmaking.models.outcomes import OutcomeSurvey, OutcomeSurveyQuerySet, SurveyConsent
from matchmaking.models.provider_facts import ProviderFactsStamp
from matchmaking.models.ratings_concerns import Block, Concern, ConcernQuerySet, Rating
from matchmaking.models.texts import TextDelivery, TextNumber
from matchmaking.models.visits import CalendarFeed, Visit, VisitQuerySet, VisitReminder

__all__ = [
    "AllocationRun",
    "Block",
    "CalendarFeed",
    "Concern",
    "ConcernQuerySet",
    "Conversation",
    "ConversationReader",
    "IdempotencyKey",
    "Match",
    "MatchQuerySet",
    "Message",
    "Notification",
    "OfferAlert",
    "OfferProposal",
    "OfferProposalQuerySet",
    "OutcomeSurvey",
    "OutcomeSurveyQuerySet",
    "ProviderFactsStamp",
    "Rating",
    "SurveyConsent",
    "TextDelivery",
    "TextNumber",
    "Visit",
    "VisitQuerySet",
    "VisitReminder",
]
