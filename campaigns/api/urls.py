from django.urls import path

from ..focal import api as focal_api
from . import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("agencies/", views.AgencyListApi.as_view(), name="api-agencies"),
    path("campaigns/", views.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", views.CampaignDetailApi.as_view(), name="api-campaign"),
    path("campaigns/<int:pk>/steps/<str:kind>/", views.StepUpdateApi.as_view(), name="api-campaign-step"),
    path("campaigns/<int:pk>/extensions/", views.ExtensionApi.as_view(), name="api-campaign-extensions"),
    path("campaigns/<int:pk>/focal-officers/", focal_api.FocalContactListApi.as_view(), name="api-focal-officers"),
    path("campaigns/<int:pk>/focal-officers/<str:agency_code>/", focal_api.FocalAgencyApi.as_view(),
         name="api-focal-officers-agency"),
]
