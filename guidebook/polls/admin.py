from django.contrib import admin

from guidebook.core.admin import ReadOnlyAdmin

from .models import Choice, Question, Vote


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 3
    fields = ["text", "votes"]
    # Counts change only through votes (services.vote_cast), never by hand.
    readonly_fields = ["votes"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["text"]}),
        ("Publication", {"fields": ["pub_date", "closes_at", "guide"]}),
        ("Results", {"fields": ["total_votes"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["total_votes"]
    autocomplete_fields = ["guide"]
    inlines = [ChoiceInline]
    list_display = ["text", "pub_date", "closes_at", "was_published_recently", "total_votes"]
    list_filter = ["pub_date"]
    search_fields = ["text", "choices__text"]
    date_hierarchy = "pub_date"

    def get_queryset(self, request):
        return super().get_queryset(request).with_total_votes()

    @admin.display(description="Total votes", ordering="total_votes")
    def total_votes(self, question):
        # The add page has no annotated object: nothing has been voted yet.
        return getattr(question, "total_votes", 0)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    """Votes can be inspected, not edited: a change here would not update the choices' counts."""

    list_display = ["question", "choice", "user", "created"]
    list_filter = ["created"]
    list_select_related = ["question", "choice", "user"]
    search_fields = ["question__text", "user__username"]
    raw_id_fields = ["user", "question", "choice"]
    date_hierarchy = "created"
