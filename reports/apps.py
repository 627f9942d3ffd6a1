from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Kết quả và báo cáo")

    def ready(self):
        from campaigns import links

        from .views import results_links

        links.register(results_links)
