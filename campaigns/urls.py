from django.urls import path

from . import views
from .focal import views as focal_views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/extensions/new/", views.extension_create, name="extension_create"),
    path("<int:pk>/copy/", views.plan_copy, name="copy"),
    path("<int:campaign_id>/focal-officers/", focal_views.focal_list, name="focal_list"),
    path("<int:campaign_id>/focal-officers/export.xlsx", focal_views.focal_export, name="focal_export"),
    path("<int:campaign_id>/focal-officers/<str:agency_code>/", focal_views.focal_edit, name="focal_edit"),
]
