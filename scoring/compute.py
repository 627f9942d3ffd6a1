"""Bridges between the database and the pure engine: nodes from criteria, one item's points.

Every place that stores points (the agency saving a score, the appraiser adjusting one,
imported figures, survey points) computes them here, so stored points always equal what
``engine.score`` gives for the whole tree.
"""
from decimal import Decimal

from .engine import Node, Points, score_leaf
from .models import Criterion, Item


def node_for(criterion: Criterion) -> Node:
    return Node(
        code=criterion.code,
        title=criterion.title,
        max_points=criterion.max_points,
        rule=criterion.rule,
        params=criterion.params or {},
        evidence_required=criterion.evidence_required,
        capped=criterion.capped,
    )


def item_points(
    item: Item,
    *,
    raw: dict | None = None,
    has_evidence: bool | None = None,
    external: Decimal | None = None,
) -> Points:
    """The points of one item for an input (default: the item's own input).

    `has_evidence` defaults to whether the item has documents linked (one query unless the
    documents are prefetched); `external` defaults to the item's survey/imported points.
    """
    criterion = item.criterion
    if raw is None:
        raw = item.input or None
    if has_evidence is None:
        has_evidence = bool(item.documents.all()) if _prefetched(item) else item.documents.exists()
    if external is None:
        external = item.external_points
    return score_leaf(
        node_for(criterion),
        raw=raw,
        has_evidence=has_evidence,
        survey=external if criterion.rule == "survey" else None,
        imported=external if criterion.rule == "imported" else None,
    )


def _prefetched(item: Item) -> bool:
    return "documents" in getattr(item, "_prefetched_objects_cache", {})
