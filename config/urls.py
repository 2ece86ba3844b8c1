from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from guidebook.guides.sitemaps import sitemap_xml

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
    path("tinymce/", include("tinymce.urls")),
    path("polls/", include("guidebook.polls.urls")),
    path("jobs/", include("guidebook.jobs.urls")),
    path("sitemap.xml", sitemap_xml, name="sitemap"),
    path("", include("guidebook.core.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
if getattr(settings, "DEBUG_TOOLBAR", False):
    urlpatterns += [path("__debug__/", include("debug_toolbar.urls"))]
