"""Confirm before a mass or irreversible action (sending e-mails, publishing, finalising...).

The action stays one POST to its usual URL. A POST without the confirmation does nothing
but render a page with the counts and a form that posts the same fields again plus
`confirmed=<fingerprint>`. The fingerprint sums up what was shown (e.g. the number of
e-mails): if it changed in between, the page is shown again with the new figures instead
of acting on something the officer did not see. The API acts directly (no confirmation).
"""
from dataclasses import dataclass, field

from django.shortcuts import render

CONFIRM_FIELD = "confirmed"


def is_confirmed(request, fingerprint="1") -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == str(fingerprint)


def reposted_fields(request, *, exclude=()) -> list[tuple[str, str]]:
    """The posted fields, to send again from the confirmation page."""
    skip = {"csrfmiddlewaretoken", CONFIRM_FIELD, *exclude}
    return [(name, value) for name, values in request.POST.lists() if name not in skip for value in values]


@dataclass
class Confirmation:
    title: str
    action: str  # the URL the confirmed POST goes to: the action's own
    label: str  # the confirm button
    back: str  # where "go back" leads, nothing done
    fingerprint: str = "1"
    fields: list = field(default_factory=list)  # (name, value) posted again
    danger: bool = False
    blocked: str = ""  # why the action cannot go ahead now: no confirm button then
    changed: bool = False  # a confirmation was posted but the figures have changed since


def confirm_page(request, template, *, confirmation: Confirmation, **context):
    confirmation.changed = request.POST.get(CONFIRM_FIELD) not in (None, "", confirmation.fingerprint)
    return render(request, template, {"confirm": confirmation, **context})
