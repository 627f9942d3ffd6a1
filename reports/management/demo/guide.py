"""What seed_demo prints once the province is ready: every demo account with what its
user will find today (read from the data, through the real selectors) and where, one
respondent link to try, and the published year's public page."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns.models import Membership, Role, StepKind, User
from campaigns.selectors import step_window_for
from reports.selectors import published_campaigns
from scoring.models import Assessment, ExplanationRequest, LeadStatus
from scoring.selectors.assessments import local_text
from scoring.selectors.progress import NOT_STARTED, assessment_progress, stage_label, stages_of
from scoring.selectors.province import province_agencies_of_user, province_assessment, province_board

from . import surveys
from .appraisal import TEAM
from .campaigns import USERS
from .province_campaign import PROVINCE_USERS


@dataclass
class Account:
    username: str
    role: str
    finds: str
    url: str


@dataclass
class Guide:
    accounts: list[Account]
    respondent: str  # who the link answers as
    link: str  # "" when no survey window is open
    published: list[tuple[int, str]]  # (year, public page)
    province: list[Account] = field(default_factory=list)  # the province's own index
    province_name: str = ""


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _role_label(role: str) -> str:
    return {Role.ADMIN: _("Quản trị hệ thống"), Role.OFFICER: _("Cán bộ Sở Nội vụ"),
            Role.APPRAISER: _("Tổ thẩm định"), Role.STAFF: _("Cán bộ đầu mối"),
            Role.LEADER: _("Lãnh đạo đơn vị")}[role]


def _assessment_finds(assessment, stage, role) -> str:
    """One agency's self-assessment as its staff or leader finds it today."""
    name, label = assessment.agency.name, stage_label(stage)
    if stage in (NOT_STARTED, Assessment.Status.DRAFT):
        progress = assessment_progress(assessment=assessment)
        window = step_window_for(agency=assessment.agency, campaign=assessment.campaign,
                                 kind=StepKind.SELF_ASSESSMENT)
        due = local_text(window.closes_at) if window else ""
        return _("%(agency)s: %(stage)s (%(done)s/%(total)s tiêu chí), hạn tự đánh giá %(due)s") % {
            "agency": name, "stage": label, "done": progress.done, "total": progress.total, "due": due}
    if stage == Assessment.Status.WITH_LEADER:
        if role == Role.LEADER:
            return _("%(agency)s: %(stage)s: duyệt và gửi Sở Nội vụ, hoặc trả lại") % {"agency": name, "stage": label}
        return _("%(agency)s: %(stage)s (chỉ xem)") % {"agency": name, "stage": label}
    if stage == Assessment.Status.EXPLANATION_REQUESTED:
        request = (ExplanationRequest.objects.filter(assessment=assessment, status=ExplanationRequest.Status.OPEN)
                   .order_by("due_at").first())
        due = local_text(request.due_at) if request else ""
        return _("%(agency)s: %(stage)s, hạn trả lời %(due)s") % {"agency": name, "stage": label, "due": due}
    return f"{name}: {label}"


def _assessment_url(assessment, stage, role) -> str:
    if stage == Assessment.Status.EXPLANATION_REQUESTED and role == Role.STAFF:
        return _url(reverse("scoring:explanations", args=[assessment.pk]))
    return _url(reverse("scoring:assessment_page", args=[assessment.pk]))


def accounts(*, campaigns) -> list[Account]:
    current = campaigns["current"]
    assessments = {a.agency_id: a for a in Assessment.objects.filter(campaign=current)
                   .select_related("agency", "campaign", "criteria_set")}
    stages = stages_of(list(assessments.values()))
    memberships: dict[str, list[Membership]] = {}
    for m in Membership.objects.filter(user__username__in=[u[0] for u in USERS]).select_related("agency", "user"):
        memberships.setdefault(m.user.username, []).append(m)
    out = []
    for username, _full_name, role, _codes in USERS:
        if role == Role.ADMIN:
            out.append(Account(username, _role_label(role), _("Trang quản trị Django: tài khoản, đơn vị, nhật ký"),
                               _url("/admin/")))
        elif role == Role.OFFICER:
            out.append(Account(username, _role_label(role), _(
                "Đợt %(year)s: tiến độ tự đánh giá, danh sách đối tượng điều tra chờ duyệt, phiếu đang được trả lời, "
                "Sở Tư pháp đang thẩm định") % {"year": current.year}, _url(reverse("campaigns:detail",
                                                                                     args=[current.pk]))))
        elif role == Role.APPRAISER:
            fields = TEAM.get(username, [])
            label = _("%(role)s · lĩnh vực %(first)s–%(last)s") % {
                "role": _role_label(role), "first": fields[0], "last": fields[-1]} if fields else _role_label(role)
            out.append(Account(username, label, _(
                "Sở Tư pháp đang thẩm định (các lĩnh vực được phân công); một yêu cầu giải trình chờ đơn vị trả lời"),
                _url(reverse("scoring:appraisal_queue", args=[current.pk]))))
        else:
            mine = [m for m in memberships.get(username, []) if m.agency_id in assessments]
            if len(mine) == 1:
                a = assessments[mine[0].agency_id]
                stage = stages.get(a.pk, NOT_STARTED)
                out.append(Account(username, f"{_role_label(role)} · {a.agency.name}",
                                   _assessment_finds(a, stage, role), _assessment_url(a, stage, role)))
            else:
                names = " – ".join(f"{m.agency.name}: {stage_label(stages.get(assessments[m.agency_id].pk))}"
                                   for m in mine)
                out.append(Account(username, _("%(role)s của %(count)s đơn vị") % {
                    "role": _role_label(role), "count": len(mine)}, names,
                    _url(reverse("scoring:assessment_list"))))
    return out


