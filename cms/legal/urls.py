"""``/legal/`` routes: the Terms and Privacy pages."""

from django.urls import path

from cms.legal import views

app_name = "legal"

urlpatterns = [path("<slug:kind>/", views.legal_page, name="page")]
