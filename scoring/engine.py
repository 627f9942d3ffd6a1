"""Score one agency's criteria tree: pure functions over ``Decimal``, no Django, no database.

The tree
    Nodes carry codes "1", "1.2", "1.2.3"; the parent of "1.2.3" is "1.2" (the dots make the
    tree, at most 4 levels). A node with children is a branch (rule ``sum``); the others are
    leaves, scored by their rule (see ``scoring.rules``).

Leaves
    manual, bonus, penalty: the score entered. levels: the chosen level's points. bands: the
    points of the band holding numerator / denominator × 100. ratio: max × numerator /
    denominator × 100 / target, capped at max. A numerator above the denominator counts as 100 %
    (its param ``over=refuse`` refuses it instead). Reasons are Vietnamese sentences with
    numbers in Vietnamese form (``trừ 0,5 × 2 lần``, ``tử số 850; mẫu số 1.000``).
    deduction: max − per × count, at least 0.
    survey: the points given in ``survey`` (capped to [0, max]); missing or None scores 0 but is
    flagged ``pending`` ("chưa có kết quả khảo sát"). imported: the figure given in ``imported``
    capped to [0, max]; without one, a typed ``{"score"}`` input is used; with neither it scores
    0 and is flagged ``pending`` ("chưa có số liệu nhập").
    A leaf without input scores 0 ("chưa chấm"); an evidence-required leaf whose code is not in
    ``evidence`` scores 0 ("0: không có tài liệu kiểm chứng") whatever was entered; an input that
    ``clean_input`` rejects (a zero denominator, a score off the step...) scores 0 with the
    error as its reason. Scoring never raises on inputs. The evidence rule holds for every leaf
    kind: a penalty that requires evidence takes nothing off until the evidence is attached.

Rounding
    A leaf's points are rounded half-up to 2 decimals when awarded (2/3 of 2 points is 1.33);
    branches, totals, bonus and penalty are exact sums of those. ``index_exact`` is
    total × 100 / applicable max computed to 28 significant digits; ``index`` is it rounded
    half-up to 2 decimals.

Not applicable (N/A)
    A code in ``not_applicable`` (leaf or branch) takes its whole subtree out: those nodes get
    ``Points(0, max=0, applicable=False)``. The applicable max of a node is:

    - a leaf: its ``max_points``, or 0 when N/A;
    - a branch: min(its ``max_points``, sum of the applicable maxima of its counted children),
      or 0 when N/A itself, under an N/A ancestor, or when every counted child is N/A (it is
      then reported not applicable too). "Counted" children are those of the branch's own
      kind: a branch holding criteria ignores its bonus/penalty children, which go to the
      bonus/penalty totals instead.

    For an ordinary branch of a valid tree (children's maxima add up to its max) this is its
    max minus the maxima of its N/A children. For a ``capped`` branch (children's maxima add up
    to more than its max) the maximum shrinks only once the applicable children can no longer
    reach the cap: capped at 10 over 6 + 6 + 6, one child N/A leaves 10, two leave 6.
    A branch's points are min(sum of its counted children's points, its applicable max).

    The agency's applicable max is the sum over the top-level criteria. An N/A item never
    lowers the index compared with the same item applicable and scoring 0: every branch's
    points stay the same and the applicable maxima can only shrink.

Bonus and penalty (outside the max)
    Bonus and penalty leaves, and branches whose leaves are all bonus/penalty, are outside the
    maximum: they count in no branch's points or max and not in the applicable max. A branch of
    only bonus (or only penalty) leaves sums its children capped at its own max, like any
    branch. A branch mixing bonus and penalty leaves shows the net (bonus − penalty, may be
    negative) and caps nothing. A penalty leaf's points are positive: the points taken off.
    bonus = min(sum of the outermost bonus nodes, bonus_cap), penalty likewise with
    penalty_cap (a cap of None means no cap).
    total = max(0, base total + bonus − penalty): the total is floored at 0, so the index is
    never negative. The index is not capped at 100: with a bonus it may exceed 100 (up to
    100 + bonus_cap / applicable max × 100), so a bonus still separates agencies at full marks.
    An applicable max of 0 gives ``index`` and ``index_exact`` None.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from cchc_portal.core.numbers import vi_number
from scoring.rules.inputs import clean_input
from scoring.rules.kinds import (
    BRANCH_RULE,
    HUNDRED,
    OUTSIDE_MAX_RULES,
    RULES,
    SCORE_RULES,
    InputError,
    RuleParamsError,
    bands_of,
    decimal_param,
    levels_of,
    to_decimal,
)
from scoring.rules.validation import validate_params

MAX_DEPTH = 4
ZERO = Decimal(0)
CENT = Decimal("0.01")

NOT_APPLICABLE = "không áp dụng"
NOT_SCORED = "chưa chấm"
NO_EVIDENCE = "0: không có tài liệu kiểm chứng"
SURVEY_PENDING = "chưa có kết quả khảo sát"
IMPORT_PENDING = "chưa có số liệu nhập"

_CODE = re.compile(r"[1-9][0-9]*(?:\.[1-9][0-9]*)*")


def round_points(value: Decimal) -> Decimal:
    """Half-up to 2 decimals: the rounding of awarded points and of the index."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Node:
    code: str  # "1", "1.2", "1.2.3"
    title: str
    max_points: Decimal
    rule: str  # "sum" for branches
    params: dict = field(default_factory=dict)
    evidence_required: bool = False
    capped: bool = False  # branch whose children's maxima may exceed its own (sum capped at max)

    def __post_init__(self):
        if isinstance(self.max_points, float):
            raise TypeError("max_points must be a Decimal, not a float")
        if not isinstance(self.max_points, Decimal) and to_decimal(self.max_points) is not None:
            object.__setattr__(self, "max_points", to_decimal(self.max_points))
        if self.params is None:
            object.__setattr__(self, "params", {})


