from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("search/", views.PageSearchView.as_view(), name="search"),
]
