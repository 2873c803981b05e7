from django.db import models

COUNCIL_STAFF_GROUP = "Council staff"
COMMISSIONERS_GROUP = "Commissioners"
ROLE_GROUPS = (COUNCIL_STAFF_GROUP, COMMISSIONERS_GROUP)


class Role(models.TextChoices):
    RESIDENT = "resident", "Resident"
    PROVIDER = "provider", "Provider"
    STAFF = "staff", "Council staff"
    COMMISSIONER = "commissioner", "Commissioner"
