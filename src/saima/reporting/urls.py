"""URLs of the reporting cycle (mounted at /reporting/)."""

from django.urls import include, path

from saima.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.board, name="board"),
    path("lock/", views.lock, name="lock"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("remind/", views.remind, name="remind"),
    path("units/<slug:code>/", views.unit_form, name="unit"),
    path("units/<slug:code>/light/", views.light, name="light"),
    path("", include("saima.reporting.upload_urls")),
]
