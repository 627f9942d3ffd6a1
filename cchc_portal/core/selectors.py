"""The one shape of every `*_get_for_*` selector's lookup: one row of a queryset the user may
see, or 404 (no such row, or an id that is not a number)."""
from __future__ import annotations

from django.db.models import Model, QuerySet
from django.http import Http404


def one_or_404(queryset: QuerySet, **lookup) -> Model:
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
