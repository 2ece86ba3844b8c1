from django.urls import path

from guidebook.core.caching import cache_private_page, cache_public_page

from . import direct_upload_views, views

app_name = "images"

urlpatterns = [
    path("", cache_public_page("images")(views.ImageIndexView.as_view()), name="index"),
    path("upload/", views.upload, name="upload"),
    path("uploads/", direct_upload_views.direct_upload_issue, name="upload_issue"),
    path("uploads/done/", direct_upload_views.direct_upload_confirm, name="upload_confirm"),
    path("uploads/status/", direct_upload_views.direct_upload_statuses, name="upload_statuses"),
    path("uploads/<int:pk>/", direct_upload_views.direct_upload_status, name="upload_status"),
    path(
        "mine/",
        cache_private_page("user:{user}:images", "user:{user}")(views.MyImagesView.as_view()),
        name="mine",
    ),
    path(
        "<int:pk>/", cache_public_page("image:{pk}")(views.ImageDetailView.as_view()), name="detail"
    ),
    path("<int:pk>/renditions/", views.renditions_status, name="renditions_status"),
    path("<int:pk>/edit/", views.ImageEditView.as_view(), name="edit"),
    path("<int:pk>/delete/", views.ImageDeleteView.as_view(), name="delete"),
    path("file/<str:token>/", views.signed_file, name="file"),
    path("media/<path:name>", views.public_file, name="media"),
]
