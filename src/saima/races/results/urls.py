"""Results: the list of races, previews and publication, standings, explanations, downloads."""

from django.urls import path, re_path

from saima.races.results import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.race, name="race"),
    path("<slug:code>/preview/", views.preview, name="preview"),
    path("<slug:code>/publish/", views.publish, name="publish"),
    re_path(
        r"^(?P<code>[-a-zA-Z0-9_]+)/(?P<period>\d{4}(?:-[0-9A-Za-z]{2})?)/$",
        views.result,
        name="result",
    ),
    re_path(
        r"^(?P<code>[-a-zA-Z0-9_]+)/(?P<period>\d{4}(?:-[0-9A-Za-z]{2})?)/units/(?P<unit>[-a-zA-Z0-9_]+)/$",
        views.explanation,
        name="explanation",
    ),
    re_path(
        r"^(?P<code>[-a-zA-Z0-9_]+)/(?P<period>\d{4}(?:-[0-9A-Za-z]{2})?)/"
        r"(?P<what>results|explanation)\.(?P<fmt>csv|xlsx)$",
        views.download,
        name="download",
    ),
    re_path(
        r"^(?P<code>[-a-zA-Z0-9_]+)/(?P<period>\d{4}(?:-[0-9A-Za-z]{2})?)/(?P<what>bundle)\.(?P<fmt>zip)$",
        views.download,
        name="bundle",
    ),
]
