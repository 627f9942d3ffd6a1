"""Every write of the survey: questionnaires, respondent lists, invitations, answers,
integrity flags and voids.

Services take keyword-only arguments and `now=None`. `user=None` means the system (a
management command or the periodic tick) acting with the Sở's rights. State changes are
conditional updates that check the row count, so a double click, a second worker or two
submissions at the same instant change nothing twice.
"""
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import selectors as campaign_selectors
from campaigns.models import AgencyGroup, Campaign, StepKind
from cchc_portal.core.excel import ImportFailed, ImportReport, RowError, read_sheet, write_workbook
from cchc_portal.core.exceptions import ApplicationError, ConflictError, DeadlineError
from cchc_portal.notifications.services import notification_create, outbox_enqueue
from scoring.models import Criterion, Rule

from . import selectors
from .answers import VOIDED_REASON, from_data, to_data
from .models import (
    Flag,
    Invitation,
    LinkPrint,
    Question,
    Respondent,
    RespondentGroup,
    RespondentList,
    Response,
    SurveyVoid,
)
from .options import OptionsError, format_options, parse_options
from .tokens import answer_url, ip_fingerprint, new_token, seal, token_hash

SURVEY = StepKind.SURVEY.value
LISTS = StepKind.RESPONDENT_LISTS.value


def _setting(name, default):
    return getattr(settings, name, default)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def _require_officer(user):
    if user is not None and not campaign_selectors.user_is_officer(user):
        raise ApplicationError("Chỉ cán bộ Sở Nội vụ được thực hiện thao tác này.", status=403)


def _clean(obj, exclude=None):
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = exc.message_dict
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"errors": errors}) from exc


# ================================================================ questionnaires


def _group_has_responses(group) -> bool:
    return group.pk is not None and Response.objects.filter(invitation__respondent__group=group).exists()


@transaction.atomic
def group_save(*, campaign, code, name, rates_group, form_code="", instructions="", min_answers=3,
               group=None, user=None) -> RespondentGroup:
    """Create or change a respondent group (its questionnaire and the agency group it rates)."""
    _require_officer(user)
    if group is None:
        group = RespondentGroup(campaign=campaign)
    elif group.rates_group_id != rates_group.pk and _group_has_responses(group):
        raise ConflictError("Nhóm đã có phiếu trả lời; không thể đổi nhóm cơ quan được đánh giá.")
    group.code, group.name, group.rates_group = code.strip(), name.strip(), rates_group
    group.form_code, group.instructions, group.min_answers = form_code.strip(), instructions.strip(), min_answers
    _clean(group)
    group.save()
    return group


def _check_question(*, group, kind, options, criterion):
    if kind not in Question.Kind.values:
        raise ApplicationError(f"Loại câu hỏi “{kind}” không tồn tại.", extra={"errors": {"kind": ["Không hợp lệ."]}})
    if kind == Question.Kind.RATING:
        if criterion is None:
            raise ApplicationError("Câu hỏi đánh giá phải gắn với một tiêu chí điều tra XHH.",
                                   extra={"errors": {"criterion": ["Bắt buộc với câu hỏi đánh giá."]}})
        if (criterion.criteria_set.campaign_id != group.campaign_id
                or criterion.criteria_set.group_id != group.rates_group_id or criterion.rule != Rule.SURVEY):
            raise ApplicationError("Tiêu chí phải là tiêu chí điều tra XHH trong bộ tiêu chí của nhóm được đánh giá.",
                                   extra={"errors": {"criterion": ["Không hợp lệ."]}})
    if kind != Question.Kind.TEXT and len(options) < 2:
        raise ApplicationError("Cần ít nhất hai phương án.", extra={"errors": {"options": ["Cần ít nhất hai."]}})


def _touch(group_id):
    """A change of a group's questions moves its `updated_at` (the answer page's cache key)."""
    RespondentGroup.objects.filter(pk=group_id).update(updated_at=timezone.now())


@transaction.atomic
def question_save(*, group, number, text, kind, options, section="", criterion=None, required=True, order=None,
                  question=None, user=None) -> Question:
    """Create or change a question. Once the group has responses, only the wording may change."""
    _require_officer(user)
    criterion = criterion if kind == Question.Kind.RATING else None
    _check_question(group=group, kind=kind, options=options, criterion=criterion)
    if question is None:
        question = Question(group=group)
        if order is None:
            last = group.questions.order_by("-order").values_list("order", flat=True).first()
            order = (last or 0) + 1
    elif (question.kind, question.options, question.criterion_id) != (kind, options, getattr(criterion, "pk", None)) \
            and _group_has_responses(group):
        raise ConflictError("Nhóm đã có phiếu trả lời; chỉ được sửa câu chữ, không được đổi loại, phương án hay "
                            "tiêu chí của câu hỏi.")
    question.section, question.number, question.text = section.strip(), str(number).strip(), text.strip()
    question.kind, question.options, question.criterion, question.required = kind, options, criterion, required
    if order is not None:
        question.order = order
    _clean(question)
    question.save()
    _touch(group.pk)
    return question


@transaction.atomic
def question_delete(*, question, user=None) -> None:
    _require_officer(user)
    if question.answers.exists() or Response.objects.filter(invitation__respondent__group_id=question.group_id,
                                                             answers_data__has_key=str(question.pk)).exists():
        raise ConflictError("Câu hỏi đã có câu trả lời; không thể xóa.")
    question.delete()
    _touch(question.group_id)


GROUP_COLUMNS = ["code", "name", "rates_group", "form_code", "instructions", "min_answers"]
GROUP_ALIASES = {
    "code": ["mã nhóm", "mã"], "name": ["tên nhóm", "tên nhóm đối tượng", "tên"],
    "rates_group": ["nhóm được đánh giá", "đánh giá nhóm"], "form_code": ["mã phiếu"],
    "instructions": ["hướng dẫn", "hướng dẫn trả lời"], "min_answers": ["số phiếu tối thiểu"],
}
QUESTION_COLUMNS = ["group_code", "section", "number", "text", "kind", "options", "criterion_code", "required"]
QUESTION_ALIASES = {
    "group_code": ["mã nhóm"], "section": ["phần"], "number": ["số thứ tự", "câu", "stt"],
    "text": ["câu hỏi", "nội dung"], "kind": ["loại", "loại câu hỏi"], "options": ["phương án", "các phương án"],
    "criterion_code": ["mã tiêu chí", "tiêu chí"], "required": ["bắt buộc"],
}
KIND_ALIASES = {"đánh giá": "rating", "ma trận": "rating", "một lựa chọn": "single", "chọn một": "single",
                "nhiều lựa chọn": "multiple", "chọn nhiều": "multiple", "trả lời ngắn": "text", "văn bản": "text"}
NO_VALUES = {"0", "không", "khong", "no", "n", "false"}


def _rewind(file):
    if hasattr(file, "seek"):
        file.seek(0)


@dataclass
class _GroupRow:
    number: int
    code: str
    name: str
    rates_group: AgencyGroup
    form_code: str
    instructions: str
    min_answers: int


