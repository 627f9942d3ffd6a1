from django.urls import path

from . import public, views

app_name = "surveys"
urlpatterns = [
    # the respondent's page (public, by personal link)
    path("s/lay-lai-lien-ket/", public.link_request, name="link_request"),
    path("s/<str:token>/", public.answer, name="answer"),
    path("s/<str:token>/save/", public.answer_save, name="answer_save"),
    # staff pages
    path("surveys/<int:pk>/", views.overview, name="overview"),
    path("surveys/<int:pk>/groups/new/", views.group_create, name="group_create"),
    path("surveys/<int:pk>/groups/<int:gid>/", views.group_detail, name="group"),
    path("surveys/<int:pk>/groups/<int:gid>/preview/", views.group_preview, name="group_preview"),
    path("surveys/<int:pk>/groups/<int:gid>/questions/new/", views.question_create, name="question_create"),
    path("surveys/<int:pk>/questions/<int:qid>/", views.question_edit, name="question_edit"),
    path("surveys/<int:pk>/questions/<int:qid>/delete/", views.question_delete, name="question_delete"),
    path("surveys/<int:pk>/import/", views.survey_import, name="import"),
    path("surveys/<int:pk>/export/", views.survey_export, name="export"),
    path("surveys/<int:pk>/lists/", views.list_index, name="lists"),
    path("surveys/<int:pk>/lists/<str:code>/", views.list_detail, name="list_detail"),
    path("surveys/<int:pk>/lists/<str:code>/import/", views.list_import, name="list_import"),
    path("surveys/<int:pk>/lists/<str:code>/send/", views.list_send, name="list_send"),
    path("surveys/<int:pk>/lists/<str:code>/approve/", views.list_approve, name="list_approve"),
    path("surveys/<int:pk>/lists/<str:code>/return/", views.list_return, name="list_return"),
    path("surveys/<int:pk>/lists/<str:code>/print/", views.list_print, name="list_print"),
    path("surveys/<int:pk>/lists/<str:code>/respondents/<int:rid>/delete/", views.respondent_delete,
         name="respondent_delete"),
    path("surveys/<int:pk>/lists/<str:code>/respondents/<int:rid>/resend/", views.respondent_resend,
         name="respondent_resend"),
    path("surveys/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("surveys/<int:pk>/progress/", views.progress, name="progress"),
    path("surveys/<int:pk>/flags/", views.flags, name="flags"),
    path("surveys/<int:pk>/flags/<int:fid>/review/", views.flag_review, name="flag_review"),
    path("surveys/<int:pk>/voids/agency/", views.agency_void, name="agency_void"),
    path("surveys/<int:pk>/points/", views.points, name="points"),
]
