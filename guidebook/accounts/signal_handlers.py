from django.db.models.signals import post_save

from .models import Profile, User


def create_profile(sender, instance, created, raw=False, **kwargs):
    """Every user has a profile, however the user was made (sign-up, admin, createsuperuser)."""
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


def connect() -> None:
    post_save.connect(create_profile, sender=User, dispatch_uid="accounts.create_profile")
