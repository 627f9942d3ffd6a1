"""Every write to criteria sets' trees: add, edit, move, reorder, delete, the lock and
amendments (Excel import, copy and the year-over-year map: `criteria_copy`).

The lock: a set is locked once `locked_at` is set (`criteria_sets_lock_for_campaign`, called
when the campaign opens, or an officer's explicit lock). A locked set changes only by an
amendment: every write below takes `reason`; on a locked set a blank reason is refused
(409) and a given one records a `CriteriaAmendment` (who, when, why, before → after).
Functions registered with `on_criteria_amended` run inside the same transaction after each
amendment, so another area (assessments) can recompute what depends on the changed codes.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Agency, AgencyGroup
from cchc_portal.core.exceptions import ApplicationError, ConflictError
from scoring import engine
from scoring.criteria_excel import CODE_RE, code_key
from scoring.models import CriteriaAmendment, CriteriaSet, Criterion, Item
from scoring.rules.kinds import BRANCH_RULE, RULES, RuleParamsError, decimal_str
from scoring.rules.text import format_params
from scoring.rules.validation import validate_params
from scoring.selectors.criteria import criteria_set_problems

_amendment_listeners: list[Callable] = []


def on_criteria_amended(listener: Callable) -> Callable:
    """Register `listener(*, criteria_set, codes, amendment)`, called after every amendment of a
    locked set, inside its transaction (`codes`: the criteria codes touched, before and after)."""
    if listener not in _amendment_listeners:
        _amendment_listeners.append(listener)
    return listener


def criteria_set_is_locked(criteria_set) -> bool:
    return criteria_set.locked_at is not None


# ---------------------------------------------------------------- helpers


def field_error(message: str, field_name: str | None = None, status: int | None = None) -> ApplicationError:
    extra = {"errors": {field_name: [message]}} if field_name else None
    return ApplicationError(message, extra=extra, status=status)


def check_change_allowed(criteria_set, reason) -> str:
    """'' on an open set; the stripped reason on a locked one (refused without a reason)."""
    if not criteria_set_is_locked(criteria_set):
        return ""
    reason = (reason or "").strip()
    if not reason:
        when = timezone.localtime(criteria_set.locked_at).strftime("%H:%M %d/%m/%Y")
        raise ConflictError(
            _("Bộ tiêu chí đã khóa lúc %(when)s (đợt đánh giá đã mở); chỉ được sửa đổi có ghi rõ lý do.")
            % {"when": when},
            extra={"errors": {"reason": [_("Nhập lý do sửa đổi.")]}},
        )
    return reason


def record_amendment(criteria_set, *, user, code, reason, change, now=None):
    """An amendment when the set is locked (nothing otherwise)."""
    if not criteria_set_is_locked(criteria_set):
        return None
    if user is None:
        raise field_error(_("Sửa đổi bộ tiêu chí đã khóa phải ghi rõ người sửa."))
    amendment = CriteriaAmendment(criteria_set=criteria_set, code=code[:20], reason=reason, change=change,
                                  made_by=user, made_at=now or timezone.now())
    amendment.full_clean()
    amendment.save()
    codes = (set(change.get("codes", [])) | {code}) - {"", "*"}
    for listener in _amendment_listeners:
        listener(criteria_set=criteria_set, codes=codes, amendment=amendment)
    return amendment


def snapshot(criterion) -> dict:
    """A criterion as plain values (amendments keep before → after)."""
    try:
        params_text = format_params(criterion.rule, criterion.params)
    except RuleParamsError:
        params_text = str(criterion.params)
    return {
        "code": criterion.code,
        "title": criterion.title,
        "max_points": decimal_str(Decimal(criterion.max_points)),
        "rule": criterion.rule,
        "rule_params": params_text,
        "evidence_required": criterion.evidence_required,
        "guidance": criterion.guidance,
        "capped": criterion.capped,
        "responsible_agency": criterion.responsible_agency.code if criterion.responsible_agency_id else "",
        "not_applicable_to": sorted(criterion.not_applicable_to.values_list("code", flat=True))
        if criterion.pk else [],
    }


def _changed(before: dict, after: dict) -> dict:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def sync_tree(criteria_set) -> None:
    """Parent links from the codes and `order` = position in code order, for the whole set."""
    criteria = sorted(Criterion.objects.filter(criteria_set=criteria_set).only("id", "code", "parent_id", "order"),
                      key=lambda c: code_key(c.code))
    by_code = {c.code: c for c in criteria}
    dirty = []
    for position, c in enumerate(criteria):
        parent = by_code.get(c.code.rpartition(".")[0])
        parent_id = parent.pk if parent else None
        if c.parent_id != parent_id or c.order != position:
            c.parent_id, c.order = parent_id, position
            dirty.append(c)
    Criterion.objects.bulk_update(dirty, ["parent", "order"])


def _check_code(criteria_set, code, *, field_name="code", exclude_pks=()) -> None:
    if not isinstance(code, str) or len(code) > 20 or not CODE_RE.fullmatch(code):
        raise field_error(_("Mã '%(code)s' không hợp lệ; dùng các số cách nhau bằng dấu chấm, ví dụ 1, 1.2, "
                            "1.2.3.") % {"code": code}, field_name)
    if code.count(".") + 1 > engine.MAX_DEPTH:
        raise field_error(_("Mã '%(code)s' có %(value)s cấp; tối đa %(max)s cấp.")
                            % {"code": code, "value": code.count('.') + 1, "max": engine.MAX_DEPTH}, field_name)
    if Criterion.objects.filter(criteria_set=criteria_set, code=code).exclude(pk__in=list(exclude_pks)).exists():
        raise field_error(_("Mã '%(code)s' đã có trong bộ tiêu chí.") % {"code": code}, field_name)
    parent_code = code.rpartition(".")[0]
    if parent_code and not Criterion.objects.filter(criteria_set=criteria_set, code=parent_code).exclude(
            pk__in=list(exclude_pks)).exists():
        raise field_error(
            _("Chưa có tiêu chí cha '%(parent_code)s'; thêm tiêu chí cha trước.") % {"parent_code": parent_code},
            field_name)


def _check_values(criteria_set, *, max_points, rule, params, capped, has_children, not_applicable_to) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(max_points, Decimal) or not max_points.is_finite() or max_points < 0:
        errors["max_points"] = [_("Điểm tối đa phải là số không âm.")]
    elif max_points != max_points.quantize(Decimal("0.01")):
        errors["max_points"] = [_("Điểm tối đa có tối đa 2 chữ số thập phân.")]
    if rule not in RULES:
        errors["rule"] = [_("Cách chấm '%(rule)s' không hợp lệ.") % {"rule": rule}]
    elif has_children and rule != BRANCH_RULE:
        errors["rule"] = [_("Tiêu chí có tiêu chí con phải dùng cách chấm 'sum' (tổng các tiêu chí con).")]
    elif "max_points" not in errors:
        problems = validate_params(rule, params, max_points)
        if problems:
            errors["rule_params"] = problems
    if capped and rule != BRANCH_RULE:
        errors["capped"] = [_("Chỉ tiêu chí có tiêu chí con mới được đánh dấu giới hạn.")]
    wrong = [a.code for a in not_applicable_to if a.group_id != criteria_set.group_id]
    if wrong:
        errors["not_applicable_to"] = [
            _("Đơn vị không thuộc nhóm %(group)s: %(codes)s.") % {"group": criteria_set.group.name,
                                                                  "codes": ", ".join(wrong)}]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"errors": errors})


# ---------------------------------------------------------------- sets


def check_group(campaign, group) -> AgencyGroup:
    code = getattr(group, "code", group)
    group_obj = AgencyGroup.objects.filter(code=code).first()
    if group_obj is None:
        raise field_error(_("Không có nhóm cơ quan '%(code)s'.") % {"code": code}, "group")
    if not campaign.groups.filter(pk=group_obj.pk).exists():
        raise field_error(_("Nhóm '%(name)s' không thuộc đợt đánh giá này.") % {"name": group_obj.name}, "group")
    return group_obj


@transaction.atomic
def criteria_set_create(*, campaign, group, user=None, bonus_cap=None, penalty_cap=None) -> CriteriaSet:
    """An empty set for one agency group of the campaign (409 if it exists)."""
    group_obj = check_group(campaign, group)
    if CriteriaSet.objects.filter(campaign=campaign, group=group_obj).exists():
        raise ConflictError(_("Đợt đánh giá đã có bộ tiêu chí cho nhóm %(name)s.") % {"name": group_obj.name})
    criteria_set = CriteriaSet(campaign=campaign, group=group_obj, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    criteria_set.full_clean()
    criteria_set.save()
    return criteria_set


@transaction.atomic
def criteria_set_update_caps(*, criteria_set, user, bonus_cap, penalty_cap, reason=None, now=None) -> CriteriaSet:
    """The set's caps on the bonus and penalty totals (None: no cap)."""
    reason = check_change_allowed(criteria_set, reason)
    for name, value in (("bonus_cap", bonus_cap), ("penalty_cap", penalty_cap)):
        if value is not None and (value < 0 or value != value.quantize(Decimal("0.01"))):
            raise field_error(_("Trần điểm phải là số không âm, tối đa 2 chữ số thập phân."), name)
    before = {"bonus_cap": points_text(criteria_set.bonus_cap), "penalty_cap": points_text(criteria_set.penalty_cap)}
    criteria_set.bonus_cap, criteria_set.penalty_cap = bonus_cap, penalty_cap
    criteria_set.full_clean()
    criteria_set.save(update_fields=["bonus_cap", "penalty_cap", "updated_at"])
    after = {"bonus_cap": points_text(bonus_cap), "penalty_cap": points_text(penalty_cap)}
    if before != after:
        record_amendment(criteria_set, user=user, code="*", reason=reason, now=now,
                change={"action": "settings", "changes": _changed(before, after)})
    return criteria_set


