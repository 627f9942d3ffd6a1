from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Kết quả và báo cáo"

    def ready(self):
        from campaigns import links

        from .views import results_links

        links.register(results_links)
