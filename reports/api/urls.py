from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/<int:pk>/results/", views.ResultsApi.as_view(), name="api-campaign-results"),
    path("campaigns/<int:pk>/publish/", views.PublishApi.as_view(), name="api-campaign-publish"),
    path("campaigns/<int:pk>/publications/", views.PublicationListApi.as_view(), name="api-campaign-publications"),
]
