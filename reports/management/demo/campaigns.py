"""The demo province (today's two-level shape) and one older three-level campaign.

Idempotent: every object is found by its natural key before it is created. The current
campaign's plan is laid around the day seed_demo runs, and moved there again on each run
(with its extension), so a demo started any day has the same states today.
"""
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from campaigns import services
from campaigns.models import Agency, AgencyGroup, Campaign, Membership, Role, Step, User

DEMO_PASSWORD = "Demo@2026"

DEPARTMENTS = [
    ("VPUBND", "Văn phòng UBND tỉnh"), ("SNV", "Sở Nội vụ"), ("STP", "Sở Tư pháp"),
    ("STC", "Sở Tài chính"), ("SCT", "Sở Công Thương"), ("SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("SXD", "Sở Xây dựng"), ("SKHCN", "Sở Khoa học và Công nghệ"), ("SGDDT", "Sở Giáo dục và Đào tạo"),
    ("SYT", "Sở Y tế"), ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"), ("SDTTG", "Sở Dân tộc và Tôn giáo"),
    ("TTT", "Thanh tra tỉnh"), ("SNGV", "Sở Ngoại vụ"), ("BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"),
]
COMMUNES = [
    ("P-MINHXUAN", "Phường Minh Xuân"), ("P-NONGTIEN", "Phường Nông Tiến"), ("P-ANTUONG", "Phường An Tường"),
    ("P-BINHTHUAN", "Phường Bình Thuận"), ("P-MYLAM", "Phường Mỹ Lâm"), ("P-HAGIANG1", "Phường Hà Giang 1"),
    ("P-HAGIANG2", "Phường Hà Giang 2"), ("X-YENSON", "Xã Yên Sơn"), ("X-THAIBINH", "Xã Thái Bình"),
    ("X-SONDUONG", "Xã Sơn Dương"), ("X-HAMYEN", "Xã Hàm Yên"), ("X-CHIEMHOA", "Xã Chiêm Hóa"),
    ("X-NAHANG", "Xã Na Hang"), ("X-LAMBINH", "Xã Lâm Bình"), ("X-DONGVAN", "Xã Đồng Văn"),
    ("X-MEOVAC", "Xã Mèo Vạc"), ("X-YENMINH", "Xã Yên Minh"), ("X-QUANBA", "Xã Quản Bạ"),
    ("X-BACME", "Xã Bắc Mê"), ("X-HOANGSUPHI", "Xã Hoàng Su Phì"), ("X-XINMAN", "Xã Xín Mần"),
    ("X-VIXUYEN", "Xã Vị Xuyên"),
]
# The pre-2025 shape: districts with their communes (inactive today, kept for history).
OLD_DISTRICTS = {
    ("H-TPTQ", "Thành phố Tuyên Quang"): [("OLD-TANQUANG", "Phường Tân Quang"),
                                         ("OLD-PHANTHIET", "Phường Phan Thiết"), ("OLD-YLA", "Phường Ỷ La")],
    ("H-YENSON", "Huyện Yên Sơn"): [("OLD-TRUNGMON", "Xã Trung Môn"), ("OLD-THANGQUAN", "Xã Thắng Quân"),
                                    ("OLD-CHANHAI", "Xã Chân Sơn")],
    ("H-SONDUONG", "Huyện Sơn Dương"): [("OLD-TTSONDUONG", "Thị trấn Sơn Dương"),
                                        ("OLD-TANTRAO", "Xã Tân Trào")],
    ("H-HAMYEN", "Huyện Hàm Yên"): [("OLD-TANYEN", "Thị trấn Tân Yên"), ("OLD-THAIHOA", "Xã Thái Hòa")],
}

# (username, full name, role, agency codes) — listed in the README.
USERS = [
    ("admin", "Quản trị hệ thống", Role.ADMIN, []),
    ("canbo.snv", "Nguyễn Thị Thu Hà", Role.OFFICER, []),
    ("thamdinh.1", "Trần Văn Bình", Role.APPRAISER, []),
    ("thamdinh.2", "Lê Thị Mai", Role.APPRAISER, []),
    ("stc.canbo", "Phạm Minh Tuấn", Role.STAFF, ["STC"]),
    ("stc.lanhdao", "Hoàng Văn Long", Role.LEADER, ["STC"]),
    ("stp.canbo", "Đỗ Thị Lan", Role.STAFF, ["STP"]),
    ("stp.lanhdao", "Vũ Quang Huy", Role.LEADER, ["STP"]),
    ("minhxuan.canbo", "Ngô Thị Hoa", Role.STAFF, ["P-MINHXUAN"]),
    ("minhxuan.lanhdao", "Ma Văn Thắng", Role.LEADER, ["P-MINHXUAN"]),
    ("kiemnhiem", "Triệu Thị Yến", Role.STAFF, ["SXD", "SCT"]),
]


def _aware(day, hour=0, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _agency(code, name, group, parent=None, active=True):
    agency, _ = Agency.objects.get_or_create(
        code=code,
        defaults={"name": name, "group": group, "parent": parent, "active": active,
                  "email": f"{code.lower().replace('-', '.')}@tuyenquang.gov.vn"},
    )
    return agency


def seed_agencies():
    groups = {g.code: g for g in AgencyGroup.objects.all()}
    for code, name in DEPARTMENTS:
        _agency(code, name, groups["department"])
    for code, name in COMMUNES:
        _agency(code, name, groups["commune"])
    for (dcode, dname), communes in OLD_DISTRICTS.items():
        district = _agency(dcode, dname, groups["district"], active=False)
        for code, name in communes:
            _agency(code, name, groups["commune"], parent=district, active=False)


def seed_users(*, set_passwords: bool, users=USERS):
    agencies = {a.code: a for a in Agency.objects.all()}
    hashed = None  # one hash for every account made now: the same password, and seed_demo stays fast
    for username, full_name, role, codes in users:
        user, created = User.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "email": f"{username}@tuyenquang.gov.vn"})
        if created:
            if set_passwords:
                hashed = hashed or make_password(DEMO_PASSWORD)
                user.password = hashed
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
        if role in (Role.ADMIN, Role.OFFICER, Role.APPRAISER):
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            if role == Role.ADMIN and not user.is_superuser:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
        for code in codes:
            Membership.objects.get_or_create(user=user, agency=agencies[code], role=role)


