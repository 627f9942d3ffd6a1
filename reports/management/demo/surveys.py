"""Demo survey data: the four respondent groups of seed 003 plus the provincial People's
Council delegates, questionnaires with the sections of a real form (../shared/DOMAIN.md),
respondent lists in every state for the current campaign, whose answering step is open
today: the approved lists invited, a few links answered (through the answer page's own
services), one half-filled, the others waiting; `try_link` re-issues one unanswered link
for seed_demo to print. The 2024 campaign's answered survey: progress, points and one
flagged case (three links answered from one device within minutes, identically).

`seed(campaigns=...)` is idempotent: everything is found by its natural key first.
"""
import random
import zlib
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from campaigns.models import Agency, AgencyGroup
from scoring.models import Criterion, Rule
from surveys.answers import expand_pending, to_data
from surveys.models import Invitation, Question, Respondent, RespondentGroup, RespondentList, Response
from surveys.options import DEFAULT_RATING, parse_options
from surveys.selectors import answering as answering_selectors
from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import answering as answering_services
from surveys.services import integrity as integrity_services
from surveys.services import invitations as invitation_services
from surveys.services import lists as list_services
from surveys.tokens import answer_url, ip_fingerprint, new_token, token_hash

INSTRUCTIONS = ("Mỗi câu hỏi có một dòng cho từng cơ quan, đơn vị được đánh giá. Chọn một phương án cho mỗi dòng: "
                "A – Tốt, B – Khá, C – Trung bình, D – Kém; chọn E nếu ông/bà không biết hoặc không có thông tin "
                "(E không tính vào kết quả). Có thể dùng nút “Cùng đáp án cho tất cả” rồi sửa từng dòng.")
INFO = [
    ("Thông tin người trả lời", "Giới tính", "single", "Nam; Nữ"),
    ("Thông tin người trả lời", "Độ tuổi", "single",
     "Dưới 30 tuổi; Từ 30 đến 40 tuổi; Từ 41 đến 50 tuổi; Trên 50 tuổi"),
    ("Thông tin người trả lời", "Trình độ chuyên môn", "single", "Đại học; Thạc sĩ; Tiến sĩ; Khác"),
]
# (section, question) for the survey leaves of a set rating departments, in code order.
DEPARTMENT_QUESTIONS = [
    ("I. Công tác chỉ đạo, điều hành cải cách hành chính",
     "Việc tổ chức thực hiện kế hoạch cải cách hành chính năm của cơ quan", ""),
    ("II. Xây dựng và thực hiện văn bản quy phạm pháp luật",
     "Chất lượng, tính khả thi của văn bản quy phạm pháp luật do cơ quan tham mưu ban hành", ""),
    ("III. Cải cách thủ tục hành chính",
     "Việc giải quyết thủ tục hành chính của cơ quan cho tổ chức, cá nhân",
     "A=100|Rất kịp thời; B=60|Kịp thời; C=20|Chưa kịp thời; D=0|Chậm, gây phiền hà; E=-|Không biết"),
    ("IV. Cải cách tổ chức bộ máy",
     "Việc thực hiện chức năng, nhiệm vụ và phân cấp, ủy quyền của cơ quan", ""),
    ("V. Cải cách chế độ công vụ",
     "Tinh thần, thái độ phục vụ và kỷ luật, kỷ cương của công chức trong cơ quan", ""),
    ("VI. Xây dựng chính quyền điện tử, chính quyền số",
     "Mức độ cung cấp dịch vụ công trực tuyến và xử lý văn bản điện tử của cơ quan", ""),
]
LOCAL_QUESTIONS = [
    ("I. Tiếp cận dịch vụ hành chính công", "Việc tiếp cận dịch vụ hành chính công tại địa phương", ""),
    ("II. Thủ tục hành chính", "Thủ tục hành chính được công khai đầy đủ, đơn giản, dễ thực hiện", ""),
    ("III. Công chức giải quyết công việc", "Thái độ, năng lực của công chức trực tiếp giải quyết công việc", ""),
    ("IV. Kết quả giải quyết thủ tục hành chính", "Kết quả giải quyết thủ tục hành chính đúng hạn, đúng quy định",
     ""),
    ("V. Tiếp nhận, xử lý góp ý, phản ánh", "Việc tiếp nhận, xử lý góp ý, phản ánh, kiến nghị của người dân", ""),
]
COMMENT = ("VII. Góp ý", "Ý kiến góp ý khác để nâng cao hiệu quả cải cách hành chính (không bắt buộc)")

