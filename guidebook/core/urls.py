from django.urls import path

from . import views
from .caching import cache_public_page

urlpatterns = [
    path(
        "",
        cache_public_page("guides", "images", "polls", fragments=["recent-activity"])(
            views.HomeView.as_view()
        ),
        name="home",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
