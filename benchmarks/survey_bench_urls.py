"""The portal's URLs plus the benchmark's yardstick: a bare Django POST view (same
middleware, same CSRF check, same form body), for benchmarks/bench_survey_load.py only.
The portal's patterns are listed as they are, not included, so that a respondent's
address resolves exactly as in production (an include would add a level of resolving to
the submissions alone)."""
from django.http import HttpResponse
from django.urls import path

from cchc_portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare),
    *portal_urlpatterns,
]
