"""Meeting mode, mounted at /meeting/."""

from django.urls import path

from saima.bulletins.meeting import views

app_name = "meeting"

urlpatterns = [path("", views.screen, name="screen")]
