"""Settings for `bench/web.py`: the product's own settings, with a URL conf that adds a baseline.

Used only by the web benchmark's gunicorn (`DJANGO_SETTINGS_MODULE=bench_settings`, with `bench/`
on `PYTHONPATH`); the product never adds the benchmark's URL.
"""

from saima.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
