"""The product's URLs plus `/bench/minimal/`: the baseline of the web benchmark.

The minimal view goes through the same middleware (sessions, locale, CSRF, authentication) and,
like every page, needs a signed-in person, so it reads the session and the user; it does no other
work. The ratio of a page's latency to this view's isolates the page's own work.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from saima.urls import urlpatterns as product_urlpatterns


@login_required
def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench-minimal"), *product_urlpatterns]
