from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower

from accounts.constants import COMMISSIONERS_GROUP, COUNCIL_STAFF_GROUP


class EmailUserManager(UserManager):
    """Users are known by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)
    phone = models.CharField("phone number", max_length=32, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self):
        return self.first_name or self.email.split("@")[0]

    def in_group(self, name):
        # Uses the prefetch cache when the caller prefetched groups.
        return any(group.name == name for group in self.groups.all())

    @property
    def is_council_staff(self):
        return self.is_superuser or (self.is_staff and self.in_group(COUNCIL_STAFF_GROUP))

    @property
    def is_commissioner(self):
        return self.is_superuser or self.in_group(COMMISSIONERS_GROUP)
