import pytest

from conftest import service_unavailable

from . import checkers


@pytest.fixture
def renditions_worker(request):
    """What makes renditions in this run: the real worker when a broker is configured, or the
    embedded profile's in-process run of the task on commit when there is none."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL:
        return request.getfixturevalue("celery_worker")
    return None


@pytest.fixture(scope="session")
def axe():
    """axe-core's source, to evaluate in a page (tests/tools, installed by `make checkers`)."""
    if reason := checkers.missing_checkers():
        service_unavailable(reason)
    return checkers.axe()


@pytest.fixture(scope="session")
def vnu(tmp_path_factory):
    """`vnu({name: html})` gives the Nu HTML Checker's errors per document, in one run of Java."""
    if reason := checkers.missing_checkers():
        service_unavailable(reason)
    return lambda documents: checkers.vnu_errors(documents, tmp_path_factory.mktemp("vnu"))