def _read_groups(campaign, rows, report) -> dict[str, _GroupRow]:
    agency_groups = {g.code: g for g in AgencyGroup.objects.all()}
    existing = {g.code: g for g in RespondentGroup.objects.filter(campaign=campaign)}
    out: dict[str, _GroupRow] = {}
    for number, r in rows:
        code, name, rates = r.get("code", ""), r.get("name", ""), r.get("rates_group", "")
        errors_before = len(report.errors)
        if not code:
            report.errors.append(RowError(number, "code", "Thiếu mã nhóm."))
        elif not re.fullmatch(r"[\w.-]{1,40}", code):
            report.errors.append(RowError(number, "code", "Mã nhóm chỉ gồm chữ, số, “.”, “-”, “_” (tối đa 40)."))
        elif code in out:
            report.errors.append(RowError(number, "code", f"Mã nhóm “{code}” trùng với dòng {out[code].number}."))
        if not name:
            report.errors.append(RowError(number, "name", "Thiếu tên nhóm."))
        if rates not in agency_groups:
            report.errors.append(RowError(number, "rates_group", f"Không có nhóm cơ quan “{rates}” "
                                          f"(có: {', '.join(sorted(agency_groups))})."))
        elif code in existing and existing[code].rates_group_id != agency_groups[rates].pk \
                and _group_has_responses(existing[code]):
            report.errors.append(RowError(number, "rates_group",
                                          "Nhóm đã có phiếu trả lời; không thể đổi nhóm cơ quan được đánh giá."))
        min_answers = 3
        if r.get("min_answers"):
            try:
                min_answers = int(r["min_answers"])
                if not 0 <= min_answers <= 10000:
                    raise ValueError
            except ValueError:
                report.errors.append(RowError(number, "min_answers", "Số phiếu tối thiểu phải là số nguyên ≥ 0."))
        if len(report.errors) == errors_before:
            out[code] = _GroupRow(number, code, name, agency_groups[rates], r.get("form_code", ""),
                                  r.get("instructions", ""), min_answers)
    return out


def survey_import(*, campaign, file, dry_run=False, user=None) -> ImportReport:
    """Respondent groups and their questions from an .xlsx file: sheet `groups` (`code, name,
    rates_group[, form_code, instructions, min_answers]`) and sheet `questions` (`group_code,
    section, number, text, kind, options, criterion_code[, required]`). Groups are matched by
    code, questions by (group, number); the question order is the row order. Every row error
    is reported and nothing is written if there is any."""
    _require_officer(user)
    group_rows, errors = read_sheet(file, GROUP_COLUMNS, aliases=GROUP_ALIASES, sheet="groups",
                                    required=["code", "name", "rates_group"])
    _rewind(file)
    question_rows, q_errors = read_sheet(file, QUESTION_COLUMNS, aliases=QUESTION_ALIASES, sheet="questions",
                                         required=["group_code", "number", "text", "kind"])
    report = ImportReport(errors=[RowError(e.row, e.column, f"[groups] {e.message}") for e in errors]
                          + [RowError(e.row, e.column, f"[questions] {e.message}") for e in q_errors],
                          dry_run=dry_run)
    if report.errors:
        return report
    group_report = ImportReport()
    groups = _read_groups(campaign, group_rows, group_report)
    report.errors += [RowError(e.row, e.column, f"[groups] {e.message}") for e in group_report.errors]
    existing_groups = {g.code: g for g in RespondentGroup.objects.filter(campaign=campaign)
                       .select_related("rates_group")}
    rates_of = {c: g.rates_group for c, g in groups.items()}
    for c, g in existing_groups.items():
        rates_of.setdefault(c, g.rates_group)
    criteria = {}
    for crit in Criterion.objects.filter(criteria_set__campaign=campaign).select_related("criteria_set"):
        criteria[(crit.criteria_set.group_id, crit.code)] = crit
    existing_questions = {(q.group.code, q.number): q
                          for q in Question.objects.filter(group__campaign=campaign).select_related("group")}
    answered_groups = set(Response.objects.filter(invitation__respondent__campaign=campaign)
                          .values_list("invitation__respondent__group__code", flat=True).distinct())
    parsed, seen = [], {}
    for number, r in question_rows:
        gcode, qnum = r.get("group_code", ""), r.get("number", "")
        kind = KIND_ALIASES.get(r.get("kind", "").strip().lower(), r.get("kind", "").strip().lower())
        errs = []
        if gcode not in rates_of:
            errs.append(RowError(number, "group_code", f"Không có nhóm “{gcode}” (trong trang “groups” hay đã có)."))
        if not qnum:
            errs.append(RowError(number, "number", "Thiếu số thứ tự câu hỏi."))
        elif (gcode, qnum) in seen:
            errs.append(RowError(number, "number", f"Câu “{qnum}” của nhóm “{gcode}” trùng với dòng "
                                                   f"{seen[(gcode, qnum)]}."))
        seen.setdefault((gcode, qnum), number)
        if not r.get("text"):
            errs.append(RowError(number, "text", "Thiếu nội dung câu hỏi."))
        options = []
        if kind not in Question.Kind.values:
            errs.append(RowError(number, "kind", f"Loại “{r.get('kind', '')}” không hợp lệ "
                                                 "(rating, single, multiple, text)."))
        else:
            try:
                options = parse_options(kind, r.get("options", ""))
            except OptionsError as exc:
                errs.append(RowError(number, "options", str(exc)))
        criterion = None
        ccode = r.get("criterion_code", "")
        if kind == Question.Kind.RATING and gcode in rates_of:
            if not ccode:
                errs.append(RowError(number, "criterion_code", "Câu hỏi đánh giá phải có mã tiêu chí điều tra XHH."))
            else:
                criterion = criteria.get((rates_of[gcode].pk, ccode))
                if criterion is None:
                    errs.append(RowError(number, "criterion_code", f"Bộ tiêu chí nhóm “{rates_of[gcode].name}” "
                                                                   f"của đợt này không có tiêu chí “{ccode}”."))
                elif criterion.rule != Rule.SURVEY:
                    errs.append(RowError(number, "criterion_code", f"Tiêu chí “{ccode}” không phải tiêu chí "
                                                                   "điều tra XHH (cách chấm “survey”)."))
                    criterion = None
        elif ccode and kind in Question.Kind.values:
            errs.append(RowError(number, "criterion_code", "Chỉ câu hỏi đánh giá (rating) mới gắn với tiêu chí."))
        old = existing_questions.get((gcode, qnum))
        if old is not None and not errs and gcode in answered_groups and \
                (old.kind, old.options, old.criterion_id) != (kind, options, getattr(criterion, "pk", None)):
            errs.append(RowError(number, "kind", "Nhóm đã có phiếu trả lời; chỉ được sửa câu chữ của câu hỏi này."))
        report.errors += errs
        if not errs:
            parsed.append((number, r, kind, options, criterion))
    if report.errors:
        return report
    try:
        with transaction.atomic():
            saved_groups = dict(existing_groups)
            for code, g in groups.items():
                obj = existing_groups.get(code) or RespondentGroup(campaign=campaign)
                report.created += obj.pk is None
                report.updated += obj.pk is not None
                obj.code, obj.name, obj.rates_group = g.code, g.name, g.rates_group
                obj.form_code, obj.instructions, obj.min_answers = g.form_code, g.instructions, g.min_answers
                _clean(obj)
                obj.save()
                saved_groups[code] = obj
            for order, (number, r, kind, options, criterion) in enumerate(parsed, start=1):
                group = saved_groups[r["group_code"]]
                obj = existing_questions.get((group.code, r["number"])) or Question(group=group)
                report.created += obj.pk is None
                report.updated += obj.pk is not None
                obj.section, obj.number, obj.text = r.get("section", ""), r["number"], r["text"]
                obj.kind, obj.options, obj.criterion, obj.order = kind, options, criterion, order
                obj.required = r.get("required", "").strip().lower() not in NO_VALUES
                try:
                    obj.full_clean()
                except ValidationError as exc:
                    report.errors += [RowError(number, f, "; ".join(m)) for f, m in exc.message_dict.items()]
                    continue
                obj.save()
            for group in saved_groups.values():
                _touch(group.pk)
            if report.errors or dry_run:
                raise ImportFailed(report)
    except ImportFailed:
        pass
    return report


