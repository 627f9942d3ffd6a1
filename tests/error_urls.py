"""The portal's addresses plus views that fail, for tests/test_error_pages.py."""
from django.core.exceptions import SuspiciousOperation
from django.urls import path

from cchc_portal.urls import urlpatterns as portal


def boom(request):
    raise RuntimeError("boom")


def suspicious(request):
    raise SuspiciousOperation("a request the portal cannot read")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), path("bad-request/", suspicious), *portal]
