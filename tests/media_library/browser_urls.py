"""URLs for the browser test: the project's, plus local media served by Django."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import re_path
from django.views.static import serve

from config.urls import urlpatterns as project_urlpatterns


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    return serve(request, path, document_root=default_storage.location)  # type: ignore[attr-defined]


urlpatterns = [*project_urlpatterns, re_path(r"^media/(?P<path>.*)$", media)]
