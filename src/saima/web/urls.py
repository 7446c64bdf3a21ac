from django.urls import path

from saima.web import views

urlpatterns = [
    path("", views.overview, name="overview"),
]
