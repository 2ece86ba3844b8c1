"""Demo content for the embedded profile: a staff account and a few readers (local use only)."""

from .models import User

DEMO_STAFF = {"username": "admin", "email": "admin@example.com", "password": "guidebook-admin"}
DEMO_READERS = [
    ("ada", "Ada Lovelace", "Notes on engines, analytical and otherwise."),
    ("grace", "Grace Hopper", "Debugging since 1947."),
    ("linus", "Linus Pauling", "Two Nobel prizes and a lot of vitamin C."),
]
DEMO_READER_PASSWORD = "guidebook-demo"  # noqa: S105


def seed(*, stdout) -> None:
    staff, created = User.objects.get_or_create(
        username=DEMO_STAFF["username"],
        defaults={"email": DEMO_STAFF["email"], "is_staff": True, "is_superuser": True},
    )
    if created:
        staff.set_password(DEMO_STAFF["password"])
        staff.save()
    staff.profile.display_name = staff.profile.display_name or "Guidebook editor"
    staff.profile.save()
    for username, name, bio in DEMO_READERS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if created:
            user.set_password(DEMO_READER_PASSWORD)
            user.save()
            user.profile.display_name = name
            user.profile.bio = bio
            user.profile.save()
    stdout.write(f"  accounts: staff '{staff.username}' and {len(DEMO_READERS)} readers")
