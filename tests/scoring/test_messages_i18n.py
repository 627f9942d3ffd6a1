"""Domain messages of scoring go through gettext (the Vietnamese text is the msgid), so an
English reader gets them in English."""
import ast
from pathlib import Path

import pytest
from django.utils import translation

from cchc_portal.core.exceptions import ApplicationError
from scoring.inputs import clean_item_input

SCORING = Path(__file__).resolve().parents[2] / "scoring"
ERRORS = {"ApplicationError", "ConflictError", "DeadlineError", "StaleVersionError", "PermissionDenied", "field_error"}


def _literal_messages(path: Path) -> list[str]:
    """`raise SomeError("...")` / `f"..."` with a bare literal as the message."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            first = node.args[0]
            if name in ERRORS and (isinstance(first, ast.JoinedStr)
                                   or (isinstance(first, ast.Constant) and isinstance(first.value, str))):
                found.append(f"{path.relative_to(SCORING.parent)}:{node.lineno}")
    return found


def test_no_scoring_error_message_is_a_bare_literal():
    modules = [p for p in SCORING.rglob("*.py") if "migrations" not in p.parts and not p.name.startswith("demo")]
    assert [hit for p in modules for hit in _literal_messages(p)] == []


@pytest.mark.django_db
def test_an_error_message_reads_in_english():
    class Criterion:
        rule, params, max_points, code = "manual", {}, 5, "1.1"

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        clean_item_input(criterion=Criterion(), raw="4")
    assert refused.value.message == "The scoring input must be a JSON object."
    with pytest.raises(ApplicationError) as refused:
        clean_item_input(criterion=Criterion(), raw="4")
    assert refused.value.message == "Dữ liệu chấm điểm phải là một đối tượng JSON."
