"""Criteria sets in bulk: the Excel import and export, the copy into a new campaign and the
year-over-year map. A locked set changes only by an amendment, as in `criteria`."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Agency, AgencyGroup
from cchc_portal.core.excel import ImportReport, RowError
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from evidence.library import guidance_remap_codes
from scoring import engine
from scoring.criteria_excel import CODE_RE, CriterionRow, code_key, read_workbook, write_workbook
from scoring.models import CriteriaSet, Criterion, Item
from scoring.rules.kinds import BRANCH_RULE, decimal_str
from scoring.selectors.criteria import criteria_set_rows, previous_set_for
from scoring.services.criteria import (
    check_change_allowed,
    check_group,
    criteria_set_create,
    criteria_set_is_locked,
    field_error,
    points_text,
    record_amendment,
    sync_tree,
)


@dataclass
class CriteriaImportReport(ImportReport):
    """What an import did (or would do): codes created, updated, deleted and unchanged."""

    deleted: int = 0
    unchanged: int = 0
    locked: bool = False
    codes: dict[str, list[str]] = field(default_factory=dict)
    rows: list[CriterionRow] = field(default_factory=list)
    criteria_set: CriteriaSet | None = None

    def as_dict(self):
        out = super().as_dict()
        out.update({"deleted": self.deleted, "unchanged": self.unchanged, "locked": self.locked,
                    "codes": self.codes})
        return out


def _tree_column(message: str) -> str:
    lower = message.lower()
    if "điểm tối đa" in lower and ("tổng" in lower or "không phải là số" in lower or "âm" in lower
                                    or "thập phân" in lower):
        return "max_points"
    if "capped" in lower:
        return "capped"
    if "quy tắc" in lower:
        return "rule"
    if lower.startswith("mã") or "tiêu chí cha" in lower or "cấp" in lower:
        return "code"
    return "rule_params"


def _check_rows(rows: list[CriterionRow], errors: list[RowError], criteria_set_group: AgencyGroup) -> dict:
    """Database checks (agency codes) and the engine's tree checks; returns the agencies by code."""
    wanted = ({code for r in rows for code in r.not_applicable_to} | {r.responsible_agency for r in rows}
              | {code for r in rows for code in r.cooperating})
    agencies = {a.code: a for a in Agency.objects.filter(code__in=wanted - {""}).select_related("group")}
    for r in rows:
        unknown = [code for code in r.not_applicable_to if code not in agencies]
        if unknown:
            errors.append(RowError(r.row, "not_applicable_to", f"Không có đơn vị: {', '.join(unknown)}."))
        other = [code for code in r.not_applicable_to
                 if code in agencies and agencies[code].group_id != criteria_set_group.pk]
        if other:
            errors.append(RowError(r.row, "not_applicable_to",
                                   f"Đơn vị không thuộc nhóm {criteria_set_group.name}: {', '.join(other)}."))
        if r.responsible_agency and r.responsible_agency not in agencies:
            errors.append(RowError(r.row, "responsible_agency", f"Không có đơn vị '{r.responsible_agency}'."))
        unknown = [code for code in r.cooperating if code not in agencies]
        if unknown:
            errors.append(RowError(r.row, "responsible", f"Không có đơn vị: {', '.join(unknown)}."))
    rows_with_errors = {e.row for e in errors}
    row_of = {}
    for r in rows:
        row_of.setdefault(r.code, r.row)
    nodes = [engine.Node(code=r.code, title=r.title, max_points=r.max_points, rule=r.rule or BRANCH_RULE,
                         params=r.params, evidence_required=r.evidence_required, capped=r.capped)
             for r in rows if CODE_RE.fullmatch(r.code)]
    for problem in engine.validate_tree(nodes):
        number = row_of.get(problem.code, 0)
        if number in rows_with_errors:
            continue  # that row's own errors come first; fixing them may settle this one
        errors.append(RowError(number, _tree_column(problem.message), problem.message))
    return agencies


