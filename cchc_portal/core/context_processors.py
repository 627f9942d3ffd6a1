from django.conf import settings
from django.utils.translation import gettext_lazy as _


def portal(request):
    return {"SITE_URL": settings.SITE_URL, "PORTAL_NAME": _("Cổng Chỉ số CCHC")}