# (code, name, rated agency group, form code); the local level is "commune" today, "district" in 2024.
GROUPS = [
    ("DBHD", "Đại biểu Hội đồng nhân dân tỉnh", "department", "Phiếu 01"),
    ("LDS", "Lãnh đạo cấp sở (Giám đốc, Phó Giám đốc và tương đương)", "local", "Phiếu 02"),
    ("LDPS", "Lãnh đạo phòng chuyên môn thuộc sở", "department", "Phiếu 03"),
    ("LDX", "Lãnh đạo UBND cấp xã (Chủ tịch, Phó Chủ tịch)", "department", "Phiếu 04"),
    ("LDPX", "Lãnh đạo phòng chuyên môn thuộc UBND cấp xã", "department", "Phiếu 05"),
]
OLD_NAMES = {"LDX": ("LDH", "Lãnh đạo UBND cấp huyện (Chủ tịch, Phó Chủ tịch)"),
             "LDPX": ("LDPH", "Lãnh đạo phòng chuyên môn thuộc UBND cấp huyện")}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Ma", "Nông", "Hà", "Triệu", "Lương", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Thanh", "Hồng", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Giang", "Hải", "Hương", "Khánh", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quý", "Sơn", "Thảo", "Trung", "Tuấn", "Vân", "Yến", "Hòa", "Tâm", "Thắng", "Hiền"]
ASCII = str.maketrans("àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ",
                      "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd")
POSITIONS = {
    "DBHD": ["Đại biểu HĐND tỉnh", "Phó Trưởng ban Pháp chế HĐND tỉnh", "Ủy viên Ban Kinh tế – Ngân sách"],
    "LDS": ["Giám đốc", "Phó Giám đốc"],
    "LDPS": ["Trưởng phòng", "Phó Trưởng phòng", "Chánh Văn phòng"],
    "LDX": ["Chủ tịch UBND", "Phó Chủ tịch UBND"],
    "LDPX": ["Trưởng phòng Văn hóa – Xã hội", "Trưởng phòng Kinh tế", "Chánh Văn phòng HĐND và UBND"],
}


def _person(seed, n):
    rng = random.Random(f"{seed}-{n}")
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return name, name.lower().translate(ASCII).replace(" ", ".")


def _survey_leaves(campaign, group) -> list[Criterion]:
    leaves = Criterion.objects.filter(criteria_set__campaign=campaign, criteria_set__group=group, rule=Rule.SURVEY)
    return sorted(leaves, key=lambda c: tuple(int(p) for p in c.code.split(".") if p.isdigit()))


def seed_questionnaires(campaign, *, local_group: str, old_names=False) -> dict[str, RespondentGroup]:
    groups = {g.code: g for g in AgencyGroup.objects.all()}
    made = {}
    for code, name, rates, form_code in GROUPS:
        if old_names and code in OLD_NAMES:
            code, name = OLD_NAMES[code]
        rates_group = groups[local_group if rates == "local" else rates]
        group, created = RespondentGroup.objects.get_or_create(
            campaign=campaign, code=code, defaults={"name": name, "rates_group": rates_group, "form_code": form_code,
                                                    "instructions": INSTRUCTIONS, "min_answers": 3})
        made[code] = group
        if not created or group.questions.exists():
            continue
        rows = [(section, text, kind, options, None) for section, text, kind, options in INFO]
        templates = DEPARTMENT_QUESTIONS if rates == "department" else LOCAL_QUESTIONS
        for (section, text, options), leaf in zip(templates, _survey_leaves(campaign, rates_group), strict=False):
            rows.append((section, text, "rating", options, leaf))
        rows.append((*COMMENT, "text", "", None))
        for order, (section, text, kind, options, leaf) in enumerate(rows, start=1):
            Question.objects.create(group=group, section=section, number=str(order), text=text, kind=kind,
                                    options=parse_options(kind, options) if kind != "rating" or options
                                    else [dict(o) for o in DEFAULT_RATING],
                                    criterion=leaf, required=kind != "text", order=order)
    return made


