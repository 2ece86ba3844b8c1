from django.db.models.signals import post_save

from guidebook.core.caching import invalidate_on_change

from .models import Profile, User


def create_profile(sender, instance, created, raw=False, **kwargs):
    """Every user has a profile, however the user was made (sign-up, admin, createsuperuser)."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


def connect() -> None:
    post_save.connect(create_profile, sender=User, dispatch_uid="accounts.create_profile")
    # A reader's cached pages show their name and, to staff, everyone's jobs with their names.
    invalidate_on_change(User, lambda user: [f"user:{user.pk}", "jobs"])