def survey_export(*, campaign) -> bytes:
    """The campaign's groups and questions in the format `survey_import` reads."""
    groups = list(RespondentGroup.objects.filter(campaign=campaign).select_related("rates_group").order_by("code"))
    questions = (Question.objects.filter(group__campaign=campaign).select_related("group", "criterion")
                 .order_by("group__code", "order", "id"))
    return write_workbook([
        ("groups", GROUP_COLUMNS, [(g.code, g.name, g.rates_group.code, g.form_code, g.instructions, g.min_answers)
                                   for g in groups]),
        ("questions", QUESTION_COLUMNS, [
            (q.group.code, q.section, q.number, q.text, q.kind, format_options(q.kind, q.options),
             q.criterion.code if q.criterion else "", "x" if q.required else "không")
            for q in questions]),
    ])


# ================================================================ respondent lists

RESPONDENT_COLUMNS = ["full_name", "position", "group_code", "email", "phone"]
RESPONDENT_ALIASES = {
    "full_name": ["họ và tên", "họ tên"], "position": ["chức vụ"], "group_code": ["mã nhóm", "nhóm"],
    "email": ["thư điện tử", "e-mail", "địa chỉ thư điện tử"], "phone": ["điện thoại", "số điện thoại"],
}
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,20}$")
EDITABLE = (RespondentList.Status.DRAFT, RespondentList.Status.RETURNED)


def _is_system_or_officer(user) -> bool:
    return user is None or campaign_selectors.user_is_officer(user)


def _check_list_window(*, campaign, agency, now):
    window = campaign_selectors.step_window_for(agency=agency, campaign=campaign, kind=LISTS)
    if window is None:
        raise ConflictError("Kế hoạch chưa có bước gửi danh sách đối tượng điều tra.")
    if now < window.opens_at:
        raise DeadlineError(f"Chưa đến thời gian lập danh sách đối tượng điều tra (từ {_when(window.opens_at)}).")
    if now >= window.closes_at:
        raise DeadlineError(f"Đã hết hạn gửi danh sách đối tượng điều tra ({_when(window.closes_at)}).")


def _check_editable(*, rlist, user, now, as_agency=False, force=False):
    """Agency staff edit only a draft or returned list, within the list step (extensions
    included); the Sở may correct a list at any time. `as_agency`: the agency's rules for a
    caller without a user (the command line); `force`: past them (the caller records why)."""
    if _is_system_or_officer(user) and not as_agency:
        return
    if user is not None and not _is_system_or_officer(user) and \
            rlist.agency_id not in campaign_selectors.user_agency_ids(user):
        raise ApplicationError("Bạn không thuộc đơn vị này.", status=403)
    if force:
        return
    if rlist.status not in EDITABLE:
        raise ConflictError("Danh sách đã gửi Sở Nội vụ; chỉ sửa được khi Sở trả lại.")
    _check_list_window(campaign=rlist.campaign, agency=rlist.agency, now=now)


def _list_for_write(*, campaign, agency, user, now, as_agency=False, force=False) -> RespondentList:
    if not campaign.agencies.filter(pk=agency.pk).exists():
        raise ApplicationError("Đơn vị không thuộc đợt đánh giá này.")
    rlist, _created = RespondentList.objects.get_or_create(campaign=campaign, agency=agency)
    rlist.campaign, rlist.agency = campaign, agency
    _check_editable(rlist=rlist, user=user, now=now, as_agency=as_agency, force=force)
    return rlist


def _group_by_code(campaign, code) -> RespondentGroup:
    group = RespondentGroup.objects.filter(campaign=campaign, code=code).first()
    if group is None:
        raise ApplicationError(f"Không có nhóm đối tượng “{code}”.", extra={"errors": {"group_code": ["Không có."]}})
    return group


