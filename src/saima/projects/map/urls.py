"""The battle map: the office's map, its print, a unit's wall."""

from django.urls import path

from saima.projects.map import views

urlpatterns = [
    path("", views.battle_map, name="map"),
    path("print/", views.print_map, name="map_print"),
    path("wall/<slug:unit>/", views.wall, name="map_wall"),
]
