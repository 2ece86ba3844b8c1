from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Guidebook administration"
admin.site.site_title = "Guidebook admin"
admin.site.index_title = "Content and operations"

urlpatterns = [
    path("admin/doc/", include("django.contrib.admindocs.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("guidebook.accounts.urls")),
    path("images/", include("guidebook.images.urls")),
    path("guides/", include("guidebook.guides.urls")),
    path("pages/", include("guidebook.pages.urls")),
    path("search/", include("guidebook.search.urls")),
    path("polls/", include("guidebook.polls.urls")),
    path("jobs/", include("guidebook.jobs.urls")),
    path("", include("guidebook.core.sitemaps")),
    path("", include("guidebook.core.urls")),
]

# No route serves MEDIA_ROOT as it is, not even in DEBUG: files are served by the images app's
# views, which check that a file is public or that its signed URL is valid (images/storage.py).
# django-tinymce's URLs are not routed either: the admin's editor needs none of them (no
# compressor, no file browser), and its link list would show members-only pages to anyone.
# Where no pattern answers: the flatpage at that path, if any (guidebook/pages/middleware.py).
handler404 = "guidebook.pages.middleware.page_not_found"

if getattr(settings, "DEBUG_TOOLBAR", False):
    urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
