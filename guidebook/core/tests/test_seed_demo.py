from io import StringIO

import pytest
from django.core.management import call_command

from guidebook.accounts.demo import DEMO_STAFF
from guidebook.accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_makes_a_staff_login():
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    counts = User.objects.count()
    call_command("seed_demo", stdout=second)
    assert User.objects.count() == counts > 1
    staff = User.objects.get(username=DEMO_STAFF["username"])
    assert staff.is_staff and staff.check_password(DEMO_STAFF["password"])
    assert "[1/" in first.getvalue() and "Demo content is ready." in second.getvalue()
