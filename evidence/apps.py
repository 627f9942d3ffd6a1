from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Tài liệu kiểm chứng"

    def ready(self):
        from campaigns.links import register

        from .links import library_links

        register(library_links)
