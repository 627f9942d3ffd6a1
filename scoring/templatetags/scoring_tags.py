from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cchc_portal.core.forms import number_input_html
from scoring.reasons import reason_text as _reason_text

register = template.Library()


@register.filter
def reason_text(reason):
    """The engine's reason in the active language ({{ points.reason|reason_text }})."""
    return _reason_text(reason)


@register.simple_tag
def item_number(row, name):
    """A leaf's number input on the scoring page (the portal's `number_input_html`): tied to
    the row's form `f<item id>`, disabled when the row is not editable; `score` carries its
    step and maximum for the page's script, `count` takes whole numbers."""
    item, criterion = row.item, row.criterion
    attrs = {"form": f"f{item.pk}", "disabled": not row.editable}
    if name == "score":
        attrs.update(id=f"i{item.pk}-score", data_step=row.step or "0.01", data_max=criterion.max_points)
    value = (item.input or {}).get(name, "")
    return mark_safe(number_input_html(name=name, value=value, integer=name == "count", **attrs))  # noqa: S308


@register.filter
def saved_at(item):
    """ "đã lưu 14:05" (today) or "đã lưu 14:05 02/12" for an item the agency has saved."""
    if item.version <= 1 or item.updated_at is None:
        return ""
    when = timezone.localtime(item.updated_at)
    text = when.strftime("%H:%M") if when.date() == timezone.localdate() else when.strftime("%H:%M %d/%m")
    return f"{_('đã lưu')} {text}"
