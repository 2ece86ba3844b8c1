from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "guidebook.images"
    label = "images"
    verbose_name = "Images"

    def ready(self):
        from django.conf import settings
        from PIL import Image as PILImage

        from . import signal_handlers

        # Pillow warns above this many pixels and refuses above twice as many; validation turns
        # the warning into a refusal too. Set here so the web and worker processes agree.
        PILImage.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
        signal_handlers.connect()