def _fill_list(campaign, agency, group, count, *, status, comment=""):
    rlist, _ = RespondentList.objects.get_or_create(campaign=campaign, agency=agency)
    existing = set(Respondent.objects.filter(campaign=campaign).values_list("email", flat=True))
    for n in range(count):
        name, local = _person(f"{campaign.pk}-{agency.code}-{group.code}", n)
        email = f"{local}.{agency.code.lower().replace('-', '')}{n}@tuyenquang.gov.vn"
        if email in existing:
            continue
        positions = POSITIONS.get(group.code) or POSITIONS[{"LDH": "LDX", "LDPH": "LDPX"}[group.code]]
        list_services.respondent_add(campaign=campaign, agency=agency, user=None, full_name=name, email=email,
                                     group=group, position=positions[n % len(positions)],
                                     phone=f"09{zlib.crc32(email.encode()) % 10**8:08d}")
    if rlist.status == RespondentList.Status.DRAFT and status != RespondentList.Status.DRAFT:
        RespondentList.objects.filter(pk=rlist.pk).update(
            status=status, comment=comment, sent_at=campaign.steps.filter(kind="respondent_lists")
            .values_list("opens_at", flat=True).first())
    return rlist


def seed_current_lists(campaign, groups):
    """Lists of the current campaign in every state (the list step has closed)."""
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[
        "VPUBND", "STC", "STP", "SNV", "P-MINHXUAN", "X-YENSON"])}
    plan = [
        ("VPUBND", "DBHD", 6, RespondentList.Status.APPROVED, ""),
        ("STC", "LDS", 2, RespondentList.Status.APPROVED, ""), ("STC", "LDPS", 3, None, ""),
        ("STP", "LDS", 2, RespondentList.Status.SENT, ""), ("STP", "LDPS", 2, None, ""),
        ("SNV", "LDS", 1, RespondentList.Status.RETURNED,
         "Đề nghị bổ sung Phó Giám đốc phụ trách công tác cải cách hành chính."),
        ("X-YENSON", "LDX", 3, RespondentList.Status.APPROVED, ""),
        ("P-MINHXUAN", "LDX", 2, RespondentList.Status.DRAFT, ""), ("P-MINHXUAN", "LDPX", 2, None, ""),
    ]
    for code, group_code, count, status, comment in plan:
        if code in agencies and group_code in groups:
            _fill_list(campaign, agencies[code], groups[group_code], count, status=status or "draft", comment=comment)


def _options_for(rng, bias, question):
    keys = [o["key"] for o in question.options]
    weights = [max(1, 40 + bias - 10 * i) if i < 4 else 6 for i in range(len(keys))]
    return rng.choices(keys, weights=weights)[0]


def _answers(questionnaire, rng, fixed=None) -> dict:
    """A whole questionnaire answered as a person would (`fixed`: the same option everywhere)."""
    answers = {}
    for q in questionnaire.questions:
        if q.kind == Question.Kind.RATING:
            for rated in questionnaire.rated:
                bias = (sum(map(ord, rated.code)) % 5) * 8 - 8
                answers[(q.pk, rated.pk)] = [fixed or _options_for(rng, bias, q)]
        elif q.kind == Question.Kind.TEXT:
            answers[(q.pk, None)] = "" if rng.random() < 0.7 else "Đề nghị tiếp tục đẩy mạnh dịch vụ công trực tuyến."
        else:
            answers[(q.pk, None)] = [q.options[0]["key"] if fixed else rng.choice(q.options)["key"]]
    return answers


