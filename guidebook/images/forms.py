from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from .models import Image


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """One or more files; each is validated by the upload service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files:
            return [single(None, initial)]  # raises "This field is required."
        return [single(item, initial) for item in files]


class ImageDetailsForm(forms.Form):
    """What an uploader says of the images they send, whichever way the files travel."""

    description = forms.CharField(
        max_length=255, required=False, help_text=Image._meta.get_field("description").help_text
    )
    visibility = forms.ChoiceField(
        choices=Image.Visibility.choices, initial=Image.Visibility.PUBLIC
    )


class ImageUploadForm(ImageDetailsForm):
    image = MultipleImageField(label="Images")

    field_order = ["image", "description", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.IMAGE_MAX_UPLOAD_BYTES)
        self.fields["image"].help_text = (
            f"JPEG, PNG, GIF or WebP, up to {limit} each; several at once if you like. "
            "Location data is removed before anything is stored."
        )


class ImageEditForm(forms.ModelForm):
    class Meta:
        model = Image
        fields = ["description", "visibility"]
