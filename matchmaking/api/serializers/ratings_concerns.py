"""Ratings of a completed match, and concerns about a match."""

import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matchmaking.api.serializers.common import ModelSerializer, WriteSerializer, _messages
from matchmaking.constants import ConcernKind
from matchmaking.models import Concern, Match, Rating
from matchmaking.trust import editable_until


class RatingSerializer(ModelSerializer):
    editable_until = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "match",
            "rater_role",
            "score",
            "comment",
            "hidden",
            "created_at",
            "updated_at",
            "editable_until",
        ]
        read_only_fields = fields

    def get_editable_until(self, rating) -> datetime.datetime:
        return editable_until(rating)


def _score_field(**kwargs):
    return serializers.IntegerField(
        min_value=1,
        max_value=5,
        error_messages=_messages(
            "Choose a rating from 1 to 5",
            invalid="Choose a rating from 1 to 5",
            min_value="Choose a rating from 1 to 5",
            max_value="Choose a rating from 1 to 5",
        ),
        **kwargs,
    )


def _comment_field():
    return serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        error_messages={"max_length": "Use 1,000 characters or fewer"},
    )


@extend_schema_field(OpenApiTypes.INT)
class _OwnMatchField(serializers.PrimaryKeyRelatedField):
    """A match the user is on either side of; any other id is "not found", never "not yours"."""

    default_error_messages = {
        "does_not_exist": "There is no match {pk_value} of yours.",
        "incorrect_type": "Give the match's id, a whole number.",
        "required": "Say which match this is about.",
        "null": "Say which match this is about.",
    }

    def get_queryset(self):
        user = self.context["request"].user
        mine = Match.objects.for_party(user)
        return mine.select_related("need", "provider__user")


class RatingCreateSerializer(WriteSerializer):
    match = _OwnMatchField()
    score = _score_field()
    comment = _comment_field()


class RatingEditSerializer(WriteSerializer):
    score = _score_field(required=False)
    comment = _comment_field()


class ConcernSerializer(ModelSerializer):
    """A concern as the person who raised it sees it: never what staff did about it."""

    class Meta:
        model = Concern
        fields = ["id", "match", "kind", "urgent", "description", "status", "created_at"]
        read_only_fields = fields


class ConcernCreateSerializer(WriteSerializer):
    match = _OwnMatchField()
    kind = serializers.ChoiceField(
        choices=ConcernKind.choices,
        error_messages=_messages(
            "Choose what the concern is about", invalid_choice="Choose what the concern is about"
        ),
    )
    urgent = serializers.BooleanField(required=False, default=False)
    description = serializers.CharField(
        max_length=4000,
        error_messages=_messages(
            "Tell us what happened", max_length="Use 4,000 characters or fewer"
        ),
    )