def province_accounts(*, campaign) -> list[Account]:
    """The province's own index: the officer's board, then every demo account of a department
    that answers for items, with its items' statuses and its deadline."""
    assessment = province_assessment(campaign=campaign)
    if assessment is None:
        return []
    out = [Account("canbo.snv", _role_label(Role.OFFICER), _(
        "Bảng tổng hợp: tiêu chí đã gửi chờ tiếp nhận hoặc trả lại, tải Excel nhập phần mềm của Bộ Nội vụ"),
        _url(reverse("scoring:province_board", args=[campaign.pk])))]
    users = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS + PROVINCE_USERS])}
    for username, _full_name, role, _codes in USERS + PROVINCE_USERS:
        if username not in users or role not in (Role.STAFF, Role.LEADER):
            continue
        for agency in province_agencies_of_user(user=users[username], assessment=assessment):
            rows = [r for r in province_board(assessment=assessment, agency=agency).rows if r.role == "lead"]
            counts = Counter(r.item.lead_status for r in rows)
            due = local_text(rows[0].closes_at) if rows and rows[0].closes_at else ""
            finds = _("%(agency)s chủ trì %(total)s tiêu chí: %(draft)s đang chấm, %(returned)s bị trả lại, "
                      "%(sent)s đã gửi, %(accepted)s đã tiếp nhận; hạn gửi %(due)s") % {
                "agency": agency.name, "total": len(rows), "draft": counts[LeadStatus.DRAFT],
                "returned": counts[LeadStatus.RETURNED], "sent": counts[LeadStatus.SENT],
                "accepted": counts[LeadStatus.ACCEPTED], "due": due}
            out.append(Account(username, f"{_role_label(role)} · {agency.name}", finds,
                               _url(reverse("scoring:province_department", args=[campaign.pk, agency.code]))))
    return out


def build(*, campaigns) -> Guide:
    """The guide for today; re-issues one unanswered respondent link (see surveys.try_link)."""
    found = surveys.try_link(campaigns["current"])
    respondent = link = ""
    if found is not None:
        invitation, link = found
        r = invitation.respondent
        respondent = f"{r.full_name} – {r.group.name} ({r.respondent_list.agency.name})"
    published = [(c.year, _url(reverse("public-results", args=[c.pk]))) for c in published_campaigns()]
    province = campaigns.get("province")
    return Guide(accounts(campaigns=campaigns), respondent, link, published,
                 province_accounts(campaign=province) if province else [], province.name if province else "")


def lines(guide: Guide, *, password: str | None) -> list[str]:
    """The console text of the guide."""
    out = ["", "=" * 78, _("Tỉnh mẫu sẵn sàng: %(url)s") % {"url": settings.SITE_URL + "/"}]
    if password:
        out.append(_("Mật khẩu của mọi tài khoản mẫu: %(password)s") % {"password": password})
    else:
        out.append(_("Tài khoản mẫu chưa có mật khẩu (chạy với DJANGO_DEBUG=1 hoặc --with-passwords)."))
    out += ["", _("Tài khoản, vai trò và những gì sẽ thấy hôm nay:")]
    width = max(len(a.username) for a in guide.accounts) + 2
    for a in guide.accounts:
        out.append(f"  {a.username.ljust(width)}{a.role}")
        out.append(f"  {' ' * width}{a.finds}")
        out.append(f"  {' ' * width}{a.url}")
    if guide.province:
        out += ["", _("%(campaign)s (tỉnh tự đánh giá):") % {"campaign": guide.province_name}]
        for a in guide.province:
            out.append(f"  {a.username.ljust(width)}{a.role}")
            out.append(f"  {' ' * width}{a.finds}")
            out.append(f"  {' ' * width}{a.url}")
    out.append("")
    if guide.link:
        out += [_("Thử trả lời phiếu điều tra (một liên kết chưa trả lời, cấp lại mỗi lần chạy seed_demo):"),
                f"  {guide.respondent}", f"  {guide.link}"]
    else:
        out.append(_("Không có phiếu điều tra nào đang mở để thử."))
    for year, url in guide.published:
        out.append(_("Kết quả năm %(year)s đã công bố: %(url)s") % {"year": year, "url": url})
    out.append("=" * 78)
    return out
