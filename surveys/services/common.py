"""What the survey's services share: the step kinds, settings, the officer check, model validation."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns import selectors as campaign_selectors
from campaigns.models import StepKind
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.notifications.services import notify

SURVEY = StepKind.SURVEY.value
LISTS = StepKind.RESPONDENT_LISTS.value


def setting(name, default):
    return getattr(settings, name, default)


def when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def require_officer(user):
    if user is not None and not campaign_selectors.user_is_officer(user):
        raise ApplicationError(_("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này."), status=403)


def clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"errors": errors}) from exc


def notify_officers(*, text, url, key):
    """Every officer once per `key`, in two queries whatever their number (notifications.notify)."""
    notify(users=campaign_selectors.officers(), text=text, url=url, key=key)
