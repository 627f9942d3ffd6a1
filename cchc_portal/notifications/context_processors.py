from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    return {"unread_count": SimpleLazyObject(
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count())}
