from django.contrib import admin

from .models import Activity, Outbox


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(self, request, model_admin):
        return [("yes", "Published"), ("no", "Pending")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(published_at__isnull=self.value() == "no")
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Events are history: the admin shows them and lets staff delete, never edit or invent."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Outbox)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["type", "created", "published_at", "attempts"]
    list_filter = ["type", PublishedFilter]
    search_fields = ["id", "type"]
    date_hierarchy = "created"
    readonly_fields = [
        "id",
        "type",
        "version",
        "data",
        "created",
        "published_at",
        "attempts",
        "last_error",
    ]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ["summary", "type", "actor", "occurred"]
    list_filter = ["type"]
    search_fields = ["summary", "actor"]
    date_hierarchy = "occurred"
    readonly_fields = ["event_id", "type", "actor", "summary", "url", "occurred", "created"]
