from django.urls import path

from guidebook.core.caching import cache_public_page

from . import feeds, views

app_name = "guides"
cached = cache_public_page("guides")

urlpatterns = [
    path("", cached(views.GuideListView.as_view()), name="list"),
    path("<int:year>/", cached(views.GuideYearArchiveView.as_view()), name="archive_year"),
    path(
        "<int:year>/<int:month>/",
        cached(views.GuideMonthArchiveView.as_view()),
        name="archive_month",
    ),
    path(
        "<int:year>/<int:month>/<int:day>/",
        cached(views.GuideDayArchiveView.as_view()),
        name="archive_day",
    ),
    path(
        "<int:year>/<int:month>/<int:day>/<slug:slug>/",
        cache_public_page("guides", "polls")(views.GuideDetailView.as_view()),  # its poll
        name="detail",
    ),
    path("category/<slug:slug>/", cached(views.CategoryView.as_view()), name="category"),
    path("tag/<slug:slug>/", cached(views.TagView.as_view()), name="tag"),
    path("feed/rss/", cached(feeds.LatestGuidesFeed()), name="feed_rss"),
    path("feed/atom/", cached(feeds.LatestGuidesAtomFeed()), name="feed_atom"),
]
