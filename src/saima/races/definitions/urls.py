"""Race definitions: the rule editor, TOML import and export, and a race's rules."""

from django.urls import path

from saima.races.definitions import views

urlpatterns = [
    path("new/", views.definition_new, name="definition_new"),
    path("import/", views.definition_import, name="definition_import"),
    path("definition-weights/", views.definition_weights, name="definition_weights"),
    path("<slug:code>/edit/", views.definition_edit, name="definition_edit"),
    path("<slug:code>/toml/", views.definition_toml, name="definition_toml"),
    path("<slug:code>/rules/", views.definition, name="definition"),
]
