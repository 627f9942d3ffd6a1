from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_reference_data(sender, using="default", **kwargs):
    """Agency groups `department`, `district`, `commune` and the province-wide role groups
    always exist: after migrate, and after a test flush (which emits post_migrate too)."""
    from django.contrib.auth.models import Group

    from .models import AgencyGroup

    for code, name, order in (
        ("department", "Sở, ban, ngành tỉnh", 1),
        ("district", "UBND cấp huyện", 2),
        ("commune", "UBND cấp xã (xã, phường, đặc khu)", 3),
    ):
        AgencyGroup.objects.using(using).get_or_create(code=code, defaults={"name": name, "order": order})
    for role in ("admin", "officer", "appraiser"):
        Group.objects.using(using).get_or_create(name=role)


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Kế hoạch và đơn vị")

    def ready(self):
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="campaigns-reference-data")
        from . import links
        from .focal import automation  # noqa: F401 - registers the focal officers' reminder source
        from .focal.views import focal_links

        links.register(focal_links)
