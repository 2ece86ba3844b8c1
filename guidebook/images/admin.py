from django import forms
from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from guidebook.core.admin import ReadOnlyAdmin

from . import services, storage
from .models import DirectUpload, Image, Rendition
from .validation import validate_upload


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    fields = ["spec", "format", "width", "height", "file"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ImageAddForm(forms.ModelForm):
    """Adding goes through the upload service, like the site's form: same checks, same keys."""

    upload = forms.FileField(help_text="JPEG, PNG, GIF or WebP; checked by content.")

    class Meta:
        model = Image
        fields = ["owner", "description", "visibility"]

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        validate_upload(upload)  # every refusal image_create() would make, as a form error
        return upload


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "description",
        "owner",
        "file_size",
        "dimensions",
        "visibility",
        "created",
    ]
    list_display_links = ["thumbnail", "description"]
    list_filter = ["visibility", "created"]
    search_fields = ["description", "original_name", "owner__username"]
    date_hierarchy = "created"
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = [
        "preview",
        "file",
        "original_name",
        "content_type",
        "size",
        "width",
        "height",
        "sha256",
        "created",
        "renditions_error",
    ]
    inlines = [RenditionInline]
    actions = ["regenerate_renditions"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImageAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "owner", "description", "visibility"]
        return ["preview", "owner", "description", "visibility", *self.readonly_fields[1:]]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = services.image_create(
            owner=obj.owner,
            file=form.cleaned_data["upload"],
            description=obj.description,
            visibility=obj.visibility,
        )
        # The admin carries on with `obj` (log entry, redirect): make it the created row.
        obj.__dict__.update(created.__dict__)

    def delete_queryset(self, request, queryset):
        # One by one, so that each row's files are cleaned up by the post_delete handler.
        for image in queryset:
            services.image_delete(image=image)

    @admin.action(description="Regenerate renditions of the selected images")
    def regenerate_renditions(self, request, queryset):
        job = services.renditions_regenerate(
            user=request.user, image_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            format_html(
                'Started "{}". <a href="{}">Follow its progress on the jobs page</a>.',
                job.name,
                reverse("jobs:list"),
            ),
        )

    @admin.display(description="")
    def thumbnail(self, image):
        return self.image_tag(image, 80)

    @admin.display(description="Preview")
    def preview(self, image):
        return self.image_tag(image, 400)

    def image_tag(self, image, width):
        renditions = [r for r in image.renditions.all() if r.format != "webp"]
        name = renditions[0].file.name if renditions else image.file.name
        url = storage.file_url(name, private=image.is_private)
        return format_html('<img src="{}" width="{}" alt="" loading="lazy">', url, width)

    @admin.display(description="Size", ordering="size")
    def file_size(self, image):
        return filesizeformat(image.size)

    @admin.display(description="Dimensions")
    def dimensions(self, image):
        return f"{image.width} x {image.height}"


@admin.register(DirectUpload)
class DirectUploadAdmin(ReadOnlyAdmin):
    """Keys issued for files sent straight to the bucket, to inspect, not to edit: a row is the
    site's record of what it signed (services.direct_uploads_issue) and the worker's of what it
    made of the file; the reaper deletes the unconfirmed ones and their files."""

    list_display = [
        "key",
        "owner",
        "original_name",
        "issued_at",
        "confirmed_at",
        "image",
        "error",
    ]
    list_filter = [
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("error", admin.EmptyFieldListFilter),
        "issued_at",
    ]
    list_select_related = ["owner", "image"]
    search_fields = ["key", "original_name", "owner__username"]
    raw_id_fields = ["owner", "job", "image"]
    date_hierarchy = "issued_at"
