"""Issue #14.7: a NUL character or a JSON body nested too deep is a 400 with a clear message,
from one middleware (addresses, queries, forms) and the API's JSON parser, not per view."""
import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import parsers
from rest_framework.views import APIView

from cchc_portal.core.parsers import JSONParser
from surveys.models import Response
from tests.surveys.conftest import _fresh_cache, full_answers, invite, survey  # noqa: F401 - survey fixtures

pytestmark = pytest.mark.django_db
NUL_MESSAGE = "Yêu cầu chứa ký tự không hợp lệ (ký tự NUL)"


def test_a_nul_in_the_address_or_the_query_is_refused_with_a_message(client, login, staff_a, campaign):
    for response in (client.get("/ket-qua/1/don-vi/%00/"), client.get("/ket-qua/1/?q=%00"),
                     login(staff_a).get(f"/evidence/{campaign.pk}/SA/", {"q": "a\x00b"})):
        assert response.status_code == 400
        assert NUL_MESSAGE in response.content.decode()


def test_the_api_says_it_in_json(api, staff_a):
    response = api.as_user(staff_a).get("/api/v1/agencies/?q=%00")
    assert response.status_code == 400 and NUL_MESSAGE in response.json()["detail"]


def test_a_nul_in_a_survey_free_text_is_refused_and_nothing_is_saved(client, survey, invite, commune,  # noqa: F811
                                                                     agency_a, agency_b):
    invitation, token = invite(commune, "an@example.vn")
    url = reverse("surveys:answer", kwargs={"token": token})
    data = full_answers(survey, [agency_a, agency_b], text="Góp ý\x00") | {"action": "submit"}
    response = client.post(url, data)
    assert response.status_code == 400 and NUL_MESSAGE in response.content.decode()
    assert not Response.objects.filter(invitation=invitation).exists()
    save = client.post(reverse("surveys:answer_save", kwargs={"token": token}), {f"q{survey.q4.pk}": "x\x00"})
    assert save.status_code == 400
    # the same page without the NUL is taken
    data[f"q{survey.q4.pk}"] = "Góp ý"
    assert client.post(url, data).status_code == 302


def test_a_patch_nested_a_hundred_thousand_levels_is_a_400(api, officer, campaign):
    url = reverse("api-campaign-step", args=[campaign.pk, "self_assessment"])
    deep = "[" * 100_000 + "]" * 100_000
    response = api.as_user(officer).patch(url, deep, content_type="application/json")
    assert response.status_code == 400 and "lồng nhau quá sâu" in response.json()["detail"]
    value = "x"
    for _level in range(40):  # deeper than any body the API takes, far from json's own limit
        value = [value]
    just_too_deep = json.dumps({"opens_at": value})
    assert api.as_user(officer).patch(url, just_too_deep, content_type="application/json").status_code == 400
    nul = json.dumps({"opens_at": "2026-12-01T00:00\u0000"})
    response = api.as_user(officer).patch(url, nul, content_type="application/json")
    assert response.status_code == 400 and "ký tự NUL" in response.json()["detail"]


def _api_views(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _api_views(p.url_patterns)
        elif isinstance(p, URLPattern) and isinstance(getattr(p.callback, "cls", None), type) \
                and issubclass(p.callback.cls, APIView):
            yield p.callback.cls


def test_every_api_view_reads_json_with_the_portals_parser():
    views = list(_api_views(get_resolver().url_patterns))
    assert len(views) > 20
    for view in views:
        json_parsers = [c for c in view.parser_classes if issubclass(c, parsers.JSONParser)]
        assert all(issubclass(c, JSONParser) for c in json_parsers), view
