from django import forms
from django.contrib import admin
from django.utils.html import format_html
from tinymce.widgets import AdminTinyMCE

from guidebook.images import storage

from . import services
from .models import Category, Guide, GuideImage, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


def thumbnail_tag(image, width: int = 80) -> str:
    """As the images admin does it: the smallest JPEG/PNG rendition, else the original."""
    if image is None:
        return ""
    renditions = [r for r in image.renditions.all() if r.format != "webp"]
    name = renditions[0].file.name if renditions else image.file.name
    url = storage.file_url(name, private=image.is_private)
    return format_html('<img src="{}" width="{}" alt="" loading="lazy">', url, width)


class GuideImageInline(admin.TabularInline):
    model = GuideImage
    extra = 1
    fields = ["thumbnail", "image", "position", "caption"]
    readonly_fields = ["thumbnail"]
    raw_id_fields = ["image"]
    ordering = ["position", "pk"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("image")
            .prefetch_related("image__renditions")
        )

    @admin.display(description="Preview")
    def thumbnail(self, item):
        return thumbnail_tag(item.image if item.image_id else None)


class GuideAdminForm(forms.ModelForm):
    class Meta:
        model = Guide
        fields = [
            "title",
            "slug",
            "author",
            "excerpt",
            "body",
            "status",
            "pub_date",
            "featured",
            "category",
            "tags",
        ]
        widgets = {"body": AdminTinyMCE(), "excerpt": forms.Textarea(attrs={"rows": 3})}


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    form = GuideAdminForm
    list_display = ["title", "author", "category", "status", "pub_date", "featured"]
    list_filter = ["status", "featured", "category", "tags", "pub_date"]
    list_select_related = ["author", "category"]
    search_fields = ["title", "body", "author__username"]
    date_hierarchy = "pub_date"
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["author"]
    filter_horizontal = ["tags"]
    inlines = [GuideImageInline]
    actions = ["publish_guides", "unpublish_guides"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "excerpt", "body"]}),
        ("Publishing", {"fields": ["status", "pub_date", "featured", "category", "tags"]}),
    ]

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        # changeform_view runs in a transaction: the event commits with the guide.
        if obj.status == Guide.Status.PUBLISHED and (not change or "status" in form.changed_data):
            services.guide_publish(guide=obj)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description="Publish the selected guides", permissions=["change"])
    def publish_guides(self, request, queryset):
        drafts = queryset.exclude(status=Guide.Status.PUBLISHED).select_related("author")
        count = 0
        for guide in drafts:
            services.guide_publish(guide=guide)
            count += 1
        self.message_user(request, f"{count} guide(s) published.")

    @admin.action(
        description="Unpublish the selected guides (back to draft)", permissions=["change"]
    )
    def unpublish_guides(self, request, queryset):
        count = 0
        for guide in queryset.filter(status=Guide.Status.PUBLISHED):
            services.guide_unpublish(guide=guide)
            count += 1
        self.message_user(request, f"{count} guide(s) returned to draft.")
