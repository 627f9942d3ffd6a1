"""Test settings: the same module with fast hashing, in-memory mail and inline tasks."""
import os
import tempfile

os.environ.setdefault("DJANGO_DEBUG", "1")

from .settings import *  # noqa: E402,F403
from .settings import REDIS_URL  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="cchc-test-media-")
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
AXES_FAILURE_LIMIT = 3
LANGUAGE_CODE = "vi"
STATIC_ROOT = tempfile.mkdtemp(prefix="cchc-test-static-")
WHITENOISE_AUTOREFRESH = True