@transaction.atomic
def respondent_add(*, campaign, agency, user, full_name, email, group=None, group_code=None, position="", phone="",
                   now=None) -> Respondent:
    now = now or timezone.now()
    rlist = _list_for_write(campaign=campaign, agency=agency, user=user, now=now)
    if group is None:
        group = _group_by_code(campaign, group_code or "")
    elif group.campaign_id != campaign.pk:
        raise ApplicationError("Nhóm đối tượng không thuộc đợt này.", extra={"errors": {"group_code": ["Sai đợt."]}})
    email = (email or "").strip().lower()
    if Respondent.objects.filter(campaign=campaign, email=email).exists():
        raise ApplicationError(f"Thư điện tử “{email}” đã có trong danh sách đối tượng điều tra của đợt này.",
                               extra={"errors": {"email": ["Đã có trong đợt này."]}})
    phone = (phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        raise ApplicationError(f"Số điện thoại “{phone}” không hợp lệ.", extra={"errors": {"phone": ["Không hợp lệ."]}})
    respondent = Respondent(campaign=campaign, respondent_list=rlist, group=group, full_name=" ".join(
        (full_name or "").split()), position=(position or "").strip(), email=email, phone=phone)
    _clean(respondent)
    try:
        with transaction.atomic():
            respondent.save()
    except IntegrityError as exc:
        raise ApplicationError(f"Thư điện tử “{email}” đã có trong danh sách đối tượng điều tra của đợt này.",
                               extra={"errors": {"email": ["Đã có trong đợt này."]}}) from exc
    return respondent


@transaction.atomic
def respondent_remove(*, respondent, user, now=None) -> None:
    now = now or timezone.now()
    _check_editable(rlist=respondent.respondent_list, user=user, now=now)
    if Invitation.objects.filter(respondent=respondent).exists():
        raise ConflictError("Đã gửi thư mời cho người này; không thể xóa khỏi danh sách.")
    respondent.delete()


def respondent_import(*, campaign, agency, file, user=None, dry_run=False, now=None, as_agency=False,
                      force=False) -> ImportReport:
    """Respondents of one agency from an .xlsx file (`full_name, position, group_code, email,
    phone`; Vietnamese headers accepted). Row errors: missing name, bad or duplicate e-mail
    (in the file or anywhere in the campaign), unknown group, bad phone. Nothing is
    imported if any row is wrong. The list's rules are `user`'s, or the agency's with
    `as_agency` (the command line); `force` goes past the window and the list's state."""
    now = now or timezone.now()
    rules = {"as_agency": as_agency, "force": force}
    with transaction.atomic():
        rlist = _list_for_write(campaign=campaign, agency=agency, user=user, now=now, **rules)
    rows, errors = read_sheet(file, RESPONDENT_COLUMNS, aliases=RESPONDENT_ALIASES,
                              required=["full_name", "group_code", "email"])
    report = ImportReport(errors=list(errors), dry_run=dry_run)
    if errors:
        return report
    groups = {g.code: g for g in RespondentGroup.objects.filter(campaign=campaign)}
    taken = set(Respondent.objects.filter(campaign=campaign).values_list("email", flat=True))
    seen: dict[str, int] = {}
    new = []
    for number, r in rows:
        before = len(report.errors)
        name = " ".join(r.get("full_name", "").split())
        if not name:
            report.errors.append(RowError(number, "full_name", "Thiếu họ và tên."))
        elif len(name) > 200:
            report.errors.append(RowError(number, "full_name", "Họ và tên dài quá 200 ký tự."))
        if len(r.get("position", "")) > 255:
            report.errors.append(RowError(number, "position", "Chức vụ dài quá 255 ký tự."))
        email = r.get("email", "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            report.errors.append(RowError(number, "email", f"Thư điện tử “{r.get('email', '')}” không hợp lệ."))
        else:
            if email in seen:
                report.errors.append(RowError(number, "email", f"Thư điện tử “{email}” trùng với dòng {seen[email]}."))
            elif email in taken:
                report.errors.append(RowError(number, "email", f"Thư điện tử “{email}” đã có trong danh sách đối tượng "
                                                               "điều tra của đợt này."))
            seen.setdefault(email, number)
        code = r.get("group_code", "")
        if code not in groups:
            known = ", ".join(sorted(groups)) or "chưa có nhóm nào"
            report.errors.append(RowError(number, "group_code", f"Không có nhóm đối tượng “{code}” (có: {known})."))
        phone = r.get("phone", "").strip()
        if phone and not PHONE_RE.match(phone):
            report.errors.append(RowError(number, "phone", f"Số điện thoại “{phone}” không hợp lệ."))
        if len(report.errors) == before:
            new.append(Respondent(campaign=campaign, respondent_list=rlist, group=groups[code], full_name=name,
                                  position=r.get("position", "").strip(), email=email, phone=phone))
    if report.errors:
        return report
    report.created = len(new)
    if dry_run:
        return report
    try:
        with transaction.atomic():
            _list_for_write(campaign=campaign, agency=agency, user=user, now=now, **rules)
            Respondent.objects.bulk_create(new)
    except IntegrityError:
        report.created = 0
        report.errors.append(RowError(0, "email", "Một số thư điện tử vừa được thêm vào đợt này; hãy thử lại."))
    return report


def _notify_officers(*, text, url, key):
    for officer in campaign_selectors.officers():
        notification_create(user=officer, text=text, url=url, key=key)


def _notify_agency(*, agency, text, url, key):
    for member in campaign_selectors.users_for_agency(agency=agency):
        notification_create(user=member, text=text, url=url, key=key)


def _list_url(campaign, agency):
    return reverse("surveys:list_detail", kwargs={"pk": campaign.pk, "code": agency.code})


@transaction.atomic
def respondent_list_send(*, campaign, agency, user, now=None) -> RespondentList:
    """draft | returned → sent, by the list deadline (the agency's effective one)."""
    now = now or timezone.now()
    rlist = RespondentList.objects.filter(campaign=campaign, agency=agency).first()
    if rlist is None or not rlist.respondents.exists():
        raise ApplicationError("Danh sách chưa có đối tượng điều tra nào.")
    rlist.campaign, rlist.agency = campaign, agency
    if not _is_system_or_officer(user):
        if agency.pk not in campaign_selectors.user_agency_ids(user):
            raise ApplicationError("Bạn không thuộc đơn vị này.", status=403)
        _check_list_window(campaign=campaign, agency=agency, now=now)
    updated = RespondentList.objects.filter(pk=rlist.pk, status__in=EDITABLE).update(
        status=RespondentList.Status.SENT, sent_at=now, updated_at=now)
    if not updated:
        raise ConflictError("Danh sách đã được gửi Sở Nội vụ.")
    _notify_officers(text=f"{agency.name} đã gửi danh sách đối tượng điều tra XHH.", url=_list_url(campaign, agency),
                     key=f"rlist-sent:{rlist.pk}:{now.timestamp():.0f}")
    rlist.refresh_from_db()
    return rlist


@transaction.atomic
def respondent_list_approve(*, campaign, agency, user, now=None) -> RespondentList:
    """sent → approved (officer). Approved respondents are invited when the survey opens."""
    _require_officer(user)
    now = now or timezone.now()
    updated = RespondentList.objects.filter(campaign=campaign, agency=agency, status=RespondentList.Status.SENT).update(
        status=RespondentList.Status.APPROVED, reviewed_at=now, reviewed_by=user, updated_at=now)
    if not updated:
        raise ConflictError("Chỉ duyệt được danh sách đơn vị đã gửi.")
    rlist = RespondentList.objects.get(campaign=campaign, agency=agency)
    _notify_agency(agency=agency, text="Sở Nội vụ đã duyệt danh sách đối tượng điều tra XHH.",
                   url=_list_url(campaign, agency), key=f"rlist-approved:{rlist.pk}:{now.timestamp():.0f}")
    return rlist


@transaction.atomic
def respondent_list_return(*, campaign, agency, user, comment, now=None) -> RespondentList:
    """sent (or approved, before any invitation) → returned with the Sở's comment."""
    _require_officer(user)
    now = now or timezone.now()
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError("Cần nêu lý do trả lại danh sách.", extra={"errors": {"comment": ["Bắt buộc."]}})
    refused = ConflictError("Chỉ trả lại được danh sách đã gửi và chưa gửi thư mời.")
    rlist = RespondentList.objects.filter(campaign=campaign, agency=agency).first()
    if rlist is None or Invitation.objects.filter(respondent__respondent_list=rlist).exists():
        raise refused
    if not RespondentList.objects.filter(pk=rlist.pk, status__in=[RespondentList.Status.SENT,
                                                                  RespondentList.Status.APPROVED]).update(
            status=RespondentList.Status.RETURNED, comment=comment, reviewed_at=now, reviewed_by=user, updated_at=now):
        raise refused
    rlist.refresh_from_db()
    _notify_agency(agency=agency, text=f"Sở Nội vụ trả lại danh sách đối tượng điều tra XHH: {comment}",
                   url=_list_url(campaign, agency), key=f"rlist-returned:{rlist.pk}:{now.timestamp():.0f}")
    return rlist


# ================================================================ invitations

INVITATION_SUBJECT = "Mời trả lời phiếu điều tra xã hội học – {campaign}"


def _email_context(*, invitation, respondent, token, window, link=None) -> dict:
    campaign = respondent.campaign
    return {
        "full_name": respondent.full_name, "group_name": respondent.group.name,
        "form_code": respondent.group.form_code, "campaign_name": campaign.name, "year": campaign.year,
        "agency_name": respondent.respondent_list.agency.name,
        "opens_at": _when(window.opens_at) if window else "", "closes_at": _when(window.closes_at) if window else "",
        # The link travels sealed: the outbox row is in the database, the token must not be.
        "sealed_url": seal(link or answer_url(token)),
    }


def _enqueue_link(*, invitation, respondent, token, window, key, template="survey_invitation", subject=None):
    subject = subject or INVITATION_SUBJECT.format(campaign=respondent.campaign.name)
    return outbox_enqueue(to=respondent.email, subject=subject, template=template, key=key,
                          context=_email_context(invitation=invitation, respondent=respondent, token=token,
                                                 window=window))


def invitation_email_preview(*, respondent, window) -> tuple[str, str]:
    """(subject, text) of the invitation this respondent would receive, for the officer's
    confirmation page: the personal link is shown as a placeholder, no token is made."""
    context = _email_context(invitation=None, respondent=respondent, token="", window=window,
                             link=f"{settings.SITE_URL}/s/…/ (liên kết riêng của từng người)")
    subject = INVITATION_SUBJECT.format(campaign=respondent.campaign.name)
    return subject, render_to_string("emails/survey_invitation.txt",
                                     {"site_url": settings.SITE_URL, "subject": subject, **context})


@dataclass
class InviteReport:
    sent: int = 0
    skipped_closed: int = 0
    waiting: int = 0
    invitations: list = field(default_factory=list)


def invitations_send(*, campaign, user=None, now=None, only_open=False) -> InviteReport:
    """Invite every respondent of an approved list who has no invitation yet: a personal
    link by e-mail. Respondents whose answering window has closed are skipped; with
    `only_open` (the periodic tick) so are those whose window has not opened yet."""
    _require_officer(user)
    now = now or timezone.now()
    if campaign.status != Campaign.Status.OPEN:
        raise ConflictError("Đợt đánh giá chưa mở hoặc đã kết thúc; không gửi thư mời.")
    if not campaign.steps.filter(kind=SURVEY).exists():
        raise ConflictError("Kế hoạch chưa có bước trả lời phiếu điều tra XHH.")
    candidates = selectors.invitation_candidates(campaign=campaign, now=now, only_open=only_open)
    report = InviteReport(skipped_closed=candidates.skipped_closed, waiting=candidates.waiting)
    for respondent, window in candidates.due:
        token = new_token()
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(respondent=respondent, token_hash=token_hash(token),
                                                       status=Invitation.Status.SENT, sent_at=now)
                _enqueue_link(invitation=invitation, respondent=respondent, token=token, window=window,
                              key=f"invite:{invitation.pk}")
        except IntegrityError:
            continue  # invited at the same moment by another worker
        report.sent += 1
        report.invitations.append(invitation)
    return report


def invitation_mark_bounced(*, key, to="", now=None) -> int:
    """The e-mail of an invitation (outbox key "invite:<id>" or "invite:<id>:<n>") bounced:
    a sent or opened invitation becomes `bounced`, so the agency sees the address is wrong
    (an answered or voided one stays). Returns how many changed."""
    parts = key.split(":")
    if len(parts) < 2 or parts[0] != "invite" or not parts[1].isdigit():
        return 0
    return Invitation.objects.filter(
        pk=int(parts[1]), status__in=[Invitation.Status.PENDING, Invitation.Status.SENT, Invitation.Status.OPENED],
    ).update(status=Invitation.Status.BOUNCED, updated_at=now or timezone.now())


def invitation_reissue(*, invitation, user=None, now=None, send_email=True, template="survey_invitation",
                       key=None) -> str | None:
    """A new personal link for an invitation not yet answered; the old link stops working
    (it then says it was replaced). Returns the new token — the only moment it exists —
    or None when `key` names an e-mail already queued (nothing changes then)."""
    now = now or timezone.now()
    token = new_token()
    with transaction.atomic():
        updated = (Invitation.objects.filter(pk=invitation.pk, token_hash=invitation.token_hash)
                   .exclude(status__in=[Invitation.Status.ANSWERED, Invitation.Status.VOIDED])
                   .update(previous_token_hash=F("token_hash"), token_hash=token_hash(token),
                           issue_count=F("issue_count") + 1, reissued_at=now, reissued_by=user, updated_at=now))
        if not updated:
            raise ConflictError("Thư mời đã được trả lời, đã hủy hoặc vừa được cấp lại liên kết.")
        invitation.refresh_from_db()
        if send_email:
            respondent = invitation.respondent
            window = selectors.answer_window(invitation=invitation)
            subject = None
            if template == "survey_reminder":
                subject = f"Nhắc trả lời phiếu điều tra xã hội học – {respondent.campaign.name}"
            row = _enqueue_link(invitation=invitation, respondent=respondent, token=token, window=window,
                                key=key or f"invite:{invitation.pk}:{invitation.issue_count}", template=template,
                                subject=subject)
            if row is None:
                transaction.set_rollback(True)
                return None
    return token


@dataclass
class PrintedLink:
    respondent: Respondent
    url: str


def invitations_print(*, campaign, agency, user, respondent_ids=None, now=None) -> list[PrintedLink]:
    """Fresh links for a printable QR sheet (handed out in person): an officer's action only,
    since whoever holds a live link can answer in the respondent's name. Since only hashes
    are stored, printing re-issues each link and e-mails the new one too; answers already
    saved stay with the invitation, so a respondent resumes with either copy. The sheet is
    recorded (`LinkPrint`: who, when, which invitations) and each invitation keeps it, so
    the answer given through it goes to the integrity review (`survey_flags_scan`)."""
    if user is None or not campaign_selectors.user_is_officer(user):
        raise ApplicationError("Chỉ cán bộ Sở Nội vụ được in mã QR (cấp lại liên kết trả lời phiếu).", status=403)
    now = now or timezone.now()
    qs = (Invitation.objects.filter(respondent__campaign=campaign, respondent__respondent_list__agency=agency)
          .exclude(status__in=[Invitation.Status.ANSWERED, Invitation.Status.VOIDED])
          .select_related("respondent__group", "respondent__respondent_list__agency", "respondent__campaign")
          .order_by("respondent__group__code", "respondent__full_name"))
    if respondent_ids is not None:
        qs = qs.filter(respondent_id__in=list(respondent_ids))
    with transaction.atomic():
        record = LinkPrint.objects.create(campaign=campaign, agency=agency, printed_by=user, printed_at=now)
        out, printed = [], []
        for invitation in qs:
            try:
                token = invitation_reissue(invitation=invitation, user=user, now=now)
            except ConflictError:
                continue  # answered or re-issued a moment ago: not on this sheet
            out.append(PrintedLink(invitation.respondent, answer_url(token)))
            printed.append(invitation.pk)
        if not printed:
            transaction.set_rollback(True)
            return []
        Invitation.objects.filter(pk__in=printed).update(printed_in=record)
        record.invitations.add(*printed)
    return out


# ---------------------------------------------------------------- the periodic tick and reminders


def survey_due_invitations(*, now=None) -> int:
    """Due work of the `survey` step: once it has opened, every approved respondent not yet
    invited is invited (idempotent: an invitation is unique per respondent)."""
    now = now or timezone.now()
    sent = 0
    campaigns = Campaign.objects.filter(status=Campaign.Status.OPEN, steps__kind=SURVEY,
                                        steps__opens_at__lte=now).distinct()
    for campaign in campaigns:
        sent += invitations_send(campaign=campaign, now=now, only_open=True).sent
    return sent


def survey_unanswered_recipients(*, campaign, now=None) -> list[Invitation]:
    """Invitations of respondents who have not answered while their window is open, each
    with its effective `window` attached: whom a survey reminder goes to."""
    now = now or timezone.now()
    invitations = list(
        Invitation.objects.filter(respondent__campaign=campaign,
                                  status__in=[Invitation.Status.SENT, Invitation.Status.OPENED])
        .select_related("respondent__respondent_list__agency", "respondent__group", "respondent__campaign")
        .order_by("respondent__full_name", "pk"))
    windows = campaign_selectors.step_windows(campaign=campaign, kind=SURVEY,
                                              agency_ids={i.respondent.respondent_list.agency_id for i in invitations})
    out = []
    for invitation in invitations:
        window = windows.get(invitation.respondent.respondent_list.agency_id)
        if window is not None and window.is_open(now):
            invitation.window = window
            out.append(invitation)
    return out


def invitation_resend_by_email(*, email, now=None) -> int:
    """A respondent who lost the link asks for a new one by the listed e-mail address: every
    unanswered invitation of that address whose window is open is re-issued and e-mailed
    there (and nowhere else). The caller shows the same answer whatever the count."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    sent = 0
    invitations = (Invitation.objects.filter(respondent__email=email,
                                             status__in=[Invitation.Status.SENT, Invitation.Status.OPENED],
                                             respondent__campaign__status=Campaign.Status.OPEN)
                   .select_related("respondent__respondent_list__agency", "respondent__group",
                                   "respondent__campaign"))
    for invitation in invitations:
        window = selectors.answer_window(invitation=invitation)
        if window is None or not window.is_open(now):
            continue
        try:
            invitation_reissue(invitation=invitation, now=now)
        except ConflictError:
            continue
        sent += 1
    return sent


# ================================================================ answering


class IncompleteAnswers(ApplicationError):
    """Required rows are unanswered; `missing` lists (question, agency | None)."""

    def __init__(self, missing):
        super().__init__(_("Còn %(count)s câu/dòng chưa trả lời.") % {"count": len(missing)}, extra={"errors": {
            "missing": [f"{q.number}" + (f" – {a.name}" if a else "") for q, a in missing[:50]]}})
        self.missing = missing


class NotYetOpen(DeadlineError):
    """The survey window of the respondent's agency opens later (`window.opens_at`)."""

    def __init__(self, window):
        super().__init__(_("Chưa đến thời gian trả lời phiếu."))
        self.window = window


ALREADY_SENT = gettext_lazy("Phiếu đã được gửi; cảm ơn ông/bà đã trả lời.")
OPEN_STATUSES = [Invitation.Status.SENT, Invitation.Status.OPENED, Invitation.Status.BOUNCED]
_OPENED = Case(When(status__in=[Invitation.Status.SENT, Invitation.Status.BOUNCED],
                    then=Value(Invitation.Status.OPENED)), default=F("status"))


def check_answer_window(*, invitation, now=None):
    """The one rule of when a link may answer: not voided, the campaign open, and `now`
    inside the survey window of the respondent's agency (its extension included). Returns
    the window; raises NotYetOpen before it, DeadlineError otherwise."""
    now = now or timezone.now()
    if invitation.status == Invitation.Status.VOIDED:
        raise DeadlineError(_("Liên kết không còn hiệu lực."))
    if invitation.respondent.campaign.status != Campaign.Status.OPEN:
        raise DeadlineError(_("Đợt khảo sát đã kết thúc."))
    window = selectors.answer_window(invitation=invitation)
    if window is None or now >= window.closes_at:
        raise DeadlineError(_("Ngoài thời gian trả lời phiếu."))
    if now < window.opens_at:
        raise NotYetOpen(window)
    return window


def invitation_open(*, invitation, now=None) -> Response:
    """The page's first view: mark the first open and start the response (its
    `started_at` times the answers). Writes only the first time."""
    now = now or timezone.now()
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=now, updated_at=now, status=_OPENED)
        invitation.opened_at = now
        if invitation.status in (Invitation.Status.SENT, Invitation.Status.BOUNCED):
            invitation.status = Invitation.Status.OPENED
    response = selectors.invitation_response(invitation)
    if response is None:
        response, _created = Response.objects.get_or_create(invitation=invitation, defaults={"started_at": now})
        invitation.response = response
    return response


def _take(*, invitation, now) -> Response:
    """The first write of a save's transaction, on the invitation row, so that it locks the
    row (PostgreSQL) or the database (SQLite) before anything is read: a save takes an
    invitation still open (and marks the first open); one already sent updates no row."""
    fields = {"updated_at": now, "opened_at": Coalesce(F("opened_at"), Value(now, output_field=DateTimeField())),
              "status": _OPENED}
    if not Invitation.objects.filter(pk=invitation.pk, status__in=OPEN_STATUSES).update(**fields):
        raise ConflictError(ALREADY_SENT)
    response, _created = Response.objects.get_or_create(invitation=invitation, defaults={"started_at": now})
    if response.submitted_at is not None:
        raise ConflictError(ALREADY_SENT)
    invitation.response = response
    return response


FIELD_RE = re.compile(r"q(\d+)(?:_a(\d+))?")
TEXT_MAX = 2000  # a short answer's characters (the page's textarea says the same)


def answers_from_post(data, questionnaire, *, partial=False) -> dict:
    """Answers posted by the page (`data`: the request's QueryDict): `q<question>_a<agency>`
    for a matrix row, `q<question>` otherwise (repeated for multiple choice). A partial
    save lists the questions it touches in `touched` so that clearing a multiple choice or
    a text is saved too. A field of another questionnaire (a question or a rated agency
    not on this one) is refused."""
    fields = questionnaire.fields
    posted = {name: data.getlist(name) for name in data}
    if partial:
        for name in data.getlist("touched"):
            posted.setdefault(name, [])
    out, bad = {}, []
    for name, raw in posted.items():
        spec = fields.get(name)
        if spec is None:
            if FIELD_RE.fullmatch(name):
                bad.append(name)
            continue
        qid, agency_id, kind, keys = spec
        values = [v for v in raw if v != ""]
        if kind == Question.Kind.RATING:
            if len(raw) != 1 or raw[0] not in keys:
                bad.append(name)
            else:
                out[(qid, agency_id)] = raw
        elif kind == Question.Kind.TEXT:
            out[(qid, None)] = (raw[-1] if raw else "").strip()[:TEXT_MAX]
        elif (kind == Question.Kind.SINGLE and len(values) > 1) or not set(values) <= keys:
            bad.append(name)
        else:
            out[(qid, None)] = list(dict.fromkeys(values))
    if bad:
        raise ApplicationError(_("Câu trả lời không hợp lệ."), extra={"errors": {"answers": sorted(bad)[:20]}})
    return out


def response_save(*, invitation, answers, replace_all=False, now=None) -> Response:
    """Save answers as the respondent goes (the same link resumes). `replace_all`: the
    posted page is the whole truth (the form's own submit); otherwise the posted answers
    replace theirs and the rest stay. A draft is one row (Response.answers_data)."""
    now = now or timezone.now()
    check_answer_window(invitation=invitation, now=now)
    with transaction.atomic():
        response = _take(invitation=invitation, now=now)
        response.answers_data = to_data(answers, None if replace_all else response.answers_data)
        response.last_saved_at = now
        response.save(update_fields=["answers_data", "last_saved_at"])
    return response


def _digest(questionnaire, answers) -> tuple[str, int]:
    """The rating answers' fingerprint (question, rated agency, option), for identical
    patterns, and the number of matrix rows."""
    keys = questionnaire.rating_keys
    text = "|".join(f"{q}:{a}:" + ",".join(sorted(answers.get((q, a)) or ())) for q, a in keys)
    return (hashlib.sha256(text.encode()).hexdigest() if keys else ""), len(keys)


def _flags(*, started_at, now, rows) -> list[str]:
    """Too fast: fewer than SURVEY_FLAG_SECONDS_PER_ROW seconds a matrix row."""
    too_fast = rows and now - started_at < timedelta(seconds=rows * _setting("SURVEY_FLAG_SECONDS_PER_ROW", 2))
    return [Flag.Kind.TOO_FAST.value] if too_fast else []


_SENT_FIELDS = ["answers_data", "answers_pending", "submitted_at", "last_saved_at", "ip_hash", "user_agent",
                "answers_digest", "rating_rows", "flags", "voided", "void_reason"]


def response_submit(*, invitation, questionnaire, answers=None, replace_all=False, ip="", user_agent="",
                    now=None) -> Response:
    """Send the questionnaire once: every required row answered, the posted `answers` (if
    any) saved, the response stamped with its time and a device fingerprint. When rows are
    missing the answers stay saved and IncompleteAnswers lists them.

    One transaction claims the invitation (still open → answered: a conditional update
    that two submissions at the same instant race for; the second updates nothing and gets
    ConflictError) and writes the response as one JSON document; the rows of Answer follow
    off the respondent's path (answers.expand_pending). The other integrity checks run in
    the periodic scan (`survey_flags_scan`)."""
    now = now or timezone.now()
    check_answer_window(invitation=invitation, now=now)
    if answers is not None and not replace_all:
        response_save(invitation=invitation, answers=answers, now=now)
        answers = None
    if answers is not None:
        missing = selectors.missing_rows(questionnaire, answers)
        if missing:
            response_save(invitation=invitation, answers=answers, replace_all=True, now=now)
            raise IncompleteAnswers(missing)
    voided = selectors.agency_voided(invitation=invitation)
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, status__in=OPEN_STATUSES).update(
            status=Invitation.Status.ANSWERED, answered_at=now, updated_at=now,
            opened_at=Coalesce(F("opened_at"), Value(now, output_field=DateTimeField())))
        if not claimed:
            raise ConflictError(ALREADY_SENT)
        # read under the invitation's lock: a save on the way may have made the response
        response = Response.objects.filter(invitation_id=invitation.pk).first()
        if answers is None:  # send what was saved
            answers = from_data(response.answers_data if response else {})
            missing = selectors.missing_rows(questionnaire, answers)
            if missing:  # nothing was written but the claim: rolling back loses nothing
                raise IncompleteAnswers(missing)
        if response is None:
            response = Response(invitation=invitation, started_at=now)
        digest, rows = _digest(questionnaire, answers)
        response.answers_data = to_data(answers)
        response.answers_pending = True
        response.submitted_at = response.last_saved_at = now
        response.ip_hash, response.user_agent = ip_fingerprint(ip), (user_agent or "")[:200]
        response.answers_digest, response.rating_rows = digest, rows
        response.flags = _flags(started_at=response.started_at, now=now, rows=rows)
        response.voided, response.void_reason = voided, (VOIDED_REASON if voided else "")
        if response.pk is None:
            response.save(force_insert=True)
        else:
            response.save(update_fields=_SENT_FIELDS)
    invitation.status, invitation.answered_at, invitation.response = Invitation.Status.ANSWERED, now, response
    return response


