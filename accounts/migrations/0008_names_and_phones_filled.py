# Existing accounts: the full name is what first and last name held, and phone numbers
# that parse as UK numbers are stored in E.164. Whatever does not parse stays as typed:
# the person is asked to correct it on "Your details" rather than losing it here.

import phonenumbers
from django.db import migrations


def normalised(raw):
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    changed = []
    for user in User.objects.only("pk", "first_name", "last_name", "full_name", "phone"):
        before = (user.full_name, str(user.phone or ""))
        if not user.full_name:
            user.full_name = f"{user.first_name} {user.last_name}".strip()
        raw = str(user.phone or "")
        if raw:
            user.phone = normalised(raw) or raw
        if (user.full_name, str(user.phone or "")) != before:
            changed.append(user)
    User.objects.bulk_update(changed, ["full_name", "phone"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_names_contact_pause"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
