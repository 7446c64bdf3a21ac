"""WSGI entry point for gunicorn: `gunicorn saima.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saima.settings")
application = get_wsgi_application()
