from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("outbox/", views.outbox_list, name="outbox"),
    path("outbox/send-all/", views.outbox_send_all, name="outbox_send_all"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="outbox_retry"),
    path("outbox/<int:pk>/mark/", views.outbox_mark, name="outbox_mark"),
    path("jobs/", views.job_list, name="jobs"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/import-agencies/", views.agency_import, name="agency_import"),
    path("reminders/<int:pk>/", views.reminder_policies, name="reminders"),
    path("automation/", views.automation, name="automation"),
    path("automation/run/", views.automation_run, name="automation_run"),
]