def points_text(value) -> str | None:
    return None if value is None else decimal_str(Decimal(value))


def criteria_set_lock(*, criteria_set, user=None, now=None) -> bool:
    """Lock a valid set (idempotent, race-safe): True if this call locked it.

    A set with problems is refused with every problem listed (400): agencies must not score
    against a broken tree.
    """
    problems = criteria_set_problems(criteria_set=criteria_set)
    if problems:
        raise ApplicationError(
            _("Bộ tiêu chí nhóm %(name)s còn %(n)s lỗi; sửa trước khi khóa.")
              % {"name": criteria_set.group.name, "n": len(problems)},
            extra={"errors": {criteria_set.group.code: [str(p) for p in problems]}},
        )
    now = now or timezone.now()
    updated = CriteriaSet.objects.filter(pk=criteria_set.pk, locked_at__isnull=True).update(locked_at=now)
    criteria_set.locked_at = CriteriaSet.objects.values_list("locked_at", flat=True).get(pk=criteria_set.pk)
    return bool(updated)


@transaction.atomic
def criteria_sets_lock_for_campaign(*, campaign, user=None, now=None) -> list[CriteriaSet]:
    """Lock every set of the campaign (call it when the campaign opens). All or nothing: if any
    set has problems, none is locked and every problem of every set is listed (400).
    `user` is accepted for the caller's convenience; the lock itself records only the time."""
    sets = list(CriteriaSet.objects.select_for_update().filter(campaign=campaign).select_related("group", "campaign"))
    errors = {}
    for criteria_set in sets:
        problems = criteria_set_problems(criteria_set=criteria_set)
        if problems:
            errors[criteria_set.group.code] = [str(p) for p in problems]
    if errors:
        count = sum(len(v) for v in errors.values())
        raise ApplicationError(_("Bộ tiêu chí còn %(count)s lỗi; sửa trước khi mở đợt đánh giá.") % {"count": count},
                               extra={"errors": errors})
    now = now or timezone.now()
    for criteria_set in sets:
        criteria_set_lock(criteria_set=criteria_set, now=now)
    return sets


