from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Tài liệu kiểm chứng")

    def ready(self):
        from campaigns.links import register

        from .links import library_links

        register(library_links)
