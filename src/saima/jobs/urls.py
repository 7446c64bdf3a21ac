from django.urls import path

from saima.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:job_id>/", views.detail, name="detail"),
    path("<int:job_id>/status/", views.status, name="status"),
]
