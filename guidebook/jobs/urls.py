from django.urls import path

from guidebook.core.caching import cache_private_page

from . import views

app_name = "jobs"

urlpatterns = [
    path("", cache_private_page("jobs", "user:{user}")(views.JobListView.as_view()), name="list"),
    path("<uuid:pk>/status/", views.job_status, name="status"),
    path("<uuid:pk>/retry/", views.job_retry_view, name="retry"),
]
