from django.urls import path

from . import views

urlpatterns = [
    path("evidence/", views.DocumentListApi.as_view(), name="api-evidence"),
    path("evidence/<int:pk>/", views.DocumentDetailApi.as_view(), name="api-evidence-detail"),
]
