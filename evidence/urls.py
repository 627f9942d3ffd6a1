from django.urls import path

from . import check_views, library_views, views

app_name = "evidence"
urlpatterns = [
    path("search/<int:campaign_id>/", check_views.search, name="search"),
    path("<int:campaign_id>/<str:agency_code>/", views.library, name="library"),
    path("<int:campaign_id>/<str:agency_code>/upload/", views.upload, name="upload"),
    path("documents/<int:pk>/download/", views.download, name="download"),
    path("documents/<int:pk>/preview/", views.preview, name="preview"),
    path("documents/<int:pk>/edit/", views.edit, name="edit"),
    path("documents/<int:pk>/delete/", views.delete, name="delete"),
    path("documents/<int:pk>/check/", check_views.check_status, name="check"),
    path("documents/<int:pk>/accept-proposal/", check_views.accept_proposal, name="accept_proposal"),
    # the campaign library (thư viện hướng dẫn)
    path("guidance/<int:campaign_id>/", library_views.guidance_list, name="guidance_list"),
    path("guidance/<int:campaign_id>/new/", library_views.guidance_create, name="guidance_create"),
    path("guidance/<int:campaign_id>/copy/", library_views.guidance_copy, name="guidance_copy"),
    path("guidance/entries/<int:pk>/edit/", library_views.guidance_edit, name="guidance_edit"),
    path("guidance/entries/<int:pk>/delete/", library_views.guidance_delete, name="guidance_delete"),
    path("guidance/entries/<int:pk>/file/", library_views.guidance_file, name="guidance_file"),
]
