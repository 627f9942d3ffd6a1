from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Tài liệu kiểm chứng")

    def ready(self):
        from campaigns.links import register
        from campaigns.signals import campaign_copied

        from .library import on_campaign_copied
        from .links import guidance_links, library_links

        register(library_links)
        register(guidance_links)
        campaign_copied.connect(on_campaign_copied, dispatch_uid="evidence_guidance_copy")
