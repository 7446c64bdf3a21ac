"""URLs of the spreadsheet pages; include them inside the reporting namespace, without a namespace
of their own: `path("", include("saima.reporting.upload_urls"))` in `saima.reporting.urls`.
"""

from django.urls import path

from saima.reporting import upload_views

urlpatterns = [
    path(
        "template/<slug:unit>/<str:period>.xlsx",
        upload_views.template_download,
        name="upload_template",
    ),
    path("upload/<slug:unit>/<str:period>/", upload_views.upload, name="upload"),
    path("import/", upload_views.bulk_import, name="import"),
]
