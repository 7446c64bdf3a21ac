"""The project list, its import and export, the settings, and each project's page."""

from django.urls import path

from saima.projects.catalogue import transfer, views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.project_new, name="new"),
    path("import/", transfer.import_page, name="import"),
    path("export/", transfer.export, name="export"),
    path("settings/", views.settings_page, name="settings"),
    path("proposals/", views.proposals, name="proposals"),
    path("<str:code>/", views.project_page, name="project"),
    path("<str:code>/edit/", views.project_edit, name="edit"),
]