def criteria_import(*, campaign, group, file, user=None, dry_run=False, reason=None, now=None) -> CriteriaImportReport:
    """Replace a set's tree with the file's rows (created, updated in place, deleted), or only
    report what would happen (`dry_run`). Every error is reported at once (row, column,
    message) and nothing is written if there is any.

    Criteria keep their identity by code, so updating a set keeps agencies' items and the
    year-over-year map. The set is created if missing. A locked set is refused (409) unless
    `reason` is given: the import is then one amendment listing the codes it changed.
    """
    report = CriteriaImportReport(dry_run=dry_run)
    group_obj = check_group(campaign, group)
    criteria_set = CriteriaSet.objects.filter(campaign=campaign, group=group_obj).first()
    report.criteria_set = criteria_set
    report.locked = bool(criteria_set and criteria_set_is_locked(criteria_set))
    if report.locked and not dry_run:
        reason = check_change_allowed(criteria_set, reason)
    workbook = read_workbook(file)
    report.rows = workbook.rows
    report.errors = list(workbook.errors)
    if report.errors and not workbook.rows:
        return report
    agencies = _check_rows(workbook.rows, report.errors, group_obj)
    existing = {}
    if criteria_set is not None:
        existing = {c.code: c for c in Criterion.objects.filter(criteria_set=criteria_set)
                    .select_related("responsible_agency").prefetch_related("not_applicable_to",
                                                                           "cooperating_agencies")}
    file_codes = {r.code for r in workbook.rows}
    removed = sorted(set(existing) - file_codes, key=code_key)
    if removed and criteria_set is not None:
        scored = sorted(set(Item.objects.filter(criterion__criteria_set=criteria_set, criterion__code__in=removed)
                            .values_list("criterion__code", flat=True)), key=code_key)
        if scored:
            report.errors.append(RowError(0, "code", f"Tệp thiếu tiêu chí {', '.join(scored)} mà đơn vị đã chấm; "
                                                     "không thể xóa các tiêu chí này."))
    report.errors.sort(key=lambda e: e.row)
    if report.errors:
        return report
    created, updated, unchanged = [], [], []
    for r in workbook.rows:
        current = existing.get(r.code)
        if current is None:
            created.append(r.code)
        elif _row_snapshot(r) != _criterion_snapshot(current):
            updated.append(r.code)
        else:
            unchanged.append(r.code)
    report.created, report.updated, report.deleted, report.unchanged = (
        len(created), len(updated), len(removed), len(unchanged))
    report.codes = {"created": created, "updated": updated, "deleted": removed}
    settings_changes = {}
    for name, value in (workbook.settings or {}).items():
        current = getattr(criteria_set, name) if criteria_set is not None else None
        if points_text(current) != points_text(value):
            settings_changes[name] = [points_text(current), points_text(value)]
    if dry_run:
        return report
    with transaction.atomic():
        if criteria_set is None:
            criteria_set = criteria_set_create(campaign=campaign, group=group_obj, user=user)
            report.criteria_set = criteria_set
        _apply_import(criteria_set, workbook, existing, removed, agencies)
        change = {"action": "import", "created": created, "updated": updated, "deleted": removed,
                  "codes": sorted(set(created) | set(updated) | set(removed), key=code_key)}
        if settings_changes:
            change["settings"] = settings_changes
        if created or updated or removed or settings_changes:
            record_amendment(criteria_set, user=user, code="*", reason=reason, change=change, now=now)
    return report


def _row_snapshot(r: CriterionRow) -> tuple:
    return (r.title, decimal_str(r.max_points), r.rule, r.params, r.evidence_required, r.guidance, r.capped,
            r.responsible_agency, tuple(sorted(r.not_applicable_to)), tuple(r.cooperating))


def _criterion_snapshot(c: Criterion) -> tuple:
    return (c.title, decimal_str(Decimal(c.max_points)), c.rule, c.params or {}, c.evidence_required, c.guidance,
            c.capped, c.responsible_agency.code if c.responsible_agency_id else "",
            tuple(sorted(a.code for a in c.not_applicable_to.all())),
            tuple(sorted(a.code for a in c.cooperating_agencies.all())))


def _apply_import(criteria_set, workbook, existing, removed, agencies) -> None:
    if workbook.settings is not None:
        for name, value in workbook.settings.items():
            setattr(criteria_set, name, value)
        criteria_set.save(update_fields=[*workbook.settings, "updated_at"])
    if removed:
        Criterion.objects.filter(criteria_set=criteria_set, code__in=removed).delete()
    through = Criterion.not_applicable_to.through
    co_through = Criterion.cooperating_agencies.through
    na_rows, co_rows = [], []
    for r in sorted(workbook.rows, key=lambda r: code_key(r.code)):
        c = existing.get(r.code) or Criterion(criteria_set=criteria_set, code=r.code)
        if c.pk and _row_snapshot(r) == _criterion_snapshot(c):
            continue
        c.title, c.max_points, c.rule, c.params = r.title, r.max_points, r.rule, r.params
        c.evidence_required, c.guidance, c.capped = r.evidence_required, r.guidance, r.capped
        c.responsible_agency = agencies.get(r.responsible_agency) if r.responsible_agency else None
        is_new = c.pk is None
        c.save()  # every value was checked by read_workbook and _check_rows
        if not is_new:
            through.objects.filter(criterion=c).delete()
            co_through.objects.filter(criterion=c).delete()
        na_rows += [through(criterion_id=c.pk, agency_id=agencies[code].pk) for code in r.not_applicable_to]
        co_rows += [co_through(criterion_id=c.pk, agency_id=agencies[code].pk) for code in r.cooperating]
    through.objects.bulk_create(na_rows)
    co_through.objects.bulk_create(co_rows)
    sync_tree(criteria_set)


def criteria_export(*, criteria_set) -> bytes:
    """The set as .xlsx bytes: the criteria sheet (columns of the import) and its settings."""
    return write_workbook(
        criteria_set_rows(criteria_set=criteria_set),
        {"bonus_cap": criteria_set.bonus_cap, "penalty_cap": criteria_set.penalty_cap},
    )


# ---------------------------------------------------------------- next year