# ================================================================ integrity


def survey_flags_scan(*, now=None, since=None) -> int:
    """Due work of the tick: raise flags for officers (agencies never see them) over the
    responses submitted since `since` (default: the last two device windows):

    - too fast: fewer than SURVEY_FLAG_SECONDS_PER_ROW (2) seconds per matrix row between
      opening and sending (noted on the response when it was sent);
    - one device: SURVEY_FLAG_DEVICE_COUNT (3) or more responses with the same IP
      fingerprint and user agent within SURVEY_FLAG_DEVICE_MINUTES (60) minutes;
    - identical: SURVEY_FLAG_IDENTICAL_MIN (3) or more responses of one agency's
      respondents with the same rating pattern;
    - printed link: responses whose link was printed on a QR sheet (one flag per sheet).

    Idempotent: a flag is unique by its key, a response joins it once. Returns the number
    of flags created."""
    now = now or timezone.now()
    minutes = _setting("SURVEY_FLAG_DEVICE_MINUTES", 60)
    since = since or now - timedelta(minutes=2 * minutes)
    recent = list(Response.objects.filter(submitted_at__gte=since, submitted_at__lte=now).values(
        "pk", "ip_hash", "user_agent", "started_at", "submitted_at", "rating_rows", "answers_digest", "flags",
        "invitation__respondent__campaign_id", "invitation__respondent__respondent_list__agency_id",
        "invitation__printed_in_id"))
    if not recent:
        return 0
    wanted: dict[str, dict] = {}

    def want(key, *, campaign_id, agency_id, kind, detail, ids, at):
        entry = wanted.setdefault(key, {"campaign_id": campaign_id, "agency_id": agency_id, "kind": kind,
                                        "detail": detail, "ids": set(), "at": at})
        entry["ids"].update(ids)

    for r in recent:
        if Flag.Kind.TOO_FAST.value in (r["flags"] or []):
            want(f"too_fast:{r['pk']}", campaign_id=r["invitation__respondent__campaign_id"],
                 agency_id=r["invitation__respondent__respondent_list__agency_id"], kind=Flag.Kind.TOO_FAST,
                 detail={"seconds": round((r["submitted_at"] - r["started_at"]).total_seconds(), 1),
                         "rows": r["rating_rows"]}, ids=[r["pk"]], at=r["submitted_at"])
    sheets = {p.pk: p for p in LinkPrint.objects.filter(
        pk__in={r["invitation__printed_in_id"] for r in recent if r["invitation__printed_in_id"]}).select_related(
        "printed_by")}
    for r in recent:
        sheet = sheets.get(r["invitation__printed_in_id"])
        if sheet is not None:
            want(f"printed_link:{sheet.pk}", campaign_id=sheet.campaign_id, agency_id=sheet.agency_id,
                 kind=Flag.Kind.PRINTED_LINK, ids=[r["pk"]], at=r["submitted_at"],
                 detail={"printed_by": sheet.printed_by.display_name,
                         "printed_at": timezone.localtime(sheet.printed_at).strftime("%H:%M %d/%m/%Y")})
    device_count = _setting("SURVEY_FLAG_DEVICE_COUNT", 3)
    if device_count:
        devices = {(r["invitation__respondent__campaign_id"], r["ip_hash"], r["user_agent"]) for r in recent
                   if r["ip_hash"]}
        earlier = Response.objects.filter(submitted_at__gte=since - timedelta(minutes=minutes), submitted_at__lte=now,
                                          ip_hash__in={d[1] for d in devices})
        by_device = defaultdict(list)
        for row in earlier.values("pk", "ip_hash", "user_agent", "submitted_at", "invitation__respondent__campaign_id",
                                  "invitation__respondent__respondent_list__agency_id"):
            key = (row["invitation__respondent__campaign_id"], row["ip_hash"], row["user_agent"])
            if key in devices:
                by_device[key].append(row)
        for (campaign_id, ip_hash, agent), rows in by_device.items():
            rows.sort(key=lambda x: x["submitted_at"])
            first = 0
            for last, row in enumerate(rows):
                while rows[first]["submitted_at"] < row["submitted_at"] - timedelta(minutes=minutes):
                    first += 1
                if last - first + 1 >= device_count and row["submitted_at"] >= since:
                    device = hashlib.sha256(f"{ip_hash}|{agent}".encode()).hexdigest()[:16]
                    hour = timezone.localtime(row["submitted_at"]).strftime("%Y%m%d%H")
                    want(f"same_device:{campaign_id}:{device}:{hour}", campaign_id=campaign_id,
                         agency_id=row["invitation__respondent__respondent_list__agency_id"],
                         kind=Flag.Kind.SAME_DEVICE, detail={"device": ip_hash[:10], "user_agent": agent},
                         ids=[x["pk"] for x in rows[first:last + 1]], at=row["submitted_at"])
    identical_min = _setting("SURVEY_FLAG_IDENTICAL_MIN", 3)
    digests = {r["answers_digest"] for r in recent if r["answers_digest"] and r["rating_rows"] >= 2}
    if identical_min and digests:
        same = defaultdict(list)
        for row in Response.objects.filter(answers_digest__in=digests, submitted_at__isnull=False).values(
                "pk", "answers_digest", "rating_rows", "submitted_at", "invitation__respondent__campaign_id",
                "invitation__respondent__respondent_list__agency_id"):
            same[(row["invitation__respondent__campaign_id"], row["invitation__respondent__respondent_list__agency_id"],
                  row["answers_digest"])].append(row)
        for (campaign_id, agency_id, digest), rows in same.items():
            if len(rows) >= identical_min:
                want(f"identical:{campaign_id}:{agency_id}:{digest[:16]}", campaign_id=campaign_id,
                     agency_id=agency_id, kind=Flag.Kind.IDENTICAL, detail={"rows": rows[0]["rating_rows"]},
                     ids=[x["pk"] for x in rows], at=max(x["submitted_at"] for x in rows))
    created = 0
    existing = {f.key: f for f in Flag.objects.filter(key__in=list(wanted))}
    for key, entry in wanted.items():
        flag = existing.get(key)
        if flag is None:
            with transaction.atomic():
                flag, made = Flag.objects.get_or_create(key=key, defaults={
                    "campaign_id": entry["campaign_id"], "agency_id": entry["agency_id"], "kind": entry["kind"],
                    "detail": entry["detail"], "created_at": entry["at"]})
            created += made
        flag.responses.add(*entry["ids"])
    return created


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Cần nêu lý do hủy.", extra={"errors": {"reason": ["Bắt buộc."]}})
    return reason


