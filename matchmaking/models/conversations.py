"""After a match is accepted: its conversation, the messages in it, and who has read them."""

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q

from matchmaking.models.matches import Match

MESSAGE_MAX_CHARS = 2000


class Conversation(models.Model):
    """One per match, between the resident's side and the provider (staff never post).

    Each side decides for itself whether the other may see its phone number and email:
    nothing is exchanged until that side says so.
    """

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="conversation")
    opened_at = models.DateTimeField()
    resident_side_shares_contact = models.BooleanField(default=False)
    provider_shares_contact = models.BooleanField(default=False)

    def __str__(self):
        return f"Conversation for match {self.match_id}"


class Message(models.Model):
    """Plain text from one person in the conversation (shown escaped, links not made live)."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Kept (as "[removed]") when the sender's account is deleted: the other side's
    # replies still need their context, and a concern may point at it.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_sent",
    )
    body = models.TextField(max_length=MESSAGE_MAX_CHARS)
    created_at = models.DateTimeField(auto_now_add=True)
    reported_in = models.ForeignKey(
        "matchmaking.Concern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        help_text="The safeguarding concern this message was reported in.",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_by_time")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="message_not_empty",
                violation_error_message="A message cannot be empty.",
            )
        ]

    def __str__(self):
        return f"Message {self.pk} in {self.conversation}"


class ConversationReader(models.Model):
    """When one person last read a conversation and was last emailed about it.

    Many messages in a short time send one email: a person is emailed again only once
    they have read the conversation since, or after a quiet interval.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="readers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations_read"
    )
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="conversation_reader_once"
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.conversation}"


auditlog.register(Conversation)
auditlog.register(Message, exclude_fields=["body"])
