"""Deadline reminders: policies per campaign step, slots in Vietnam time, exactly once.

Rules (docs/automation.md):
- An offset is whole days: 7 means "becomes due at the effective deadline − 7 days", in
  Vietnam time (Asia/Ho_Chi_Minh); -1 means one day after the deadline was missed.
- Each offset owns a window: from its due time until the next offset becomes due (a
  positive offset's window also ends at the deadline; the last offset's window lasts one
  day). A tick sends only the offset whose window contains `now`: a reminder whose window
  has passed unsent is skipped, never sent late in a burst.
- Nothing is sent before the step opens or for a campaign that is not open.
- Leaders are added from the policy's `leader_from` offset on; officers get one digest per
  missed deadline (per after-deadline offset) when `notify_officers` is set.
- A reminder is a row unique on (policy, recipient, offset): a tick run twice, or two
  ticks racing, sends it once. An extension moves the offsets still to come; offsets that
  already went out are not repeated.
"""
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, StepKind
from campaigns.selectors import officers
from cchc_portal.core.exceptions import ApplicationError
from cchc_portal.notifications import registry
from cchc_portal.notifications.services import absolute_url, notify, outbox_enqueue

from .models import REMINDER_STEP_KINDS, Reminder, ReminderPolicy

logger = logging.getLogger(__name__)

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
LAST_WINDOW = timedelta(days=1)

DEFAULT_POLICIES = {
    StepKind.FOCAL_OFFICERS: {"offsets": [3, 1, -1], "leader_from": 1, "notify_officers": True},
    StepKind.SELF_ASSESSMENT: {"offsets": [7, 3, 1, -1], "leader_from": 1, "notify_officers": True},
    StepKind.RESPONDENT_LISTS: {"offsets": [7, 3, 1, -1], "leader_from": 1, "notify_officers": True},
    StepKind.SURVEY: {"offsets": [3, 1], "leader_from": None, "notify_officers": False},
    # An explanation request closes at its due time, so there is nothing to chase after it.
    StepKind.EXPLANATION: {"offsets": [3, 1], "leader_from": 1, "notify_officers": False},
    # the province's own index: departments that lead items not sent to the Sở yet
    StepKind.DEPARTMENTS: {"offsets": [7, 3, 1, -1], "leader_from": 1, "notify_officers": True},
}


def remaining_text(deadline: datetime, now: datetime) -> str:
    """"3 ngày", "5 giờ": what is left, rounded to whole days (hours under a day)."""
    left = deadline - now
    days = round(left / timedelta(days=1))
    if days >= 1:
        return f"{days} ngày"
    return f"{max(1, round(left / timedelta(hours=1)))} giờ"


def vn_time(value: datetime) -> str:
    """17:00 ngày 15/11/2026 (Vietnam time)."""
    local = value.astimezone(VN_TZ)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


# ---------------------------------------------------------------- policies


def reminder_policies_ensure(*, campaign) -> list[ReminderPolicy]:
    """The campaign's policies, with the default ones created for its reminder steps."""
    kinds = set(campaign.steps.filter(kind__in=REMINDER_STEP_KINDS).values_list("kind", flat=True))
    have = {p.step_kind: p for p in ReminderPolicy.objects.filter(campaign=campaign)}
    for kind in REMINDER_STEP_KINDS:
        if kind in kinds and kind not in have:
            defaults = DEFAULT_POLICIES[kind]
            try:
                with transaction.atomic():
                    have[kind] = ReminderPolicy.objects.create(
                        campaign=campaign, step_kind=kind, offsets=list(defaults["offsets"]),
                        leader_from=defaults["leader_from"], notify_officers=defaults["notify_officers"])
            except IntegrityError:  # another tick created it a moment ago
                have[kind] = ReminderPolicy.objects.get(campaign=campaign, step_kind=kind)
    order = [k.value for k in StepKind]
    return sorted(have.values(), key=lambda p: order.index(p.step_kind))


