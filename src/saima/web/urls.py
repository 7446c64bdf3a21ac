"""The pages of the web platform."""

from django.urls import path

from saima.web import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("units/", views.units, name="units"),
    path("units/<slug:code>/", views.unit, name="unit"),
    path("indicators/", views.indicators, name="indicators"),
    path("indicators/<slug:code>/", views.indicator, name="indicator"),
    path("table/", views.table, name="table"),
    path("table.xlsx", views.table_download, name="table_download"),
    path(
        "indicators/<slug:code>/ranking.xlsx", views.indicator_download, name="indicator_download"
    ),
    path("todo/", views.todo_list, name="todo"),
    path("todo/count/", views.todo_badge, name="todo_count"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
