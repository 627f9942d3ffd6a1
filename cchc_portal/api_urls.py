"""/api/: the schema, its docs and v1 of every app."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from campaigns.api.views import TokenApi

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),  # script in a file: CSP
    path("v1/auth/token/", TokenApi.as_view(), name="api-token"),
    path("v1/", include("campaigns.api.urls")),
    path("v1/", include("cchc_portal.notifications.api_urls")),
    path("v1/", include("evidence.api.urls")),
    path("v1/", include("scoring.api.urls")),
    path("v1/", include("surveys.api.urls")),
    path("v1/", include("reports.api.urls")),
]