@dataclass(frozen=True)
class Points:
    value: Decimal
    max: Decimal  # the applicable max (0 when not applicable)
    reason: str = ""
    applicable: bool = True
    pending: bool = False


@dataclass(frozen=True)
class Result:
    points: dict[str, Points]  # every node, in code order
    total: Decimal  # base_total + bonus − penalty, floored at 0
    applicable_max: Decimal
    bonus: Decimal  # after bonus_cap
    penalty: Decimal  # after penalty_cap
    index_exact: Decimal | None
    index: Decimal | None
    fields: dict[str, Points]  # top-level nodes
    base_total: Decimal = ZERO  # top-level criteria, before bonus and penalty
    # each node's kind: "base", "bonus", "penalty" or "mixed" (a branch holding both)
    kinds: dict[str, str] = field(default_factory=dict)

    def outside(self, code: str) -> tuple[Decimal, Decimal]:
        """(bonus, penalty) of the bonus and penalty items below a base branch, before the
        caps: what a field's line shows beside its own points."""
        bonus = penalty = ZERO
        for other, kind in self.kinds.items():
            if kind in ("bonus", "penalty") and other.startswith(code + ".") and self.points[other].applicable:
                parent = other.rpartition(".")[0]
                if self.kinds.get(parent) == kind:
                    continue  # counted with its parent
                if kind == "bonus":
                    bonus += self.points[other].value
                else:
                    penalty += self.points[other].value
        return bonus, penalty

    @property
    def pending(self) -> list[str]:
        """Leaf codes still waiting for survey results or imported figures."""
        branches = {code.rpartition(".")[0] for code in self.points}
        return [code for code, p in self.points.items() if p.pending and code not in branches]


