"""Respondent groups and questions: saved one by one, or imported and exported as a workbook."""
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import AgencyGroup
from cchc_portal.core.excel import ImportFailed, ImportReport, RowError, read_sheet, write_workbook
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from scoring.models import Criterion, Rule
from surveys.models import (
    Question,
    RespondentGroup,
    Response,
)
from surveys.options import OptionsError, format_options, parse_options
from surveys.services.common import clean, require_officer


def _group_has_responses(group) -> bool:
    return group.pk is not None and Response.objects.filter(invitation__respondent__group=group).exists()


@transaction.atomic
def group_save(*, campaign, code, name, rates_group, form_code="", instructions="", min_answers=3,
               group=None, user=None) -> RespondentGroup:
    """Create or change a respondent group (its questionnaire and the agency group it rates)."""
    require_officer(user)
    if group is None:
        group = RespondentGroup(campaign=campaign)
    elif group.rates_group_id != rates_group.pk and _group_has_responses(group):
        raise ConflictError(_("Nhóm đã có phiếu trả lời; không thể đổi nhóm cơ quan được đánh giá."))
    group.code, group.name, group.rates_group = code.strip(), name.strip(), rates_group
    group.form_code, group.instructions, group.min_answers = form_code.strip(), instructions.strip(), min_answers
    clean(group)
    group.save()
    return group


def _check_question(*, group, kind, options, criterion):
    if kind not in Question.Kind.values:
        raise ApplicationError(_("Loại câu hỏi “%(kind)s” không tồn tại.") % {"kind": kind},
                               extra={"errors": {"kind": [_("Không hợp lệ.")]}})
    if kind == Question.Kind.RATING:
        if criterion is None:
            raise ApplicationError(_("Câu hỏi đánh giá phải gắn với một tiêu chí điều tra XHH."),
                                   extra={"errors": {"criterion": [_("Bắt buộc với câu hỏi đánh giá.")]}})
        if (criterion.criteria_set.campaign_id != group.campaign_id
                or criterion.criteria_set.group_id != group.rates_group_id or criterion.rule != Rule.SURVEY):
            raise ApplicationError(_("Tiêu chí phải là tiêu chí điều tra XHH trong bộ tiêu chí của nhóm được "
                                     "đánh giá."),
                                   extra={"errors": {"criterion": [_("Không hợp lệ.")]}})
    if kind != Question.Kind.TEXT and len(options) < 2:
        raise ApplicationError(_("Cần ít nhất hai phương án."), extra={"errors": {"options": [_("Cần ít nhất hai.")]}})


def _touch(group_id):
    """A change of a group's questions moves its `updated_at`."""
    RespondentGroup.objects.filter(pk=group_id).update(updated_at=timezone.now())


@transaction.atomic
def question_save(*, group, number, text, kind, options, section="", criterion=None, required=True, order=None,
                  question=None, user=None) -> Question:
    """Create or change a question. Once the group has responses, only the wording may change."""
    require_officer(user)
    criterion = criterion if kind == Question.Kind.RATING else None
    _check_question(group=group, kind=kind, options=options, criterion=criterion)
    if question is None:
        question = Question(group=group)
        if order is None:
            last = group.questions.order_by("-order").values_list("order", flat=True).first()
            order = (last or 0) + 1
    elif (question.kind, question.options, question.criterion_id) != (kind, options, getattr(criterion, "pk", None)) \
            and _group_has_responses(group):
        raise ConflictError(_("Nhóm đã có phiếu trả lời; chỉ được sửa câu chữ, không được đổi loại, phương án hay "
                              "tiêu chí của câu hỏi."))
    question.section, question.number, question.text = section.strip(), str(number).strip(), text.strip()
    question.kind, question.options, question.criterion, question.required = kind, options, criterion, required
    if order is not None:
        question.order = order
    clean(question)
    question.save()
    _touch(group.pk)
    return question


@transaction.atomic
def question_delete(*, question, user=None) -> None:
    require_officer(user)
    if question.answers.exists() or Response.objects.filter(invitation__respondent__group_id=question.group_id,
                                                             answers_data__has_key=str(question.pk)).exists():
        raise ConflictError(_("Câu hỏi đã có câu trả lời; không thể xóa."))
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
    require_officer(user)
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
                clean(obj)
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