def _questionnaire(invitation):
    respondent = invitation.respondent
    return questionnaire_selectors.questionnaire_for(group=respondent.group,
                                                     respondent_agency=respondent.respondent_list.agency)


def _answer(invitation, *, started, seconds, ip, user_agent, rng, fixed=None):
    """A submitted response of the closed 2024 campaign, written as the answer page left it
    (its services refuse a closed campaign)."""
    questionnaire = _questionnaire(invitation)
    answers = _answers(questionnaire, rng, fixed)
    digest, rows = answering_services._digest(questionnaire, answers)
    submitted = started + timedelta(seconds=seconds)
    Response.objects.create(invitation=invitation, started_at=started, answers_data=to_data(answers),
                            answers_pending=True, submitted_at=submitted, last_saved_at=submitted,
                            ip_hash=ip_fingerprint(ip), user_agent=user_agent, answers_digest=digest,
                            rating_rows=rows)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ANSWERED, opened_at=started,
                                                       answered_at=submitted)


DEVICES = ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) Mobile Safari/604.1",
           "Mozilla/5.0 (Linux; Android 14) Chrome/123.0 Mobile",
           "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/123.0"]


def seed_current_answers(campaign, *, now=None):
    """The survey open today: the approved lists invited on its first morning; of each list
    the first people answered (through the answer page's services), at VPUBND one more has
    saved half the form, everyone else has not opened the link yet."""
    now = now or timezone.now()
    step = campaign.steps.filter(kind="survey").first()
    if step is None or not step.opens_at < now < step.closes_at \
            or Invitation.objects.filter(respondent__campaign=campaign).exists():
        return
    sent_at = step.opens_at + timedelta(hours=1)
    invitation_services.invitations_send(campaign=campaign, now=sent_at)
    invitations = list(Invitation.objects.filter(respondent__campaign=campaign)
                       .select_related("respondent__respondent_list__agency", "respondent__group",
                                       "respondent__campaign")
                       .order_by("respondent__respondent_list__agency__code", "respondent__group__code", "pk"))
    answer_count = {"VPUBND": 3, "STC": 2, "X-YENSON": 1}
    seen: dict[str, int] = {}
    span = (now - sent_at).total_seconds()
    for n, invitation in enumerate(invitations):
        code = invitation.respondent.respondent_list.agency.code
        seen[code] = seen.get(code, 0) + 1
        rng = random.Random(invitation.respondent.email)
        started = sent_at + timedelta(seconds=span * (0.1 + 0.6 * rng.random()))
        questionnaire = _questionnaire(invitation)
        answers = _answers(questionnaire, rng)
        if seen[code] <= answer_count.get(code, 0):
            answering_services.invitation_open(invitation=invitation, now=started)
            answering_services.response_submit(
                invitation=invitation, questionnaire=questionnaire, answers=answers, replace_all=True,
                ip=f"14.232.{n % 250}.{n % 200 + 2}", user_agent=DEVICES[n % len(DEVICES)],
                now=started + timedelta(seconds=rng.randint(420, 1500)))
        elif code == "VPUBND" and seen[code] == answer_count[code] + 1:
            half = dict(list(answers.items())[:len(answers) // 2])
            answering_services.invitation_open(invitation=invitation, now=started)
            answering_services.response_save(invitation=invitation, answers=half, now=started + timedelta(minutes=6))
    expand_pending(campaign_id=campaign.pk)  # the tick's work: the counted rows of Answer


def try_link(campaign, *, now=None) -> tuple[Invitation, str] | None:
    """(invitation, working link) of one unanswered invitation whose survey window is open:
    the one this gave before if still unanswered, else one nobody has opened. Only the
    token's hash is stored, so the link is re-issued (the previous one stops working)."""
    now = now or timezone.now()
    candidates = (Invitation.objects.filter(respondent__campaign=campaign,
                                            status__in=[Invitation.Status.SENT, Invitation.Status.OPENED])
                  .filter(Q(opened_at__isnull=True) | Q(reissued_at__isnull=False))
                  .select_related("respondent__respondent_list__agency", "respondent__group", "respondent__campaign")
                  .order_by(F("reissued_at").desc(nulls_last=True), "respondent__respondent_list__agency__code",
                            "respondent__group__code", "pk"))
    for invitation in candidates:
        window = answering_selectors.answer_window(invitation=invitation)
        if window is not None and window.is_open(now):
            token = invitation_services.invitation_reissue(invitation=invitation, now=now, send_email=False)
            return invitation, answer_url(token)
    return None


def seed_2024_answers(campaign, groups):
    """The 2024 survey (18/3–31/3/2025) as it ended: lists approved, most people answered."""
    step = campaign.steps.filter(kind="survey").first()
    if step is None or Response.objects.filter(invitation__respondent__campaign=campaign).exists():
        return
    agencies = {a.code: a for a in campaign.agencies.all()}
    plan = [("VPUBND", "DBHD", 6), ("STC", "LDS", 2), ("STP", "LDS", 2), ("SNV", "LDS", 2), ("SYT", "LDS", 2),
            ("SXD", "LDPS", 2), ("H-TPTQ", "LDH", 2), ("H-YENSON", "LDH", 3), ("H-HAMYEN", "LDH", 2),
            ("H-SONDUONG", "LDH", 3), ("H-HAMYEN", "LDPH", 2)]
    for code, group_code, count in plan:
        if code in agencies and group_code in groups:
            _fill_list(campaign, agencies[code], groups[group_code], count, status=RespondentList.Status.APPROVED)
    respondents = (Respondent.objects.filter(campaign=campaign)
                   .select_related("respondent_list__agency", "group", "campaign").order_by("pk"))
    for n, respondent in enumerate(respondents):
        if Invitation.objects.filter(respondent=respondent).exists():
            continue
        invitation = Invitation.objects.create(respondent=respondent, token_hash=token_hash(new_token()),
                                               status=Invitation.Status.SENT, sent_at=step.opens_at)
        rng = random.Random(respondent.email)
        agency_code = respondent.respondent_list.agency.code
        if agency_code == "H-SONDUONG":  # the flagged case: one machine, minutes apart, identical answers
            start = step.opens_at + timedelta(days=9, hours=1, minutes=3 * (n % 3))
            _answer(invitation, started=start, seconds=240, ip="203.113.131.7", user_agent="Mozilla/5.0 (Windows NT "
                    "10.0; Win64; x64) Chrome/122.0", rng=rng, fixed="A")
        elif n % 7 == 3:  # opened, never sent
            Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.OPENED,
                                                               opened_at=step.opens_at + timedelta(days=2))
        elif n % 11 == 5:  # never opened
            continue
        else:
            start = step.opens_at + timedelta(days=rng.randint(0, 11), hours=rng.randint(0, 8),
                                              minutes=rng.randint(0, 59))
            _answer(invitation, started=start, seconds=rng.randint(240, 1500), ip=f"113.160.{n % 250}.{n % 200 + 2}",
                    user_agent=rng.choice(DEVICES), rng=rng)
    integrity_services.survey_flags_scan(now=step.closes_at, since=step.opens_at)  # what the tick found back then
    expand_pending(campaign_id=campaign.pk)  # the tick's work too: the counted rows of Answer


@transaction.atomic
def seed(*, campaigns) -> dict:
    """Questionnaires of both campaigns, the current campaign's lists and answers, the 2024 answers."""
    current, old = campaigns["current"], campaigns["previous"]
    current_groups = seed_questionnaires(current, local_group="commune")
    old_groups = seed_questionnaires(old, local_group="district", old_names=True)
    seed_current_lists(current, current_groups)
    seed_current_answers(current)
    seed_2024_answers(old, old_groups)
    return {"current": current_groups, "previous": old_groups}
