from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cchc_portal.notifications"
    label = "notifications"
    verbose_name = "Thư và thông báo"
