from django.urls import path

from saima.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.new, name="new"),
    path("origins/", views.origin_list, name="origins"),
    path("from-problem/<int:pk>/", views.from_project_problem, name="from_project_problem"),
    path("<int:pk>/", views.item, name="item"),
    path("files/<int:pk>/", views.event_file, name="file"),
    path("rectification/", views.rectification_lists, name="rectification_lists"),
    path("rectification/<int:pk>/", views.rectification, name="rectification"),
    path("rectification/files/<int:pk>/", views.rectification_file, name="rectification_file"),
]