def current_plan(today):
    """The current campaign's steps around `today`: self-assessment open now, the respondent
    lists closed, the survey open now, the appraisal next (appraisers may start early on what
    was submitted)."""
    d = lambda n: today + timedelta(days=n)  # noqa: E731
    return [
        ("criteria", _aware(d(-45), 8), _aware(d(-30), 17)),
        ("training", _aware(d(-29), 8), _aware(d(-26), 17)),
        ("self_assessment", _aware(d(-20), 8), _aware(d(10), 17)),
        ("respondent_lists", _aware(d(-20), 8), _aware(d(-8), 17)),
        ("survey", _aware(d(-6), 8), _aware(d(14), 17)),
        ("appraisal", _aware(d(11), 8), _aware(d(25), 17)),
        ("explanation", _aware(d(26), 8), _aware(d(31), 17)),
        ("appraisal_2", _aware(d(32), 8), _aware(d(36), 17)),
        ("publication", _aware(d(37), 8), _aware(d(45), 17)),
    ]


EXTENSION_DAYS = 3


def anchor_plan(campaign, plan, *, officer) -> None:
    """Move the plan's steps to `plan` (in the plan's order, so each step still opens after
    those before it) and the self-assessment extensions with them."""
    steps = {s.kind: s for s in campaign.steps.all()}
    for kind, opens_at, closes_at in plan:
        step = steps.get(kind)
        if step is None or (step.opens_at, step.closes_at) != (opens_at, closes_at):
            services.step_set(campaign=campaign, kind=kind, opens_at=opens_at, closes_at=closes_at, user=officer)
    step = Step.objects.get(campaign=campaign, kind="self_assessment")
    step.extensions.exclude(closes_at=step.closes_at + timedelta(days=EXTENSION_DAYS)).update(
        closes_at=step.closes_at + timedelta(days=EXTENSION_DAYS))


