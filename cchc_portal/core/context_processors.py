from django.conf import settings


def portal(request):
    return {"SITE_URL": settings.SITE_URL, "PORTAL_NAME": "Cổng Chỉ số CCHC"}
