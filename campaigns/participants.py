"""Which agencies take part in a campaign: the ones it covers, or, for a kind whose work is
shared out differently, the ones a higher app says.

The province's own index covers one agency (the province), yet the departments that lead or
co-operate on its items are the ones that name focal officers, get reminders and extensions;
`scoring` knows who they are and registers `fn(campaign) -> agency ids` for that kind in its
AppConfig.ready() (campaigns may not import scoring).
"""
from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from .models import Agency

_providers: dict[str, Callable[[object], Iterable[int]]] = {}


def register_participants(kind: str, provider: Callable[[object], Iterable[int]]) -> Callable:
    _providers[str(kind)] = provider
    return provider


def participant_agencies(campaign) -> QuerySet[Agency]:
    """The agencies taking part in `campaign`: its covered agencies unless its kind has a
    provider (then the ones the provider names)."""
    provider = _providers.get(str(campaign.kind))
    if provider is None:
        return campaign.agencies.all()
    return Agency.objects.filter(pk__in=list(provider(campaign)))
