"""URLs of the races app (mounted at /races/): each feature has its own patterns."""

from django.urls import include, path

app_name = "races"
urlpatterns = [
    path("", include("saima.races.definitions.urls")),
    path("", include("saima.races.register.urls")),
    path("", include("saima.races.followup.urls")),
    # last: its patterns take any race code
    path("", include("saima.races.results.urls")),
]
