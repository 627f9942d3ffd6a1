"""Every write to agencies, users, campaigns, steps and extensions."""
import calendar
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from cchc_portal.core import ratelimit
from cchc_portal.core.excel import ImportFailed, ImportReport, RowError, read_sheet
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from cchc_portal.notifications.services import absolute_url, outbox_enqueue

from .models import (
    AGENCY_ROLES,
    PROVINCE_ROLES,
    PROVINCE_STEPS,
    SHARED_STEPS,
    Agency,
    AgencyGroup,
    Campaign,
    Extension,
    Membership,
    Role,
    Step,
    StepKind,
    User,
)
from .participants import participant_agencies
from .signals import campaign_copied, extension_granted

# ---------------------------------------------------------------- agencies

AGENCY_COLUMNS = ["code", "name", "group", "parent_code", "email"]
AGENCY_ALIASES = {
    "code": ["mã", "mã đơn vị"],
    "name": ["tên", "tên đơn vị"],
    "group": ["nhóm", "mã nhóm"],
    "parent_code": ["mã đơn vị cấp trên", "đơn vị cấp trên"],
    "email": ["thư điện tử", "e-mail"],
}


def agency_import(*, file, dry_run=False) -> ImportReport:
    """Create or update agencies from an .xlsx file (columns `code, name, group,
    parent_code, email`). Every row error is reported; nothing is written if any.

    A parent may be an existing agency or any row of the same file, in any order.
    """
    rows, errors = read_sheet(file, AGENCY_COLUMNS, aliases=AGENCY_ALIASES, required=["code", "name", "group"])
    report = ImportReport(errors=list(errors), dry_run=dry_run)
    if errors:
        return report
    groups = {g.code: g for g in AgencyGroup.objects.all()}
    existing = {a.code: a for a in Agency.objects.all()}
    seen: dict[str, int] = {}
    file_codes = {r["code"] for _, r in rows if r.get("code")}
    for number, r in rows:
        code = r.get("code", "")
        if not code:
            report.errors.append(RowError(number, "code", gettext("Thiếu mã đơn vị.")))
        elif len(code) > 40:
            report.errors.append(RowError(number, "code", gettext("Mã đơn vị dài quá 40 ký tự.")))
        elif code in seen:
            report.errors.append(RowError(number, "code", gettext("Mã “%(code)s” trùng với dòng %(row)s.") % {
                "code": code, "row": seen[code]}))
        else:
            seen[code] = number
        if not r.get("name"):
            report.errors.append(RowError(number, "name", gettext("Thiếu tên đơn vị.")))
        if r.get("group") not in groups:
            report.errors.append(RowError(number, "group", gettext("Không có nhóm “%(group)s”.") % {
                "group": r.get("group", "")}))
        parent = r.get("parent_code", "")
        if parent and parent not in existing and parent not in file_codes:
            report.errors.append(RowError(number, "parent_code", gettext("Không có đơn vị cấp trên “%(code)s”.") % {
                "code": parent}))
        if parent and parent == code:
            report.errors.append(RowError(number, "parent_code", gettext("Đơn vị không thể là cấp trên của chính nó.")))
        if r.get("email"):
            try:
                validate_email(r["email"])
            except ValidationError:
                report.errors.append(RowError(number, "email", gettext("Thư điện tử “%(email)s” không hợp lệ.") % {
                    "email": r["email"]}))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            saved = {}
            for _number, r in rows:
                agency = existing.get(r["code"]) or Agency(code=r["code"])
                report.created += agency.pk is None
                report.updated += agency.pk is not None
                agency.name, agency.group = r["name"], groups[r["group"]]
                agency.email = r.get("email", "")
                agency.save()
                saved[agency.code] = agency
            lookup = {**existing, **saved}
            for number, r in rows:
                agency = saved[r["code"]]
                agency.parent = lookup.get(r.get("parent_code")) if r.get("parent_code") else None
                try:
                    agency.full_clean()
                except ValidationError as exc:
                    report.errors += [RowError(number, f, "; ".join(m)) for f, m in exc.message_dict.items()]
                    continue
                agency.save(update_fields=["parent"])
            if report.errors or dry_run:
                raise ImportFailed(report)
    except ImportFailed:
        pass
    return report