# ---------------------------------------------------------------- the tree


def _agencies(value) -> list[Agency]:
    return list(value or [])


@transaction.atomic
def criterion_create(*, criteria_set, user, code, title, max_points, rule=BRANCH_RULE, params=None,
                     evidence_required=False, guidance="", capped=False, responsible_agency=None,
                     not_applicable_to=(), reason=None, now=None) -> Criterion:
    """Add a criterion; its parent comes from the code ("1.2.3" under "1.2"). A leaf that gets
    its first child becomes a branch (`sum`, parameters dropped)."""
    reason = check_change_allowed(criteria_set, reason)
    code = (code or "").strip()
    _check_code(criteria_set, code)
    params = params or {}
    not_applicable_to = _agencies(not_applicable_to)
    _check_values(criteria_set, max_points=max_points, rule=rule, params=params, capped=capped, has_children=False,
                  not_applicable_to=not_applicable_to)
    parent = Criterion.objects.filter(criteria_set=criteria_set, code=code.rpartition(".")[0]).first()
    parent_change = None
    if parent is not None and parent.rule != BRANCH_RULE:
        before = snapshot(parent)
        parent.rule, parent.params = BRANCH_RULE, {}
        parent.save(update_fields=["rule", "params", "updated_at"])
        parent_change = {"code": parent.code, "changes": _changed(before, snapshot(parent))}
    criterion = Criterion(
        criteria_set=criteria_set, parent=parent, code=code, title=(title or "").strip(), max_points=max_points,
        rule=rule, params=params, evidence_required=evidence_required, guidance=(guidance or "").strip(),
        capped=capped, responsible_agency=responsible_agency,
    )
    criterion.full_clean()
    criterion.save()
    criterion.not_applicable_to.set(not_applicable_to)
    sync_tree(criteria_set)
    change = {"action": "create", "after": snapshot(criterion), "codes": [code]}
    if parent_change:
        change["parent"] = parent_change
    record_amendment(criteria_set, user=user, code=code, reason=reason, change=change, now=now)
    return criterion


