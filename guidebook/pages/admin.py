from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin as DjangoFlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage
from tinymce.widgets import AdminTinyMCE

from . import services


class PageForm(FlatpageForm):
    class Meta(FlatpageForm.Meta):
        widgets = {"content": AdminTinyMCE()}


# The contrib admin, with TinyMCE on the content and the change recorded as an event.
admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class PageAdmin(DjangoFlatPageAdmin):
    form = PageForm
    list_display = ["url", "title", "registration_required"]

    def save_model(self, request, obj, form, change):
        services.page_save(page=obj)
