"""After publication: laggard statements, the follow-up of commitments, objections."""

from django.urls import path

from saima.races.followup import views

urlpatterns = [
    path("follow-up/", views.follow_up, name="follow_up"),
    path("objections/<int:pk>/", views.objection, name="objection"),
    path("<slug:code>/statements/<int:pk>/", views.statement, name="statement"),
    path("<slug:code>/<str:period>/statements/", views.statements, name="statements"),
    path("<slug:code>/<str:period>/objections/", views.objections, name="objections"),
]
