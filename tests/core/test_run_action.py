"""The one way views run an action: a refusal becomes the form's error, a message, or the one
JSON body; success says so unless the caller is a script asking for JSON."""
import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from cchc_portal.core.exceptions import ApplicationError, DeadlineError
from cchc_portal.core.views import error_json, run_action, wants_json


def _request(accept="text/html", xhr=False):
    headers = {"Accept": accept}
    if xhr:
        headers["X-Requested-With"] = "XMLHttpRequest"
    request = RequestFactory().post("/", headers=headers)
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _texts(request):
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def refuse(message="Không được.", cls=ApplicationError, **extra):
    def action():
        raise cls(message, extra=extra or None)
    return action


@pytest.mark.parametrize("accept,xhr,expected", [
    ("application/json", False, True), ("text/html,application/json", False, False),
    ("*/*", True, True), ("text/html", False, False)])
def test_wants_json(accept, xhr, expected):
    assert wants_json(_request(accept, xhr)) is expected


def test_success_returns_the_result_and_says_so():
    request = _request()
    outcome = run_action(request, lambda: 41 + 1, success=lambda n: f"Xong {n}.")
    assert outcome.ok and outcome.result == 42
    assert _texts(request) == [("success", "Xong 42.")]


def test_a_refusal_goes_to_the_form_when_there_is_one():
    class F(forms.Form):
        name = forms.CharField(required=False)
    form = F({})
    assert form.is_valid()
    request = _request()
    outcome = run_action(request, refuse("Tên đã có."), success="Xong.", form=form)
    assert not outcome.ok and form.non_field_errors() == ["Tên đã có."]
    assert _texts(request) == []


def test_a_refusal_is_a_message_without_a_form():
    request = _request()
    outcome = run_action(request, refuse("Đã khóa."), success="Xong.")
    assert not outcome.ok and _texts(request) == [("error", "Đã khóa.")]


def test_scripts_get_json_and_no_message_left_for_the_next_page():
    request = _request("application/json")
    outcome = run_action(request, refuse("Quá hạn.", DeadlineError, errors={"x": ["sai"]}, current=3),
                         success="Xong.")
    response = outcome.json()
    assert response.status_code == 409
    assert json.loads(response.content) == {"detail": "Quá hạn.", "errors": {"x": ["sai"]}, "current": 3,
                                            "deadline": True}
    assert _texts(request) == []
    ok = run_action(request, lambda: {"a": 1}, success="Xong.")
    assert json.loads(ok.json(lambda r: {"got": r["a"]}).content) == {"got": 1}
    assert _texts(request) == []


def test_error_json_adds_the_callers_fields():
    body = json.loads(error_json(ApplicationError("Sai."), files=[]).content)
    assert body == {"detail": "Sai.", "errors": {}, "deadline": False, "files": []}


def test_a_refusal_names_the_form_fields_it_is_about():
    class F(forms.Form):
        code = forms.CharField(required=False)
        title = forms.CharField(required=False)
    form = F({})
    assert form.is_valid()
    outcome = run_action(_request(), refuse("Mã đã có.", errors={"code": ["Mã đã có."], "other": ["Khác."]}),
                         form=form)
    assert not outcome.ok
    assert form.errors == {"code": ["Mã đã có."], "__all__": ["Khác."]}  # no field "other": above the form
    bare = F({})
    assert bare.is_valid()
    run_action(_request(), refuse("Đã khóa."), form=bare)
    assert bare.errors == {"__all__": ["Đã khóa."]}


def test_quiet_leaves_the_telling_to_the_caller():
    request = _request()
    assert run_action(request, lambda: 1, success="Xong.", quiet=True).ok
    refused = run_action(request, refuse("Không được."), quiet=True)
    assert not refused.ok and refused.error.message == "Không được."
    assert _texts(request) == []