@dataclass(frozen=True)
class Problem:
    code: str
    message: str  # Vietnamese

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class TreeError(ValueError):
    """The tree cannot be scored; ``problems`` says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# ---------------------------------------------------------------------------------------------
# the tree


def _parent(code: str) -> str | None:
    return code.rpartition(".")[0] or None


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def _structure_problems(nodes: Iterable[Node]) -> tuple[list[Problem], dict[str, Node]]:
    """Malformed, duplicate and orphan codes; and the well-formed nodes by code."""
    problems, by_code = [], {}
    for node in nodes:
        code = node.code
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            message = f"Mã '{code}' không hợp lệ; dùng các số cách nhau bằng dấu chấm, ví dụ 1, 1.2, 1.2.3."
            problems.append(Problem(str(code), message))
        elif code in by_code:
            problems.append(Problem(code, f"Mã '{code}' bị lặp."))
        else:
            by_code[code] = node
    for code in by_code:
        parent = _parent(code)
        if parent is not None and parent not in by_code:
            problems.append(Problem(code, f"Không có tiêu chí cha '{parent}' của tiêu chí '{code}'."))
    return problems, by_code


class _Tree:
    """Codes in order, children, and each node's kind: base, bonus, penalty or mixed."""

    def __init__(self, by_code: dict[str, Node]):
        self.by_code = by_code
        self.codes = sorted(by_code, key=_code_key)
        self.children: dict[str, list[str]] = defaultdict(list)
        self.roots = []
        for code in self.codes:
            parent = _parent(code)
            if parent in by_code:
                self.children[parent].append(code)
            elif parent is None:
                self.roots.append(code)
        self.kind: dict[str, str] = {}
        for code in reversed(self.codes):  # children before parents
            kids = self.children[code]
            if not kids:
                rule = by_code[code].rule
                self.kind[code] = rule if rule in OUTSIDE_MAX_RULES else "base"
            else:
                kinds = {self.kind[kid] for kid in kids}
                self.kind[code] = (
                    "base" if "base" in kinds else kinds.pop() if len(kinds) == 1 else "mixed"
                )

    def outermost(self, kind: str, under: str | None = None) -> list[str]:
        """Nodes of ``kind`` whose parent is of another kind (or absent), optionally below ``under``."""
        found = []
        for code in self.codes:
            if self.kind[code] != kind or self.kind.get(_parent(code) or "") == kind:
                continue
            if under is None or code.startswith(under + "."):
                found.append(code)
        return found


def validate_tree(nodes: Iterable[Node]) -> list[Problem]:
    """Every problem of a criteria tree at once, in Vietnamese, in code order."""
    problems, by_code = _structure_problems(nodes)
    tree = _Tree(by_code)
    for code in tree.codes:
        problems += [Problem(code, message) for message in _node_problems(tree, by_code[code])]
    order = {code: i for i, code in enumerate(tree.codes)}
    return sorted(problems, key=lambda p: order.get(p.code, -1))


def _node_problems(tree: _Tree, node: Node) -> list[str]:
    code, max_points = node.code, node.max_points
    problems = []
    depth = code.count(".") + 1
    if depth > MAX_DEPTH:
        problems.append(f"Mã '{code}' có {depth} cấp; tối đa {MAX_DEPTH} cấp.")
    if not isinstance(max_points, Decimal) or not max_points.is_finite():
        return problems + [f"Điểm tối đa '{max_points}' không phải là số."]
    if max_points < 0:
        problems.append(f"Điểm tối đa {vi_number(max_points)} không được âm.")
    if max_points != max_points.quantize(CENT, rounding=ROUND_HALF_UP):
        problems.append(f"Điểm tối đa {vi_number(max_points)} có quá 2 chữ số thập phân.")
    kids = tree.children[code]
    if kids:
        return problems + _branch_problems(tree, node, kids)
    if node.rule == BRANCH_RULE:
        return problems + ["Tiêu chí không có tiêu chí con thì không dùng quy tắc 'sum'; chọn quy tắc chấm."]
    if node.capped:
        problems.append("Chỉ tiêu chí có tiêu chí con mới được đánh dấu giới hạn (capped).")
    return problems + validate_params(node.rule, node.params, max_points)


def _branch_problems(tree: _Tree, node: Node, kids: list[str]) -> list[str]:
    if node.rule != BRANCH_RULE:
        shown = f"'{node.rule}'" if node.rule in RULES else f"'{node.rule}' (không hợp lệ)"
        return [f"Tiêu chí có tiêu chí con phải dùng quy tắc 'sum', đang là {shown}."]
    problems = validate_params(BRANCH_RULE, node.params, node.max_points)
    kind = tree.kind[node.code]
    if kind != "base":
        return problems  # bonus/penalty subtrees: their maxima need not add up
    counted = [tree.by_code[kid].max_points for kid in kids if tree.kind[kid] == kind]
    if not all(isinstance(m, Decimal) and m.is_finite() for m in counted):
        return problems
    total = sum(counted, ZERO)
    shown, own = vi_number(total), vi_number(node.max_points)
    if node.capped and total < node.max_points:
        problems.append(
            f"Tổng điểm tối đa các tiêu chí con ({shown}) nhỏ hơn điểm tối đa ({own}): "
            "không thể đạt điểm tối đa."
        )
    elif not node.capped and total != node.max_points:
        problems.append(
            f"Tổng điểm tối đa các tiêu chí con ({shown}) khác điểm tối đa ({own}); "
            "sửa điểm hoặc đánh dấu giới hạn (capped) nếu cố ý."
        )
    return problems


