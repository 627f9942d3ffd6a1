"""Published results: frozen, numbered snapshots."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign


class Publication(models.Model):
    """A frozen snapshot of a campaign's results. Never edited: a correction is a new number."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="publications")
    number = models.PositiveSmallIntegerField(_("lần công bố"))
    published_at = models.DateTimeField(_("công bố lúc"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision_number = models.CharField(_("số quyết định của UBND"), max_length=100)
    note = models.TextField(_("ghi chú"), blank=True)
    method = models.JSONField(_("phương pháp tính"), default=dict)
    rows = models.JSONField(_("kết quả"), default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="uniq_publication_number")]
        ordering = ["campaign", "-number"]
        verbose_name = _("công bố kết quả")
        verbose_name_plural = _("công bố kết quả")

    def __str__(self):
        return f"{self.campaign} – lần {self.number}"
