from django.urls import path

from saima.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.ledger, name="ledger"),
]