# ---------------------------------------------------------------- users

USER_COLUMNS = ["username", "full_name", "email", "agency_code", "role"]
USER_ALIASES = {
    "username": ["tên đăng nhập"],
    "full_name": ["họ và tên", "họ tên"],
    "email": ["thư điện tử"],
    "agency_code": ["mã đơn vị"],
    "role": ["vai trò"],
}


def user_send_set_password(*, user, key_suffix="") -> None:
    """E-mail a one-time link to set a password (through the outbox)."""
    if not user.email:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    url = absolute_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    outbox_enqueue(
        to=user.email,
        subject="Tài khoản Cổng Chỉ số CCHC",
        template="set_password",
        context={"full_name": user.display_name, "username": user.username, "url": url},
        key=f"set-password:{user.pk}:{user.password[-12:]}{key_suffix}",
    )


# (events, seconds) per account, per e-mail address and per client address; override in settings.
PASSWORD_RESET_RATE_DEFAULTS = {"ACCOUNT": (3, 3600), "EMAIL": (3, 3600), "IP": (20, 3600)}


def password_reset_rate(name) -> tuple[int, int]:
    return getattr(settings, f"PASSWORD_RESET_RATE_{name}", PASSWORD_RESET_RATE_DEFAULTS[name])


def _password_reset_allowed(name, ident, now) -> bool:
    allowed, period = password_reset_rate(name)
    return ratelimit.hit(scope=f"password-reset-{name.lower()}", ident=ident, allowed=allowed, period=period,
                         now=now)


def user_request_password_reset(*, email, client_ip="", now=None) -> int:
    """"Forgot my password": a one-time link for every active account with this e-mail,
    through the outbox, built from SITE_URL (never from the request's Host). At most a few
    per account, per e-mail address and per client address an hour; beyond that nothing is
    sent. The caller shows the same page whatever happened (no account enumeration).
    Returns how many e-mails were queued."""
    email = (email or "").strip()
    now_ts = None if now is None else now.timestamp()
    if client_ip and not _password_reset_allowed("IP", client_ip, now_ts):
        return 0
    if not email or not _password_reset_allowed("EMAIL", email.lower(), now_ts):
        return 0
    queued = 0
    # Accounts issued by import_users have no usable password until their holder sets one:
    # they may ask again for the link too (the confirm page is the same).
    for user in User.objects.filter(email__iexact=email, is_active=True).order_by("pk"):
        if not _password_reset_allowed("ACCOUNT", user.pk, now_ts):
            continue
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        url = absolute_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
        row = outbox_enqueue(
            to=user.email,
            subject=gettext("Đặt lại mật khẩu – Cổng Chỉ số CCHC"),
            template="password_reset",
            context={"full_name": user.display_name, "username": user.username, "url": url},
            key=f"password-reset:{user.pk}:{uuid.uuid4().hex}",
        )
        queued += row is not None
    return queued


def user_grant_role(*, user, role, agency=None) -> None:
    if role in PROVINCE_ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
        if role == Role.ADMIN:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    elif role in AGENCY_ROLES:
        if agency is None:
            raise ApplicationError(gettext("Vai trò của đơn vị cần mã đơn vị."))
        Membership.objects.get_or_create(user=user, agency=agency, role=role)
    else:
        raise ApplicationError(gettext("Vai trò “%(role)s” không tồn tại.") % {"role": role})
    user.__dict__.pop("_cchc_roles", None)


