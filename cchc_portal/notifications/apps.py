from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cchc_portal.notifications"
    label = "notifications"
    verbose_name = "Thư và thông báo"

    def ready(self):
        from campaigns import links

        from .links import campaign_links
        from .tick import register_builtin

        register_builtin()
        links.register(campaign_links)
