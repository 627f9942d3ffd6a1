from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cchc_portal.core"
    label = "core"
    verbose_name = "Lõi"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deployment checks