def user_import(*, file, dry_run=False) -> ImportReport:
    """Accounts issued by the Sở (`username, full_name, email, agency_code, role`).

    New users get an unusable password and a set-password e-mail. A username may appear
    on several rows to serve several agencies.
    """
    rows, errors = read_sheet(file, USER_COLUMNS, aliases=USER_ALIASES, required=["username", "role"])
    report = ImportReport(errors=list(errors), dry_run=dry_run)
    if errors:
        return report
    agencies = {a.code: a for a in Agency.objects.all()}
    roles = {r.value for r in Role}
    for number, r in rows:
        if not r.get("username"):
            report.errors.append(RowError(number, "username", gettext("Thiếu tên đăng nhập.")))
        else:
            try:
                User.username_validator(r["username"])
            except ValidationError:
                report.errors.append(RowError(number, "username", gettext("Tên đăng nhập chứa ký tự không hợp lệ.")))
        if r.get("role") not in roles:
            report.errors.append(RowError(number, "role", gettext("Vai trò “%(role)s” không tồn tại.") % {
                "role": r.get("role", "")}))
        elif r["role"] in AGENCY_ROLES and r.get("agency_code") not in agencies:
            report.errors.append(
                RowError(number, "agency_code", gettext("Không có đơn vị “%(code)s”.") % {
                    "code": r.get("agency_code", "")}))
        if r.get("email"):
            try:
                validate_email(r["email"])
            except ValidationError:
                report.errors.append(RowError(number, "email", gettext("Thư điện tử “%(email)s” không hợp lệ.") % {
                    "email": r["email"]}))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        new_users = []
        for _number, r in rows:
            user = User.objects.filter(username=r["username"]).first()
            if user is None:
                user = User(username=r["username"], full_name=r.get("full_name", ""), email=r.get("email", ""))
                user.set_unusable_password()
                user.save()
                new_users.append(user)
                report.created += 1
            else:
                changed = [f for f in ("full_name", "email") if r.get(f) and getattr(user, f) != r[f]]
                for f in changed:
                    setattr(user, f, r[f])
                if changed:
                    user.save(update_fields=changed)
                    report.updated += 1
            user_grant_role(user=user, role=r["role"], agency=agencies.get(r.get("agency_code")))
        for user in new_users:
            user_send_set_password(user=user)
    return report


# ---------------------------------------------------------------- campaigns and plans


def _clean_save(obj, update_fields=None):
    obj.full_clean()
    obj.save(update_fields=update_fields)
    return obj


def _covered_default(groups, owner, kind=Campaign.Kind.AGENCIES):
    qs = Agency.objects.filter(group__in=groups, active=True)
    if kind == Campaign.Kind.AGENCIES:
        qs = qs.filter(ranked=True)  # agencies that only advise on the province's index are not ranked
    if owner is not None:
        qs = qs.filter(parent=owner)
    return qs


@transaction.atomic
def campaign_create(*, user, year, name, groups, steps=(), owner=None, agencies=None, previous=None,
                    kind=Campaign.Kind.AGENCIES) -> Campaign:
    """A campaign in draft with its plan. Covered agencies default to every active ranked
    agency of the groups (under the owner when a district runs its communes' campaign).

    A province campaign (`kind="province"`) covers one agency, the province itself, whose
    one assessment the departments score item by item."""
    campaign = _clean_save(Campaign(year=year, name=name, owner=owner, previous=previous, kind=kind))
    group_objs = list(AgencyGroup.objects.filter(code__in=[getattr(g, "code", g) for g in groups]))
    if not group_objs:
        raise ApplicationError(gettext("Đợt đánh giá cần ít nhất một nhóm cơ quan."), extra={"errors": {
            "agency_groups": [gettext("Chọn ít nhất một nhóm cơ quan.")]}})
    campaign.groups.set(group_objs)
    covered = list(agencies if agencies is not None else _covered_default(group_objs, owner, kind))
    if kind == Campaign.Kind.PROVINCE and len(covered) != 1:
        raise ApplicationError(
            gettext("Đợt tỉnh tự đánh giá chỉ có một đối tượng là tỉnh: nhóm được chọn phải có đúng một đơn vị."),
            extra={"errors": {"agency_groups": [gettext("Chọn nhóm chỉ gồm đơn vị đại diện cho tỉnh.")]}})
    campaign.agencies.set(covered)
    for step in steps:
        step_set(campaign=campaign, kind=step["kind"], opens_at=step["opens_at"],
                 closes_at=step["closes_at"], user=user)
    return campaign


def steps_for_kind(kind) -> list[str]:
    """The plan steps a campaign of this kind may have, in plan order."""
    if kind == Campaign.Kind.PROVINCE:
        return [k.value for k in PROVINCE_STEPS]
    return [k.value for k in StepKind if k not in PROVINCE_STEPS or k in SHARED_STEPS]