def _rename(criteria_set, mapping: dict[str, str]) -> dict[str, str]:
    """Rename whole subtrees at once ({old prefix: new prefix}); returns {old code: new code}."""
    renamed: list[tuple[Criterion, str]] = []
    for c in Criterion.objects.filter(criteria_set=criteria_set).only("id", "code"):
        for old, new in mapping.items():
            if c.code == old or c.code.startswith(old + "."):
                renamed.append((c, new + c.code[len(old):]))
                break
    changes = {c.code: new_code for c, new_code in renamed}
    for c, _new_code in renamed:  # two steps, so swapped codes never collide on the unique constraint
        c.code = f"~{c.pk}"
    Criterion.objects.bulk_update([c for c, _code in renamed], ["code"])
    for c, new_code in renamed:
        c.code = new_code
    Criterion.objects.bulk_update([c for c, _code in renamed], ["code"])
    sync_tree(criteria_set)
    return changes


def _check_move(criteria_set, criterion, new_code) -> None:
    old = criterion.code
    if new_code == old:
        return
    if new_code.startswith(old + "."):
        raise field_error(_("Không thể chuyển tiêu chí '%(old)s' vào chính nhánh của nó.") % {"old": old}, "code")
    below = dict(Criterion.objects.filter(criteria_set=criteria_set, code__startswith=old + ".")
                 .values_list("code", "pk"))
    subtree, pks = list(below), [criterion.pk, *below.values()]
    _check_code(criteria_set, new_code, exclude_pks=pks)
    deepest = max([new_code] + [new_code + c[len(old):] for c in subtree], key=lambda c: c.count("."))
    if deepest.count(".") + 1 > engine.MAX_DEPTH:
        raise field_error(
            _("Sau khi chuyển, mã '%(deepest)s' có quá %(max)s cấp.") % {"deepest": deepest, "max": engine.MAX_DEPTH},
            "code")
    taken = set(Criterion.objects.filter(criteria_set=criteria_set, code__in=[new_code + c[len(old):] for c in subtree])
                .exclude(pk__in=pks).values_list("code", flat=True))
    if taken:
        raise field_error(_("Mã %(items)s đã có trong bộ tiêu chí.") % {"items": ', '.join(sorted(taken))}, "code")
    parent = Criterion.objects.filter(criteria_set=criteria_set, code=new_code.rpartition(".")[0]).first()
    if parent is not None and parent.rule != BRANCH_RULE:
        raise field_error(_("Tiêu chí '%(code)s' đang được chấm trực tiếp (%(rule)s); đổi cách chấm thành 'sum' "
                            "trước khi thêm tiêu chí con.") % {"code": parent.code, "rule": parent.rule}, "code")


