import pytest

from .profile_service import ProfileService


@pytest.fixture
def profile_service(settings):
    """The external profile service, played by a local HTTP server."""
    with ProfileService() as service:
        settings.PROFILE_SERVICE_URL = service.url_template
        yield service
