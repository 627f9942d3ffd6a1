from decimal import Decimal

from scoring.engine import Node, score, score_leaf


def test_score_leaf_matches_the_tree():
    nodes = [
        Node("1", "Lĩnh vực", Decimal("4"), "sum"),
        Node("1.1", "Mức", Decimal("1"), "levels",
             {"levels": [{"label": "Đúng hạn", "points": "1"}, {"label": "Trễ hạn", "points": "0.5"}]}),
        Node("1.2", "Tỷ lệ", Decimal("2"), "ratio", {}, evidence_required=True),
        Node("1.3", "Khảo sát", Decimal("1"), "survey"),
    ]
    inputs = {"1.1": {"level": "Trễ hạn"}, "1.2": {"numerator": 2, "denominator": 3}}
    whole = score(nodes, inputs=inputs, evidence={"1.2"}, survey={"1.3": Decimal("0.67")})
    assert score_leaf(nodes[1], raw=inputs["1.1"]) == whole.points["1.1"]
    assert score_leaf(nodes[2], raw=inputs["1.2"], has_evidence=True) == whole.points["1.2"]
    assert whole.points["1.2"].value == Decimal("1.33")
    assert score_leaf(nodes[2], raw=inputs["1.2"], has_evidence=False).value == Decimal("0")
    assert score_leaf(nodes[3], survey=Decimal("0.67")) == whole.points["1.3"]
    assert score_leaf(nodes[3]).pending is True