def parse_offsets(text) -> list[int]:
    """"7, 3, 1, -1" → [7, 3, 1, -1]; whole days, not 0, between -30 and 90, distinct."""
    parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    if not parts:
        raise ApplicationError(_("Cần ít nhất một mốc nhắc."), extra={"errors": {"offsets": [_("Bắt buộc.")]}})
    offsets = []
    for part in parts:
        try:
            value = int(part.strip())
        except ValueError as exc:
            raise ApplicationError(_("Mốc “%(offset)s” không phải số ngày nguyên.") % {"offset": part.strip()},
                                   extra={"errors": {"offsets": [_("Chỉ gồm số nguyên.")]}}) from exc
        if value == 0 or not -30 <= value <= 90:
            raise ApplicationError(_("Mỗi mốc là số ngày khác 0, từ -30 đến 90 (số âm: sau khi quá hạn)."),
                                   extra={"errors": {"offsets": [_("Ngoài khoảng cho phép.")]}})
        offsets.append(value)
    if len(set(offsets)) != len(offsets):
        raise ApplicationError(_("Các mốc nhắc bị trùng."), extra={"errors": {"offsets": [_("Trùng mốc.")]}})
    if len(offsets) > 10:
        raise ApplicationError(_("Tối đa 10 mốc nhắc."), extra={"errors": {"offsets": [_("Quá nhiều mốc.")]}})
    return sorted(offsets, reverse=True)


@transaction.atomic
def reminder_policy_update(*, policy, offsets, leader_from, notify_officers, active, user, now=None) -> ReminderPolicy:
    policy.offsets = parse_offsets(offsets if isinstance(offsets, str) else ",".join(str(o) for o in offsets))
    policy.leader_from = leader_from
    policy.notify_officers = notify_officers
    policy.active = active
    policy.updated_by = user
    policy.updated_at = now or timezone.now()
    policy.full_clean()
    policy.save(update_fields=["offsets", "leader_from", "notify_officers", "active", "updated_by", "updated_at"])
    return policy


# ---------------------------------------------------------------- slots


@dataclass(frozen=True)
class Slot:
    offset: int
    due_at: datetime
    until: datetime


def reminder_slots(*, offsets, deadline, opens_at=None) -> list[Slot]:
    """The window of each offset against one effective deadline, in Vietnam time."""
    local = deadline.astimezone(VN_TZ)
    ordered = sorted(set(offsets), reverse=True)
    dues = [local - timedelta(days=o) for o in ordered]
    slots = []
    for i, offset in enumerate(ordered):
        due = dues[i]
        until = dues[i + 1] if i + 1 < len(ordered) else due + LAST_WINDOW
        if offset > 0:
            until = min(until, local)
        if opens_at is not None:
            if until <= opens_at:
                continue
            due = max(due, opens_at.astimezone(VN_TZ))
        if due < until:
            slots.append(Slot(offset, due, until))
    return slots


def current_slot(*, offsets, deadline, now, opens_at=None) -> Slot | None:
    for slot in reminder_slots(offsets=offsets, deadline=deadline, opens_at=opens_at):
        if slot.due_at <= now < slot.until:
            return slot
    return None


# ---------------------------------------------------------------- running


def _subject(step_label, slot, deadline, now):
    if slot.offset > 0:
        return f"[Nhắc hạn] {step_label}: còn {remaining_text(deadline, now)} (hạn {vn_time(deadline)})"
    return f"[Quá hạn] {step_label}: đã quá hạn {vn_time(deadline)}"


def _send(policy, target, recipient, slot, *, recipient_key, context, subject, text) -> bool:
    """Create the reminder row and its e-mail (and bell entry) in one savepoint; a row
    that already exists (an earlier or concurrent tick) means: already sent."""
    key = f"reminder:{policy.pk}:{recipient_key}:{slot.offset}"
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                policy=policy, target=target.key[:80], target_name=(target.name or "")[:255],
                recipient=recipient_key[:160], offset=slot.offset,
                deadline=target.deadline, due_at=slot.due_at, email=recipient.email or "")
            if recipient.email:
                reminder.outbox = outbox_enqueue(to=recipient.email, subject=subject, template=context["template"],
                                                 context=context, key=key)
                reminder.save(update_fields=["outbox"])
            if recipient.user_id:
                notify(users=[recipient.user_id], text=text, url=target.url if target.url.startswith("/") else "",
                       key=key)
    except IntegrityError:
        return False
    return True


