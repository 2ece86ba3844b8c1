from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = [
        "display_name",
        "bio",
        "website",
        "external_handle",
        "fetch_status",
        "fetched_at",
        "fetched_name",
        "fetched_bio",
        "avatar_url",
        "fetch_error",
    ]
    readonly_fields = [
        "fetch_status",
        "fetched_at",
        "fetched_name",
        "fetched_bio",
        "avatar_url",
        "fetch_error",
    ]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "email", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "date_joined"]
    search_fields = ["username", "email", "first_name", "last_name", "profile__display_name"]
    date_hierarchy = "date_joined"
    readonly_fields = ["last_login", "date_joined"]
    list_select_related = ["profile"]

    @admin.display(description="Display name", ordering="profile__display_name")
    def display_name(self, user):
        return user.profile.display_name
