"""Needs: a request for help as its asker sees it, and asking for or changing one."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.constants import LANGUAGES
from accounts.windows import clash_message, window_clash
from matchmaking.api.serializers.common import (
    ClockTimeField,
    ModelSerializer,
    SlotSerializer,
    WriteSerializer,
    _blankable,
    _check_window,
    _messages,
    _postcode,
    slot_tuples,
)
from services.constants import (
    NEED_EDITABLE,
    NEED_FINAL,
    Channel,
    Consent,
    ReferrerRole,
    Schedule,
    Urgency,
)
from services.models import Category, Need
from services.postcodes import RESIDENT_MESSAGES

FAR_FUTURE_DAYS = 365  # as services.forms: a need more than a year ahead is not a need yet
# Who may ask through the API: staff take phone requests in the admin.
NEW_NEED_CHANNELS = [(Channel.SELF, Channel.SELF.label), (Channel.REFERRAL, Channel.REFERRAL.label)]
NOT_FOR_ONE_OFF = _("Only weekly help has slots; give on_date, starts_at and ends_at instead")
NOT_FOR_WEEKLY = _("Only one-off help has a date; give slots for weekly help instead")


def _check_windows_apart(slots, field="slots"):
    # Several windows on one day are fine; windows that overlap or meet are not.
    if clash := window_clash(slot_tuples(slots)):
        raise serializers.ValidationError({field: clash_message(*clash)})


def need_postcode(raw):
    """The Postcode a resident typed, with the "Request help" form's messages."""
    return _postcode(raw, RESIDENT_MESSAGES)


def _check_one_off_date(on_date):
    today = timezone.localdate()
    if on_date < today:
        raise serializers.ValidationError({"on_date": "The date must be today or in the future"})
    if on_date > today + datetime.timedelta(days=FAR_FUTURE_DAYS):
        raise serializers.ValidationError({"on_date": "The date must be within the next year"})


def _check_language(language, language_required):
    if language_required and not language:
        raise serializers.ValidationError({"language": "Select the language the helper must speak"})


class NeedSerializer(ModelSerializer):
    """A need as the person who asked for it (or for whom it was asked) sees it."""

    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    slots = SlotSerializer(many=True, read_only=True)
    when = serializers.CharField(source="when_display", read_only=True)
    language = _blankable(LANGUAGES)
    # Plain strings: "" when not given, which is no email address.
    email = serializers.CharField(read_only=True)
    referrer_email = serializers.CharField(read_only=True)
    referrer_role = _blankable(ReferrerRole.choices)
    consent = _blankable(Consent.choices)
    can_change = serializers.SerializerMethodField()
    can_withdraw = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "reference",
            "status",
            "channel",
            "category",
            "area",
            "details",
            "schedule",
            "on_date",
            "starts_at",
            "ends_at",
            "slots",
            "when",
            "urgency",
            "postcode",
            "contact_name",
            "address",
            "phone",
            "email",
            "language",
            "language_required",
            "dietary_needs",
            "notes_for_provider",
            "referrer_name",
            "referrer_organisation",
            "referrer_role",
            "referrer_phone",
            "referrer_email",
            "consent",
            "best_interest_reason",
            "best_interest_decided_by",
            "withdrawn_reason",
            "can_change",
            "can_withdraw",
            "created_at",
            "updated_at",
            "status_changed_at",
        ]
        read_only_fields = fields

    def get_can_change(self, need) -> bool:
        return need.status in NEED_EDITABLE

    def get_can_withdraw(self, need) -> bool:
        return need.status not in NEED_FINAL


