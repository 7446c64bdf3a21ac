"""Top-level URLs: pages, API, admin, language switch."""

from django.contrib import admin
from django.urls import include, path

from saima.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("reporting/", include("saima.reporting.urls")),
    path("races/", include("saima.races.urls")),
    path("targets/", include("saima.metrics.urls")),
    path("projects/", include("saima.projects.urls")),
    path("supervision/", include("saima.supervision.urls")),
    path("jobs/", include("saima.jobs.urls")),
    path("bulletins/", include("saima.bulletins.urls")),
    path("meeting/", include("saima.bulletins.meeting.urls")),
    path("", include("saima.web.urls")),
]

handler400 = "saima.common.errors.bad_request"
handler403 = "saima.common.errors.permission_denied"
handler404 = "saima.common.errors.page_not_found"
handler500 = "saima.common.errors.server_error"
