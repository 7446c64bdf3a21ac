"""The adjustments register, evidence downloads and manual scores."""

from django.urls import path

from saima.races.register import views

urlpatterns = [
    path("<slug:code>/adjustments/", views.adjustments, name="adjustments"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("<slug:code>/scores/", views.manual_scores, name="manual_scores"),
]
