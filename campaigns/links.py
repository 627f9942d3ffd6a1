"""Links that higher apps add to the campaign page and the home page.

`campaigns` may not import `scoring`, `surveys` or `reports`; each of those registers a
function in its AppConfig.ready(): `fn(campaign, user) -> [Link]`.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    order: int = 50


_providers = []


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def links_for(campaign, user) -> list[Link]:
    links = []
    for provider in _providers:
        links.extend(provider(campaign, user) or [])
    return sorted(links, key=lambda link: link.order)
