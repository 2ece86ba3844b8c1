from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows to inspect, never to add, change or delete by hand: records whose invariants only
    their services keep (a vote and its choice's count, a direct upload and what it signed)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
