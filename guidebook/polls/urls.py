from django.urls import path

from guidebook.core.caching import cache_public_page

from . import views

app_name = "polls"
cached = cache_public_page("polls")

urlpatterns = [
    path("", cached(views.IndexView.as_view()), name="index"),
    path("<int:pk>/", cached(views.DetailView.as_view()), name="detail"),
    path("<int:pk>/vote/", views.VoteView.as_view(), name="vote"),
    path(
        "<int:pk>/results/",
        cache_public_page("polls", "poll:{pk}:votes")(views.ResultsView.as_view()),
        name="results",
    ),
]
