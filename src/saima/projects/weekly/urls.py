"""The weekly schedule: the board, a unit's form, the week's problems, site photos."""

from django.urls import path

from saima.projects.weekly import views

urlpatterns = [
    path("weekly/", views.board, name="weekly"),
    path("weekly/<slug:unit>/", views.unit_form, name="weekly_unit"),
    path("problems/", views.problems_page, name="problems"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