@transaction.atomic
def criteria_set_copy(*, source, campaign, user, group=None) -> CriteriaSet:
    """Copy a set into another campaign (for `group`, by default the source's group), each new
    criterion pointing at the old one (`previous`): the year-over-year map, editable later.

    The target set may exist if it is still empty and not locked. Agencies it does not apply
    to are kept when they belong to the target group.
    """
    group_obj = check_group(campaign, group or source.group)
    if source.campaign_id == campaign.pk and source.group_id == group_obj.pk:
        raise field_error(_("Không thể sao chép bộ tiêu chí vào chính nó."))
    target = CriteriaSet.objects.select_for_update().filter(campaign=campaign, group=group_obj).first()
    if target is not None and (criteria_set_is_locked(target) or target.criteria.exists()):
        raise ConflictError(_("Đợt đánh giá đã có bộ tiêu chí nhóm %(name)s; xóa các tiêu chí hoặc nhập tệp "
                              "Excel để thay thế.") % {"name": group_obj.name})
    if target is None:
        target = CriteriaSet(campaign=campaign, group=group_obj)
    target.copied_from = source
    target.bonus_cap, target.penalty_cap = source.bonus_cap, source.penalty_cap
    target.full_clean()
    target.save()
    old = list(Criterion.objects.filter(criteria_set=source))
    Criterion.objects.bulk_create([
        Criterion(criteria_set=target, code=c.code, title=c.title, max_points=c.max_points, rule=c.rule,
                  params=c.params, capped=c.capped, evidence_required=c.evidence_required, guidance=c.guidance,
                  responsible_agency_id=c.responsible_agency_id, previous=c)
        for c in old
    ])
    sync_tree(target)  # parents and order from the codes
    new_pk = dict(Criterion.objects.filter(criteria_set=target).values_list("code", "pk"))
    old_code = {c.pk: c.code for c in old}
    through = Criterion.not_applicable_to.through
    through.objects.bulk_create([
        through(criterion_id=new_pk[old_code[criterion_id]], agency_id=agency_id)
        for criterion_id, agency_id in through.objects.filter(
            criterion__criteria_set=source, agency__group=group_obj).values_list("criterion_id", "agency_id")
    ])
    co_through = Criterion.cooperating_agencies.through
    co_through.objects.bulk_create([
        co_through(criterion_id=new_pk[old_code[criterion_id]], agency_id=agency_id)
        for criterion_id, agency_id in co_through.objects.filter(
            criterion__criteria_set=source).values_list("criterion_id", "agency_id")
    ])
    return target


@transaction.atomic
def criteria_set_map_previous(*, criteria_set, mapping: dict[str, str | None], user=None) -> int:
    """Set the year-over-year map: {code: last year's code, or None for a new criterion}.

    Last year's codes are those of `previous_set_for(criteria_set)`. Every unknown code is
    reported at once (400). Returns how many links changed. Allowed on a locked set: the
    map does not change any score.
    """
    source = previous_set_for(criteria_set=criteria_set)
    if source is None:
        raise field_error(_("Bộ tiêu chí chưa có bộ năm trước để đối chiếu (sao chép từ năm trước hoặc gán đợt "
                            "năm trước)."))
    criteria = {c.code: c for c in Criterion.objects.filter(criteria_set=criteria_set)}
    old = {c.code: c for c in Criterion.objects.filter(criteria_set=source).only("id", "code")}
    errors: dict[str, list[str]] = {}
    for code, old_code in mapping.items():
        if code not in criteria:
            errors.setdefault(code, []).append(_("Không có tiêu chí '%(code)s'.") % {"code": code})
        elif old_code and old_code not in old:
            errors.setdefault(code, []).append(_("Bộ năm trước không có tiêu chí '%(code)s'.") % {"code": old_code})
    if errors:
        raise ApplicationError(
            _("Có %(n)s dòng không hợp lệ; chưa lưu.") % {"n": len(errors)},
            extra={"errors": errors})
    dirty = []
    for code, old_code in mapping.items():
        c = criteria[code]
        previous_id = old[old_code].pk if old_code else None
        if c.previous_id != previous_id:
            c.previous_id = previous_id
            dirty.append(c)
    Criterion.objects.bulk_update(dirty, ["previous"])
    if dirty:
        guidance_remap_codes(campaign=criteria_set.campaign)  # the library's codes follow the map
    return len(dirty)


def criteria_set_map_by_code(*, criteria_set, user=None, only_unmapped=True) -> int:
    """Link every criterion to last year's criterion with the same code (the default map)."""
    source = previous_set_for(criteria_set=criteria_set)
    if source is None:
        raise field_error(_("Bộ tiêu chí chưa có bộ năm trước để đối chiếu."))
    old_codes = set(Criterion.objects.filter(criteria_set=source).values_list("code", flat=True))
    mapping = {}
    for code, previous_id in Criterion.objects.filter(criteria_set=criteria_set).values_list("code", "previous_id"):
        if only_unmapped and previous_id:
            continue
        mapping[code] = code if code in old_codes else None
    return criteria_set_map_previous(criteria_set=criteria_set, mapping=mapping, user=user)
