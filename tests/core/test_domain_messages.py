"""Domain messages are translatable: every `ApplicationError` (or subclass) a module builds
carries its message through gettext, the Vietnamese text being the msgid.

The walk reads every module of the portal's packages (not migrations, not tests) with `ast`
and fails on an error built with a bare string literal, an f-string, or a literal joined,
`%`-formatted or `.format()`-ed without gettext. A message held in a variable is left to
the code that made it. The English catalogue's completeness is pinned by tests/test_i18n.py.
"""
import ast
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cchc_portal.core.exceptions import ApplicationError

ROOT = Path(settings.BASE_DIR)
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "npgettext"}
SKIPPED_DIRS = {"migrations", "tests", "__pycache__"}


def project_modules():
    """(app, path) of every module of the portal's packages (top-level folders with an
    __init__.py, tests aside), migrations and tests left out."""
    for package in sorted(p.parent for p in ROOT.glob("*/__init__.py")):
        if package.name in SKIPPED_DIRS:
            continue
        for path in sorted(package.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
                yield package.name, path


def _name(func) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def error_classes(trees) -> set[str]:
    """ApplicationError and every class that derives from it, in any module (by name)."""
    names = {"ApplicationError"}
    classes = [node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grown = True
    while grown:
        grown = False
        for cls in classes:
            if cls.name not in names and any(_name(base) in names for base in cls.bases):
                names.add(cls.name)
                grown = True
    return names


def _translated(node) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in GETTEXT


def bare_message(node) -> bool:
    """A message written in place without gettext: "…", f"…", "…" + x, "…" % x, "…".format(x)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return not _translated(node.left) and (bare_message(node.left) or bare_message(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return not _translated(node.func.value) and bare_message(node.func.value)
    if isinstance(node, ast.IfExp):
        return bare_message(node.body) or bare_message(node.orelse)
    return False


def untranslated_errors(tree, classes) -> list[tuple[int, str]]:
    """(line, error class) of every error built with a bare message in the module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in classes:
            message = node.args[0] if node.args else next(
                (k.value for k in node.keywords if k.arg == "message"), None)
            if message is not None and bare_message(message):
                found.append((node.lineno, _name(node.func)))
    return found


def test_every_domain_error_message_goes_through_gettext():
    modules = [(app, path, ast.parse(path.read_text(encoding="utf-8"), str(path))) for app, path in project_modules()]
    assert {app for app, _path, _tree in modules} >= {"campaigns", "cchc_portal", "evidence", "scoring", "surveys",
                                                      "reports"}
    classes = error_classes(tree for _app, _path, tree in modules)
    assert {"ConflictError", "DeadlineError", "StaleVersionError"} <= classes
    bad = [f"{path.relative_to(ROOT)}:{line}: {cls}"
           for _app, path, tree in modules
           for line, cls in untranslated_errors(tree, classes)]
    assert not bad, "messages without gettext (wrap them in _(), Vietnamese as the msgid):\n" + "\n".join(bad)


def test_the_walk_tells_bare_messages_from_translated_ones():
    source = """
class ConflictError(ApplicationError):
    pass
class Refused(ConflictError):
    pass
raise ApplicationError("Không được.")  # bare
raise ConflictError(f"Lần {n} đã công bố.")  # bare
raise errors.ApplicationError("Tệp " + name + " rỗng.")  # bare
raise Refused("Tệp %s rỗng." % name, code="empty")  # bare
raise ApplicationError("Còn {n} đơn vị.".format(n=n))  # bare
raise ApplicationError(message="Sai." if x else _("Đúng."))  # bare
failure = ConflictError("Đã khóa.")  # bare
raise ApplicationError(_("Không được."))
raise ConflictError(_("Lần %(n)s đã công bố.") % {"n": n})
raise Refused(gettext("Tệp {name} rỗng.").format(name=name), code="empty")
raise ApplicationError(message, extra={"errors": errors})
raise ValueError("not a domain error")
"""
    tree = ast.parse(source)
    classes = error_classes([tree])
    assert classes == {"ApplicationError", "ConflictError", "Refused"}
    expected = [n for n, line in enumerate(source.splitlines(), start=1) if line.endswith("# bare")]
    assert [line for line, _cls in untranslated_errors(tree, classes)] == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("vi", ["Tệp “rong.pdf” rỗng (0 byte).", "Ngày ban hành không được sau ngày hôm nay.",
            "Hai mức xếp loại có cùng chỉ số tối thiểu.", "Bắt buộc."]),
    ("en", ["The file “rong.pdf” is empty (0 bytes).", "The date of issue cannot be later than today.",
            "Two grades have the same minimum index.", "Required."]),
])
def test_evidence_and_reports_errors_speak_the_readers_language(language, expected):
    """Messages are translated when raised, in the language of the request that meets them."""
    from evidence.services import clean_metadata
    from evidence.validation import check_file
    from reports.services import grade_bands_parse, publication_next_number

    with translation.override(language):
        with pytest.raises(ApplicationError) as empty:
            check_file(io.BytesIO(b""), name="rong.pdf")
        with pytest.raises(ApplicationError) as future:
            clean_metadata(issued_on=date.today() + timedelta(days=2))
        with pytest.raises(ApplicationError) as bands:
            grade_bands_parse("90: Tốt; 90: Khá; 0: Yếu")
        with pytest.raises(ApplicationError) as unnumbered:
            publication_next_number(campaign=None, decision_number=" ")
    assert [empty.value.message, future.value.message, bands.value.message,
            unnumbered.value.extra["errors"]["decision_number"][0]] == expected