@transaction.atomic
def response_void(*, response, reason, user, now=None, flag=None) -> SurveyVoid:
    """One response no longer counts (recorded: who, when, why)."""
    _require_officer(user)
    now = now or timezone.now()
    reason = _reason(reason)
    if not Response.objects.filter(pk=response.pk, voided=False).update(voided=True, void_reason=reason):
        raise ConflictError("Phiếu này đã bị hủy.")
    campaign_id = Invitation.objects.filter(pk=response.invitation_id).values_list(
        "respondent__campaign_id", flat=True).get()
    return SurveyVoid.objects.create(campaign_id=campaign_id, response=response, flag=flag, reason=reason,
                                     made_by=user, made_at=now, responses_voided=1)


@transaction.atomic
def agency_survey_void(*, campaign, agency, reason, user, now=None, flag=None) -> SurveyVoid:
    """The whole survey result of an agency — every response of its respondents, and any
    that come later — no longer counts (seed 003: interference voids the agency's result)."""
    _require_officer(user)
    now = now or timezone.now()
    reason = _reason(reason)
    if SurveyVoid.objects.filter(campaign=campaign, agency=agency).exists():
        raise ConflictError("Kết quả khảo sát của đơn vị này đã bị hủy.")
    count = Response.objects.filter(invitation__respondent__campaign=campaign,
                                    invitation__respondent__respondent_list__agency=agency, voided=False).update(
        voided=True, void_reason=reason)
    record = SurveyVoid.objects.create(campaign=campaign, agency=agency, flag=flag, reason=reason, made_by=user,
                                       made_at=now, responses_voided=count)
    _notify_officers(text=f"Đã hủy kết quả khảo sát của {agency.name}: {reason}",
                     url=reverse("surveys:flags", kwargs={"pk": campaign.pk}), key=f"survey-void:{record.pk}")
    return record


@transaction.atomic
def flag_review(*, flag, user, decision, note, now=None) -> int:
    """An officer closes a flag: `dismissed` (no interference) or `voided` (its responses no
    longer count). Returns the number of responses voided."""
    _require_officer(user)
    now = now or timezone.now()
    note = _reason(note)
    if decision not in (Flag.Status.DISMISSED, Flag.Status.VOIDED):
        raise ApplicationError("Quyết định không hợp lệ.")
    if not Flag.objects.filter(pk=flag.pk, status=Flag.Status.OPEN).update(
            status=decision, reviewed_by=user, reviewed_at=now, review_note=note):
        raise ConflictError("Dấu hiệu này đã được xử lý.")
    voided = 0
    if decision == Flag.Status.VOIDED:
        for response in flag.responses.filter(voided=False):
            response_void(response=response, reason=note, user=user, now=now, flag=flag)
            voided += 1
    return voided
