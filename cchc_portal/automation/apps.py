from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """The periodic tick, reminder policies, and the pages under /notifications/ (the bell,
    the outbox, jobs, reminders, the tick's record). It sits above campaigns (policies are
    per campaign step, pages check roles) and below evidence, scoring and surveys, which
    register their due work and reminder sources in cchc_portal.notifications.registry."""

    name = "cchc_portal.automation"
    label = "automation"
    verbose_name = _("Nhắc hạn và việc tự động")

    def ready(self):
        from campaigns import links

        from .links import campaign_links
        from .tick import register_builtin

        register_builtin()
        links.register(campaign_links)