def _check_step_order(campaign, kind, opens_at):
    """The self-assessment cannot open before the criteria step has opened, and so on:
    each step opens no earlier than the steps before it in the plan."""
    order = [k.value for k in StepKind]
    for other in campaign.steps.exclude(kind=kind):
        if order.index(other.kind) < order.index(kind) and other.opens_at > opens_at:
            raise ApplicationError(
                gettext("Bước “%(step)s” không thể bắt đầu trước bước “%(other)s”.") % {
                    "step": StepKind(kind).label, "other": StepKind(other.kind).label},
                extra={"errors": {"opens_at": [gettext("Thứ tự các bước không hợp lệ.")]}},
            )


def _check_step_kind(campaign, kind):
    """`kind` is a step, and one of the plan of the campaign's kind."""
    if kind not in StepKind.values:
        raise ApplicationError(gettext("Bước “%(step)s” không tồn tại.") % {"step": kind},
                               extra={"errors": {"kind": [gettext("Không hợp lệ.")]}})
    if kind not in steps_for_kind(campaign.kind):
        raise ApplicationError(gettext("Bước “%(step)s” không thuộc kế hoạch của loại đợt đánh giá này.") % {
            "step": StepKind(kind).label}, extra={"errors": {"kind": [gettext("Không hợp lệ.")]}})


PLAN_YEARS = (2000, 2100)


@transaction.atomic
def step_set(*, campaign, kind, opens_at, closes_at, user=None) -> Step:
    """Create or move one dated step of the plan (aware datetimes, close after open)."""
    _check_step_kind(campaign, kind)
    for label, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            raise ApplicationError(gettext("Thời điểm phải có múi giờ."),
                                   extra={"errors": {label: [gettext("Thiếu múi giờ.")]}})
        # the campaign's years (CampaignForm: 2000–2100); a plan in year 302 is a typing error
        if not PLAN_YEARS[0] <= value.year <= PLAN_YEARS[1]:
            raise ApplicationError(gettext("Thời điểm phải trong khoảng năm 2000–2100."),
                                   extra={"errors": {label: [gettext("Năm không hợp lệ.")]}})
    if closes_at <= opens_at:
        raise ApplicationError(gettext("Thời điểm kết thúc phải sau thời điểm bắt đầu."),
                               extra={"errors": {"closes_at": [gettext("Phải sau thời điểm bắt đầu.")]}})
    _check_step_order(campaign, kind, opens_at)
    step = Step.objects.select_for_update().filter(campaign=campaign, kind=kind).first()
    if step is None:
        return _clean_save(Step(campaign=campaign, kind=kind, opens_at=opens_at, closes_at=closes_at))
    step.opens_at, step.closes_at = opens_at, closes_at
    return _clean_save(step, update_fields=["opens_at", "closes_at", "updated_at"])


@transaction.atomic
def step_remove(*, campaign, kind, user=None) -> bool:
    """Take one step out of the plan, with the extensions granted on it. Returns whether
    there was one. A campaign that has opened keeps its self-assessment step: its
    assessments, locks and reminders run on that deadline."""
    _check_step_kind(campaign, kind)
    if kind == StepKind.SELF_ASSESSMENT and Campaign.objects.filter(pk=campaign.pk).exclude(
            status=Campaign.Status.DRAFT).exists():
        raise ConflictError(gettext("Đợt đánh giá đã mở nên không thể bỏ bước tự đánh giá khỏi kế hoạch."),
                            extra={"errors": {"kind": [gettext("Bước bắt buộc khi đợt đánh giá đã mở.")]}})
    deleted, _by_model = Step.objects.filter(campaign=campaign, kind=kind).delete()
    return bool(deleted)


