from django.urls import re_path

from media_library import views

app_name = "media_library"

urlpatterns = [re_path(r"^(?P<path>.+)$", views.media_file, name="file")]
