"""No developer words on pages (issue #13 point 11): the text people read on the main pages
names tasks, steps, statuses and rule kinds by their labels, never by their codes, and
never shows "None"."""
import re

import pytest
from django.urls import reverse

from cchc_portal.automation.reminders import reminders_run
from cchc_portal.automation.tick import tick_run
from tests.reports.test_counts import world  # noqa: F401 - the fixture

CODES = re.compile(
    r"\b(None|not_started|with_leader|in_appraisal|explanation_requested|self_assessment|respondent_lists"
    r"|appraisal_2|ratio|bands|deduction|imported|survey|manual|levels|lock_overdue)\b"
    r"|\b(scoring|surveys|notifications|reports|campaigns)\.[a-z_]+")


def visible_text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize("who", ["officer", "appraiser", "staff_a"])
def test_pages_speak_labels_not_codes(request, world, login, who):  # noqa: F811
    campaign, by_code = world
    tick_run()
    reminders_run()
    sa = by_code["SA"]
    pages = {
        "officer": ["/", reverse("reports-board", args=[campaign.pk]),
                    reverse("scoring:assessment_list") + f"?campaign={campaign.pk}",
                    reverse("reports-results", args=[campaign.pk]), reverse("notifications:automation"),
                    reverse("notifications:reminders", args=[campaign.pk]),
                    reverse("scoring:appraisal_queue", args=[campaign.pk]),
                    reverse("scoring:appraisal_page", args=[sa.pk]), reverse("scoring:assessment_page", args=[sa.pk]),
                    reverse("scoring:criteria_set", args=[sa.criteria_set_id]), f"/campaigns/{campaign.pk}/"],
        "appraiser": ["/", reverse("scoring:appraisal_queue", args=[campaign.pk]),
                      reverse("scoring:appraisal_page", args=[sa.pk])],
        "staff_a": ["/", reverse("scoring:assessment_page", args=[sa.pk]), f"/campaigns/{campaign.pk}/",
                    reverse("scoring:item_documents", args=[sa.pk, "1.1"])],
    }[who]
    client = login(request.getfixturevalue(who))
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        found = CODES.search(visible_text(response))
        assert found is None, (url, found and visible_text(response)[max(0, found.start() - 80):found.end() + 80])