@transaction.atomic
def extension_grant(*, step, agency, closes_at, reason, user, now=None) -> Extension:
    """Give one agency a later close of one step (recorded: who, when, why)."""
    now = now or timezone.now()
    if not reason or not reason.strip():
        raise ApplicationError(gettext("Cần nêu lý do gia hạn."), extra={"errors": {"reason": [gettext("Bắt buộc.")]}})
    if timezone.is_naive(closes_at):
        raise ApplicationError(gettext("Thời điểm phải có múi giờ."),
                               extra={"errors": {"closes_at": [gettext("Thiếu múi giờ.")]}})
    if closes_at <= step.closes_at:
        raise ApplicationError(gettext("Hạn mới phải sau hạn chung của bước."),
                               extra={"errors": {"closes_at": [gettext("Phải sau hạn chung.")]}})
    if closes_at <= now:
        raise ApplicationError(gettext("Hạn mới phải ở tương lai."),
                               extra={"errors": {"closes_at": [gettext("Phải ở tương lai.")]}})
    # a province campaign's deadlines bind the departments that answer for its items
    if not participant_agencies(step.campaign).filter(pk=agency.pk).exists():
        raise ApplicationError(gettext("Đơn vị không thuộc đợt đánh giá này."),
                               extra={"errors": {"agency_code": [gettext("Không thuộc đợt đánh giá.")]}})
    extension = _clean_save(Extension(step=step, agency=agency, closes_at=closes_at, reason=reason.strip(),
                                      granted_by=user, granted_at=now))
    # Listeners (e.g. scoring reopening a locked assessment) run in the same transaction.
    extension_granted.send(sender=Extension, extension=extension)
    return extension


def _shift_year(value: datetime, years: int) -> datetime:
    year = value.year + years
    day = min(value.day, calendar.monthrange(year, value.month)[1])  # 29/02 → 28/02
    return value.replace(year=year, day=day)


@transaction.atomic
def campaign_copy_plan(*, campaign, year, user, name=None) -> Campaign:
    """A new draft campaign for `year` with the same groups and the plan shifted in years."""
    if Campaign.objects.filter(year=year, owner=campaign.owner, kind=campaign.kind).exists():
        raise ConflictError(gettext("Đã có đợt đánh giá năm %(year)s của đơn vị chủ trì này.") % {"year": year})
    years = year - campaign.year
    tz = timezone.get_current_timezone()
    steps = []
    for s in campaign.steps.all():
        steps.append({
            "kind": s.kind,
            "opens_at": _shift_year(s.opens_at.astimezone(tz), years),
            "closes_at": _shift_year(s.closes_at.astimezone(tz), years),
        })
    new = campaign_create(
        user=user, year=year, name=name or campaign.name.replace(str(campaign.year), str(year)),
        groups=list(campaign.groups.all()), steps=steps, owner=campaign.owner, previous=campaign,
        kind=campaign.kind,
    )
    campaign_copied.send(sender=Campaign, source=campaign, campaign=new, user=user)
    return new


def _transition(campaign, source, target, message, **extra) -> Campaign:
    updated = Campaign.objects.filter(pk=campaign.pk, status__in=source).update(status=target, **extra)
    if not updated:
        raise ConflictError(message)
    campaign.refresh_from_db()
    return campaign


def campaign_open(*, campaign, user=None, now=None) -> Campaign:
    """draft → open. Scoring's `campaign_open_with_assessments` calls this and creates the
    assessments in the same transaction."""
    if campaign.kind == Campaign.Kind.PROVINCE:
        if not campaign.steps.filter(kind=StepKind.DEPARTMENTS).exists():
            raise ApplicationError(gettext("Kế hoạch chưa có bước các sở, ngành tự chấm."))
    elif not campaign.steps.filter(kind=StepKind.SELF_ASSESSMENT).exists():
        raise ApplicationError(gettext("Kế hoạch chưa có bước tự đánh giá."))
    return _transition(campaign, [Campaign.Status.DRAFT], Campaign.Status.OPEN,
                       gettext("Đợt đánh giá đã được mở hoặc đã kết thúc."), opened_at=now or timezone.now())


def campaign_close(*, campaign, user=None) -> Campaign:
    return _transition(campaign, [Campaign.Status.OPEN], Campaign.Status.CLOSED,
                       gettext("Đợt đánh giá chưa mở."))


def campaign_mark_published(*, campaign) -> Campaign:
    if campaign.status == Campaign.Status.PUBLISHED:
        return campaign
    return _transition(campaign, [Campaign.Status.OPEN, Campaign.Status.CLOSED], Campaign.Status.PUBLISHED,
                       gettext("Đợt đánh giá chưa mở nên chưa thể công bố."))
