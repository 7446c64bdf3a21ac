"""Settings for the test suite: the real settings with a fast hasher and in-memory mail."""

from saima.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"
MIDDLEWARE = ["saima.testing.RouteRecorder", *MIDDLEWARE]  # noqa: F405
STATIC_ROOT = None  # WhiteNoise serves from the finders; nothing is collected in tests
