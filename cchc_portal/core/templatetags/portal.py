from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from cchc_portal.core.utils import q2

register = template.Library()


@register.filter
def points(value):
    """A score for people: 2 decimals, Vietnamese separators in vi ("1.234,50")."""
    if value is None or value == "":
        return "–"
    try:
        return number_format(q2(Decimal(str(value))), 2, use_l10n=True, force_grouping=True)
    except (InvalidOperation, ValueError):
        return value


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


PDF_FONT_FILES = {  # (weight, style): the file under static/fonts/ (Liberation Serif, SIL OFL: LICENSE.txt)
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


@register.simple_tag
def pdf_fonts():
    """The PDFs' CSS: Liberation Serif, the metric twin of Times New Roman that Nghị định 30/2020
    asks for, loaded from the portal's own files, never from the machine's, so every machine
    renders the same PDF. The root element carries it: pages' margin boxes inherit from it."""
    from django.conf import settings
    from django.utils.safestring import mark_safe

    folder = settings.BASE_DIR / "static" / "fonts"
    faces = "".join(
        f'@font-face {{ font-family: "CCHC Liberation Serif"; font-weight: {weight}; font-style: {style}; '
        f'src: url("{(folder / name).as_uri()}") format("truetype"); }}\n'
        for (weight, style), name in PDF_FONT_FILES.items())
    return mark_safe(faces + 'html { font-family: "CCHC Liberation Serif"; }\n')  # noqa: S308 - paths of our own files