def old_plan(year):
    """The 2024 plan of seed 003 (Tuyên Quang): self-assessment 13/3–31/3."""
    from datetime import date

    return [
        ("self_assessment", _aware(date(year + 1, 3, 13), 8), _aware(date(year + 1, 3, 31), 17)),
        ("respondent_lists", _aware(date(year + 1, 3, 13), 8), _aware(date(year + 1, 3, 15), 17)),
        ("survey", _aware(date(year + 1, 3, 18), 8), _aware(date(year + 1, 3, 31), 17)),
        ("appraisal", _aware(date(year + 1, 4, 1), 8), _aware(date(year + 1, 4, 20), 17)),
        ("publication", _aware(date(year + 1, 5, 5), 8), _aware(date(year + 1, 5, 20), 17)),
    ]


def _campaign(*, name, year, owner, groups, agencies, plan, status, officer):
    campaign = Campaign.objects.filter(year=year, owner=owner, name=name).first()
    if campaign is not None:
        return campaign
    campaign = services.campaign_create(
        user=officer, year=year, name=name, owner=owner, groups=groups, agencies=agencies,
        steps=[{"kind": k, "opens_at": o, "closes_at": c} for k, o, c in plan],
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=status, opened_at=plan[0][1])
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def seed(*, set_passwords: bool, today=None) -> dict:
    """Agencies, users and campaigns. Returns the campaigns by role in the demo."""
    today = today or timezone.localdate()
    seed_agencies()
    seed_users(set_passwords=set_passwords)
    officer = User.objects.get(username="canbo.snv")
    old_agencies = list(Agency.objects.filter(group__code__in=["department", "district"], parent=None, ranked=True)
                        .exclude(code__startswith="X-").exclude(code__startswith="P-"))
    old = _campaign(
        name="Xác định Chỉ số CCHC năm 2024", year=2024, owner=None, groups=["department", "district"],
        agencies=old_agencies, plan=old_plan(2024), status=Campaign.Status.CLOSED, officer=officer,
    )
    yen_son = Agency.objects.get(code="H-YENSON")
    district_run = _campaign(
        name="Chỉ số CCHC cấp xã năm 2024 – Huyện Yên Sơn", year=2024, owner=yen_son, groups=["commune"],
        agencies=list(yen_son.children.all()), plan=old_plan(2024), status=Campaign.Status.CLOSED,
        officer=officer,
    )
    current = _campaign(
        name=f"Xác định Chỉ số CCHC năm {today.year}", year=today.year, owner=None,
        groups=["department", "commune"],
        agencies=list(Agency.objects.filter(active=True, ranked=True, group__code__in=["department", "commune"])),
        plan=current_plan(today), status=Campaign.Status.OPEN, officer=officer,
    )
    if current.previous_id is None:
        Campaign.objects.filter(pk=current.pk).update(previous=old)
    anchor_plan(current, current_plan(today), officer=officer)
    step = Step.objects.get(campaign=current, kind="self_assessment")
    if not step.extensions.exists():
        services.extension_grant(
            step=step, agency=Agency.objects.get(code="X-LAMBINH"),
            closes_at=step.closes_at + timedelta(days=EXTENSION_DAYS),
            reason="Mất điện, mất kết nối mạng do mưa lũ kéo dài", user=officer,
            now=min(timezone.now(), step.closes_at - timedelta(hours=1)),
        )
    return {"current": current, "previous": old, "district_run": district_run}