# ---------------------------------------------------------------------------------------------
# scoring


def _number(value, what: str) -> Decimal:
    number = to_decimal(value)
    if number is None:
        raise InputError(f"{what} '{value}' không phải là số.")
    return number


def _leaf_value(node: Node, raw: dict) -> tuple[Decimal, str]:
    """Unrounded points and their reason for a leaf's input; raises InputError/RuleParamsError."""
    rule, max_points, params = node.rule, node.max_points, node.params or {}
    cleaned = clean_input(rule, params, max_points, raw)
    if rule in SCORE_RULES:
        return Decimal(cleaned["score"]), ""
    if rule == "levels":
        label = cleaned["level"]
        points = next(level.points for level in levels_of(params) if level.label == label)
        return points, f"mức: {label}"
    if rule == "deduction":
        per = decimal_param(params, "per")
        if per is None:
            raise RuleParamsError("Thiếu tham số 'per' (số điểm trừ mỗi lần).")
        count = Decimal(cleaned["count"])
        return max(max_points - per * count, ZERO), f"trừ {vi_number(per)} × {cleaned['count']} lần"
    numerator, denominator = Decimal(cleaned["numerator"]), Decimal(cleaned["denominator"])
    fraction = f"tử số {vi_number(numerator)}; mẫu số {vi_number(denominator)}"
    pct = numerator * HUNDRED / denominator
    over = ", vượt 100% nên tính 100%" if pct > HUNDRED else ""
    if rule == "ratio":
        target = decimal_param(params, "target", HUNDRED)
        if target <= 0:
            raise RuleParamsError("Tham số 'target' phải lớn hơn 0.")
        if numerator > denominator:  # over 100 % counts as 100 % (rule param over=cap)
            return max_points * HUNDRED / target, f"{fraction}{over}"
        return max_points * numerator * HUNDRED / (denominator * target), fraction
    shown = vi_number(round_points(pct))
    for band in bands_of(params):
        if band.contains(min(pct, HUNDRED)):  # over 100 % counts as 100 % (rule param over=cap)
            return band.points, f"{fraction}: tỷ lệ {shown}%{over} ({band.range_text()})"
    raise RuleParamsError(f"Không có khoảng điểm nào cho tỷ lệ {shown}%.")


class _Scoring:
    def __init__(self, tree, inputs, evidence, survey, imported, not_applicable):
        self.tree = tree
        self.inputs, self.evidence, self.survey = inputs, evidence, survey
        self.imported, self.not_applicable = imported, not_applicable
        self.points: dict[str, Points] = {}

    def visit(self, code: str, inherited_na: bool = False) -> None:
        na = inherited_na or code in self.not_applicable
        kids = self.tree.children[code]
        for kid in kids:
            self.visit(kid, na)
        node = self.tree.by_code[code]
        if na:
            self.points[code] = Points(ZERO, ZERO, NOT_APPLICABLE, applicable=False)
        elif kids:
            self.points[code] = self.branch(node, kids)
        else:
            self.points[code] = self.leaf(node)

    def branch(self, node: Node, kids: list[str]) -> Points:
        kind = self.tree.kind[node.code]
        if kind == "mixed":
            bonus = sum((self.points[c].value for c in self.tree.outermost("bonus", node.code)), ZERO)
            penalty = sum((self.points[c].value for c in self.tree.outermost("penalty", node.code)), ZERO)
            pending = any(self.points[kid].pending for kid in kids)
            reason = f"thưởng {vi_number(bonus)}, trừ {vi_number(penalty)}"
            return Points(bonus - penalty, node.max_points, reason, pending=pending)
        counted = [self.points[kid] for kid in kids if self.tree.kind[kid] == kind]
        counted = [p for p in counted if p.applicable]
        if not counted:
            return Points(ZERO, ZERO, f"{NOT_APPLICABLE} (mọi tiêu chí con không áp dụng)", applicable=False)
        applicable_max = min(node.max_points, sum((p.max for p in counted), ZERO))
        total = sum((p.value for p in counted), ZERO)
        reason = ""
        if total > applicable_max:
            reason = f"tổng {vi_number(total)} vượt tối đa, tính {vi_number(applicable_max)}"
        pending = any(p.pending for p in counted)
        return Points(min(total, applicable_max), applicable_max, reason, pending=pending)

    def leaf(self, node: Node) -> Points:
        code, rule, max_points = node.code, node.rule, node.max_points
        figure, raw = None, None
        if rule == "survey":
            figure = self.survey.get(code)
            if figure is None:
                return Points(ZERO, max_points, SURVEY_PENDING, pending=True)
        elif rule == "imported" and self.imported.get(code) is not None:
            figure = self.imported[code]
        else:
            raw = self.inputs.get(code)
            if raw is None or raw == {}:
                if rule == "imported":
                    return Points(ZERO, max_points, IMPORT_PENDING, pending=True)
                return Points(ZERO, max_points, NOT_SCORED)
        if node.evidence_required and code not in self.evidence:
            return Points(ZERO, max_points, NO_EVIDENCE)
        try:
            if figure is not None:
                value = _number(figure, "Số liệu")
                reason = "kết quả khảo sát" if rule == "survey" else f"số liệu nhập: {vi_number(value)}"
            else:
                value, reason = _leaf_value(node, raw)
        except (InputError, RuleParamsError) as error:
            return Points(ZERO, max_points, error.message)
        awarded = min(max(round_points(value), ZERO), max_points)
        return Points(awarded, max_points, reason)


