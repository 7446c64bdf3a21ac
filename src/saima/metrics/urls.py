"""The office's pages for targets and schedules (mounted at /targets/)."""

from django.urls import path

from saima.metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.targets, name="targets"),
    path("targets.xlsx", views.targets_download, name="targets_download"),
    path("import/", views.targets_import, name="targets_import"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/<slug:code>/", views.profile, name="profile"),
]
