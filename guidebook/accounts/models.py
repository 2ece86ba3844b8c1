from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse


class User(AbstractUser):
    """The site's user. Custom from the first migration so that it can grow without pain."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # Password reset is by e-mail, so an address may belong to one account only.
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
            ),
        ]

    def get_absolute_url(self):
        return reverse("accounts:profile", args=[self.username])

    @property
    def display_name(self) -> str:
        return self.profile.display_name or self.get_full_name() or self.username


handle_validator = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?$",
    "A handle has letters, digits and single hyphens, at most 39 characters.",
)


class Profile(models.Model):
    """What a user tells the site about themselves, created together with the user."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(
        max_length=100, blank=True, help_text="Shown instead of your username."
    )
    bio = models.TextField(blank=True, max_length=2000)
    website = models.URLField(blank=True)
    external_handle = models.CharField(
        max_length=39,
        blank=True,
        validators=[handle_validator],
        help_text="Your username on the public profile service; we fetch your public details.",
    )

    # Filled by the background fetch from PROFILE_SERVICE_URL (see services.profile_fetch).
    class FetchStatus(models.TextChoices):
        NEVER = "", "Not fetched"
        OK = "ok", "Fetched"
        NOT_FOUND = "not_found", "Handle not found"
        FAILED = "failed", "Fetch failed"

    fetched_name = models.CharField(max_length=255, blank=True)
    fetched_bio = models.TextField(blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_status = models.CharField(
        max_length=10, choices=FetchStatus, blank=True, default=FetchStatus.NEVER
    )
    fetch_error = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return f"Profile of {self.user.username}"

    def get_absolute_url(self):
        return self.user.get_absolute_url()
