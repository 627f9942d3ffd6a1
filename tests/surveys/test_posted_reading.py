"""A sent page read in one pass (services.posted_page) says what the general path says of
it: the same document, digest and row count for a valid, complete page, and nothing (the
general path then explains) for an invalid or incomplete one. Checked on questionnaires and
pages that hypothesis makes up, with no database."""
import json

from django.http import QueryDict
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from campaigns.models import Agency
from cchc_portal.core.exceptions import ApplicationError
from surveys import selectors, services
from surveys.answers import to_data
from surveys.models import Question
from surveys.options import DEFAULT_RATING

_KINDS = ("rating", "single", "multiple", "text")


@st.composite
def questionnaires(draw):
    agencies = [Agency(pk=pk, code=f"A{pk}", name=f"Cơ quan {pk}")
                for pk in draw(st.lists(st.integers(1, 3000), min_size=1, max_size=6, unique=True))]
    questions = []
    for n, pk in enumerate(draw(st.lists(st.integers(1, 3000), min_size=1, max_size=6, unique=True))):
        kind = draw(st.sampled_from(_KINDS))
        options = ([dict(o) for o in DEFAULT_RATING] if kind == "rating" else
                   [{"key": k, "label": k, "weight": None} for k in ("A", "B", "C")] if kind != "text" else [])
        questions.append(Question(pk=pk, group_id=1, number=str(n + 1), kind=kind, text=f"Câu {n + 1}",
                                  options=options, required=draw(st.booleans()), order=n, section="Phần"))
    return selectors.Questionnaire(None, questions, agencies)


_values = st.lists(st.one_of(st.sampled_from(["A", "B", "C", "D", "E", "", "Z", " A"]),
                             st.text(max_size=12)), max_size=3)


@st.composite
def pages(draw, questionnaire):
    """A posted page: mostly the questionnaire's own fields with good values, sometimes
    with rows left out, bad values, a field of another questionnaire or extra fields."""
    data = QueryDict(mutable=True)
    data["csrfmiddlewaretoken"] = "x" * 32
    data["action"] = "submit"
    for name, (_qid, _agency, kind, keys) in questionnaire.fields.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # left out
        if draw(st.integers(0, 14)) == 0:
            data.setlist(name, draw(_values))  # anything
        elif kind == "rating":
            data[name] = draw(st.sampled_from(sorted(keys)))
        elif kind == "text":
            data[name] = draw(st.text(max_size=30))  # quotes, backslashes, any letter, blanks
        else:
            data.setlist(name, draw(st.lists(st.sampled_from(sorted(keys)), max_size=2)))  # a single choice twice too
    if draw(st.integers(0, 9)) == 0:
        data[f"q{draw(st.integers(3001, 3100))}"] = "A"  # another questionnaire's question
    if draw(st.booleans()):
        data["note"] = "not a field"
    return data


def _general(data, questionnaire):
    """What the general path makes of a page: None when it refuses it or finds rows missing."""
    try:
        answers = services.answers_from_post(data, questionnaire)
    except ApplicationError:
        return None
    if selectors.missing_rows(questionnaire, answers):
        return None
    return to_data(answers), *services._digest(questionnaire, answers)


@given(st.data())
@hypothesis_settings(deadline=None, max_examples=300)
def test_a_page_read_in_one_pass_is_what_the_general_path_reads(data):
    questionnaire = data.draw(questionnaires())
    page = data.draw(pages(questionnaire))
    expected = _general(page, questionnaire)
    got = services.posted_page(page, questionnaire)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert (json.loads(got.document), got.digest, got.rows) == expected


def test_a_complete_page_and_its_refusals():
    rated = [Agency(pk=7, code="S7", name="Sở 7"), Agency(pk=9, code="S9", name="Sở 9")]
    questions = [Question(pk=1, kind="rating", options=[dict(o) for o in DEFAULT_RATING], required=True),
                 Question(pk=2, kind="multiple", options=[{"key": k} for k in "AB"], required=True),
                 Question(pk=3, kind="text", options=[], required=False)]
    questionnaire = selectors.Questionnaire(None, questions, rated)
    page = QueryDict("q1_a7=A&q1_a9=E&q2=B&q2=A&q2=B&q3=%20%22Tr%E1%BB%85%22%5C%20&action=submit")
    got = services.posted_page(page, questionnaire)
    assert json.loads(got.document) == {"1": {"7": "A", "9": "E"}, "2": ["B", "A"], "3": '"Trễ"\\'}
    assert got.rows == 2 and len(got.digest) == 64
    for refused in ("q1_a7=A&q2=A", "q1_a7=A&q1_a9=F&q2=A", "q1_a7=A&q1_a9=B&q2=C", "q1_a7=A&q1_a9=B&q2=A&q1_a8=A",
                    "q1_a7=A&q1_a7=B&q1_a9=B&q2=A"):
        assert services.posted_page(QueryDict(refused), questionnaire) is None, refused
