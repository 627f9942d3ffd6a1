"""The fast results path equals the engine on the full tree, for random trees and points.

`reports.shapes.SetShape` collapses subtrees into sums and, when no cap can bind, adds
them up without calling the engine per agency. Here random criteria trees (N/A branches,
capped and uneven branches, survey, imported, bonus and penalty leaves, caps) with random
stored points are scored both ways and must agree to the last digit.
"""
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports.shapes import Crit, SetShape
from scoring.engine import Node, score

RULES = ["manual", "manual", "manual", "imported", "survey", "bonus", "penalty"]
MAXES = [Decimal(x) for x in ("0.5", "1", "1.5", "2", "3", "4")]


@st.composite
def trees(draw):
    crits, next_id = [], iter(range(1, 10_000))
    for r in range(1, draw(st.integers(1, 4)) + 1):
        if draw(st.booleans()) and r > 1:  # a top-level leaf
            rule = draw(st.sampled_from(RULES))
            crits.append(Crit(next(next_id), str(r), f"Lĩnh vực {r}", draw(st.sampled_from(MAXES)), rule))
            continue
        kids = []
        for c in range(1, draw(st.integers(1, 3)) + 1):
            code = f"{r}.{c}"
            if draw(st.booleans()):
                leaves = [Crit(next(next_id), f"{code}.{x}", "l", draw(st.sampled_from(MAXES)),
                               draw(st.sampled_from(RULES))) for x in range(1, draw(st.integers(1, 3)) + 1)]
                total = sum((x.max_points for x in leaves), Decimal(0))
                own = draw(st.sampled_from([total, total, total - Decimal("0.5"), total + 1]))
                crits.append(Crit(next(next_id), code, "c", max(own, Decimal(0)), "sum", own < total))
                crits += leaves
                kids.append(max(own, Decimal(0)))
            else:
                m = draw(st.sampled_from(MAXES))
                crits.append(Crit(next(next_id), code, "c", m, draw(st.sampled_from(RULES))))
                kids.append(m)
        total = sum(kids, Decimal(0))
        own = draw(st.sampled_from([total, total, total - 1, total + 1]))
        crits.append(Crit(next(next_id), str(r), f"Lĩnh vực {r}", max(own, Decimal(0)), "sum", own < total))
    return crits


@st.composite
def cases(draw):
    crits = draw(trees())
    codes = [c.code for c in crits]
    na = set(draw(st.lists(st.sampled_from(codes), max_size=3)))
    leaves = [c for c in crits if not any(o.code.startswith(c.code + ".") for o in crits)]
    figures = {}
    for leaf in leaves:
        if draw(st.integers(0, 4)):
            steps = int(leaf.max_points * 4)
            figures[leaf.code] = Decimal(draw(st.integers(0, steps))) / 4
    caps = draw(st.sampled_from([(None, None), (Decimal("1"), Decimal("2")), (Decimal("0.5"), None)]))
    return crits, na, figures, caps, draw(st.booleans())


def reference(crits, na, figures, caps):
    """The engine on the whole tree, each leaf carrying its stored points."""
    codes = {c.code for c in crits}
    nodes, inputs, survey, imported = [], {}, {}, {}
    for c in crits:
        if any(o.startswith(c.code + ".") for o in codes):
            nodes.append(Node(c.code, c.title, c.max_points, "sum", capped=c.capped))
        elif c.rule in ("bonus", "penalty"):
            nodes.append(Node(c.code, c.title, c.max_points, c.rule))
            if c.code in figures:
                inputs[c.code] = {"score": str(figures[c.code])}
        elif c.rule == "survey":
            nodes.append(Node(c.code, c.title, c.max_points, "survey"))
            survey[c.code] = figures.get(c.code)
        elif c.code in figures:
            nodes.append(Node(c.code, c.title, c.max_points, "imported"))
            imported[c.code] = figures[c.code]
        else:
            nodes.append(Node(c.code, c.title, c.max_points, "manual" if c.rule != "imported" else "imported"))
    return score(nodes, inputs=inputs, survey=survey, imported=imported, not_applicable=na,
                 bonus_cap=caps[0], penalty_cap=caps[1])


def units_of(shape, figures):
    """What the SQL aggregate returns: the sum of stored points per unit (None when none)."""
    out = {}
    for leaf, unit in shape.unit_of.items():
        value = figures.get(leaf)
        if value is not None:
            out[unit] = (out.get(unit) or Decimal(0)) + value
        else:
            out.setdefault(unit, None)
    return out


def same(ref, got):
    assert (got.total, got.applicable_max, got.index, got.bonus, got.penalty) == (
        ref.total, ref.applicable_max, ref.index, ref.bonus, ref.penalty)
    assert {c: (p.value, p.max, p.applicable) for c, p in got.fields.items()} == {
        c: (p.value, p.max, p.applicable) for c, p in ref.fields.items()}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_compressed_linear_and_engine_paths_equal_the_full_engine(case):
    crits, na, figures, caps, survey_apart = case
    ref = reference(crits, na, figures, caps)
    shape = SetShape(1, *caps)
    for c in crits:
        shape.add(c)
    shape.finish(na, survey_apart=survey_apart)
    units = units_of(shape, figures)
    same(ref, shape.score(units, na))
    same(ref, shape.engine_score(units, na))
    # the same set for an agency without any N/A code
    same(reference(crits, set(), figures, caps), shape.score(units, ()))


def test_a_realistic_tree_takes_the_linear_path():
    crits = [Crit(1, "1", "F", Decimal(4), "sum"), Crit(2, "1.1", "a", Decimal(2), "manual"),
             Crit(3, "1.2", "b", Decimal(2), "manual"), Crit(4, "2", "S", Decimal(2), "sum"),
             Crit(5, "2.1", "s", Decimal(2), "survey"), Crit(6, "3", "BP", Decimal(3), "sum"),
             Crit(7, "3.1", "b", Decimal(1), "bonus"), Crit(8, "3.2", "p", Decimal(2), "penalty")]
    shape = SetShape(1, Decimal(1), Decimal(2))
    for c in crits:
        shape.add(c)
    shape.finish({"1.2"})
    assert shape.unit_of == {"1.1": "1.1", "1.2": "1.2", "2.1": "2.1", "3.1": "3.1", "3.2": "3.2"}
    assert shape.plan({"1.2"}).linear and shape.plan(()).linear
    got = shape.score({"1.1": Decimal("1.5"), "1.2": Decimal(2), "2.1": None, "3.1": Decimal(1)}, {"1.2"})
    assert (got.total, got.applicable_max, got.index, got.pending) == (Decimal("2.5"), Decimal(4), Decimal("62.50"),
                                                                        ["2.1"])
    shape = SetShape(1)
    for c in crits:
        shape.add(c)
    shape.finish(set())
    assert shape.unit_of["1.1"] == shape.unit_of["1.2"] == "1"  # the whole field is one SQL sum
