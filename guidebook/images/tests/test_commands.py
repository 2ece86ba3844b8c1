import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_regenerate_renditions_names_images_that_do_not_exist():
    with pytest.raises(CommandError, match="No image with id 404"):
        call_command("regenerate_renditions", 404)
