"""An item's input (the agency's own or the appraiser's) checked against its criterion's rule:
the one cleaner the self-assessment and the appraisal share."""
from __future__ import annotations

from django.utils.translation import gettext as _

from cchc_portal.core.exceptions import ApplicationError
from scoring.rules.inputs import clean_input
from scoring.rules.kinds import InputError, RuleParamsError


def clean_item_input(*, criterion, raw) -> dict:
    """The input normalised by the rule (`scoring.rules.inputs.clean_input`); None or {} gives
    {} (no input). A bad input raises ApplicationError (400) naming the criterion, the rule's
    message under `errors["input"]`."""
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise ApplicationError(_("Dữ liệu chấm điểm phải là một đối tượng JSON."),
                               extra={"errors": {"input": [_("Phải là một đối tượng JSON.")]}})
    try:
        return clean_input(criterion.rule, criterion.params or {}, criterion.max_points, raw)
    except (InputError, RuleParamsError) as error:
        raise ApplicationError(_("Tiêu chí %(code)s: %(problem)s") % {"code": criterion.code, "problem": error.message},
                               extra={"errors": {"input": [error.message]}}) from error
