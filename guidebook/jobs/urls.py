from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="list"),
    path("<uuid:pk>/status/", views.job_status, name="status"),
    path("<uuid:pk>/retry/", views.job_retry_view, name="retry"),
]
