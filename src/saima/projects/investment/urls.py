"""Investment by unit and the unit figures from projects."""

from django.urls import path

from saima.projects.investment import views

urlpatterns = [
    path("investment/", views.units_page, name="investment"),
    path("indicators/", views.indicators_page, name="figures"),
]
