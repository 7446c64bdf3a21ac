"""URLs of the reporting cycle (mounted at /reporting/)."""

from django.urls import path

app_name = "reporting"
urlpatterns: list = []
