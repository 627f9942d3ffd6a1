from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "cchc_portal.notifications"
    label = "notifications"
    verbose_name = _("Thư và thông báo")

    def ready(self):
        from campaigns import links

        from .links import campaign_links
        from .tick import register_builtin

        register_builtin()
        links.register(campaign_links)
