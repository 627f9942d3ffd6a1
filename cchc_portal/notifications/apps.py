from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The outbox, in-app notifications and long jobs. It sits below campaigns (it imports
    only cchc_portal.core): every app may queue an e-mail, notify a user or run a job. The
    pages, reminders and the tick live above campaigns, in cchc_portal.automation."""

    name = "cchc_portal.notifications"
    label = "notifications"
    verbose_name = _("Thư và thông báo")
