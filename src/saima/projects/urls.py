"""URLs of the projects app (mounted at /projects/): each feature has its own patterns."""

from django.urls import include, path

app_name = "projects"
urlpatterns = [
    path("map/", include("saima.projects.map.urls")),
    path("", include("saima.projects.weekly.urls")),
    path("", include("saima.projects.investment.urls")),
    # last: its patterns take any project code
    path("", include("saima.projects.catalogue.urls")),
]
