"""Shared setup of the appraisal tests (tests/scoring/test_appraisal_*.py).

TREE (department set, bonus cap 1), max 22 without N/A:

    1   (6)  1.1 manual 2 (step 0.5) · 1.2 levels Có=2/Không=0, evidence required · 1.3 ratio 2
    2   (4, capped) 2.1 manual 3 · 2.2 manual 3
    3   (4)  3.1 manual 4                      ← not applicable to agency A ("SA")
    4   bonus 2 (step 0.5), outside the max
    5   (5)  5.1 imported 5
    6   (3)  6.1 survey 3

`world(...)` builds it in the `campaign` fixture, opens the appraisal and explanation steps
around now, creates the assessments (helper-6's `assessments_ensure`), and `submit(...)`
fills an agency's self-scores through the agency's own services and submits them.
"""
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Step
from evidence.services import document_upload
from scoring.models import Assessment, Item
from scoring.services.assessments import (
    assessment_approve,
    assessment_send_to_leader,
    assessments_ensure,
    item_link_documents,
    item_update,
)
from tests.factories import group
from tests.scoring.assessment_support import pdf_bytes
from tests.scoring.factories import CriteriaSetFactory, build_tree

TREE = [
    ("1", "6"),
    ("1.1", "2", "manual", "step=0.5"),
    ("1.2", "2", "levels", "Có=2; Không=0", {"evidence_required": True}),
    ("1.3", "2", "ratio", ""),
    ("2", "4", "sum", "", {"capped": True}),
    ("2.1", "3", "manual", ""),
    ("2.2", "3", "manual", ""),
    ("3", "4"),
    ("3.1", "4", "manual", ""),
    ("4", "2", "bonus", "step=0.5"),
    ("5", "5"),
    ("5.1", "5", "imported", ""),
    ("6", "3"),
    ("6.1", "3", "survey", ""),
]

SELF_INPUTS = {
    "1.1": {"score": "2"},
    "1.2": {"level": "Có"},
    "1.3": {"numerator": 9, "denominator": 10},
    "2.1": {"score": "3"},
    "2.2": {"score": "2"},
    "4": {"score": "0.5"},
}


@dataclass
class World:
    campaign: object
    criteria_set: object
    nodes: dict
    a: Assessment  # agency A (3 not applicable)
    b: Assessment  # agency B


def set_step(campaign, kind, opens_at, closes_at):
    Step.objects.update_or_create(campaign=campaign, kind=kind,
                                  defaults={"opens_at": opens_at, "closes_at": closes_at})


def world(campaign, agency_a, *, now=None) -> World:
    now = now or timezone.now()
    criteria_set = CriteriaSetFactory(campaign=campaign, group=group("department"), bonus_cap=Decimal("1"))
    nodes = build_tree(criteria_set, TREE)
    nodes["3"].not_applicable_to.add(agency_a)
    set_step(campaign, "appraisal", now - timedelta(days=1), now + timedelta(days=5))
    set_step(campaign, "explanation", now - timedelta(days=1), now + timedelta(days=10))
    assessments_ensure(campaign=campaign)
    by_code = {a.agency.code: a for a in Assessment.objects.select_related("agency", "campaign", "criteria_set")
               .filter(campaign=campaign)}
    return World(campaign, criteria_set, nodes, by_code["SA"], by_code["SB"])


def item(assessment, code) -> Item:
    return Item.objects.select_related("criterion", "assessment", "assessment__agency").get(
        assessment=assessment, criterion__code=code)


def pdf_upload(name="bien-ban.pdf", text="Bien ban kiem tra"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def submit(assessment, *, staff, leader, inputs=None, evidence=("1.2",)) -> Assessment:
    """The agency's self-scores typed and evidenced by its staff, approved by its leader."""
    inputs = SELF_INPUTS if inputs is None else inputs
    for code, raw in inputs.items():
        it = item(assessment, code)
        if it.criterion.not_applicable_to.filter(pk=assessment.agency_id).exists():
            continue
        item_update(assessment=assessment, code=code, input=raw, explanation=f"Giải trình {code}",
                    version=it.version, user=staff)
    if evidence:
        document, _ = document_upload(agency=assessment.agency, campaign=assessment.campaign,
                                      file=pdf_upload(f"tlkc-{assessment.agency.code}.pdf", assessment.agency.code),
                                      user=staff, number="12/KH-UBND")
        item_link_documents(assessment=assessment, codes=list(evidence), documents=[document], user=staff)
    assessment_send_to_leader(assessment=assessment, user=staff)
    assessment_approve(assessment=assessment, user=leader)
    assessment.refresh_from_db()
    return assessment


def assign(campaign, appraiser, codes, *, officer, group_code=None):
    from scoring.services.appraisal import assignment_create

    return assignment_create(campaign=campaign, appraiser=appraiser, codes=codes, group=group_code, user=officer)[0]