def _cap(value: Decimal, cap) -> Decimal:
    if cap is None:
        return value
    return min(value, _number(cap, "Giới hạn"))


def score(
    nodes: Iterable[Node],
    *,
    inputs: Mapping[str, dict] | None = None,
    evidence: Iterable[str] = (),
    survey: Mapping[str, Decimal | None] | None = None,
    imported: Mapping[str, Decimal] | None = None,
    not_applicable: Iterable[str] = (),
    bonus_cap: Decimal | None = None,
    penalty_cap: Decimal | None = None,
) -> Result:
    """Score one agency's tree (see the module docstring for every rule).

    Raises ``TreeError`` only when the tree itself cannot be read (malformed, duplicate or
    orphan codes, a max that is not a number); inputs never make it raise. Other problems of
    the tree (see ``validate_tree``) do not stop scoring.
    """
    problems, by_code = _structure_problems(nodes)
    problems += [
        Problem(code, f"Điểm tối đa '{n.max_points}' không phải là số.")
        for code, n in by_code.items()
        if not isinstance(n.max_points, Decimal) or not n.max_points.is_finite()
    ]
    if problems:
        raise TreeError(problems)
    tree = _Tree(by_code)
    scoring = _Scoring(
        tree, inputs or {}, set(evidence or ()), survey or {}, imported or {}, set(not_applicable or ())
    )
    with localcontext() as ctx:
        ctx.prec = 28
        for code in tree.roots:
            scoring.visit(code)
        points = {code: scoring.points[code] for code in tree.codes}
        base_roots = [points[code] for code in tree.roots if tree.kind[code] == "base"]
        base_total = sum((p.value for p in base_roots), ZERO)
        applicable_max = sum((p.max for p in base_roots), ZERO)
        bonus = _cap(sum((points[c].value for c in tree.outermost("bonus")), ZERO), bonus_cap)
        penalty = _cap(sum((points[c].value for c in tree.outermost("penalty")), ZERO), penalty_cap)
        total = max(base_total + bonus - penalty, ZERO)
        index_exact = total * HUNDRED / applicable_max if applicable_max > 0 else None
    return Result(
        points=points,
        total=total,
        applicable_max=applicable_max,
        bonus=bonus,
        penalty=penalty,
        index_exact=index_exact,
        index=None if index_exact is None else round_points(index_exact),
        fields={code: points[code] for code in tree.roots},
        base_total=base_total,
        kinds=dict(tree.kind),
    )


def score_leaf(
    node: Node,
    *,
    raw: dict | None = None,
    has_evidence: bool = False,
    survey: Decimal | None = None,
    imported: Decimal | None = None,
) -> Points:
    """One leaf's points, exactly as ``score`` awards them inside a tree.

    Used where a single item changes (an agency saving one score, an appraiser adjusting
    one): the stored points then match a whole-tree recomputation to the last digit.
    """
    code = node.code
    scoring = _Scoring(
        None,
        {code: raw} if raw is not None else {},
        {code} if has_evidence else set(),
        {code: survey} if survey is not None else {},
        {code: imported} if imported is not None else {},
        set(),
    )
    return scoring.leaf(node)
