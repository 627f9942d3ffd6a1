"""One criteria set's tree, compressed for a campaign's results.

`SetShape` holds a set's criteria without the ORM and collapses every subtree that cannot
change a sum for any agency into one unit (see `reports.results` for which points count
and why a collapsed field scores exactly what the full tree would). Per N/A pattern it
plans the arithmetic once: plain sums when no cap can bind, else the engine per agency.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from scoring.engine import Node, Points, round_points, score

ZERO = Decimal("0")
HUNDRED = Decimal("100")
SPECIAL_RULES = frozenset({"survey", "bonus", "penalty"})


def code_key(code: str):
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


@dataclass(frozen=True)
class Crit:
    """One criterion as results need it (no ORM)."""

    id: int
    code: str
    title: str
    max_points: Decimal
    rule: str
    capped: bool = False


@dataclass
class Scored:
    """One agency's scores: what the engine's Result gives, for either path."""

    total: Decimal
    applicable_max: Decimal
    index: Decimal | None
    bonus: Decimal
    penalty: Decimal
    fields: dict[str, Points]
    pending: list[str]
    points: dict[str, Points] | None = None


def _kind(rule: str) -> str:
    return rule if rule in ("bonus", "penalty") else "base"


@dataclass
class _Plan:
    """One N/A pattern of one set: every compressed node's applicable max (from the engine)
    and whether the per-agency arithmetic is plain sums (no cap can bind)."""

    linear: bool
    points: dict[str, Points]  # the engine's figure-free result: maxima and applicability
    applicable_max: Decimal
    leaves: list = field(default_factory=list)  # applicable compressed leaves: (code, max, may be pending)
    roots: list = field(default_factory=list)  # (code, kind, Points, base, bonus, penalty leaf positions)


class SetShape:
    """One criteria set's tree, compressed for a campaign (see the module docstring).

    `unit_of` maps each leaf code to the code of the compressed node whose sum it joins.
    """

    def __init__(self, set_id, bonus_cap=None, penalty_cap=None):
        self.set_id, self.bonus_cap, self.penalty_cap = set_id, bonus_cap, penalty_cap
        self.crit: dict[str, Crit] = {}
        self.children: dict[str, list[str]] = defaultdict(list)
        self.roots: list[str] = []
        self.unit_of: dict[str, str] = {}
        self.multi_units: dict[str, Decimal] = {}  # collapsed subtree → its max
        self.static_nodes: list[Node] = []  # branches and collapsed subtrees
        self.leaf_nodes: dict[str, tuple[Node, Node]] = {}  # scored leaf → (with points, without)
        self.kind: dict[str, str] = {}
        self._plans: dict[frozenset, _Plan] = {}

    def add(self, crit: Crit):
        self.crit[crit.code] = crit

    def finish(self, na_codes, detail=False, survey_apart=True):
        """Build the tree; collapse every subtree that cannot change a sum for any agency
        (`na_codes`: every N/A code of the set in the campaign). `detail`: collapse nothing.
        `survey_apart`: survey leaves stay single (live survey points are joined one by one,
        and a leaf still without points is reported pending); without live points they are
        summed like the others."""
        na_codes = set(na_codes)
        special = SPECIAL_RULES if survey_apart else SPECIAL_RULES - {"survey"}
        for code in sorted(self.crit, key=code_key):
            parent = code.rpartition(".")[0]
            (self.children[parent] if parent in self.crit else self.roots).append(code)
        for code in sorted(self.crit, key=code_key, reverse=True):
            kids = self.children[code]
            if not kids:
                self.kind[code] = _kind(self.crit[code].rule)
            else:
                kinds = {self.kind[k] for k in kids}
                self.kind[code] = "base" if "base" in kinds else kinds.pop() if len(kinds) == 1 else "mixed"
        memo: dict[str, bool] = {}

        def collapsible(code) -> bool:
            if code not in memo:
                crit, kids = self.crit[code], self.children[code]
                if not kids:
                    memo[code] = crit.rule not in special
                else:
                    memo[code] = (
                        not detail
                        and all(collapsible(k) and k not in na_codes for k in kids)
                        and sum((self.crit[k].max_points for k in kids), ZERO) <= crit.max_points
                    )
            return memo[code]

        def visit(code):
            crit, kids = self.crit[code], self.children[code]
            if kids and collapsible(code):
                self.multi_units[code] = self._static_max(code)
                self.static_nodes.append(Node(code, crit.title, self.multi_units[code], "imported"))
                for leaf in self._leaves_under(code):
                    self.unit_of[leaf] = code
                return
            if kids:
                self.static_nodes.append(Node(code, crit.title, crit.max_points, "sum", capped=crit.capped))
                for kid in kids:
                    visit(kid)
                return
            self.unit_of[code] = code
            if crit.rule in SPECIAL_RULES or crit.rule == "imported":
                node = Node(code, crit.title, crit.max_points, crit.rule)
                self.leaf_nodes[code] = (node, node)
            else:  # points already awarded: pass them as a figure; no points: "chưa chấm"
                self.leaf_nodes[code] = (Node(code, crit.title, crit.max_points, "imported"),
                                         Node(code, crit.title, crit.max_points, "manual"))

        for root in self.roots:
            visit(root)

    def _leaves_under(self, code):
        kids = self.children[code]
        if not kids:
            return [code]
        return [leaf for k in kids for leaf in self._leaves_under(k)]

    def _static_max(self, code) -> Decimal:
        kids = self.children[code]
        if not kids:
            return self.crit[code].max_points
        return min(self.crit[code].max_points, sum((self._static_max(k) for k in kids), ZERO))

    # ------------------------------------------------ SQL

    def sql_units(self, with_survey=False):
        """{unit code: [criterion ids]} for leaves whose unit is not their top-level field
        (survey leaves only `with_survey`)."""
        out = defaultdict(list)
        for leaf, unit in self.unit_of.items():
            crit = self.crit[leaf]
            if (crit.rule == "survey" and not with_survey) or unit == leaf.split(".")[0]:
                continue
            out[unit].append(crit.id)
        return out

    # ------------------------------------------------ scoring

    def _nodes(self, unit_points):
        nodes = list(self.static_nodes)
        imported, survey, inputs = {}, {}, {}
        for code in self.multi_units:
            imported[code] = unit_points.get(code) or ZERO
        for code, (with_points, without) in self.leaf_nodes.items():
            value = unit_points.get(code)
            if value is None:
                nodes.append(without)
                continue
            nodes.append(with_points)
            if with_points.rule in ("bonus", "penalty"):
                inputs[code] = {"score": str(min(value, with_points.max_points))}
            elif with_points.rule == "survey":
                survey[code] = value
            else:
                imported[code] = value
        return nodes, {"inputs": inputs, "survey": survey, "imported": imported}

    def engine_score(self, unit_points, na_codes=()) -> Scored:
        """The engine on the compressed tree for one agency."""
        nodes, figures = self._nodes(unit_points)
        result = score(nodes, not_applicable=na_codes, bonus_cap=self.bonus_cap, penalty_cap=self.penalty_cap,
                       **figures)
        return Scored(result.total, result.applicable_max, result.index, result.bonus, result.penalty,
                      result.fields, result.pending, result.points)

    def plan(self, na_codes) -> _Plan:
        key = frozenset(na_codes)
        if key not in self._plans:
            self._plans[key] = self._make_plan(key)
        return self._plans[key]

    def _compressed_parent(self, code):
        parent = code.rpartition(".")[0]
        return parent if parent in self.crit else None

    def _make_plan(self, na_codes) -> _Plan:
        empty = self.engine_score({}, na_codes)
        points = empty.points
        plan = _Plan(linear=True, points=points, applicable_max=empty.applicable_max)
        compressed = sorted({n.code for n in self.static_nodes} | set(self.leaf_nodes), key=code_key)
        kids = defaultdict(list)
        for code in compressed:
            parent = self._compressed_parent(code)
            if parent is not None:
                kids[parent].append(code)
        position = {}
        for code in compressed:
            kind = self.kind[code]
            if code in self.leaf_nodes or code in self.multi_units:
                parent = self._compressed_parent(code)
                if kind != "base" and parent is not None and self.kind[parent] == kind:
                    plan.linear = False  # a pure bonus/penalty branch caps its children
                if points[code].applicable:
                    position[code] = len(plan.leaves)
                    may_pend = code in self.leaf_nodes and self.crit[code].rule in ("survey", "imported")
                    plan.leaves.append((code, points[code].max, may_pend))
            elif kind in ("bonus", "penalty"):
                plan.linear = False
            elif kind == "base" and points[code].applicable:
                counted = sum((points[k].max for k in kids[code] if self.kind[k] == "base"), ZERO)
                if counted > self.crit[code].max_points:
                    plan.linear = False  # a cap may bind: let the engine decide per agency
        for root in self.roots:
            under = [c for c in position if c == root or c.startswith(root + ".")]
            plan.roots.append((
                root, self.kind[root], points[root],
                tuple(position[c] for c in under if self.kind[c] == "base"),
                tuple(position[c] for c in under if self.kind[c] == "bonus"),
                tuple(position[c] for c in under if self.kind[c] == "penalty"),
            ))
        return plan

    def score(self, unit_points, na_codes=(), *, detail=False) -> Scored:
        """One agency: plain sums over the plan when no cap can bind, else the engine.

        Figures from the database carry 2 decimals already (so they need no rounding);
        each is kept within [0, its max] as the engine does.
        """
        plan = self.plan(na_codes)
        if detail or not plan.linear:
            return self.engine_score(unit_points, na_codes)
        get = unit_points.get
        values, pending = [], []
        for code, max_points, may_pend in plan.leaves:
            value = get(code)
            if value is None:
                value = ZERO
                if may_pend:
                    pending.append(code)
            elif value > max_points:
                value = max_points
            elif value < ZERO:
                value = ZERO
            values.append(value)
        fields, base_total, bonus_sum, penalty_sum = {}, ZERO, ZERO, ZERO
        for root, kind, p, base, bonuses, penalties in plan.roots:
            bonus = penalty = ZERO
            for i in bonuses:
                bonus += values[i]
            for i in penalties:
                penalty += values[i]
            bonus_sum += bonus
            penalty_sum += penalty
            if not p.applicable:
                fields[root] = p
                continue
            if kind == "base":
                value = ZERO
                for i in base:
                    value += values[i]
                base_total += value
            elif kind == "bonus":  # a bonus or penalty leaf at the top: its own points
                value = bonus
            elif kind == "penalty":
                value = penalty
            else:  # mixed: the net, as the engine shows it
                value = bonus - penalty
            is_pending = bool(pending) and any(c == root or c.startswith(root + ".") for c in pending)
            fields[root] = Points(value, p.max, "", True, is_pending)
        bonus = bonus_sum if self.bonus_cap is None else min(bonus_sum, self.bonus_cap)
        penalty = penalty_sum if self.penalty_cap is None else min(penalty_sum, self.penalty_cap)
        total = max(base_total + bonus - penalty, ZERO)
        index = None
        if plan.applicable_max > 0:
            with localcontext() as ctx:
                ctx.prec = 28
                index = round_points(total * HUNDRED / plan.applicable_max)
        return Scored(total, plan.applicable_max, index, bonus, penalty, fields, pending)
