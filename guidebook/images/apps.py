from django.apps import AppConfig


class ImagesConfig(AppConfig):
    name = "guidebook.images"
    label = "images"
    verbose_name = "Images"
