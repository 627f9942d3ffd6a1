"""A respondent's answers as one JSON document (`Response.answers_data`) and back.

In code, answers are `{(question id, rated agency id | None): value}`: a list of option
keys (a matrix row has one), or the text of a short answer. In the database they are
`{"<question id>": {"<rated agency id>": "A"} | ["A", "C"] | "text"}`: one row a
response, so saving and sending a form writes one row, however many rows the matrix has.
Empty values are left out (an unanswered row, a cleared text or choice).
"""
from django.db import transaction

from campaigns.models import Agency

from .models import Answer, Question, Response, SurveyVoid


def _empty(value) -> bool:
    return not value or (isinstance(value, str) and not value.strip())


def to_data(answers: dict, data: dict | None = None) -> dict:
    """`answers` written into `data` (a copy; a new document when None): a posted value
    replaces the stored one, an empty value removes it."""
    if data is None:  # a whole new document (a sent page): nothing to copy or remove
        out: dict = {}
        for (qid, aid), value in answers.items():
            if not value or (value.__class__ is str and not value.strip()):
                continue
            if aid is None:
                out[str(qid)] = value if value.__class__ is str else list(value)
            elif (rows := out.get(q := str(qid))) is None:
                out[q] = {str(aid): value[0]}
            else:
                rows[str(aid)] = value[0]
        return out
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in (data or {}).items()}
    for (qid, aid), value in answers.items():
        q = str(qid)
        if aid is not None:
            rows = out.get(q)
            if not isinstance(rows, dict):
                rows = out[q] = {}
            if _empty(value):
                rows.pop(str(aid), None)
            else:
                rows[str(aid)] = value[0]
            if not rows:
                del out[q]
        elif _empty(value):
            out.pop(q, None)
        else:
            out[q] = value if isinstance(value, str) else list(value)
    return out


def from_data(data: dict | None) -> dict:
    """The document as answers (the inverse of `to_data`)."""
    out: dict = {}
    for q, value in (data or {}).items():
        qid = int(q)
        if isinstance(value, dict):
            for aid, option in value.items():
                out[(qid, int(aid))] = [option]
        else:
            out[(qid, None)] = value if isinstance(value, str) else list(value)
    return out


def answer_rows(response_id: int, data: dict) -> list[Answer]:
    """The rows of Answer (response, question, rated agency, option, text) of a document."""
    rows = []
    for q, value in data.items():
        qid = int(q)
        if isinstance(value, dict):
            rows += [Answer(response_id=response_id, question_id=qid, rated_agency_id=int(aid), option=option)
                     for aid, option in value.items()]
        elif isinstance(value, str):
            rows.append(Answer(response_id=response_id, question_id=qid, text=value))
        else:
            rows += [Answer(response_id=response_id, question_id=qid, option=option) for option in value]
    return rows


VOIDED_REASON = "Kết quả khảo sát của đơn vị đã bị hủy."


def expand_pending(*, campaign_id=None, batch=1000) -> int:
    """Write the rows of Answer of every sent response still pending (all of them, or one
    campaign's), batch by batch, each batch in one transaction; returns how many responses.
    Idempotent and safe to run from two places at once: the responses are locked (rows of
    a response that another run wrote are replaced, never doubled) and a run waits for the
    other's batch, so a reader that calls it first (the points) counts every answer.
    Answers that name a question or agency that no longer exists are left out. A response
    of an agency whose survey result was voided is voided here if the submission missed
    the void (a submission that raced the void)."""
    done = 0
    pending = Response.objects.filter(answers_pending=True)
    if campaign_id is not None:
        pending = pending.filter(invitation__respondent__campaign_id=campaign_id)
    more = pending.exists()
    while more:
        with transaction.atomic():
            items = list(pending.select_for_update(of=("self",)).order_by("pk")
                         .values_list("pk", "answers_data", "invitation__respondent__campaign_id",
                                      "invitation__respondent__respondent_list__agency_id")[:batch])
            more = len(items) == batch
            if not items:
                break
            ids = [item[0] for item in items]
            rows = [row for pk, data, _c, _a in items for row in answer_rows(pk, data or {})]
            questions = set(Question.objects.filter(pk__in={r.question_id for r in rows}).values_list("pk", flat=True))
            agencies = set(Agency.objects.filter(pk__in={r.rated_agency_id for r in rows} - {None})
                           .values_list("pk", flat=True))
            Answer.objects.filter(response_id__in=ids).delete()
            Answer.objects.bulk_create([r for r in rows if r.question_id in questions
                                        and (r.rated_agency_id is None or r.rated_agency_id in agencies)],
                                       batch_size=500)
            Response.objects.filter(pk__in=ids).update(answers_pending=False)
            voided = set(SurveyVoid.objects.filter(agency__isnull=False, campaign_id__in={i[2] for i in items})
                         .values_list("campaign_id", "agency_id"))
            late = [pk for pk, _d, campaign, agency in items if (campaign, agency) in voided]
            if late:
                Response.objects.filter(pk__in=late, voided=False).update(voided=True, void_reason=VOIDED_REASON)
            done += len(ids)
    return done
