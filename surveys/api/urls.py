from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/<int:pk>/respondents/", views.RespondentListApi.as_view(), name="api-respondents"),
    path("campaigns/<int:pk>/respondents/import/", views.RespondentImportApi.as_view(),
         name="api-respondents-import"),
    path("campaigns/<int:pk>/respondents/<int:rid>/", views.RespondentDetailApi.as_view(), name="api-respondent"),
    path("campaigns/<int:pk>/respondent-lists/<str:code>/send/", views.RespondentListSendApi.as_view(),
         name="api-respondent-list-send"),
    path("campaigns/<int:pk>/respondent-lists/<str:code>/approve/", views.RespondentListApproveApi.as_view(),
         name="api-respondent-list-approve"),
    path("campaigns/<int:pk>/respondent-lists/<str:code>/return/", views.RespondentListReturnApi.as_view(),
         name="api-respondent-list-return"),
    path("campaigns/<int:pk>/invitations/send/", views.InvitationSendApi.as_view(), name="api-invitations-send"),
    path("campaigns/<int:pk>/survey-progress/", views.SurveyProgressApi.as_view(), name="api-survey-progress"),
    path("campaigns/<int:pk>/survey-points/", views.SurveyPointsApi.as_view(), name="api-survey-points"),
]
