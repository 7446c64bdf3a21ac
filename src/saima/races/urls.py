"""URLs of the races app (mounted at /races/). Each part has its own module of patterns."""

from django.urls import include, path

app_name = "races"
urlpatterns = [
    path("", include("saima.races.urls_definitions")),
    path("", include("saima.races.urls_register")),
    path("", include("saima.races.urls_followup")),
    # last: its patterns take any race code
    path("", include("saima.races.urls_results")),
]
