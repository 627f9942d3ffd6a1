"""Settings of the deadline-day rush benchmark only: the portal's own settings, with a fast
password hasher because the 100 staff log in through the login page before the rush (the
portal's hasher costs a core some 0.3 s a login: 100 of them would load the machine before
the measured minute, and a login is not what is measured)."""
from cchc_portal.settings import *  # noqa: F401,F403
from cchc_portal.settings import LOGGING

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