class _NeedFieldsMixin(serializers.Serializer):
    """The fields a resident fills in, with the web journey's messages."""

    details = serializers.CharField(
        max_length=2000,
        error_messages=_messages(
            "Tell us a little more about the help needed",
            max_length="Use 2,000 characters or fewer",
        ),
    )
    schedule = serializers.ChoiceField(
        choices=Schedule.choices,
        error_messages=_messages(
            _("Select how often help is needed"),
            invalid_choice=_("Select how often help is needed"),
        ),
    )
    urgency = serializers.ChoiceField(
        choices=Urgency.choices,
        default=Urgency.ROUTINE,
        error_messages=_messages(
            _("Select how soon help is needed"),
            invalid_choice=_("Select how soon help is needed"),
        ),
    )
    on_date = serializers.DateField(
        required=False, allow_null=True, error_messages={"invalid": _("Enter a real date")}
    )
    starts_at = ClockTimeField(
        required=False,
        allow_null=True,
        error_messages={"invalid": _("Enter a real time, like 09:30")},
    )
    ends_at = ClockTimeField(
        required=False,
        allow_null=True,
        error_messages={"invalid": _("Enter a real time, like 11:00")},
    )
    slots = SlotSerializer(many=True, required=False, max_length=7)
    contact_name = serializers.CharField(
        max_length=120,
        error_messages=_messages("Enter the full name of the person who needs help"),
    )
    postcode = serializers.CharField(
        max_length=10,
        error_messages=_messages(
            "Enter a postcode",
            max_length="We do not recognise that postcode. Check it and try again",
        ),
    )
    address = serializers.CharField(
        max_length=400, error_messages=_messages("Enter the address where help is needed")
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )
    language = serializers.ChoiceField(
        choices=LANGUAGES, required=False, allow_blank=True, default=""
    )
    language_required = serializers.BooleanField(required=False, default=False)
    dietary_needs = serializers.CharField(
        max_length=240, required=False, allow_blank=True, default=""
    )
    notes_for_provider = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )

    def validate_postcode(self, value):
        return need_postcode(value)


class NeedCreateSerializer(WriteSerializer, _NeedFieldsMixin):
    """Ask for help, for yourself (channel "self") or for someone else ("referral")."""

    channel = serializers.ChoiceField(
        choices=NEW_NEED_CHANNELS,
        default=Channel.SELF,
    )
    category = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Category.objects.all(),
        error_messages=_messages(
            "Select the kind of help needed",
            does_not_exist="Select the kind of help needed",
            invalid="Select the kind of help needed",
        ),
    )
    referrer_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    referrer_role = serializers.ChoiceField(
        choices=ReferrerRole.choices, required=False, allow_blank=True, default=""
    )
    referrer_organisation = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    referrer_phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True, default=""
    )
    referrer_email = serializers.EmailField(
        required=False,
        allow_blank=True,
        default="",
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )
    consent = serializers.ChoiceField(
        choices=Consent.choices, required=False, allow_blank=True, default=""
    )
    best_interest_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    best_interest_decided_by = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )

    REFERRAL_FIELDS = (
        "referrer_name",
        "referrer_role",
        "referrer_organisation",
        "referrer_phone",
        "referrer_email",
        "consent",
        "best_interest_reason",
        "best_interest_decided_by",
    )

    def validate(self, attrs):
        errors = {}
        if attrs["channel"] == Channel.REFERRAL:
            errors.update(self._referral_errors(attrs))
            if attrs.get("consent") == Consent.GIVEN:
                attrs["best_interest_reason"] = attrs["best_interest_decided_by"] = ""
        else:
            for name in self.REFERRAL_FIELDS:
                if attrs.get(name):
                    errors[name] = 'Only a referral (channel "referral") has this'
        if errors:
            raise serializers.ValidationError(errors)
        if attrs["schedule"] == Schedule.ONE_OFF:
            missing = {
                "on_date": "Enter the date help is needed",
                "starts_at": "Enter the start time",
                "ends_at": "Enter the end time",
            }
            missing = {name: message for name, message in missing.items() if not attrs.get(name)}
            if missing:
                raise serializers.ValidationError(missing)
            if attrs.get("slots"):
                raise serializers.ValidationError({"slots": NOT_FOR_ONE_OFF})
            _check_one_off_date(attrs["on_date"])
            _check_window(attrs["starts_at"], attrs["ends_at"])
        else:
            for name in ("on_date", "starts_at", "ends_at"):
                if attrs.get(name) is not None:
                    raise serializers.ValidationError({name: NOT_FOR_WEEKLY})
            if not attrs.get("slots"):
                raise serializers.ValidationError({"slots": "Enter the times for at least one day"})
            _check_windows_apart(attrs["slots"])
        _check_language(attrs["language"], attrs["language_required"])
        return attrs

    @staticmethod
    def _referral_errors(attrs):
        errors = {}
        if not attrs.get("referrer_name"):
            errors["referrer_name"] = _("Enter your full name")
        if not attrs.get("referrer_role"):
            errors["referrer_role"] = _("Select how you know them")
        if not attrs.get("referrer_phone") and not attrs.get("referrer_email"):
            errors["referrer_phone"] = _(
                "Enter a phone number or an email address we can reach you on"
            )
        if not attrs.get("consent"):
            errors["consent"] = _("Select whether they agreed to this request")
        elif attrs["consent"] == Consent.BEST_INTEREST:
            if not attrs.get("best_interest_reason"):
                errors["best_interest_reason"] = _("Explain why they cannot agree to this request")
            if not attrs.get("best_interest_decided_by"):
                errors["best_interest_decided_by"] = (
                    "Enter who decided this request is in their best interest"
                )
        return errors

    def need_submit_kwargs(self):
        """Keyword arguments for services.needs.need_submit (besides requested_by)."""
        data = dict(self.validated_data)
        slots = data.pop("slots", None) or []
        if data["schedule"] == Schedule.WEEKLY:
            for name in ("on_date", "starts_at", "ends_at"):
                data.pop(name, None)
        return {**data, "slots": slot_tuples(slots)}


