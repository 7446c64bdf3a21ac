"""Results: the list of races, previews and publication, standings, explanations, downloads."""

from django.urls import path

from saima.races import views_results as views

urlpatterns = [
    path("", views.index, name="index"),
]
