"""One way for a view to run an action (a service call) and answer it, as a page or as JSON.

    outcome = run_action(request, lambda: services.extension_grant(...),
                         success=_("Đã gia hạn."), form=form)
    if outcome.ok:
        return redirect(...)
    return render(...)

A refusal (`ApplicationError`) becomes the form's error when a form is given, otherwise a
message on the next page; scripts that ask for JSON (`wants_json`) get `error_json` instead
of a message: `return outcome.json(lambda saved: {...})`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import JsonResponse

from cchc_portal.core.exceptions import ApplicationError, DeadlineError


def wants_json(request) -> bool:
    """The page's script asks for JSON: `Accept: application/json` without HTML, or an XHR."""
    accept = request.headers.get("Accept", "")
    return ("application/json" in accept and "text/html" not in accept) or (
        request.headers.get("X-Requested-With") == "XMLHttpRequest")


def error_json(exc: ApplicationError, **body) -> JsonResponse:
    """The one JSON body of a refusal: `detail` (the message), `errors` (per field),
    `deadline` (a cutoff refused it), the error's other extras, and what the caller adds."""
    data = {"detail": str(exc.message), "errors": exc.extra.get("errors", {})}
    data.update({k: v for k, v in exc.extra.items() if k != "errors"})
    data["deadline"] = isinstance(exc, DeadlineError)
    data.update(body)
    return JsonResponse(data, status=exc.status)


@dataclass
class Outcome:
    ok: bool
    result: Any = None
    error: ApplicationError | None = field(default=None)

    def json(self, body: Callable[[Any], dict] | None = None, status: int = 200) -> JsonResponse:
        """`error_json` of the refusal, or `body(result)` on success."""
        if not self.ok:
            return error_json(self.error)
        return JsonResponse(body(self.result) if body else {}, status=status)


def run_action(request, action: Callable[[], Any], *, success: str | Callable[[Any], str] = "",
               form=None) -> Outcome:
    """Run `action()`; say what happened unless the caller wants JSON.

    `success` is the message after it worked (or a function of the result giving it);
    a refusal goes to `form` as a non-field error when a form is given, else to messages.
    """
    try:
        result = action()
    except ApplicationError as exc:
        if not wants_json(request):
            if form is not None:
                form.add_error(None, exc.message)
            else:
                messages.error(request, exc.message)
        return Outcome(ok=False, error=exc)
    text = success(result) if callable(success) else success
    if text and not wants_json(request):
        messages.success(request, text)
    return Outcome(ok=True, result=result)
