from django.urls import path

from guidebook.core.caching import cache_public_page

from . import views

app_name = "search"

urlpatterns = [
    # Everything that is indexed; "search" for an index that is written after the commit (Solr).
    path(
        "",
        cache_public_page("guides", "pages", "images", "polls", "search")(views.search),
        name="index",
    ),
]
