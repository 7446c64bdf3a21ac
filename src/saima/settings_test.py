"""Settings for the test suite: the real settings with a fast hasher and in-memory mail."""

from saima.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
MIDDLEWARE = ["saima.testing.RouteRecorder", *MIDDLEWARE]  # noqa: F405
# Jobs run in the request that starts them (no worker); tests of the workers turn this off.
SAIMA_JOBS_INLINE = True
STATIC_ROOT = None  # WhiteNoise serves from the finders; nothing is collected in tests

# Each run of the suite gets a test database of its own on a shared PostgreSQL server, so that two
# runs at once (parallel CI jobs, two developers) never create, use or drop each other's.
# SQLite's test database is in memory and needs no name.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405
    import os as _os
    import uuid as _uuid

    DATABASES["default"].setdefault("TEST", {})["NAME"] = (  # noqa: F405
        f"test_{DATABASES['default']['NAME']}_{_os.getpid()}_{_uuid.uuid4().hex[:6]}"  # noqa: F405
    )