class NeedUpdateSerializer(WriteSerializer, _NeedFieldsMixin):
    """Change a need that has no helper yet (PATCH: send only what changes)."""

    def validate(self, attrs):
        need = self.instance
        schedule = attrs.get("schedule", need.schedule)
        if schedule == Schedule.ONE_OFF:
            if attrs.get("slots"):
                raise serializers.ValidationError({"slots": NOT_FOR_ONE_OFF})
            merged = {
                name: attrs[name] if name in attrs else getattr(need, name)
                for name in ("on_date", "starts_at", "ends_at")
            }
            missing = {
                "on_date": "Enter the date help is needed",
                "starts_at": "Enter the start time",
                "ends_at": "Enter the end time",
            }
            missing = {name: message for name, message in missing.items() if not merged[name]}
            if missing:
                raise serializers.ValidationError(missing)
            if "on_date" in attrs:
                _check_one_off_date(attrs["on_date"])
            _check_window(merged["starts_at"], merged["ends_at"])
        else:
            for name in ("on_date", "starts_at", "ends_at"):
                if attrs.get(name) is not None:
                    raise serializers.ValidationError({name: NOT_FOR_WEEKLY})
            if "slots" in attrs:
                if not attrs["slots"]:
                    raise serializers.ValidationError(
                        {"slots": "Enter the times for at least one day"}
                    )
                _check_windows_apart(attrs["slots"])
            elif need.schedule != Schedule.WEEKLY:
                raise serializers.ValidationError({"slots": "Enter the times for at least one day"})
        _check_language(
            attrs.get("language", need.language),
            attrs.get("language_required", need.language_required),
        )
        return attrs

    def need_update_kwargs(self):
        """Keyword arguments for services.needs.need_update (besides need and actor)."""
        data = dict(self.validated_data)
        slots = data.pop("slots", None)
        if data.get("schedule", self.instance.schedule) == Schedule.WEEKLY:
            for name in ("on_date", "starts_at", "ends_at"):
                data.pop(name, None)
        return {**data, "slots": slot_tuples(slots) if slots is not None else None}
