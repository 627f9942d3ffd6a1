from django.urls import path

from . import check_views, views

app_name = "evidence"
urlpatterns = [
    path("search/<int:campaign_id>/", check_views.search, name="search"),
    path("<int:campaign_id>/<str:agency_code>/", views.library, name="library"),
    path("<int:campaign_id>/<str:agency_code>/upload/", views.upload, name="upload"),
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("documents/<int:pk>/preview/", views.preview, name="preview"),
    path("documents/<int:pk>/edit/", views.edit, name="edit"),
    path("documents/<int:pk>/delete/", views.delete, name="delete"),
    path("documents/<int:pk>/accept-proposal/", check_views.accept_proposal, name="accept_proposal"),
]
