"""What the periodic tick does, offered to the apps above.

`notifications` sits below evidence, scoring and surveys, so it cannot import them; each
registers in its AppConfig.ready():

- `register_due_work(name, fn)`: `fn(now) -> str` does one idempotent piece of due work
  (locks at a cutoff, invitations that are due...) and returns a short summary. The tick
  runs every registered fn with the same `now`, each in its own transaction.
- `register_bounce_handler(prefix, fn)`: `fn(key, to, now)` is called when an outbox row
  whose key starts with `prefix` bounced (the server refused the recipient, or an officer
  recorded a bounce report), e.g. "invite:" marks the invitation bounced.
- `register_reminder_source(step_kind, fn)`: `fn(campaign, now)` yields `ReminderTarget`s
  that are still due (agencies that have not submitted, respondents who have not answered),
  each with its effective deadline and its recipients.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

_due_work: dict[str, tuple[int, Callable]] = {}
_due_work_labels: dict[str, str] = {}
_reminder_sources: dict[str, Callable] = {}
_bounce_handlers: dict[str, Callable] = {}


@dataclass(frozen=True)
class Recipient:
    """Someone to remind. `key` is stable ("user:5", "respondent:7"); `role` is `staff`,
    `leader` (added from the policy's `leader_from` offset on) or `respondent`."""

    key: str
    email: str
    name: str = ""
    user_id: int | None = None
    role: str = "staff"


@dataclass
class ReminderTarget:
    """One thing still due for one subject: e.g. agency 12's self-assessment.

    `key` names the subject ("agency:12", "respondent:7"); `deadline` is its EFFECTIVE
    deadline (extensions included); `url` is a site path or absolute link for the e-mail.
    """

    key: str
    name: str
    deadline: datetime
    recipients: list[Recipient] = field(default_factory=list)
    url: str = ""
    opens_at: datetime | None = None


def register_due_work(name: str, fn: Callable[[datetime], str], *, order: int = 50, label=None) -> Callable:
    """Register (or replace, by name) one piece of due work for the tick. Lower `order`
    runs first: locks (10) before reminders (60) before outbox upkeep (90). `label` is what
    people read (a lazy gettext string); `name` stays the key in logs and stored runs."""
    _due_work[name] = (order, fn)
    if label is not None:
        _due_work_labels[name] = label
    return fn


def due_work_label(name: str) -> str:
    """The Vietnamese (translated) name of a piece of due work; a name no longer registered
    (a run recorded before an upgrade) reads as "Việc tự động khác"."""
    label = _due_work_labels.get(name)
    if label is None:
        from django.utils.translation import gettext

        return gettext("Việc tự động khác")
    return str(label)


def unregister_due_work(name: str) -> None:
    _due_work.pop(name, None)
    _due_work_labels.pop(name, None)


def due_work() -> list[tuple[str, Callable]]:
    """(name, fn) in the order the tick runs them."""
    return [(name, fn) for name, (_order, fn) in sorted(_due_work.items(), key=lambda kv: (kv[1][0], kv[0]))]


def register_reminder_source(step_kind: str, fn: Callable[..., Iterable[ReminderTarget]]) -> Callable:
    """Register (or replace) who is still due for one step kind: `fn(campaign, now)`."""
    _reminder_sources[step_kind] = fn
    return fn


def unregister_reminder_source(step_kind: str) -> None:
    _reminder_sources.pop(step_kind, None)


def reminder_source(step_kind: str) -> Callable | None:
    return _reminder_sources.get(step_kind)


def reminder_source_kinds() -> list[str]:
    return list(_reminder_sources)


def register_bounce_handler(prefix: str, fn: Callable) -> Callable:
    """Register (or replace, by prefix) what a bounce of a row keyed `prefix…` means."""
    _bounce_handlers[prefix] = fn
    return fn


def bounce_handlers(key: str) -> list[Callable]:
    return [fn for prefix, fn in _bounce_handlers.items() if key.startswith(prefix)]
