"""The portal's URLs plus the benchmark's yardstick: a bare Django POST view (same
middleware, same CSRF check, same form body), for benchmarks/bench_survey_load.py only."""
from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("cchc_portal.urls")),
]
