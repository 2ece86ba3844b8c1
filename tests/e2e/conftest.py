import pytest


@pytest.fixture
def renditions_worker(request):
    """What makes renditions in this run: the real worker when a broker is configured, or the
    embedded profile's in-process run of the task on commit when there is none."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL:
        return request.getfixturevalue("celery_worker")
    return None
