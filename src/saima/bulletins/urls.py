"""Bulletins: the list, drafting, a bulletin (edit, issue, delete, read) and its files."""

from django.urls import path, re_path

from saima.bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/read/", views.read, name="read"),
    re_path(r"^(?P<pk>[0-9]+)/bulletin\.(?P<fmt>docx|pdf|xlsx)$", views.download, name="file"),
]
