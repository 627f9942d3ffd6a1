"""Answering through the services, as the page does, at a chosen moment."""
from datetime import timedelta

from django.urls import reverse

from surveys.selectors import questionnaire as questionnaire_selectors
from surveys.services import answering as answering_services


def answer_url(token):
    """The respondent's page of a personal link."""
    return reverse("surveys:answer", kwargs={"token": token})


def submit(survey, invitation, ratings, *, q2=None, sex="A", text="", ip="203.0.113.9", user_agent="Mozilla/5.0",
           seconds=600, now=None):
    """`ratings`: {agency: option} for question 1 (question 2 gets `q2` or the same option).
    The respondent takes `seconds` between opening and sending."""
    respondent = invitation.respondent
    questionnaire = questionnaire_selectors.questionnaire_for(group=respondent.group,
                                                              respondent_agency=respondent.respondent_list.agency)
    start = now or survey.step.opens_at + timedelta(hours=1)
    answering_services.invitation_open(invitation=invitation, now=start)
    answers = {}
    for question in questionnaire.questions:
        if question.kind == "rating":
            for agency in questionnaire.rated:
                option = ratings.get(agency, "E")
                if question.pk == getattr(survey, "q2", None).pk and q2 is not None:
                    option = q2
                answers[(question.pk, agency.pk)] = [option]
        elif question.kind == "single":
            answers[(question.pk, None)] = [sex]
        elif question.kind == "text":
            answers[(question.pk, None)] = text
    end = start + timedelta(seconds=seconds)
    answering_services.response_save(invitation=invitation, answers=answers, replace_all=True, now=end)
    return answering_services.response_submit(invitation=invitation, questionnaire=questionnaire, ip=ip,
                                              user_agent=user_agent, now=end)


def at_the_same_instant(target, *, times=2, timeout=30):
    """Run `target` in `times` threads (each its own database connection) behind a barrier,
    so that they reach the database together; `target(barrier)` waits on it first."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(times)

    def run():
        try:
            target(barrier)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