def reminders_for_policy(*, policy, now) -> dict[str, int]:
    source = registry.reminder_source(policy.step_kind)
    counts = {"sent": 0, "targets": 0}
    if source is None or not policy.active or not policy.offsets:
        return counts
    campaign = policy.campaign
    step_label = str(StepKind(policy.step_kind).label)
    done = set(Reminder.objects.filter(policy=policy).values_list("recipient", "offset"))
    missed = {}  # (offset, deadline) → (slot, targets), for the officers' digest
    for target in source(campaign, now):
        slot = current_slot(offsets=policy.offsets, deadline=target.deadline, now=now, opens_at=target.opens_at)
        if slot is None:
            continue
        counts["targets"] += 1
        if slot.offset < 0 and policy.notify_officers:
            missed.setdefault((slot.offset, target.deadline), (slot, []))[1].append(target)
        subject = _subject(step_label, slot, target.deadline, now)
        left = remaining_text(target.deadline, now)
        for recipient in target.recipients:
            if recipient.role == "leader" and (policy.leader_from is None or slot.offset > policy.leader_from):
                continue
            recipient_key = f"{target.key}|{recipient.key}"
            if (recipient_key[:160], slot.offset) in done:
                continue
            context = {
                "template": "reminder", "full_name": recipient.name, "step": step_label, "target": target.name,
                "campaign": campaign.name, "deadline": vn_time(target.deadline), "left": left,
                "overdue": slot.offset < 0, "url": absolute_url(target.url) if target.url else "",
                "leader": recipient.role == "leader", "respondent": recipient.role == "respondent",
                "locks": policy.step_kind == StepKind.SELF_ASSESSMENT,
            }
            text = (f"{step_label} ({target.name}): còn {left}, hạn {vn_time(target.deadline)}."
                    if slot.offset > 0 else
                    f"{step_label} ({target.name}): đã quá hạn {vn_time(target.deadline)}.")
            counts["sent"] += _send(policy, target, recipient, slot, recipient_key=recipient_key, context=context,
                                    subject=subject, text=text)
    if missed:
        counts["sent"] += _officer_digests(policy, missed, done, step_label)
    return counts


def _officer_digests(policy, missed, done, step_label) -> int:
    sent = 0
    people = list(officers().exclude(email=""))
    for (_offset, deadline), (slot, targets) in missed.items():
        names = sorted(t.name for t in targets)
        stamp = deadline.astimezone(VN_TZ).strftime("%Y%m%d%H%M")
        subject = f"[Quá hạn] {step_label}: {len(names)} đơn vị chưa hoàn thành (hạn {vn_time(deadline)})"
        text = f"{step_label}: {len(names)} đơn vị chưa hoàn thành đúng hạn {vn_time(deadline)}."
        url = f"/campaigns/{policy.campaign_id}/"
        digest = registry.ReminderTarget(key=f"digest:{stamp}", name=step_label, deadline=deadline, url=url)
        for person in people:
            recipient = registry.Recipient(key=f"user:{person.pk}", email=person.email, name=person.display_name,
                                           user_id=person.pk, role="officer")
            recipient_key = f"officers:{stamp}|user:{person.pk}"
            if (recipient_key, slot.offset) in done:
                continue
            context = {"template": "reminder_digest", "full_name": person.display_name, "step": step_label,
                       "campaign": policy.campaign.name, "deadline": vn_time(deadline), "names": names,
                       "count": len(names), "url": absolute_url(url)}
            sent += _send(policy, digest, recipient, slot, recipient_key=recipient_key, context=context,
                          subject=subject, text=text)
    return sent


def reminders_run(*, now=None) -> str:
    """Every open campaign's active policies: the due reminders, each once. The tick's
    built-in due work; a failing policy is logged and does not stop the others."""
    now = now or timezone.now()
    sent = targets = errors = 0
    for campaign in Campaign.objects.filter(status=Campaign.Status.OPEN):
        for policy in reminder_policies_ensure(campaign=campaign):
            try:
                with transaction.atomic():
                    counts = reminders_for_policy(policy=policy, now=now)
            except Exception:  # noqa: BLE001 - one policy's failure must not stop the others
                logger.exception("reminders for policy %s failed", policy.pk)
                errors += 1
                continue
            sent += counts["sent"]
            targets += counts["targets"]
    summary = f"{sent} lượt nhắc gửi mới cho {targets} đối tượng đến hạn"
    return summary + (f"; {errors} chính sách lỗi" if errors else "")