@transaction.atomic
def criterion_update(*, criterion, user, reason=None, now=None, **values) -> Criterion:
    """Edit a criterion. `values` may hold code (a new code moves it with its subtree), title,
    max_points, rule, params, evidence_required, guidance, capped, responsible_agency,
    not_applicable_to (agencies)."""
    criteria_set = criterion.criteria_set
    reason = check_change_allowed(criteria_set, reason)
    allowed = {"code", "title", "max_points", "rule", "params", "evidence_required", "guidance", "capped",
               "responsible_agency", "not_applicable_to"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"criterion_update: unknown fields {sorted(unknown)}")
    before = snapshot(criterion)
    new_code = (values.pop("code", None) or criterion.code).strip()
    if new_code != criterion.code:
        _check_move(criteria_set, criterion, new_code)
    not_applicable_to = values.pop("not_applicable_to", None)
    na_list = _agencies(not_applicable_to) if not_applicable_to is not None else list(criterion.not_applicable_to.all())
    for name in ("title", "guidance"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if "rule" in values and "params" not in values and values["rule"] != criterion.rule:
        values["params"] = {}
    merged = {name: values.get(name, getattr(criterion, name)) for name in
              ("max_points", "rule", "params", "capped")}
    has_children = Criterion.objects.filter(parent=criterion).exists()
    _check_values(criteria_set, has_children=has_children, not_applicable_to=na_list, **merged)
    for name, value in values.items():
        setattr(criterion, name, value)
    criterion.params = criterion.params or {}
    criterion.full_clean(exclude=["code", "parent"])
    criterion.save()
    if not_applicable_to is not None:
        criterion.not_applicable_to.set(na_list)
    codes = {criterion.code}
    if new_code != criterion.code:
        codes |= set(_rename(criteria_set, {criterion.code: new_code}).values())
        criterion.refresh_from_db()
    after = snapshot(criterion)
    changes = _changed(before, after)
    if changes:
        record_amendment(criteria_set, user=user, code=before["code"], reason=reason, now=now,
                change={"action": "update", "changes": changes, "codes": sorted(codes | {before["code"]})})
    return criterion


@transaction.atomic
def criterion_move(*, criterion, new_code, user, reason=None, now=None) -> Criterion:
    """Give a criterion (and its subtree) another code: another parent and/or position."""
    return criterion_update(criterion=criterion, user=user, reason=reason, now=now, code=new_code)


@transaction.atomic
def criterion_reorder(*, criterion, direction, user, reason=None, now=None) -> Criterion:
    """Swap a criterion with its previous ("up") or next ("down") sibling: codes and subtrees
    swap, so the numbering always follows the order (1.3 moved up becomes 1.2)."""
    criteria_set = criterion.criteria_set
    reason = check_change_allowed(criteria_set, reason)
    if direction not in ("up", "down"):
        raise field_error(_("Hướng di chuyển không hợp lệ."), "direction")
    parent_code = criterion.code.rpartition(".")[0]
    depth = criterion.code.count(".")
    siblings = sorted(
        (c for c in Criterion.objects.filter(criteria_set=criteria_set, parent_id=criterion.parent_id)
         .values_list("code", flat=True) if c.count(".") == depth and c.rpartition(".")[0] == parent_code),
        key=code_key,
    )
    position = siblings.index(criterion.code)
    other_position = position - 1 if direction == "up" else position + 1
    if not 0 <= other_position < len(siblings):
        raise field_error(
            _("Tiêu chí đã ở vị trí đầu tiên.") if direction == "up" else _("Tiêu chí đã ở vị trí cuối cùng."),
            "direction")
    other = siblings[other_position]
    old = criterion.code
    changes = _rename(criteria_set, {old: other, other: old})
    criterion.refresh_from_db()
    record_amendment(criteria_set, user=user, code=old, reason=reason, now=now,
            change={"action": "reorder", "swap": [old, other], "renamed": changes,
                    "codes": sorted(set(changes) | set(changes.values()))})
    return criterion


@transaction.atomic
def criterion_delete(*, criterion, user, reason=None, now=None) -> list[str]:
    """Delete a criterion and its subtree (refused once agencies have scored any of them)."""
    criteria_set = criterion.criteria_set
    reason = check_change_allowed(criteria_set, reason)
    subtree = list(Criterion.objects.filter(criteria_set=criteria_set, code__startswith=criterion.code + ".")
                   .select_related("responsible_agency"))
    nodes = [criterion, *subtree]
    scored = sorted(set(Item.objects.filter(criterion__in=nodes).values_list("criterion__code", flat=True)),
                    key=code_key)
    if scored:
        raise ConflictError(_("Không thể xóa: đơn vị đã chấm tiêu chí %(items)s.") % {"items": ', '.join(scored)})
    before = [snapshot(c) for c in sorted(nodes, key=lambda c: code_key(c.code))]
    codes = [c["code"] for c in before]
    Criterion.objects.filter(pk__in=[c.pk for c in nodes]).delete()
    sync_tree(criteria_set)
    record_amendment(criteria_set, user=user, code=criterion.code, reason=reason, now=now,
            change={"action": "delete", "before": before, "codes": codes})
    return codes
