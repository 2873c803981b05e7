"""A person's own details: their names, phone number and how they would rather be reached.

The privacy notice promises rectification, so everyone can correct these themselves;
sign-up, the "What should we call you?" page and "Your details" all call these functions,
so the rules (a name is required, a phone is a UK number) live here once.
"""

import phonenumbers
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.constants import ContactMethod
from accounts.models import User

NAME_MAX_LENGTH = User._meta.get_field("full_name").max_length
KNOWN_AS_MAX_LENGTH = User._meta.get_field("first_name").max_length
PHONE_INVALID = "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
UK_COUNTRY_CODE = 44


def _tidy(text):
    # Names are shown back to people: no stray or repeated spaces, no control characters.
    return " ".join("".join(ch for ch in (text or "") if ch.isprintable()).split())


def names_checked(*, full_name, known_as):
    """(full name, name to be shown), tidied; ValidationError naming the field otherwise."""
    full_name, known_as = _tidy(full_name), _tidy(known_as)
    errors = {}
    if not full_name:
        errors["full_name"] = "Enter your full name"
    elif len(full_name) > NAME_MAX_LENGTH:
        errors["full_name"] = f"Full name must be {NAME_MAX_LENGTH} characters or fewer"
    if not known_as:
        errors["known_as"] = "Enter what we should call you"
    elif len(known_as) > KNOWN_AS_MAX_LENGTH:
        errors["known_as"] = (
            f"What we should call you must be {KNOWN_AS_MAX_LENGTH} characters or fewer"
        )
    if errors:
        raise ValidationError(errors)
    return full_name, known_as


def phone_parsed(raw):
    """The UK number in `raw` as E.164 ("" for none); ValidationError if it is not one."""
    text = str(raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError({"phone": PHONE_INVALID}) from None
    if number.country_code != UK_COUNTRY_CODE or not phonenumbers.is_valid_number(number):
        raise ValidationError({"phone": PHONE_INVALID})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _audit(*, user, before, after):
    # Which fields changed and who changed them, not the values: the log must not keep
    # what "delete my data" removes. (User is not registered with auditlog as a whole:
    # that would add a query to every save, sign-in included.)
    changed = {field: ["changed", "changed"] for field in after if before[field] != after[field]}
    if changed:
        LogEntry.objects.log_create(
            user,
            action=LogEntry.Action.UPDATE,
            changes=changed,
            actor=user,
            object_repr=f"User {user.pk}",
        )


def _contact_checked(*, phone, contact_method):
    if contact_method not in ContactMethod.values:
        raise ValidationError({"contact_method": "Select how you would like us to contact you"})
    if contact_method != ContactMethod.EMAIL and not phone:
        raise ValidationError({"phone": "Enter a phone number so we can call or text you"})
    if contact_method == ContactMethod.TEXT:
        kind = phonenumbers.number_type(phonenumbers.parse(phone))
        if kind not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise ValidationError({"phone": "Enter a mobile number so we can text you"})


@transaction.atomic
def user_name_set(*, user, full_name, known_as):
    """Record a person's full name and the name to be shown to others."""
    full_name, known_as = names_checked(full_name=full_name, known_as=known_as)
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = {"full_name": locked.full_name, "first_name": locked.first_name}
    locked.full_name, locked.first_name = full_name, known_as
    locked.save(update_fields=["full_name", "first_name"])
    _audit(user=locked, before=before, after={"full_name": full_name, "first_name": known_as})
    user.full_name, user.first_name = full_name, known_as
    return user


@transaction.atomic
def user_details_update(*, user, full_name, known_as, phone, contact_method):
    """Correct one's own names, phone number and preferred contact method, all or nothing."""
    errors = {}
    try:
        full_name, known_as = names_checked(full_name=full_name, known_as=known_as)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        phone = phone_parsed(phone)
        _contact_checked(phone=phone, contact_method=contact_method)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    locked = User.objects.select_for_update().get(pk=user.pk)
    fields = ["full_name", "first_name", "phone", "contact_method"]
    before = {field: str(getattr(locked, field) or "") for field in fields}
    locked.full_name, locked.first_name = full_name, known_as
    locked.phone, locked.contact_method = phone, contact_method
    locked.save(update_fields=fields)
    locked.refresh_from_db(fields=["phone"])
    _audit(user=locked, before=before, after={f: str(getattr(locked, f) or "") for f in fields})
    return locked
