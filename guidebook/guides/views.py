from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import ListView
from django.views.generic.dates import (
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)

from .models import Category, Guide, Tag

PAGE_SIZE = 10


class GuideListView(ListView):
    template_name = "guides/guide_list.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Guide.objects.published().for_cards()


class ArchiveMixin:
    """Shared by the date archives: published guides only, dates from the URL checked."""

    date_field = "pub_date"
    month_format = "%m"
    allow_future = False
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return Guide.objects.published().for_cards()

    def get_year(self):
        # Django computes the following year for navigation: 9999 would fail with a 500.
        year = super().get_year()
        if not 1 <= int(year) <= 9998:
            raise Http404("No guides that year.")
        return year


class GuideYearArchiveView(ArchiveMixin, YearArchiveView):
    template_name = "guides/guide_archive_year.html"
    make_object_list = True


class GuideMonthArchiveView(ArchiveMixin, MonthArchiveView):
    template_name = "guides/guide_archive_month.html"


class GuideDayArchiveView(ArchiveMixin, DayArchiveView):
    template_name = "guides/guide_archive_day.html"


class GuideDetailView(ArchiveMixin, DateDetailView):
    template_name = "guides/guide_detail.html"
    # The queryset alone decides what is visible: the public gets published, due guides; the
    # author and staff also get drafts and scheduled guides (shown with a banner).
    allow_future = True

    def get_queryset(self):
        # for_cards() brings the author's profile (the byline's display name) and the pictures
        # (the cover and the gallery: Guide.cover_item, Guide.gallery_items).
        return Guide.objects.visible_to(self.request.user).for_cards()

    def get_context_data(self, **kwargs):
        guide = self.object
        related = Guide.objects.related_to(guide).for_cards()[:3]
        return super().get_context_data(
            related_guides=related,
            polls=guide.polls.published().newest_first(),
            **kwargs,
        )


class GuideFilteredListView(ListView):
    """Published guides of one category or tag."""

    template_name = "guides/guide_filtered_list.html"
    paginate_by = PAGE_SIZE
    model = None
    heading = ""

    def get_queryset(self):
        self.subject = get_object_or_404(self.model, slug=self.kwargs["slug"])
        return Guide.objects.published().filter(**{self.lookup: self.subject}).for_cards()

    def get_context_data(self, **kwargs):
        return super().get_context_data(subject=self.subject, heading=self.heading, **kwargs)


class CategoryView(GuideFilteredListView):
    model = Category
    lookup = "category"
    heading = "Category"


class TagView(GuideFilteredListView):
    model = Tag
    lookup = "tags"
    heading = "Tagged"
