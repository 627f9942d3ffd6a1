"""Migration 0003: answers stored as rows become each response's document, and nothing is
lost going forward or back."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("surveys", "0002_integrity_flags_voids_reissue")]
AFTER = [("surveys", "0004_lean_answer_indexes")]


def _state(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def test_rows_become_documents_and_come_back(survey, invite, commune, agency_a, agency_b):
    draft_inv, _ = invite(commune, "draft@example.vn")
    sent_inv, _ = invite(commune, "sent@example.vn")
    try:
        old = _state(BEFORE)
        Response, Answer = old.get_model("surveys", "Response"), old.get_model("surveys", "Answer")
        now = timezone.now()
        draft = Response.objects.create(invitation_id=draft_inv.pk, started_at=now)
        sent = Response.objects.create(invitation_id=sent_inv.pk, started_at=now, submitted_at=now)
        for response in (draft, sent):
            Answer.objects.create(response=response, question_id=survey.q1.pk, rated_agency_id=agency_a.pk, option="B")
            Answer.objects.create(response=response, question_id=survey.q3.pk, option="A")
            Answer.objects.create(response=response, question_id=survey.q4.pk, text="Ý kiến")

        new = _state(AFTER)
        Response, Answer = new.get_model("surveys", "Response"), new.get_model("surveys", "Answer")
        expected = {str(survey.q1.pk): {str(agency_a.pk): "B"}, str(survey.q3.pk): ["A"], str(survey.q4.pk): "Ý kiến"}
        assert Response.objects.get(pk=draft.pk).answers_data == expected
        assert Response.objects.get(pk=sent.pk).answers_data == expected
        assert not Answer.objects.filter(response_id=draft.pk).exists()  # a draft's answers live in its document
        assert Answer.objects.filter(response_id=sent.pk).count() == 3  # the counted rows of a sent one stay

        old = _state(BEFORE)
        Answer = old.get_model("surveys", "Answer")
        assert Answer.objects.filter(response_id=draft.pk).count() == 3  # back: the draft's rows again
        assert Answer.objects.filter(response_id=sent.pk).count() == 3
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
